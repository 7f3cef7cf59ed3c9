// The page faults of issue #19, each replayed in headless Chromium as a user meets it: imports the
// page could not describe, snapshot buffers over the device's limit, links that froze auto's pick,
// rebuilds on every Play, big CSV files, gaps drawn as lines, and the small ones.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cpuForward, cpuLoss } from '../src/cpu/model';
import { parseCsv } from '../src/data/csv';
import { initParams } from '../src/model/init';
import { paramLayout, unpackParams, type ModelSpec } from '../src/model/layout';
import { dnnex, downloadText, epochs, hook, idle, loadLectureCsv, losses, playRun, results, servePage, waitText, WEBGPU_FLAGS, withPage } from './page-harness';

servePage('test-results/page-faults-dist'); // apart from page.test.ts's dist/: the two files may run side by side

const lecture = parseCsv(readFileSync(dnnex), 'dnnex.csv');
const url = (page: { url(): string }) => new URL(page.url()).searchParams;

/** A CLI `--out` file (config, loss, params; no Adam state) of `spec` with seed-`seed` parameters, and its loss on the lecture's data. */
function cliFile(spec: ModelSpec, seed: bigint, name: string): { path: string; loss: number } {
  const layout = paramLayout(spec);
  const params = initParams(seed, layout);
  const loss = cpuLoss(cpuForward(params, layout, lecture.x).logit, lecture.y, layout);
  const path = join(results, name);
  const config = { model: spec, lr: 0.001, seed: String(seed), strategy: 'fused', requestedStrategy: 'auto', chunkEpochs: 250, epochs: 1, data: 'dnnex.csv' };
  writeFileSync(path, JSON.stringify({ config, adapter: 'test', loss: [loss], params: unpackParams(params, layout) }));
  return { path, loss };
}

/** A device whose limits are lowered before the page asks for them (what phones and Firefox's defaults offer). */
const lowLimits = (limits: Record<string, number>) => `(() => {
  const request = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = function (d = {}) {
    return request.call(this, { ...d, requiredLimits: { ...(d.requiredLimits ?? {}), ...${JSON.stringify(limits)} } });
  };
})();`;

/** The device reports a smaller maxBufferSize than it has: what the page fits its snapshots to. */
const reportedMaxBuffer = (bytes: number) => `(() => {
  const real = Object.getOwnPropertyDescriptor(GPUSupportedLimits.prototype, 'maxBufferSize');
  Object.defineProperty(GPUSupportedLimits.prototype, 'maxBufferSize', { get() { return Math.min(real.get.call(this), ${bytes}); } });
})();`;

describe('imports (issue #19, item 1)', () => {
  test('a CLI file of layers 1,16,16,1 imports and Play continues it (no rebuild, auto stays auto); its export continues exactly; a head the page cannot show is refused; Play right after Restart submits on no destroyed buffer', async () => {
    const deep: ModelSpec = { layers: [1, 16, 16, 1], head: 'bce', dropout: 0 };
    const file = cliFile(deep, 7n, 'cli-1-16-16-1.json');
    const fresh = cliFile(deep, 43052n, 'cli-fresh.json');
    expect(Math.abs(file.loss - fresh.loss)).toBeGreaterThan(1e-3); // the test can tell them apart
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#epochs', '20');
      await page.click('#reset');
      await idle(page);
      await waitText(page, '#run-status', 'Fresh parameters from seed 43052');
      await page.setInputFiles('#import-params', file.path);
      await waitText(page, '#import-message', 'Loaded cli-1-16-16-1.json: layers 1-16-16-1, BCE head');
      await waitText(page, '#run-status', 'Loaded cli-1-16-16-1.json at epoch 0');
      expect(await hook(page, 'config()')).toMatchObject({ model: deep, seed: 7n });
      const builds = await hook<number>(page, 'builds()');

      await playRun(page);
      expect(await epochs(page)).toBe(20);
      expect(await hook(page, 'builds()')).toBe(builds); // Play rebuilt nothing: the form's auto is the engine's auto
      expect(await hook(page, 'config()')).toMatchObject({ model: deep });
      const first = await losses(page);
      expect(Math.abs(first[0] - file.loss)).toBeLessThan(1e-5); // from the file's parameters, not seed 43052's
      expect(url(page).get('strategy')).toBeNull(); // the link keeps auto, not the strategy it resolved to
      expect(url(page).get('workgroup')).toBeNull();
      expect(url(page).get('layers')).toBe('1,16,16,1'); // the link describes the model on screen
      expect(await page.locator('#stale').isHidden()).toBe(true);

      const saved = join(results, 'page-1-16-16-1.json');
      writeFileSync(saved, await downloadText(page, '#export-params'));
      await playRun(page);
      const straight = (await losses(page)).slice(20, 40);
      expect(straight).toHaveLength(20);

      // Adam's state round-trips through a file: epochs 21..40 again, the same numbers.
      await page.click('#reset');
      await idle(page);
      await page.setInputFiles('#import-params', saved);
      await waitText(page, '#import-message', "epoch 20, with Adam's state");
      expect(await page.locator('#stale').isHidden()).toBe(true);
      await playRun(page);
      expect(await epochs(page)).toBe(40);
      const again = (await losses(page)).slice(20, 40);
      again.forEach((v, i) => expect(Math.abs(v - straight[i]), `epoch ${21 + i}`).toBeLessThan(1e-6));

      // An MSE head on the lecture's page: refused before anything changes, saying where it can go.
      const mse = cliFile({ layers: [1, 4, 1], head: 'mse', dropout: 0 }, 1n, 'cli-mse.json');
      await page.setInputFiles('#import-params', mse.path);
      await waitText(page, '#import-message', 'cli-mse.json was not loaded: its model has the mse head');
      await waitText(page, '#import-message', '?lesson=04wk-1-curve');
      expect(await epochs(page)).toBe(40);
      expect(await hook(page, 'config()')).toMatchObject({ model: deep });

      // Dropout stays dropout.
      const dropped = cliFile({ layers: [1, 4, 1], head: 'bce', dropout: 0.25 }, 2n, 'cli-dropout.json');
      await page.setInputFiles('#import-params', dropped.path);
      await waitText(page, '#import-message', 'layers 1-4-1, BCE head, dropout 0.25');
      await page.fill('#epochs', '5');
      await playRun(page);
      expect(await epochs(page)).toBe(5);
      expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 4, 1], dropout: 0.25 } });

      // Restart then Play at once: no redraw reads an engine a build destroyed.
      await page.fill('#hidden', '3');
      await page.click('#restart');
      await page.click('#play'); // taken if the restart is done, else dropped (busy)
      await idle(page);
      expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 3, 1], dropout: 0.25 } });
      expect([0, 5]).toContain(await epochs(page));
      expect(await page.locator('#run-message').textContent()).not.toContain('GPU error');

      // The link rebuilds that model, dropout included, though the lecture has no dropout switch.
      await page.goto(page.url());
      await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
      await idle(page);
      expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 3, 1], dropout: 0.25 } });
    });
  });
});

describe('links, limits and rebuilds (items 2, 3, 4)', () => {
  test('a link naming piecewise on a 16 KiB-workgroup-memory device says it does not fit, names what does (fused too) and offers auto', async () => {
    await withPage(WEBGPU_FLAGS, { query: 'lesson=04wk-1-curve&speed=max&epochs=2&strategy=piecewise&workgroup=64', init: lowLimits({ maxComputeWorkgroupStorageSize: 16384 }), errors: 'ignore' }, async (page) => {
      await waitText(page, '#run-message', 'The model could not be built: piecewise');
      await waitText(page, '#run-message', /fused .*fit this model; auto picks/);
      await page.click('#use-auto');
      await idle(page);
      expect(await page.locator('#strategy').inputValue()).toBe('auto');
      expect(url(page).get('strategy')).toBeNull();
      expect((await hook<{ strategy: string }>(page, 'config()')).strategy).not.toBe('piecewise');
      const builds = await hook<number>(page, 'builds()');
      await playRun(page);
      await playRun(page);
      expect(await epochs(page)).toBe(4);
      expect(await hook(page, 'builds()')).toBe(builds);
      expect(url(page).get('strategy')).toBeNull();

      // An MSE file on the MSE lesson's page: its head and its depth continue (the lecture's page refuses it).
      const mse = cliFile({ layers: [1, 8, 8, 1], head: 'mse', dropout: 0 }, 5n, 'cli-mse-deep.json');
      await page.setInputFiles('#import-params', mse.path);
      await waitText(page, '#import-message', 'layers 1-8-8-1, MSE head');
      await playRun(page);
      expect(await epochs(page)).toBe(2);
      expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 8, 8, 1], head: 'mse' } });
      expect((await losses(page)).every(Number.isFinite)).toBe(true);
    });
  });

  test('the snapshot buffer is fitted to maxBufferSize: scrubbing to epoch 0 draws the real model', async () => {
    const limit = 8 * 1024 * 1024;
    // 16 897 parameters (68 kB a snapshot): 256 snapshots would take 17 MB; the activations stay small.
    const wide = cliFile({ layers: [1, 128, 128, 1], head: 'bce', dropout: 0 }, 3n, 'cli-1-128-128-1.json');
    await withPage(WEBGPU_FLAGS, { query: 'speed=max&epochs=12', init: reportedMaxBuffer(limit) }, async (page) => {
      await loadLectureCsv(page);
      await page.setInputFiles('#import-params', wide.path);
      await waitText(page, '#import-message', 'layers 1-128-128-1');
      await playRun(page);
      const store = await hook<{ slots: number; bytes: number }>(page, 'timelineStore()');
      expect(store.slots).toBe(Math.floor(limit / (16897 * 4)));
      expect(store.bytes).toBeLessThanOrEqual(limit);
      // Epoch 0 and the run's end are pinned; a piece boundary in between may take one too (the pacing cuts flat-out runs into pieces).
      const snaps = await hook<number[]>(page, 'snapshots()');
      expect(snaps[0]).toBe(0);
      expect(snaps[snaps.length - 1]).toBe(12);
      expect(snaps.every((e, i) => i === 0 || e > snaps[i - 1])).toBe(true);
      const first = (await losses(page))[0];
      expect(Math.abs(first - wide.loss)).toBeLessThan(1e-5);
      await page.locator('#scrubber').fill('0');
      await waitText(page, '#data-summary', 'Snapshot at epoch 0');
      await waitText(page, '#data-summary', `Loss ${first.toFixed(4)}`);
    });
  });
});

describe('big files (item 5), gaps (item 6) and the small ones', () => {
  test('a 200 000-row CSV is parsed in a worker behind a progress bar while the page keeps running; the chart draws min/max per pixel column and missing prob as gaps; "1 point"', async () => {
    const n = 200_000;
    const lines = ['x,prob,y'];
    for (let i = 0; i < n; i++) {
      const x = -1 + (2 * i) / (n - 1);
      const p = 1 / (1 + Math.exp(-5 * x));
      lines.push(`${x.toFixed(7)},${x > 0.2 && x < 0.3 ? '' : p.toFixed(6)},${i % 3 === 0 ? 1 : 0}`);
    }
    const big = join(results, 'big-200k.csv');
    writeFileSync(big, lines.join('\n') + '\n');
    await withPage(WEBGPU_FLAGS, { query: 'speed=max&epochs=5' }, async (page) => {
      // A ticker on the page's thread: the longest gap between its ticks while the bar is up.
      await page.evaluate(() => {
        const w = window as any;
        w.worstGap = 0;
        w.barSeen = false;
        let last = performance.now();
        let shownBefore = false;
        w.shownTicks = 0;
        w.values = new Set<number>();
        const tick = () => {
          const now = performance.now();
          const bar = document.querySelector('#csv-progress[role="progressbar"]') as HTMLElement | null;
          const shown = bar !== null && !bar.hidden;
          w.barSeen ||= shown;
          if (shown && bar!.hasAttribute('value')) w.values.add((bar as HTMLProgressElement).value);
          // Ticks while the bar is up: a page parsing on its own thread has none (or one) to count.
          if (shown && shownBefore) {
            w.shownTicks++;
            w.worstGap = Math.max(w.worstGap, now - last);
          }
          shownBefore = shown;
          last = now;
          w.ticker = setTimeout(tick, 10);
        };
        tick();
      });
      await page.setInputFiles('#file', big);
      await waitText(page, '#data-info', 'big-200k.csv: 200000 points', 60_000);
      await idle(page);
      const { worstGap, barSeen, shownTicks } = await page.evaluate(() => ({ worstGap: (window as any).worstGap as number, barSeen: (window as any).barSeen as boolean, shownTicks: (window as any).shownTicks as number }));
      expect(barSeen).toBe(true);
      expect(shownTicks).toBeGreaterThanOrEqual(10); // the page ran on while the worker parsed
      expect(worstGap).toBeLessThan(250);
      const parsed = await page.evaluate(() => [...(window as any).values].filter((v: number) => v > 0.1 && v < 1).length);
      expect(parsed).toBeGreaterThan(0); // the bar moved while the pieces were parsed
      expect(await page.locator('#csv-progress').isHidden()).toBe(true);

      const slots = await hook<number>(page, 'chartSlots()');
      expect(slots).toBeGreaterThan(100);
      expect(slots).toBeLessThanOrEqual(2 * 1280);
      const truth = await hook<(number | null)[]>(page, `chartSeries('true probability')`);
      expect(truth).toHaveLength(slots);
      const gaps = truth.filter((v) => v === null).length;
      expect(gaps).toBeGreaterThan(slots * 0.03); // x in (0.2, 0.3): 5% of the axis
      expect(gaps).toBeLessThan(slots * 0.07);
      await playRun(page);
      expect(await epochs(page)).toBe(5);
      expect((await losses(page)).every(Number.isFinite)).toBe(true);
      const estimate = await hook<(number | null)[]>(page, `chartSeries('estimated (now)')`);
      expect(estimate).toHaveLength(slots);
      expect(estimate.every((v) => v !== null && v > 0 && v < 1)).toBe(true);

      // Few points, each drawn: an empty prob cell is a gap too, not NaN joined across.
      const gapped = join(results, 'gaps.csv');
      writeFileSync(gapped, 'x,prob,y\n' + Array.from({ length: 100 }, (_, i) => `${i / 100},${i >= 40 && i < 60 ? '' : 0.5},${i % 2}`).join('\n') + '\n');
      await page.setInputFiles('#file', gapped);
      await waitText(page, '#data-info', 'gaps.csv: 100 points');
      const drawn = await hook<(number | null)[]>(page, `chartSeries('true probability')`);
      expect(drawn).toHaveLength(100);
      expect(drawn.filter((v) => v === null)).toHaveLength(20);
      expect(drawn.slice(0, 40).every((v) => v === 0.5)).toBe(true);

      // Huge x ranges: ticks, and labels short enough not to overlap.
      for (const [name, top] of [['x-2e12.csv', 2e12], ['x-1e35.csv', 1e35]] as const) {
        const path = join(results, name);
        writeFileSync(path, 'x,y\n' + Array.from({ length: 11 }, (_, i) => `${(top * i) / 10},${i % 2}`).join('\n') + '\n');
        await page.setInputFiles('#file', path);
        await waitText(page, '#data-info', `${name}: 11 points`);
        await expect.poll(() => hook<string[]>(page, 'xTicks()')).not.toEqual([]);
        const ticks = await hook<string[]>(page, 'xTicks()');
        expect(ticks.length).toBeGreaterThanOrEqual(3);
        for (const t of ticks) expect(t.length, t).toBeLessThanOrEqual(7);
      }

      const one = join(results, 'one-row.csv');
      writeFileSync(one, 'x,y\n0.5,1\n');
      await page.setInputFiles('#file', one);
      await waitText(page, '#data-info', 'one-row.csv: 1 point.');
    });
  });

  test('after a lost device the exported run history ends where the model was restored', async () => {
    await withPage(WEBGPU_FLAGS, { query: 'speed=5&epochs=3000', errors: 'uncaught' }, async (page) => {
      await page.fill('#epochs', '100');
      await playRun(page);
      await page.fill('#epochs', '3000');
      await page.click('#play');
      await page.waitForFunction(() => (window as any).lecture.epochs() >= 150);
      await page.evaluate(() => (window as any).lecture.loseDevice());
      await waitText(page, '#run-message', 'Recovered on a new device');
      await page.evaluate(() => (window as any).lecture.recovered());
      await idle(page);
      expect(await epochs(page)).toBe(100);
      expect(await hook(page, 'runs()')).toEqual([{ from: 0, to: 100, lr: 0.001 }]);
      const exported = JSON.parse(await downloadText(page, '#export-params'));
      expect(exported.runs).toEqual([{ from: 0, to: 100, lr: 0.001 }]);
      expect(exported.loss).toHaveLength(100);
    });
  });

  test("05wk-1 names the lecture's machine: an NVIDIA GeForce RTX 3090, not Colab", async () => {
    await withPage(WEBGPU_FLAGS, { query: 'lesson=05wk-1-gpu&epochs=1' }, async (page) => {
      await waitText(page, '#timing-summary', 'its notebook ran on an NVIDIA GeForce RTX 3090');
      const text = await page.locator('#timing-section').textContent();
      expect(text).toContain('RTX 3090');
      expect(text).not.toContain('Colab');
    });
  });
});

describe('plans for a device class (issue #16)', () => {
  test('?device-class=gpu runs the GPU plan on this software adapter (resident with 256 invocations) and trains the lecture as PyTorch; Advanced switches back; a bad value is said and dropped', async () => {
    const golden = JSON.parse(readFileSync(join(__dirname, '..', '..', 'shared', 'golden', 'lecture-seed43052.json'), 'utf8')) as { loss: number[] };
    await withPage(WEBGPU_FLAGS, { query: 'device-class=gpu&speed=max&epochs=100', errors: 'uncaught' }, async (page) => {
      await waitText(page, '#engine-info', 'plans for a GPU (forced by the link)');
      expect(await page.locator('#device-class').inputValue()).toBe('gpu');
      await playRun(page);
      expect(await hook(page, 'config()')).toMatchObject({ strategy: 'resident', workgroupSize: 256 });
      const got = await losses(page);
      expect(got).toHaveLength(100);
      got.forEach((l, i) => expect(Math.abs(l - golden.loss[i]), `epoch ${i + 1}`).toBeLessThan(1e-4));
      await page.click('summary:has-text("Advanced")');
      await Promise.all([page.waitForURL((u) => u.searchParams.get('device-class') === 'software'), page.selectOption('#device-class', 'software')]);
      await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
      await waitText(page, '#engine-info', 'plans for a software adapter (forced by the link)');
      expect(await hook(page, 'config()')).toMatchObject({ strategy: 'resident', workgroupSize: 4 });
    });
    await withPage(WEBGPU_FLAGS, { query: 'device-class=tpu', errors: 'uncaught' }, async (page) => {
      await waitText(page, '#link-message', "The link's device class must be one of gpu, software, got tpu: this adapter's own plans are used.");
      await waitText(page, '#engine-info', 'plans for a software adapter.');
    });
  });
});

describe('the lecture with a test set held out (issue #20)', () => {
  test('every 5th point held out: epoch 1’s train and test losses are the CPU model’s at the seed’s init on the two parts; a Restart keeps the run’s test loss as a ghost; off again, all 2000 train', async () => {
    const layout = paramLayout({ layers: [1, 2, 1], head: 'bce', dropout: 0 });
    const init = initParams(43052n, layout);
    const part = (held: boolean) => {
      const rows = Array.from({ length: lecture.n }, (_, i) => i).filter((i) => (i % 5 === 4) === held);
      const x = Float32Array.from(rows, (i) => lecture.x[i]);
      const y = Float32Array.from(rows, (i) => lecture.y[i]);
      return cpuLoss(cpuForward(init, layout, x).logit, y, layout);
    };
    await withPage(WEBGPU_FLAGS, { query: 'holdout=1&speed=max&epochs=20', errors: 'uncaught' }, async (page) => {
      await waitText(page, '#data-info', 'held out: 400 points');
      expect(await page.locator('#holdout').isChecked()).toBe(true);
      await playRun(page);
      const train = await losses(page);
      const test = await hook<number[]>(page, 'testLosses()');
      expect([train.length, test.length]).toEqual([20, 20]);
      expect(Math.abs(train[0] - part(false))).toBeLessThan(1e-6);
      expect(Math.abs(test[0] - part(true))).toBeLessThan(1e-6);
      await waitText(page, '#data-summary', /on the 1600 training points\. On the 400 held-out points: loss \d/);

      // Width 3 against width 2, on the same held-out points: the first run's test loss stays beside the new one.
      await page.fill('#hidden', '3');
      await page.locator('#stale').waitFor({ state: 'visible' });
      await page.click('#restart');
      await idle(page);
      await playRun(page);
      const ghosts = await hook<{ loss: string[]; second: number[][] }>(page, 'ghosts()');
      expect(ghosts.loss).toHaveLength(1);
      expect(ghosts.second[0]).toEqual(test);
      expect(await hook<number[]>(page, 'testLosses()')).toHaveLength(20);

      // Off again: the whole data trains, logistic regression beside it, a fresh run.
      await page.click('#holdout');
      await waitText(page, '#run-status', 'All the points train again');
      expect(url(page).get('holdout')).toBeNull();
      expect(await page.locator('#data-info').textContent()).not.toContain('held out');
      await playRun(page);
      expect(await hook<number[]>(page, 'testLosses()')).toEqual([]);
      expect((await hook<number[]>(page, 'baselineLosses()')).length).toBe(20);
    });
  });
});
