// The fusion lab (?lab) end to end: build the page, serve it, drive headless Chromium (WebGPU on
// SwiftShader) like a visitor: choose the lecture and two strategies, run a few epochs, read the
// tables, parity and the roofline, export the JSON and render it with the benchmark's own Markdown;
// Stop within a second; dark mode at 360 px, and an adapter without timestamp queries.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BenchReport, Row } from '../bench/core';
import type { GpuContext } from '../src/gpu/context';
import { planFor } from '../src/gpu/plan';
import { withDeviceClass, withoutTimestamps } from '../src/lab/device-class';
import { browserName } from '../src/lab/lab';
import { lossParity } from '../src/lab/parity';
import { DEFAULT_LAB_CONFIG, labPlan, labProblems } from '../src/lab/run';
import { kernelTable, markdown } from '../bench/markdown';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';

const root = join(__dirname, '..');
const results = join(root, 'test-results');
// Its own build folder: page.test.ts builds dist/ at the same time.
const outDir = 'test-results/lab-dist';

let server: PreviewServer;
let url: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: root, stdio: 'pipe' });
  server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  url = server.resolvedUrls!.local[0];
  mkdirSync(results, { recursive: true });
});

afterAll(async () => {
  await server?.close();
});

interface Opened {
  browser: Browser;
  page: Page;
  errors: string[];
}

async function openLab(query: string, options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; flags?: string[] } = {}): Promise<Opened> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: options.flags ?? WEBGPU_FLAGS });
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(`${url}?${query}`);
  await page.waitForFunction(() => (window as any).fusionLab?.ready === true, null, { timeout: 60_000 });
  return { browser, page, errors };
}

const running = (page: Page) => page.evaluate(() => (window as any).fusionLab.running() as boolean);
const labReport = (page: Page) => page.evaluate(() => (window as any).fusionLab.report() as BenchReport | undefined);
const stall = (page: Page) => page.evaluate(() => (window as any).fusionLab.longestStallMs() as number);
const waitIdle = (page: Page, timeout = 240_000) => page.waitForFunction(() => !(window as any).fusionLab.running(), null, { timeout, polling: 50 });

/** Sets the form: the case, exactly these strategies, and the numbers. */
async function choose(page: Page, c: { caseId?: string; strategies: string[]; epochs: number; runs: number; seconds: number; tiles?: string; deviceClass?: string }): Promise<void> {
  if (c.caseId) await page.selectOption('#flab-case', c.caseId);
  for (const s of ['unfused', 'fused', 'resident', 'piecewise', 'wide']) {
    const box = page.locator(`#flab-strategy-${s}`);
    if (await box.isDisabled()) continue;
    await box.setChecked(c.strategies.includes(s));
  }
  await page.fill('#flab-epochs', String(c.epochs));
  await page.fill('#flab-runs', String(c.runs));
  await page.fill('#flab-seconds', String(c.seconds));
  await page.selectOption('#flab-tiles', c.tiles ?? 'default');
  await page.selectOption('#flab-class', c.deviceClass ?? 'adapter');
}

/** A table's body as text cells, by row. */
const cells = (page: Page, id: string) => page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
const number = (s: string) => Number(s.replace(/[~×%,]/g, ''));

describe('the lab without a browser', () => {
  const row = (strategy: Row['strategy'], losses: number[], skipped?: string): Row => ({ case: 'c', n: 1, layers: [1, 2, 1], strategy, workgroupSize: 1, usPerEpoch: 1, dispatchesPerEpoch: 1, epochsPerRun: 1, runs: 1, finalLoss: losses.at(-1) ?? NaN, lossEpoch: losses.length, losses, skipped });

  test("parity: each row against the first measured one, over the common epochs; a NaN is the worst difference; skipped rows left out", () => {
    const parity = lossParity([row('unfused', [], 'does not fit'), row('fused', [0.7, 0.6, 0.5]), row('resident', [0.7, 0.6000001, 0.5, 0.4]), row('piecewise', [0.7, NaN])]);
    expect(parity.map((p) => [p.strategy, p.epochs, p.worstEpoch])).toEqual([['fused', 3, 0], ['resident', 3, 2], ['piecewise', 2, 2]]);
    expect(parity[0].maxAbsDelta).toBe(0);
    expect(parity[1].maxAbsDelta).toBeCloseTo(1e-7, 12);
    expect(parity[1].lastLoss).toBe(0.5);
    expect(parity[2].maxAbsDelta).toBe(Infinity);
    expect(lossParity([row('fused', [], 'x')])).toEqual([]);
  });

  test('config problems by field; the plan is one case, no grid', () => {
    expect(labProblems({ ...DEFAULT_LAB_CONFIG, strategies: ['fused'] })).toEqual([]);
    expect(labProblems({ ...DEFAULT_LAB_CONFIG, strategies: [] }).map((p) => p.field)).toEqual(['strategies']);
    expect(labProblems({ ...DEFAULT_LAB_CONFIG, caseId: 'mnist37-784-32-1', strategies: ['piecewise'] })[0].message).toMatch(/^piecewise cannot train 784-32-1; these can: /);
    expect(labProblems({ ...DEFAULT_LAB_CONFIG, caseId: 'nope', strategies: ['fused'], lossEpochs: 0, runs: 1.5, runSeconds: NaN }).map((p) => p.field)).toEqual(['caseId', 'lossEpochs', 'runs', 'runSeconds']);
    expect(labPlan({ ...DEFAULT_LAB_CONFIG, strategies: ['fused'] })).toMatchObject({ caseIds: ['lecture-1-2-1'], lossEpochs: 10, runs: 3, targetRunSeconds: 0.1, grid: { sizes: [] } });
  });

  test('a forced device class changes the plan on the same device; timestamps can be turned off', () => {
    const limits = { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28 };
    const ctx = { device: {}, isSoftware: true, hasTimestamps: true, plan: planFor('software', limits as never), destroy: () => {} } as unknown as GpuContext;
    expect(withDeviceClass(ctx, 'adapter')).toBe(ctx);
    expect(withDeviceClass(ctx, 'software')).toBe(ctx);
    const gpu = withDeviceClass(ctx, 'gpu');
    expect(gpu.plan.deviceClass).toBe('gpu');
    expect(gpu.isSoftware).toBe(true); // the adapter's fact stays
    expect(gpu.device).toBe(ctx.device);
    expect(gpu.destroy).toBe(ctx.destroy);
    expect(withoutTimestamps(ctx).hasTimestamps).toBe(false);
  });

  test("the browser's name from its user agent", () => {
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36')).toBe('Chrome 156');
    expect(browserName('Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/140.0 Safari/537.36 Edg/140.0')).toBe('Edge 140');
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64; rv:141.0) Gecko/20100101 Firefox/141.0')).toBe('Firefox 141');
    expect(browserName('Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15')).toBe('Safari 26');
  });
});

describe('the fusion lab on SwiftShader', () => {
  test('the lecture with fused and resident: peaks, step and kernel tables with real numbers, parity within 1e-5, the roofline, Export JSON that the bench Markdown renders', async () => {
    const { browser, page, errors } = await openLab('lab');
    try {
      await expect.poll(() => page.textContent('#flab-adapter')).toMatch(/GPU: .*swiftshader.*software class.*timestamp queries: yes/i);
      expect(await page.getAttribute('#flab-progress', 'role')).toBe('progressbar');
      expect(await page.getAttribute('#flab-export', 'aria-disabled')).toBe('true');
      // 1-2-1 with one input: every strategy can train it; none is disabled.
      expect(await page.locator('#flab-strategies input:disabled').count()).toBe(0);
      await choose(page, { caseId: 'lecture-1-2-1', strategies: ['fused', 'resident'], epochs: 5, runs: 2, seconds: 0.05 });
      await page.click('#flab-run');
      await page.waitForFunction(() => document.querySelector('#flab-progress')!.getAttribute('aria-valuetext') !== 'not started');
      expect(await running(page)).toBe(true);
      await waitIdle(page);
      await expect.poll(() => page.textContent('#flab-status')).toMatch(/^Done: 2 of 2 strategies measured/);
      expect(await page.getAttribute('#flab-progress', 'aria-valuenow')).toBe('100');
      expect(await stall(page)).toBeLessThan(1000); // the page never froze

      const report = (await labReport(page))!;
      expect(report.rows.map((r) => r.strategy)).toEqual(['fused', 'resident']);
      expect(report.peaks.gflops).toBeGreaterThan(0.1);
      expect(report.peaks.gbps).toBeGreaterThan(0.05);

      // Peaks: the measured numbers, as the report has them.
      const peaks = await cells(page, 'flab-peaks');
      expect(number(peaks[0][1].split(' ')[0])).toBeCloseTo(report.peaks.gflops, 0);
      expect(number(peaks[1][1].split(' ')[0])).toBeCloseTo(report.peaks.gbps, 1);

      // Whole steps: µs/epoch and GPU µs/epoch measured for both, the loss of epoch 5 equal.
      const steps = await cells(page, 'flab-steps');
      expect(steps.map((r) => r[0])).toEqual(['fused', 'resident']);
      for (const r of steps) {
        expect(number(r[1])).toBeGreaterThan(0);
        expect(number(r[2])).toBeGreaterThan(0);
        expect(r[5]).toMatch(/^0\.6\d{3} \(5\)$/);
      }
      expect(steps[0][5]).toBe(steps[1][5]);

      // Per kernel: fused's GEMMs, head, reductions and Adam, each with time, GFLOP/s, GB/s and fractions of the peaks.
      const fused = await cells(page, 'flab-kernels-fused');
      expect(fused.map((r) => r[0])).toEqual(expect.arrayContaining(['gemm_forward 1→2', 'gemm_forward 2→1', 'gemm_backward_weights 1→2', 'head_points', 'adam_step']));
      for (const r of fused) {
        for (const col of [2, 5, 7]) expect(number(r[col]), `${r[0]} column ${col}`).toBeGreaterThan(0);
        for (const col of [6, 8, 9]) expect(r[col]).toMatch(/^\d+\.\d%$/);
      }
      const kernelUs = report.rows[0].kernels!.reduce((a, k) => a + k.us, 0);
      expect(kernelUs).toBeGreaterThan(0);
      const resident = await cells(page, 'flab-kernels-resident');
      expect(resident.map((r) => r[0])).toEqual(['resident_epochs']);

      // Parity: resident's 5 losses against fused's.
      const parity = await cells(page, 'flab-parity');
      expect(parity[0]).toEqual(['fused', '5', '(reference)', '–', steps[0][5].split(' ')[0], '–']);
      expect(parity[1][0]).toBe('resident');
      expect(Number(parity[1][2])).toBeLessThanOrEqual(1e-5);
      expect(parity[1][5]).toBe('within 1e-5');
      let worst = 0;
      report.rows[1].losses.forEach((l, i) => (worst = Math.max(worst, Math.abs(l - report.rows[0].losses[i]))));
      expect(worst).toBeLessThanOrEqual(1e-5);
      expect(report.rows[0].losses).toHaveLength(5);

      // The roofline: both ceilings and one dot per timed kernel.
      expect(await page.textContent('#flab-roofline-box')).toContain(`FMA peak ${report.peaks.gflops.toFixed(1)} GFLOP/s`);
      expect(await page.locator('#flab-roofline-box circle[fill-opacity]').count()).toBe(report.rows.reduce((a, r) => a + (r.kernels?.length ?? 0), 0));
      await expect.poll(() => page.textContent('#flab-roofline-summary')).toMatch(/kernels under the roof/);

      // Export: the bench's JSON shape, which bench/markdown.ts renders as it renders browser.json.
      expect(await page.getAttribute('#flab-export', 'aria-disabled')).toBe('false');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#flab-export')]);
      expect(download.suggestedFilename()).toBe('fusion-lab-lecture-1-2-1.json');
      const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as BenchReport;
      expect(Object.keys(exported).sort()).toEqual(['adapter', 'baselines', 'cpuEngine', 'dataSources', 'date', 'grid', 'lossEpochs', 'peaks', 'profiling', 'quick', 'rows', 'runtime', 'unavailable', 'version'].sort());
      expect(exported.rows.map((r) => r.strategy)).toEqual(['fused', 'resident']);
      expect(exported.runtime).toMatch(/^Chrome \d+ \(WebGPU\), fusion lab: software class \(the adapter's\), tiles default$/);
      expect(exported.dataSources['lecture-1-2-1']).toMatch(/generated \(seed 43052, 2000 points\): the page's generator, not dnnex\.csv's draws/);
      expect(kernelTable(exported)).toContain('| 1-2-1 N=2000 | fused | gemm_forward 1→2 |');
      expect(markdown(exported)).toContain('lecture 1-2-1 (dnnex)');

      // Forced GPU class with medium tiles: the plan changes, the losses do not.
      await choose(page, { strategies: ['unfused'], epochs: 5, runs: 1, seconds: 0.02, tiles: 'medium', deviceClass: 'gpu' });
      await page.click('#flab-run');
      await waitIdle(page);
      const gpuPlan = (await labReport(page))!;
      expect(gpuPlan.runtime).toContain('gpu class (forced), tiles medium');
      expect(gpuPlan.rows[0].kernels!.map((k) => k.name)).toContain('gemm_backward_input 2→1');
      const delta = Math.max(...gpuPlan.rows[0].losses.map((l, i) => Math.abs(l - report.rows[0].losses[i])));
      expect(delta).toBeLessThanOrEqual(1e-5);
      await page.screenshot({ path: join(results, 'lab.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('Stop ends a long run within a second, keeps what was measured, and the page never froze', async () => {
    const { browser, page, errors } = await openLab('lab');
    try {
      // Many long timed runs of the lecture: this would take a minute.
      await choose(page, { caseId: 'lecture-1-2-1', strategies: ['resident', 'piecewise'], epochs: 3, runs: 20, seconds: 0.25 });
      await page.click('#flab-run');
      // Into resident's timed runs: its loss run is done when its probes start.
      await page.waitForFunction(() => /resident on/.test(document.querySelector('#flab-progress')!.getAttribute('aria-valuetext') ?? ''), null, { timeout: 60_000 });
      await page.waitForTimeout(1500);
      const before = Date.now();
      await page.click('#flab-stop');
      await waitIdle(page, 10_000);
      const took = Date.now() - before;
      expect(took).toBeLessThan(1000);
      await expect.poll(() => page.textContent('#flab-status')).toMatch(/^Stopped\./);
      expect(await stall(page)).toBeLessThan(1000);
      expect(await page.getAttribute('#flab-run', 'aria-disabled')).toBe('false');
      expect((await labReport(page))?.rows.length ?? 0).toBeLessThan(2);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('dark mode at 360 px without timestamp queries: says so, whole-step and wall-time kernel tables, nothing wider than the screen, axe finds no serious violation', async () => {
    const { browser, page, errors } = await openLab('lab=rings1000-2-16-16-1&labTimestamps=off', { viewport: { width: 360, height: 740 }, colorScheme: 'dark' });
    try {
      await expect.poll(() => page.textContent('#flab-adapter')).toMatch(/timestamp queries: turned off by labTimestamps=off/);
      expect(await page.inputValue('#flab-case')).toBe('rings1000-2-16-16-1'); // ?lab=<case id> preselects it
      // MNIST's 784 inputs: resident, piecewise and wide cannot train it, so they are unchecked and disabled.
      await page.selectOption('#flab-case', 'mnist37-784-32-1');
      expect(await page.$$eval('#flab-strategies input:disabled', (els) => els.map((e) => [(e as HTMLInputElement).value, (e as HTMLInputElement).checked]))).toEqual([['resident', false], ['piecewise', false], ['wide', false]]);
      await choose(page, { caseId: 'lecture-1-2-1', strategies: ['fused', 'resident'], epochs: 3, runs: 1, seconds: 0.02 });
      await page.click('#flab-run');
      await waitIdle(page);
      expect(await page.isVisible('#flab-timestamps')).toBe(true);
      expect(await page.textContent('#flab-timestamps')).toMatch(/no timestamp queries/);
      const report = (await labReport(page))!;
      expect(report.profiling).toMatch(/^no timestamp queries on this adapter/);
      expect(report.peaks.timing).toBe('wall time');
      const steps = await cells(page, 'flab-steps');
      expect(steps.map((r) => [r[0], number(r[1]) > 0, r[2]])).toEqual([['fused', true, '–'], ['resident', true, '–']]);
      const fused = await cells(page, 'flab-kernels-fused');
      expect(fused.length).toBeGreaterThan(5);
      fused.forEach((r) => expect(number(r[2])).toBeGreaterThan(0));
      expect(await page.textContent('#flab-kernels-box')).toContain('resident: one dispatch per chunk and no timestamp queries here');

      // 360 px: the page does not scroll sideways (wide tables scroll in their own regions).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // Dark: the roofline's text takes the page's foreground colour.
      expect(await page.$eval('#flab-roofline-box svg text', (t) => getComputedStyle(t).fill)).toBe('rgb(230, 233, 238)');
      await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
      const violations = await page.evaluate(async () => {
        const result = await (window as any).axe.run('#fusion-lab', { resultTypes: ['violations'] });
        return result.violations.filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical').map((v: { id: string; nodes: unknown[] }) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations).toEqual([]);
      await page.screenshot({ path: join(results, 'lab-360-dark.png'), fullPage: true });
      expect(errors).toEqual([]);

      // Without ?lab the page has no lab.
      await page.goto(url);
      await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
      expect(await page.locator('#fusion-lab').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  test('without WebGPU the lab says so, and Run explains instead of failing', async () => {
    const noGpu = WEBGPU_FLAGS.filter((f) => !/webgpu|swiftshader/.test(f)).concat('--disable-gpu');
    const { browser, page, errors } = await openLab('lab', { flags: noGpu });
    try {
      await expect.poll(() => page.textContent('#flab-adapter')).toMatch(/^No GPU for the lab: WebGPU is (not available here|present but found no GPU adapter)/);
      await page.click('#flab-run');
      await expect.poll(() => page.textContent('#flab-error')).toMatch(/^The lab needs WebGPU: /);
      expect(await running(page)).toBe(false);
      expect(errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
