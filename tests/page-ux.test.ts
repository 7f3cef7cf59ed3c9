// The page as a new user meets it (issue #20): no dead ends, an honest status line, comparisons
// across runs, units one can see. Each test drives the built page in headless Chromium (WebGPU on
// SwiftShader) and fails when its fix is removed. Setup as tests/page.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';

const root = join(__dirname, '..');
const results = join(root, 'test-results');
const NO_GPU_FLAGS = WEBGPU_FLAGS.filter((f) => !/webgpu|swiftshader/.test(f)).concat('--disable-gpu');
const dnnex = readFileSync(join(root, '..', 'shared', 'data', 'dnnex.csv'), 'utf8');

let server: PreviewServer;
let url: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'pipe' });
  server = await preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  url = server.resolvedUrls!.local[0];
  mkdirSync(results, { recursive: true });
});

afterAll(async () => {
  await server?.close();
});

interface OpenOptions {
  query?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  reducedMotion?: 'reduce' | 'no-preference';
  /** Console errors: all must be absent (default), only uncaught ones, or none checked. */
  errors?: 'all' | 'uncaught' | 'ignore';
  /** Chromium's flags: WebGPU on SwiftShader unless told otherwise. */
  flags?: string[];
}

/** Opens the page (WebGPU on SwiftShader), runs `body`, checks the console, closes. */
async function withPage(options: OpenOptions, body: (page: Page) => Promise<void>): Promise<void> {
  const { query = 'speed=max', viewport = { width: 1280, height: 800 }, colorScheme = 'light', reducedMotion = 'no-preference' } = options;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: options.flags ?? WEBGPU_FLAGS });
  try {
    const page = await browser.newPage({ viewport, colorScheme, reducedMotion });
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    await page.goto(`${url}?${query}`);
    await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
    await idle(page);
    await body(page);
    if (options.errors !== 'ignore') expect(options.errors === 'uncaught' ? errors.filter((e) => e.startsWith('uncaught')) : errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Waits until the element's text contains `text` (a string or a pattern). */
async function waitText(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  const pattern = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
  await page.waitForFunction(([s, p]) => new RegExp(p).test(document.querySelector(s)?.textContent ?? ''), [selector, pattern] as const, { timeout });
}

const idle = (page: Page, timeout = 300_000) => page.waitForFunction(() => !(window as any).lecture.running(), null, { timeout, polling: 100 });
const hook = <T>(page: Page, expression: string): Promise<T> => page.evaluate(`window.lecture.${expression}`) as Promise<T>;
const epochs = (page: Page) => hook<number>(page, 'epochs()');
const text = async (page: Page, selector: string) => (await page.locator(selector).textContent()) ?? '';
const available = async (page: Page, selector: string) => (await page.locator(selector).getAttribute('aria-disabled')) !== 'true';

/** Loads CSV text as a file of that name, through the page's file input. */
async function loadCsv(page: Page, name: string, csv: string): Promise<void> {
  await page.setInputFiles('#file', { name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await idle(page);
}

describe('no dead ends', () => {
  test('a link with bad values (workgroup=3, strategy=bogus, seed=abc, hidden=0) drops them with a note and trains', async () => {
    await withPage({ query: 'speed=max&workgroup=3&strategy=bogus&seed=abc&hidden=0' }, async (page) => {
      const note = await text(page, '#link-message');
      for (const value of ['workgroup=3', 'strategy=bogus', 'seed=abc', 'hidden=0']) expect(note).toContain(value);
      expect(await page.locator('#link-message').isVisible()).toBe(true);
      expect(await text(page, '#run-message')).toBe('');
      expect(await page.inputValue('#hidden')).toBe('2');
      expect(await page.inputValue('#strategy')).toBe('auto');
      await page.click('#step');
      await idle(page);
      expect(await epochs(page)).toBe(1);
    });
  });

  test('labels coded −1/1 are refused at Load with "Map −1 → 0" offered; the mapped data trains', async () => {
    await withPage({}, async (page) => {
      const before = await text(page, '#data-info');
      const minusOne = dnnex.replace(/,0\.0$/gm, ',-1.0');
      await loadCsv(page, 'pm1.csv', minusOne);
      await waitText(page, '#data-message', 'run from −1 to 1');
      expect(await text(page, '#data-info')).toBe(before); // nothing replaced yet
      expect(await text(page, '#label-fix')).toBe('Map −1 → 0 and load');
      await page.click('#label-fix');
      await idle(page);
      await waitText(page, '#data-info', 'pm1.csv (−1 → 0): 2000 points');
      expect(await page.locator('#data-message').isHidden()).toBe(true);
      await page.click('#step');
      await idle(page);
      expect(await epochs(page)).toBe(1);
      // The mapped labels are dnnex's: the first epoch's loss is the lecture's.
      expect((await hook<number[]>(page, 'losses()'))[0]).toBeCloseTo(0.666788, 5);
    });
  });

  test('after a failed build (two feature columns), the message says what to do on the page; Reset and Load stay usable and Load brings a model back', async () => {
    await withPage({}, async (page) => {
      const twoFeatures = 'x1,x2,y\n' + Array.from({ length: 50 }, (_, i) => `${i / 50},${1 - i / 50},${i % 2}`).join('\n');
      await loadCsv(page, 'two.csv', twoFeatures);
      await waitText(page, '#run-message', 'could not be built');
      // In the page's words, not the command line's ("choose the features", "set layers[0]").
      const message = await text(page, '#run-message');
      expect(message).not.toContain('choose the features');
      expect(message).not.toContain('layers[0]');
      expect(message).toContain('keep only the columns x and y');
      expect(await available(page, '#reset')).toBe(true);
      expect(await available(page, '#load-data')).toBe(true);
      expect(await page.locator('#dataset').isDisabled()).toBe(false);
      await page.selectOption('#dataset', 'generated');
      await page.click('#load-data');
      await idle(page);
      await page.click('#step');
      await idle(page);
      expect(await epochs(page)).toBe(1);
    });
  });
});

describe('an honest status line', () => {
  test('"Training: epoch N of 3000" while it trains; Restart from a pause says Play and the timeline is live at epoch 0', async () => {
    await withPage({ query: 'speed=5' }, async (page) => {
      await page.click('#play');
      await page.waitForFunction(() => (window as any).lecture.epochs() >= 50);
      expect(await text(page, '#run-status')).toMatch(/^Training: epoch \d+ of 3000$/);
      await page.click('#play'); // pause
      await idle(page);
      expect(await text(page, '#play')).toBe('Resume');
      await page.fill('#hidden', '3');
      await page.locator('#stale').waitFor({ state: 'visible' });
      await page.click('#restart');
      await idle(page);
      expect(await epochs(page)).toBe(0);
      expect(await text(page, '#play')).toBe('Play');
      expect(await text(page, '#scrubber-label')).toBe('live (epoch 0)');
    });
  });
});

describe('one time on screen', () => {
  test('an imported model keeps its loss chart and the baseline trains the same epochs; more epochs draw on', async () => {
    await withPage({ query: 'speed=max&epochs=200' }, async (page) => {
      await page.click('#play');
      await idle(page);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-params')]);
      await page.setInputFiles('#import-params', (await download.path())!);
      await waitText(page, '#import-message', 'epoch 200');
      await idle(page);
      const baseline = await hook<number[]>(page, 'baselineLosses()');
      expect(baseline).toHaveLength(200);
      expect(baseline.every(Number.isFinite)).toBe(true);
      await page.click('#play');
      await idle(page);
      expect(await hook(page, 'lossPoints()')).toBe(400);
      await page.waitForTimeout(100); // one animation frame: the chart draws what it holds
      const [low, high] = await hook<[number, number]>(page, 'lossRange()');
      expect(Number.isFinite(low) && Number.isFinite(high) && low < high).toBe(true);
      // The baseline's losses are a fresh one's trained 400 epochs at lr 0.001, the same as a run of 400.
      const all = await hook<number[]>(page, 'baselineLosses()');
      expect(all).toHaveLength(400);
      expect(all[399]).toBeLessThan(all[0]);
    });
  });

  test('scrubbed back, the logistic curve, its text and the legend are of the epoch shown', async () => {
    await withPage({ query: 'speed=max&epochs=300' }, async (page) => {
      await page.click('#play');
      await idle(page);
      const snapshots = await hook<number[]>(page, 'snapshots()');
      const index = snapshots.findIndex((e) => e > 0 && e < 300);
      const epoch = snapshots[index];
      await page.locator('#scrubber').fill(String(index));
      await waitText(page, '#data-summary', `Snapshot at epoch ${epoch}`);
      expect(await hook(page, 'estimateLabel()')).toBe(`estimated (epoch ${epoch})`);
      const baseline = await hook<number[]>(page, 'baselineLosses()');
      const said = Number(/same epochs: loss (\d\.\d+)/.exec(await text(page, '#data-summary'))![1]);
      expect(said).toBeCloseTo(baseline[epoch], 4); // the loss of the baseline after `epoch` epochs, not 300
      expect(Math.abs(said - baseline[299])).toBeGreaterThan(1e-3);
      await page.click('#live');
      await waitText(page, '#data-summary', 'Epoch 300');
      expect(await hook(page, 'estimateLabel()')).toBe('estimated (now)');
    });
  });
});

describe('comparing runs', () => {
  test('04wk-2: after Restart with dropout, the no-dropout run stays as a ghost (loss and test loss) beside the new one; Forget clears it', async () => {
    await withPage({ query: 'lesson=04wk-2-overfit&speed=max&epochs=60' }, async (page) => {
      await page.click('#play');
      await idle(page);
      const before = await hook<number[]>(page, 'testLosses()');
      expect(before).toHaveLength(60);
      await page.check('#dropout');
      await page.locator('#stale').waitFor({ state: 'visible' });
      await page.click('#restart');
      await idle(page);
      await page.click('#play');
      await idle(page);
      const ghosts = await hook<{ loss: string[]; data: string[]; losses: number[][]; second: number[][] }>(page, 'ghosts()');
      expect(ghosts.loss).toEqual(['before: no dropout (60 epochs)']);
      expect(ghosts.data).toEqual(['estimate, before: no dropout (60 epochs)']);
      expect(ghosts.second[0]).toEqual(before); // the no-dropout test loss, drawn beside dropout's
      const now = await hook<number[]>(page, 'testLosses()');
      expect(now).toHaveLength(60);
      expect(now[59]).not.toBe(before[59]);
      expect(await page.locator('#clear-ghosts').isVisible()).toBe(true);
      await page.click('#clear-ghosts');
      expect(await hook<{ loss: string[] }>(page, 'ghosts()')).toMatchObject({ loss: [], data: [] });
      expect(await page.locator('#clear-ghosts').isHidden()).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('play');
    });
  });
});

describe('axes', () => {
  test('the linear BCE loss axis has 3 or more ticks after 1500 epochs', async () => {
    await withPage({ query: 'speed=max&epochs=1500' }, async (page) => {
      await page.click('#play');
      await idle(page);
      await page.waitForTimeout(100);
      const ticks = await hook<string[]>(page, 'lossTicks()');
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(new Set(ticks).size).toBe(ticks.length);
    });
  });

  test('the log MSE axis of 04wk-2 labels small losses as powers of ten, never "0"', async () => {
    await withPage({ query: 'lesson=04wk-2-overfit&speed=max&epochs=200' }, async (page) => {
      await page.click('#play');
      await idle(page);
      await page.waitForTimeout(100);
      const losses = await hook<number[]>(page, 'losses()');
      expect(Math.min(...losses)).toBeLessThan(1e-3);
      const ticks = (await hook<string[]>(page, 'lossTicks()')).filter((t) => t !== '');
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks).not.toContain('0');
      expect(ticks).toContain('10⁻⁴'); // the lowest decade, which uPlot labelled "0"
    });
  });
});

/** axe-core's violations on the page as it is (evaluated through DevTools: the CSP refuses inline scripts). */
async function axe(page: Page): Promise<{ id: string; impact: string }[]> {
  await page.evaluate(readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8'));
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(' ')).slice(0, 3) }));
  });
}

describe('accessibility leftovers', () => {
  test('MNIST: the scrolling digit grids are focusable regions; 05wk-1: landmarks are unique (axe)', async () => {
    await withPage({ query: 'lesson=04wk-1-mnist&speed=max' }, async (page) => {
      await waitText(page, '#digits-wrong-title', /Misclassified test digits: \d+/);
      const violations = await axe(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      expect(violations.map((v) => v.id)).not.toContain('scrollable-region-focusable');
    });
    await withPage({ query: 'lesson=05wk-1-gpu' }, async (page) => {
      const violations = await axe(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      expect(violations.map((v) => v.id)).not.toContain('landmark-unique');
    });
    // The new parts, in dark mode: the unit key, the ghosts' button, the link and label notices, the plane's heatmap.
    {
      await withPage({ query: 'speed=max&epochs=50&workgroup=3', colorScheme: 'dark' }, async (page) => {
        await page.click('#play');
        await idle(page);
        await page.fill('#hidden', '3');
        await page.click('#restart');
        await idle(page);
        await loadCsv(page, 'pm1.csv', dnnex.replace(/,0\.0$/gm, ',-1.0'));
        await waitText(page, '#data-message', 'Map −1 → 0');
        expect(await page.locator('#clear-ghosts').isVisible()).toBe(true);
        const violations = await axe(page);
        expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
      });
    }
    await withPage({ query: 'lesson=plane-xor&speed=max&epochs=20', colorScheme: 'dark' }, async (page) => {
      await page.click('#play');
      await idle(page);
      const violations = await axe(page);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    });
  });

  test('prefers-reduced-motion: the default speed is "as fast as it goes", not 20 epochs a frame', async () => {
    await withPage({ query: '', reducedMotion: 'reduce' }, async (page) => {
      expect(await page.inputValue('#speed')).toBe('max');
    });
  });

  test('at 360×740 the stale notice never covers the field being typed in', async () => {
    await withPage({ viewport: { width: 360, height: 740 } }, async (page) => {
      await page.click('#step');
      await idle(page);
      // The field just below the bar, as one scrolls to it; then typed into from the keyboard.
      const barHeight = (await page.locator('.bar').boundingBox())!.height;
      await page.evaluate((top) => window.scrollBy(0, document.getElementById('hidden')!.getBoundingClientRect().top - top), barHeight + 40);
      await page.focus('#hidden');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('3');
      await page.locator('#stale').waitFor({ state: 'visible' });
      const field = (await page.locator('#hidden').boundingBox())!;
      const bar = (await page.locator('.bar').boundingBox())!;
      const overlaps = bar.y < field.y + field.height && field.y < bar.y + bar.height;
      expect(overlaps).toBe(false);
      expect(field.y).toBeGreaterThanOrEqual(0);
      expect(field.y + field.height / 2).toBeLessThanOrEqual(740); // on screen (scroll anchoring may leave its bottom edge just below)
    });
  });
});

describe('which data is shown', () => {
  test('the default is the lecture’s dnnex.csv, shipped with the page; the formula’s own draws say they are not the notebook’s; offline, the online entry says what to do', async () => {
    await withPage({ errors: 'uncaught' }, async (page) => {
      // The default: the notebook's 2000 points, from beside the page (no network: the build ships them).
      expect(await text(page, '#data-info')).toContain('dnnex.csv (the lecture’s, shipped with the page): 2000 points');
      expect(await text(page, '#data-info')).toContain("The lecture's own data (dnnex.csv)");
      expect(await page.locator('#dataset').inputValue()).toBe('lecture');
      await page.selectOption('#dataset', 'generated');
      await page.click('#load-data');
      await waitText(page, '#data-info', "not the notebook's 2000 (dnnex.csv)");
      await loadCsv(page, 'dnnex.csv', dnnex);
      await waitText(page, '#data-info', "The lecture's own data (dnnex.csv)");
      await page.context().setOffline(true);
      await page.selectOption('#dataset', 'lecture-url');
      await page.click('#load-data');
      await waitText(page, '#data-message', 'could not be fetched');
      const message = await text(page, '#data-message');
      expect(message).toContain('the page may be offline');
      expect(message).toContain('A CSV file of mine…');
      expect(message).not.toContain('Failed to fetch.'); // the bare browser words are explained, not the whole message
      expect(await text(page, '#data-info')).toContain('dnnex.csv: 2000 points'); // the data on screen kept
    });
  });
});

describe('long work shows progress and stops', () => {
  test('width 5000 flat out: epochs count within seconds and Pause acts within about a second', async () => {
    await withPage({ query: 'speed=max&hidden=5000&epochs=3000' }, async (page) => {
      await page.click('#play');
      await page.waitForFunction(() => (window as any).lecture.epochs() >= 1, null, { timeout: 20_000 });
      await waitText(page, '#run-status', /^Training: epoch \d+ of 3000$/);
      const t0 = Date.now();
      await page.click('#play');
      expect(await text(page, '#run-status')).toBe('Pausing after this piece…');
      await idle(page, 10_000);
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(await epochs(page)).toBeLessThan(3000);
      await waitText(page, '#run-status', 'Paused at epoch');
    });
  });

  test('05wk-1 Measure shows epochs done per cell and Stop acts within seconds', async () => {
    await withPage({ query: 'lesson=05wk-1-gpu&epochs=100000' }, async (page) => {
      await page.click('#timing-run');
      await waitText(page, '#timing-body', /\d+ of 100000 epochs, about [\d.]+ s left/, 30_000);
      await waitText(page, '#timing-status', /: \d+ of 100000 epochs/);
      const t0 = Date.now();
      await page.click('#timing-stop');
      expect(await text(page, '#timing-status')).toMatch(/^Stopp(ing after this piece…|ed)/); // said at once, or already done
      await page.waitForFunction(() => !(window as any).lecture.timingRunning(), null, { timeout: 10_000 });
      expect(Date.now() - t0).toBeLessThan(5_000);
      await waitText(page, '#timing-status', 'Stopped');
      expect(await text(page, '#timing-body')).toMatch(/stopped after \d+ epochs/);
    });
  });
});

describe('inside the network', () => {
  test('one colour per hidden unit in the diagram and the panels; a unit followed on focus and hover; labels on a halo', async () => {
    await withPage({}, async (page) => {
      await page.click('#step');
      await idle(page);
      // The edges into and out of unit 1 and 2 take the units' colours (Okabe–Ito blue, vermillion), not the weights' signs.
      const edges = await page.$$eval('#diagram line', (lines) => lines.map((l) => ({ unit: l.getAttribute('data-unit'), stroke: l.getAttribute('stroke'), dash: l.getAttribute('stroke-dasharray') })));
      expect(edges).toHaveLength(4);
      for (const e of edges) expect(e.stroke).toBe(e.unit === '0' ? '#0072b2' : '#d55e00');
      expect(edges.some((e) => e.dash !== null)).toBe(true); // a negative weight is dashed
      expect(await page.$eval('#diagram .weight-label', (t) => getComputedStyle(t).paintOrder)).toContain('stroke');
      // Focus unit 2's key: its curves in full, unit 1's faded, in every multi-unit panel; the diagram follows.
      await page.focus('#unit-key button[data-unit="1"]');
      const alphas = await hook<number[][]>(page, 'unitAlphas()');
      expect(alphas[0]).toEqual([0.15, 1]);
      expect(alphas[1]).toEqual([0.15, 1]);
      expect(await page.$eval('#diagram', (d) => d.classList.contains('focusing'))).toBe(true);
      expect(await page.$$eval('#diagram line.lit', (l) => l.map((e) => e.getAttribute('data-unit')))).toEqual(['1', '1']);
      await page.locator('#unit-key button[data-unit="1"]').blur();
      expect((await hook<number[][]>(page, 'unitAlphas()'))[0]).toEqual([1, 1]);
      await page.locator('#diagram circle[data-unit="0"]').hover({ force: true });
      expect((await hook<number[][]>(page, 'unitAlphas()'))[0]).toEqual([1, 0.15]);
    });
  });

  test("MNIST: each hidden unit's 28×28 weight image, drawn from W1; no kink at x = -b/w", async () => {
    await withPage({ query: 'lesson=04wk-1-mnist&speed=max' }, async (page) => {
      expect(await page.locator('#weight-images canvas').count()).toBe(32);
      expect(await page.locator('#diagram-figure').isHidden()).toBe(true);
      const about = await text(page, '#inside-about');
      expect(about).toContain('28×28');
      expect(about).not.toContain('-b/w');
      // Unit 1's image is W1's first row, scaled by its largest |weight|: grey = 127.5 + 127.5·w / max|w|.
      const params = await hook<number[]>(page, 'params()');
      const row = params.slice(0, 784);
      const most = Math.max(...row.map(Math.abs));
      const pixels = await page.$eval('#weight-images canvas', (c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0)));
      row.forEach((w, p) => expect(Math.abs(pixels[p] - (127.5 + (127.5 * w) / most))).toBeLessThanOrEqual(1));
    });
  });
});

describe('the low items', () => {
  test('hidden width: the field allows what its message says; lr refuses hex; the seed message has no 20-digit bounds; Advanced counts dispatches as the README', async () => {
    await withPage({}, async (page) => {
      expect(await page.getAttribute('#hidden', 'max')).toBe('1048576');
      await page.fill('#hidden', '0');
      await page.dispatchEvent('#settings', 'change');
      expect(await text(page, '#hidden-problem')).toContain('1 to 1048576');
      await page.fill('#hidden', '2');
      await page.fill('#lr', '0x10');
      await page.click('#step');
      await idle(page);
      expect(await epochs(page)).toBe(0);
      expect(await text(page, '#lr-problem')).toContain('decimal');
      await page.fill('#lr', '0.001');
      await page.fill('#seed', '1e30');
      await page.dispatchEvent('#settings', 'change');
      const seedProblem = await text(page, '#seed-problem');
      expect(seedProblem).not.toMatch(/\d{19}/);
      expect(seedProblem).toContain('2⁶⁴');
      const options = await page.$$eval('#strategy option', (o) => o.map((e) => e.textContent));
      expect(options).toContain('fused (9 dispatches/epoch)');
      expect(options).toContain('unfused (14 dispatches/epoch)');
    });
  });

  test('"you win!" only once Adam has trained; a CSV dropped on a lesson page says why it is not used', async () => {
    await withPage({}, async (page) => {
      expect(await text(page, '#hand-summary')).not.toContain('you win');
    });
    await withPage({ query: 'lesson=04wk-1-step&speed=max' }, async (page) => {
      const transfer = await page.evaluateHandle(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x,y\n0,1\n'], 'mine.csv', { type: 'text/csv' }));
        return dt;
      });
      await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
      await waitText(page, '#data-message', 'mine.csv was not loaded: this lesson trains on its own data');
      expect(await page.locator('#data-message').isVisible()).toBe(true);
    });
  });

  test('without a GPU adapter, the notice says so (not "use a recent Chrome")', async () => {
    await withPage({ flags: NO_GPU_FLAGS, errors: 'uncaught' }, async (page) => {
      await page.locator('#gpu-message').waitFor({ state: 'visible' });
      const hasApi = await page.evaluate(() => 'gpu' in navigator);
      const message = await text(page, '#gpu-message-text');
      expect(message).not.toContain('recent Chrome');
      expect(message).toContain(hasApi ? 'found no GPU adapter' : 'does not offer WebGPU');
    });
  });
});

describe('2-D data with an output heatmap', () => {
  test('rings: after training, the heatmap is blue (1) at the centre and orange (0) in the corners; the points are the rings set', async () => {
    await withPage({ query: 'lesson=plane-rings&speed=max&epochs=400' }, async (page) => {
      expect(await text(page, '#data-info')).toContain('rings1000');
      expect(await text(page, '#data-info')).toContain('1000 points of 2 features');
      expect(await page.locator('#data-chart').isHidden()).toBe(true);
      await page.click('#play');
      await idle(page);
      await waitText(page, '#plane-summary', /Epoch 400: loss 0\.\d+, accuracy (8|9)\d\.\d%/);
      const pixel = (fx: number, fy: number) =>
        page.$eval('#plane-chart canvas', (c, [x, y]) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(Math.floor(x * (c as HTMLCanvasElement).width), Math.floor(y * (c as HTMLCanvasElement).height), 1, 1).data), [fx, fy]);
      // Sample between the points: the cell colours (blue has b ≫ r; orange r ≫ b).
      const centre = await pixel(0.52, 0.47);
      const corner = await pixel(0.02, 0.97);
      expect(centre[2]).toBeGreaterThan(centre[0] + 40);
      expect(corner[0]).toBeGreaterThan(corner[2] + 40);
      expect(await page.locator('#inside-about').textContent()).toContain('relu(w1·x1 + w2·x2 + b)');
      await page.screenshot({ path: join(results, 'lesson-plane-rings-1280x800.png') }); // as page.test.ts's lesson-*.png, for docs/lessons/
    });
  });
});
