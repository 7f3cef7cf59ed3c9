// The page's end-to-end harness: build the page, serve it on 127.0.0.1, open it in headless
// Chromium (WebGPU on SwiftShader, or no WebGPU at all) and read its state through window.lecture.
// Each test file builds into its own folder, so files running side by side never race on dist/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';

export const root = join(__dirname, '..');
export const results = join(root, 'test-results');
export const dnnex = join(root, '..', 'shared', 'data', 'dnnex.csv');
export const NO_GPU_FLAGS = WEBGPU_FLAGS.filter((f) => !/webgpu|swiftshader/.test(f)).concat('--disable-gpu');
export { WEBGPU_FLAGS };

let server: PreviewServer | undefined;
let url = '';

/** Builds the page into `outDir` and serves it for the file's tests (call once, at the top of a test file). */
export function servePage(outDir = 'dist'): void {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn', '--outDir', outDir, '--emptyOutDir'], { cwd: root, stdio: 'pipe' });
    server = await preview({ root, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
    url = server.resolvedUrls!.local[0];
    mkdirSync(results, { recursive: true });
  });
  afterAll(async () => {
    await server?.close();
  });
}

export interface Opened {
  browser: Browser;
  page: Page;
  errors: string[];
}

export interface OpenOptions {
  /** The query string (without ?): `speed=max` trains flat out, as the tests mostly want. */
  query?: string;
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
  /** A script run in the page before its own (e.g. to lower the device's limits). */
  init?: string;
}

export async function open(flags: string[], { query = 'speed=max', viewport = { width: 1280, height: 800 }, colorScheme = 'light', init }: OpenOptions = {}): Promise<Opened> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags });
  const page = await browser.newPage({ viewport, colorScheme });
  if (init) await page.addInitScript(init);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(`${url}?${query}`);
  await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
  await idle(page);
  return { browser, page, errors };
}

/** Opens the page, runs `body`, checks the console (every error, uncaught ones only, or none), closes. */
export async function withPage(flags: string[], options: OpenOptions & { errors?: 'all' | 'uncaught' | 'ignore' }, body: (page: Page) => Promise<void>): Promise<void> {
  const { browser, page, errors } = await open(flags, options);
  try {
    await body(page);
    if (options.errors !== 'ignore') expect(options.errors === 'uncaught' ? errors.filter((e) => e.startsWith('uncaught')) : errors).toEqual([]);
  } finally {
    await browser.close();
  }
}

/** Waits until the element's text contains `text` (a string or a pattern). */
export async function waitText(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  const pattern = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
  await page.waitForFunction(([s, p]) => new RegExp(p).test(document.querySelector(s)?.textContent ?? ''), [selector, pattern] as const, { timeout });
}

export const idle = (page: Page, timeout = 300_000) => page.waitForFunction(() => !(window as any).lecture.running(), null, { timeout, polling: 100 });
export const hook = <T>(page: Page, expression: string): Promise<T> => page.evaluate(`window.lecture.${expression}`) as Promise<T>;
export const epochs = (page: Page) => hook<number>(page, 'epochs()');
export const losses = (page: Page) => hook<number[]>(page, 'losses()');

export async function loadLectureCsv(page: Page): Promise<void> {
  await page.setInputFiles('#file', dnnex);
  await waitText(page, '#data-info', 'dnnex.csv: 2000 points');
  await idle(page);
}

/** Plays one run and waits for its end. */
export async function playRun(page: Page): Promise<void> {
  await page.click('#play');
  await idle(page);
}

export async function downloadText(page: Page, button: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return readFileSync((await download.path())!, 'utf8');
}
