// The demo page end to end: build it, serve dist/ on 127.0.0.1, drive Chromium (WebGPU on
// SwiftShader, or no WebGPU at all) like a person, and compare what the page holds with PyTorch.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { chromium, type Page } from 'playwright';
import { describe, expect, test } from 'vitest';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';
import { dnnex, downloadText, epochs, hook, idle, loadLectureCsv, losses, NO_GPU_FLAGS, playRun, results, root, servePage, waitText, withPage } from './page-harness';
import { LECTURE } from './shared';

servePage();

function expectLecture(values: number[], upTo: number, tolerance = 1e-4): void {
  let worst = 0;
  for (let i = 0; i < upTo; i++) worst = Math.max(worst, Math.abs(values[i] - LECTURE.loss[i]));
  expect(worst).toBeLessThan(tolerance);
}

describe('the lecture on WebGPU', () => {
  test('bent line, CSV upload, 3000 + 3000 epochs match PyTorch; the timeline at epoch 3000 redraws its curve', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await waitText(page, '#adapter', 'GPU:');
      expect(await page.locator('#adapter').getAttribute('class')).toContain('software');

      // The six bent-line panels, from the GPU.
      const panels = await hook<Record<string, number[]>>(page, 'panels');
      expect(Object.keys(panels)).toHaveLength(6);
      const xs = Array.from({ length: 1001 }, (_, i) => -1 + (2 * i) / 1000);
      const relu = (v: number) => Math.max(v, 0);
      xs.forEach((x, i) => {
        expect(panels['x'][i]).toBeCloseTo(x, 6);
        expect(panels['relu(-x)'][i]).toBeCloseTo(relu(-x), 6);
        expect(panels['-4.5·relu(x) - 9·relu(-x) + 4.5'][i]).toBeCloseTo(-4.5 * relu(x) - 9 * relu(-x) + 4.5, 5);
        expect(panels['sigmoid(…)'][i]).toBeCloseTo(1 / (1 + Math.exp(4.5 * relu(x) + 9 * relu(-x) - 4.5)), 6);
      });
      expect(await page.locator('#panels canvas').count()).toBeGreaterThanOrEqual(6);

      await loadLectureCsv(page);
      await playRun(page);
      expect(await epochs(page)).toBe(3000);
      await playRun(page);

      const values = await losses(page);
      expect(values).toHaveLength(6000);
      expect(await hook(page, 'lossPoints()')).toBe(6000);
      expectLecture(values, 6000);
      expect(await hook(page, 'overlays()')).toEqual(['after 3000 epochs', 'after 6000 epochs']);
      await waitText(page, '#run-status', 'Done: epoch 6000');
      // The logistic baseline trained beside it, and cannot get near.
      const baseline = await hook<number[]>(page, 'baselineLosses()');
      expect(baseline).toHaveLength(6000);
      expect(baseline[5999]).toBeGreaterThan(values[5999] + 0.1);
      expect(new URL(page.url()).searchParams.get('data')).toBe('file');

      // The inside: the diagram and the unit panels describe the learned model, kinks included.
      await waitText(page, '#units-summary', /unit 1 bends at x = -?\d/);
      expect(await page.locator('#diagram line').count()).toBe(4);
      await waitText(page, '#data-summary', /peaks at 0\.9\d* .* accuracy \d+/);

      // The timeline: snapshots as it trained, the checkpoints pinned; scrub back to epoch 3000.
      const snapshots = await hook<number[]>(page, 'snapshots()');
      expect(snapshots).toEqual(expect.arrayContaining([0, 3000, 6000]));
      expect(snapshots.length).toBeGreaterThan(20);
      const index = snapshots.indexOf(3000);
      await page.locator('#scrubber').fill(String(index));
      await waitText(page, '#scrubber-label', 'epoch 3000');
      await page.waitForFunction(() => /Snapshot at epoch 3000/.test(document.querySelector('#data-summary')!.textContent!));
      const estimate = await hook<number[]>(page, 'estimate()');
      const golden = LECTURE.checkpoints['3000'].prob;
      let worst = 0;
      golden.forEach((p, i) => (worst = Math.max(worst, Math.abs(estimate[i] - p))));
      expect(worst).toBeLessThan(1e-3);
      expect(Math.max(...estimate)).toBeGreaterThan(0.85);
      expect(Math.max(...estimate)).toBeLessThan(0.95); // the bent line's peak, not yet the truth
      await page.click('#live');
      await waitText(page, '#scrubber-label', 'live (epoch 6000)');

      await page.screenshot({ path: join(results, 'page.png'), fullPage: true });
    });
  });

  test('honest controls: a changed width waits for a choice; continuing keeps the model with a new learning rate; restart applies it', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#epochs', '100');
      await playRun(page);
      expect(await epochs(page)).toBe(100);

      await page.fill('#hidden', '8');
      await page.fill('#lr', '0.05');
      await page.locator('#stale').waitFor({ state: 'visible' });
      await waitText(page, '#stale-text', 'hidden width 8 (the model has 2)');
      await page.click('#play');
      await page.waitForTimeout(300);
      expect(await epochs(page)).toBe(100); // nothing trained on a silent mix of settings
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('restart');

      await page.click('#continue');
      expect(await page.locator('#hidden').inputValue()).toBe('2');
      expect(await page.locator('#stale').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('play');
      await playRun(page);
      expect(await epochs(page)).toBe(200);
      expect(await hook<{ lr: number }>(page, 'config()')).toMatchObject({ lr: 0.05, model: { layers: [1, 2, 1] } });
      expect(await hook(page, 'runs()')).toEqual([
        { from: 0, to: 100, lr: 0.001 },
        { from: 100, to: 200, lr: 0.05 },
      ]);
      expect(await hook(page, 'overlays()')).toEqual(['after 100 epochs', 'after 200 epochs, lr 0.05']);
      // The first 100 epochs are the lecture's; the next ones are not (a bigger rate).
      const values = await losses(page);
      expectLecture(values, 100);
      expect(Math.abs(values[199] - LECTURE.loss[199])).toBeGreaterThan(1e-3);
      expect(new URL(page.url()).searchParams.get('lr')).toBe('0.05');
      const exported = JSON.parse(await downloadText(page, '#export-params'));
      expect(exported).toMatchObject({ epochs: 200, config: { lr: 0.05, seed: '43052', model: { layers: [1, 2, 1], head: 'bce' } }, runs: [{ lr: 0.001 }, { lr: 0.05 }] });

      await page.fill('#hidden', '8');
      await page.click('#restart');
      await idle(page);
      expect(await epochs(page)).toBe(0);
      expect(await hook(page, 'lossPoints()')).toBe(0);
      expect(await hook(page, 'overlays()')).toEqual([]);
      expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 8, 1] } });
      expect(new URL(page.url()).searchParams.get('hidden')).toBe('8');
      // The diagram redraws on the next frame after the new model is ready.
      await expect.poll(() => page.locator('#diagram circle').count()).toBe(10);
    });
  });

  test('pause stops within a frame and resumes the epochs left; Step trains one epoch and one chunk; the result is the lecture', async () => {
    await withPage(WEBGPU_FLAGS, { query: 'speed=5' }, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#epochs', '600');
      await page.click('#play');
      await page.waitForFunction(() => (window as any).lecture.epochs() >= 30);
      await page.click('#play'); // Pause
      await idle(page);
      const paused = await epochs(page);
      expect(paused).toBeGreaterThanOrEqual(30);
      expect(paused).toBeLessThan(200);
      expect(paused % 5).toBe(0); // whole frames of 5 epochs, not chunks of 250
      await page.waitForTimeout(300);
      expect(await epochs(page)).toBe(paused);
      expect(await hook(page, 'overlays()')).toEqual([]); // overlays only at the end of a run
      await waitText(page, '#play', 'Resume');
      await waitText(page, '#run-status', `Paused at epoch ${paused}: Resume trains the ${600 - paused} epochs left`);

      await page.click('#step');
      await idle(page);
      expect(await epochs(page)).toBe(paused + 1);
      await page.click('#step-chunk');
      await idle(page);
      expect(await epochs(page)).toBe(paused + 251);

      await page.selectOption('#speed', 'max');
      await playRun(page);
      expect(await epochs(page)).toBe(600);
      expect(await hook(page, 'overlays()')).toEqual(['after 600 epochs']);
      const values = await losses(page);
      expect(values).toHaveLength(600);
      expectLecture(values, 600);

      await page.click('#reset');
      await idle(page);
      expect(await hook(page, 'lossPoints()')).toBe(0);
      expect(await hook(page, 'overlays()')).toEqual([]);
      expect(await hook(page, 'snapshots()')).toEqual([0]);
    });
  });

  test('export and import: epochs and Adam state round-trip, so 1000 + 1000 epochs equal 2000; torch shapes load; a wrong file says what it expected', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#epochs', '1000');
      await playRun(page);
      const text = await downloadText(page, '#export-params');
      const file = JSON.parse(text);
      expect(file.epochs).toBe(1000);
      expect(file.adam.step).toBe(1000);
      expect(file.loss).toHaveLength(1000);

      await page.click('#reset');
      await idle(page);
      const saved = join(results, 'model-1000.json');
      writeFileSync(saved, text);
      await page.setInputFiles('#import-params', saved);
      await waitText(page, '#import-message', "epoch 1000, with Adam's state");
      expect(await epochs(page)).toBe(1000);
      expect(await hook(page, 'lossPoints()')).toBe(1000);
      await playRun(page);
      expect(await epochs(page)).toBe(2000);
      expectLecture(await losses(page), 2000);
      expect(await hook(page, 'overlays()')).toEqual(['after 2000 epochs']);

      // The PyTorch script: nn.Sequential, the weights, the data; valid Python.
      const script = await downloadText(page, '#export-torch');
      expect(script).toContain('torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1), torch.nn.Sigmoid())');
      expect(script).toContain('net.load_state_dict(state)');
      const py = join(results, 'model.py');
      writeFileSync(py, script);
      execFileSync('python3', ['-m', 'py_compile', py]);

      // torch's nested shapes, without Adam state: loads, and says Adam starts afresh.
      const nested = join(results, 'nested.json');
      const p = LECTURE.checkpoints['3000'].params;
      writeFileSync(nested, JSON.stringify({ W1: p.W1.map((w) => [w]), b1: p.b1, W2: [p.W2], b2: p.b2 }));
      await page.setInputFiles('#import-params', nested);
      await waitText(page, '#import-message', 'no Adam state');
      const params = await hook<number[]>(page, 'params()');
      expect(params[0]).toBeCloseTo(p.W1[0], 6);
      expect(params[6]).toBeCloseTo(p.b2[0], 6);

      const empty = join(results, 'empty.json');
      writeFileSync(empty, '{}');
      await page.setInputFiles('#import-params', empty);
      await waitText(page, '#import-message', 'expected {"params": {"W1", "b1", "W2", "b2"}}');
      expect(await epochs(page)).toBe(0);
    });
  });

  test('a learning rate of 10 stalls and the page says so next to the controls; 1e38 diverges at epoch 1', async () => {
    await withPage(WEBGPU_FLAGS, { errors: 'ignore' }, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#lr', '10');
      await page.fill('#epochs', '300');
      await playRun(page);
      await waitText(page, '#run-message', /Not learning at epoch 300: .*(dead ReLUs|flat).*lower the learning rate/);
      expect(await page.locator('#run-status').textContent()).not.toContain('Done');

      await page.click('#reset');
      await idle(page);
      await page.fill('#lr', '1e38');
      await playRun(page);
      await waitText(page, '#run-message', 'Diverged at epoch 1');
      await waitText(page, '#run-message', 'Lower the learning rate');
      expect(await epochs(page)).toBe(0);
    });
  });

  test('bad settings: the field says why and nothing starts', async () => {
    await withPage(WEBGPU_FLAGS, { errors: 'ignore' }, async (page) => {
      await page.fill('#hidden', '0');
      await page.click('#play');
      await waitText(page, '#hidden-problem', 'hidden width must be an integer');
      expect(await page.locator('#hidden').getAttribute('aria-invalid')).toBe('true');
      expect(await epochs(page)).toBe(0);
      expect(new URL(page.url()).searchParams.get('hidden')).not.toBe('0');

      await page.fill('#hidden', '2');
      await page.press('#hidden', 'Tab'); // the message under the field goes, and the form moves up
      await page.click('#settings details summary');
      await page.fill('#workgroup', '48');
      await page.click('#play');
      await waitText(page, '#workgroup-problem', 'workgroup size must be a power of two');
      await page.fill('#workgroup', 'many');
      await page.click('#play');
      await waitText(page, '#workgroup-problem', 'workgroup size must be a number');
      await page.fill('#lr', 'fast');
      await page.click('#play');
      await waitText(page, '#lr-problem', 'learning rate must be a number');
      expect(await epochs(page)).toBe(0);
    });
  });
});

describe('data sets', () => {
  test('the lecture CSV from its public URL (Load, not the arrow keys), and a file dropped on the page', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      let fetches = 0;
      const csv = readFileSync(dnnex, 'utf8');
      await page.route('https://raw.githubusercontent.com/guebin/DL2024/main/posts/dnnex.csv', (route) => {
        fetches++;
        return route.fulfill({ status: 200, contentType: 'text/csv', body: csv, headers: { 'access-control-allow-origin': '*' } });
      });
      await page.focus('#dataset');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      await page.waitForTimeout(200);
      expect(fetches).toBe(0);
      await page.selectOption('#dataset', 'lecture-url');
      await page.click('#load-data');
      await waitText(page, '#data-info', 'dnnex.csv (online): 2000 points, with the true probability');
      expect(fetches).toBe(1);
      await idle(page);
      expect(new URL(page.url()).searchParams.get('data')).toBe('lecture-url');

      // Drag and drop: a small CSV without prob, dropped anywhere on the page.
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['y,x\n0,-0.5\n1,0.5\n1,0.25\n'], 'dropped.csv', { type: 'text/csv' }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await waitText(page, '#data-info', 'dropped.csv: 3 points');
      expect(await page.locator('#dataset').inputValue()).toBe('file');
      // "A CSV file of mine…" again opens the picker every time.
      for (let i = 0; i < 2; i++) {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#load-data')]);
        expect(chooser.isMultiple()).toBe(false);
      }
    });
  });

  test('a malformed CSV shows the error and keeps the previous data, model and chart', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await page.fill('#epochs', '50');
      await playRun(page);
      const before = await losses(page);
      expect(before).toHaveLength(50);
      const info = await page.locator('#data-info').textContent();
      const bad = join(results, 'malformed.csv');
      writeFileSync(bad, 'x,y\n0.1,1\n0.2,maybe\n');
      await page.setInputFiles('#file', bad);
      await waitText(page, '#data-message', 'line 3, column y');
      await waitText(page, '#data-message', 'previous data and model are kept');
      expect(await page.locator('#data-info').textContent()).toBe(info);
      expect(await losses(page)).toEqual(before);
      await playRun(page);
      expect(await epochs(page)).toBe(100);
    });
  });
});

describe('the page under stress', () => {
  test('a lost device: the page says so, restores the last finished run on a new device, and resumes', async () => {
    await withPage(WEBGPU_FLAGS, { errors: 'uncaught' }, async (page) => {
      await loadLectureCsv(page);
      await page.fill('#epochs', '500');
      await playRun(page);
      await page.evaluate(() => (window as any).lecture.loseDevice());
      await waitText(page, '#run-message', 'Recovered on a new device');
      await page.evaluate(() => (window as any).lecture.recovered());
      expect(await epochs(page)).toBe(500);
      await playRun(page);
      const values = await losses(page);
      expect(values).toHaveLength(1000);
      expectLecture(values, 1000);
    });
  });
});

describe('the page without WebGPU', () => {
  test('runs the lecture on the CPU, six panels included, says so in words for students; matches PyTorch', async () => {
    await withPage(NO_GPU_FLAGS, { errors: 'uncaught' }, async (page) => {
      await waitText(page, '#adapter', 'running on the CPU (slower)');
      await page.locator('#gpu-message').waitFor({ state: 'visible' });
      const message = await page.locator('#gpu-message-text').textContent();
      expect(message).toContain('Chrome');
      expect(message).not.toContain('--enable'); // flags stay under "Technical details"
      const panels = await hook<Record<string, number[]>>(page, 'panels');
      expect(Object.keys(panels)).toHaveLength(6);
      expect(panels['relu(x)'][1000]).toBeCloseTo(1, 6);
      expect(panels['sigmoid(…)'][500]).toBeCloseTo(1 / (1 + Math.exp(-4.5)), 6);
      expect(await hook(page, 'engine()')).toBe('cpu');
      await loadLectureCsv(page);
      await playRun(page);
      expect(await epochs(page)).toBe(3000);
      expectLecture(await losses(page), 3000);
      expect(await hook(page, 'overlays()')).toEqual(['after 3000 epochs']);
      await waitText(page, '#run-status', 'running on the CPU (slower)');
    });
  });
});

describe('keyboard and screen readers', () => {
  test('the lecture by keyboard alone: Tab to Play, Enter, Space; focus never falls to <body>', async () => {
    await withPage(WEBGPU_FLAGS, {}, async (page) => {
      await page.setInputFiles('#file', dnnex); // the file itself comes from the OS picker
      await idle(page);
      const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
      for (let i = 0; i < 20 && (await focused()) !== 'play'; i++) await page.keyboard.press('Tab'); // past the lesson links
      expect(await focused()).toBe('play');
      await page.keyboard.press('Enter');
      await idle(page);
      expect(await epochs(page)).toBe(3000);
      expect(await focused()).toBe('play');
      await page.keyboard.press('Tab'); // Step 1
      expect(await focused()).toBe('step');
      await page.keyboard.press('Space');
      await idle(page);
      expect(await epochs(page)).toBe(3001);
      expect(await focused()).toBe('step');
      expect(Math.abs((await losses(page))[2999] - LECTURE.loss[2999])).toBeLessThan(1e-4);
      // A legend entry toggles its series from the keyboard.
      const entry = page.locator('#data-chart .u-legend .u-series[role="button"]').first();
      await entry.focus();
      await page.keyboard.press('Enter');
      expect(await entry.getAttribute('aria-pressed')).toBe('false');
      // The status region speaks at the start, every 1000 epochs and at the end, not every chunk.
      expect(await page.locator('#announce').getAttribute('role')).toBe('status');
    });
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical violation (${colorScheme}); screenshots at 1280×800 and 360×740 with the controls and charts on one screen`, async () => {
      await withPage(WEBGPU_FLAGS, { colorScheme }, async (page) => {
        await loadLectureCsv(page);
        await page.fill('#epochs', '3000');
        await playRun(page);
        // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
        await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
        const violations = await page.evaluate(async () => {
          const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
          return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3) }));
        });
        expect(violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

        // Dark mode: the axes are drawn in the page's foreground colour, not near-black.
        const axis = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--fg').trim());
        expect(axis).toBe(colorScheme === 'dark' ? '#e6e9ee' : '#1d232a');

        const inView = async (selector: string, height: number) => {
          const box = (await page.locator(selector).first().boundingBox())!;
          return box.y >= 0 && box.y + Math.min(box.height, 60) <= height;
        };
        await page.screenshot({ path: join(results, `page-1280x800-${colorScheme}.png`) });
        copyFileSync(join(results, `page-1280x800-${colorScheme}.png`), join(root, 'docs', `page-1280x800-${colorScheme}.png`)); // the README's pictures stay current
        for (const s of ['#play', '#epoch-readout', '#data-chart canvas', '#loss-chart canvas']) expect(await inView(s, 800), s).toBe(true);

        await page.setViewportSize({ width: 360, height: 740 });
        await page.waitForTimeout(300);
        // Scrolled to the charts, the sticky bar stays above them.
        await page.locator('#data-chart').evaluate((el) => {
          el.scrollIntoView({ block: 'start' });
          window.scrollBy(0, -document.querySelector('.bar')!.getBoundingClientRect().height);
        });
        await page.waitForTimeout(200);
        await page.screenshot({ path: join(results, `page-360x740-${colorScheme}.png`) });
        copyFileSync(join(results, `page-360x740-${colorScheme}.png`), join(root, 'docs', `page-360x740-${colorScheme}.png`));
        for (const s of ['#play', '#data-chart canvas', '#loss-chart canvas']) expect(await inView(s, 740), s).toBe(true);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      });
    });
  }
});

// ---- the course's lessons (?lesson=): each from its URL, a short run against PyTorch's first epochs

interface Golden {
  loss: number[];
  tolerance: number[];
  test_loss?: number[];
  test_tolerance?: number[];
}
const golden = (name: string): Golden => JSON.parse(readFileSync(join(root, '..', 'shared', 'golden', name), 'utf8'));
const lessonShots = join(root, 'docs', 'lessons');

/** Every epoch within the golden's band: |page - PyTorch| <= tolerance[i] (and test_tolerance[i] for the test loss). */
function expectGolden(g: Golden, values: number[], testValues: number[] = []): void {
  values.forEach((v, i) => expect(Math.abs(v - g.loss[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(g.tolerance[i]));
  testValues.forEach((v, i) => expect(Math.abs(v - g.test_loss![i]), `test, epoch ${i + 1}`).toBeLessThanOrEqual(g.test_tolerance![i]));
}

async function lessonScreenshot(page: Page, id: string): Promise<void> {
  mkdirSync(lessonShots, { recursive: true });
  await page.waitForTimeout(200);
  const path = join(results, `lesson-${id}-1280x800.png`);
  await page.screenshot({ path });
  copyFileSync(path, join(lessonShots, `${id}-1280x800.png`));
}

describe("the course's lessons", () => {
  const cases = [
    { id: '04wk-1-step', epochs: 20, file: 'step2000-h256-bcelogits.json', view: '#logit-figure canvas', summary: /Epoch 20: .*accuracy/ },
    { id: '04wk-1-curve', epochs: 10, file: 'curve2000-h1024-mse.json', view: '#data-chart canvas', summary: /Epoch 10: .*Loss/ },
    { id: '04wk-2-overfit', epochs: 100, file: 'noise100-h512-mse-holdout.json', view: '#data-chart canvas', summary: /Epoch 100: MSE .* on the 80 training points, .* on the 20 held-out ones/ },
    { id: '04wk-1-mnist', epochs: 3, file: 'mnist37-h32-bce.json', view: '#digits-sample canvas', summary: /Epoch 3: train accuracy .* test accuracy/ },
  ];
  for (const c of cases) {
    test(`${c.id} loads from its URL, trains ${c.epochs} epochs within PyTorch's band, and shows its view`, async () => {
      await withPage(WEBGPU_FLAGS, { query: `lesson=${c.id}&speed=max&epochs=${c.epochs}` }, async (page) => {
        expect(await hook(page, 'lesson()')).toBe(c.id);
        expect(await page.locator('#lessons a[aria-current="page"]').getAttribute('href')).toBe(`?lesson=${c.id}`);
        await playRun(page);
        expect(await epochs(page)).toBe(c.epochs);
        const g = golden(c.file);
        const test = await hook<number[]>(page, 'testLosses()');
        expect(test).toHaveLength(g.test_loss ? c.epochs : 0);
        expectGolden(g, await losses(page), test);
        await waitText(page, c.id === '04wk-1-mnist' ? '#digits-summary' : '#data-summary', c.summary);
        expect(await page.locator(c.view).count()).toBeGreaterThan(0);
        expect(new URL(page.url()).searchParams.get('lesson')).toBe(c.id);
        if (c.id === '04wk-1-mnist') {
          expect(await page.locator('#digits-sample canvas[role="img"]').count()).toBe(16);
          expect(await page.locator('#digits-sample canvas').first().getAttribute('aria-label')).toMatch(/^a 3, p\(7\) = \d\.\d\d/);
          const accuracy = await hook<{ train: number; test: number; wrong: number }>(page, 'accuracy()');
          expect(accuracy.test).toBeGreaterThan(0.5);
          expect(await page.locator('#digits-wrong canvas').count()).toBe(Math.min(48, accuracy.wrong));
        }
        await lessonScreenshot(page, c.id);
        if (c.id === '04wk-2-overfit') {
          // The dropout switch makes a new model: the page asks first, then restarts with p = 0.8.
          await page.check('#dropout');
          await waitText(page, '#stale-text', 'dropout 0.8 (the model has 0)');
          await page.click('#restart');
          await idle(page);
          expect(await hook(page, 'config()')).toMatchObject({ model: { layers: [1, 512, 1], head: 'mse', dropout: 0.8 } });
          expect(new URL(page.url()).searchParams.get('dropout')).toBe('0.8');
          await playRun(page);
          const dropped = await losses(page);
          expect(dropped).toHaveLength(100);
          expect(dropped.every(Number.isFinite)).toBe(true);
          // Units dropped (and the kept ones scaled by 5) while training: it cannot fit the noise as closely.
          expect(dropped[99]).toBeGreaterThan(g.loss[99]);
          expect(await hook<number[]>(page, 'testLosses()')).toHaveLength(100);
        }
      });
    });
  }

  test('05wk-1-gpu: the table and the chart, both columns measured (2 epochs here; the page’s default is the lecture’s 1000)', async () => {
    await withPage(WEBGPU_FLAGS, { query: 'lesson=05wk-1-gpu&epochs=2' }, async (page) => {
      expect(await page.locator('#timing-epochs').inputValue()).toBe('2');
      await page.click('#timing-run');
      await page.waitForFunction(() => !(window as any).lecture.timingRunning() && (window as any).lecture.timing()[2].cpu !== undefined, null, { timeout: 120_000, polling: 250 });
      const rows = await hook<{ hidden: number; cpu?: number; gpu?: number }[]>(page, 'timing()');
      expect(rows.map((r) => r.hidden)).toEqual([512, 20480, 204800]);
      for (const r of rows) {
        expect(r.cpu).toBeGreaterThan(0);
        expect(r.gpu).toBeGreaterThan(0);
      }
      expect(await page.locator('#timing-body tr').count()).toBe(3);
      await waitText(page, '#timing-status', 'Done: 2 epochs for each width on both engines');
      await waitText(page, '#timing-summary', /H = 204800: CPU engine .* s, GPU .* s/);
      expect(await page.locator('#timing-chart canvas').count()).toBe(1);
      await lessonScreenshot(page, '05wk-1-gpu');
    });
    await withPage(WEBGPU_FLAGS, { query: 'speed=max&epochs=300' }, async (page) => {
      await playRun(page);
      await lessonScreenshot(page, '03wk-2');
    });
  });

  test('without WebGPU: the CPU engine runs the overfitting lesson within the band, and 05wk-1 says the GPU column cannot be measured', async () => {
    await withPage(NO_GPU_FLAGS, { query: 'lesson=04wk-2-overfit&speed=max&epochs=100', errors: 'uncaught' }, async (page) => {
      expect(await hook(page, 'engine()')).toBe('cpu');
      await playRun(page);
      const g = golden('noise100-h512-mse-holdout.json');
      expectGolden(g, await losses(page), await hook<number[]>(page, 'testLosses()'));
    });
    await withPage(NO_GPU_FLAGS, { query: 'lesson=05wk-1-gpu&epochs=1', errors: 'uncaught' }, async (page) => {
      await waitText(page, '#timing-body', 'cannot be measured: no WebGPU here');
      await page.click('#timing-run');
      await page.waitForFunction(() => (window as any).lecture.timing()[2].cpu !== undefined, null, { timeout: 60_000, polling: 250 });
      await waitText(page, '#timing-status', 'on the CPU engine (no WebGPU here)');
    });
  });
});

describe('the built page under another base path', () => {
  test('dist/ served at /some/sub/path/ loads its assets and trains', async () => {
    const dist = join(root, 'dist');
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
    const prefix = '/some/sub/path/';
    const sub = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (!path.startsWith(prefix)) return void res.writeHead(404).end();
      const file = join(dist, path.slice(prefix.length) || 'index.html');
      if (!file.startsWith(dist) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => sub.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_FLAGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(`http://127.0.0.1:${(sub.address() as AddressInfo).port}${prefix}?speed=max&epochs=100`);
      await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
      await idle(page);
      await playRun(page);
      expect(await epochs(page)).toBe(100);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      sub.close();
    }
  });
});
