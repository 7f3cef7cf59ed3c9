// The demo page end to end: build it, serve dist/ on 127.0.0.1, drive Chromium (WebGPU on
// SwiftShader) like a person: load the lecture's CSV through the file input, train 3000 epochs,
// then 3000 more, and compare what the page holds with PyTorch.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright';
import { preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';
import { LECTURE } from './shared';

const root = join(__dirname, '..');
const results = join(root, 'test-results');
const dnnex = join(root, '..', 'shared', 'data', 'dnnex.csv');
const NO_GPU_FLAGS = WEBGPU_FLAGS.filter((f) => !/webgpu|swiftshader/.test(f)).concat('--disable-gpu');

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

interface Opened {
  browser: Browser;
  page: Page;
  errors: string[];
}

async function open(flags: string[]): Promise<Opened> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  await page.goto(url);
  await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
  return { browser, page, errors };
}

/** Waits until the element's text contains `text` (a string or a pattern). */
async function waitText(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<void> {
  const pattern = typeof text === 'string' ? text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : text.source;
  await page.waitForFunction(([s, p]) => new RegExp(p).test(document.querySelector(s)?.textContent ?? ''), [selector, pattern] as const, { timeout });
}

const idle = (page: Page, timeout = 300_000) => page.waitForFunction(() => !(window as any).lecture.running(), null, { timeout, polling: 200 });

describe('the page with WebGPU', () => {
  test('the lecture: bent line, CSV upload, 3000 + 3000 epochs match PyTorch', async () => {
    const { browser, page, errors } = await open(WEBGPU_FLAGS);
    try {
      await waitText(page, '#adapter', 'GPU adapter');
      expect(await page.locator('#adapter').getAttribute('class')).toContain('software');

      // The six bent-line panels, from the GPU.
      const panels = await page.evaluate(() => (window as any).lecture.panels as Record<string, number[]>);
      expect(Object.keys(panels)).toHaveLength(6);
      const xs = Array.from({ length: 1001 }, (_, i) => -1 + (2 * i) / 1000);
      const relu = (v: number) => Math.max(v, 0);
      xs.forEach((x, i) => {
        expect(panels['x'][i]).toBeCloseTo(x, 6);
        expect(panels['-x'][i]).toBeCloseTo(-x, 6);
        expect(panels['relu(x)'][i]).toBeCloseTo(relu(x), 6);
        expect(panels['relu(-x)'][i]).toBeCloseTo(relu(-x), 6);
        expect(panels['-4.5·relu(x) - 9·relu(-x) + 4.5'][i]).toBeCloseTo(-4.5 * relu(x) - 9 * relu(-x) + 4.5, 5);
        expect(panels['sigmoid(…)'][i]).toBeCloseTo(1 / (1 + Math.exp(4.5 * relu(x) + 9 * relu(-x) - 4.5)), 6);
      });
      expect(await page.locator('#panels canvas').count()).toBeGreaterThanOrEqual(6);

      await page.setInputFiles('#file', dnnex);
      await waitText(page, '#data-info', 'dnnex.csv: 2000 points');

      await page.click('#train');
      await idle(page);
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(3000);
      await page.click('#more');
      await idle(page);

      const losses = await page.evaluate(() => (window as any).lecture.losses() as number[]);
      expect(losses).toHaveLength(6000);
      expect(await page.evaluate(() => (window as any).lecture.lossPoints())).toBe(6000);
      expect(Math.abs(losses[2999] - LECTURE.loss[2999])).toBeLessThan(1e-4);
      expect(Math.abs(losses[5999] - LECTURE.loss[5999])).toBeLessThan(1e-4);
      expect(await page.evaluate(() => (window as any).lecture.overlays())).toEqual(['after 3000 epochs', 'after 6000 epochs']);
      await waitText(page, '#status', 'epoch 6000');

      await page.screenshot({ path: join(results, 'page.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('a malformed CSV shows the error and keeps the previous data and chart', async () => {
    const { browser, page, errors } = await open(WEBGPU_FLAGS);
    try {
      await page.fill('#epochs', '50');
      await page.click('#train');
      await idle(page);
      const before = await page.evaluate(() => (window as any).lecture.losses() as number[]);
      expect(before).toHaveLength(50);
      const info = await page.locator('#data-info').textContent();
      const bad = join(results, 'malformed.csv');
      writeFileSync(bad, 'x,y\n0.1,1\n0.2,maybe\n');
      await page.setInputFiles('#file', bad);
      await waitText(page, '#data-message', 'line 3, column y');
      await waitText(page, '#data-message', 'previous data and model are kept');
      expect(await page.locator('#data-info').textContent()).toBe(info);
      expect(await page.evaluate(() => (window as any).lecture.losses())).toEqual(before);
      await page.click('#more');
      await idle(page);
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(100);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('data sets', () => {
  test('the lecture CSV from its public URL (served here by a route), and a file dropped on the page', async () => {
    const { browser, page, errors } = await open(WEBGPU_FLAGS);
    try {
      const csv = readFileSync(dnnex, 'utf8');
      await page.route('https://raw.githubusercontent.com/guebin/DL2024/main/posts/dnnex.csv', (route) =>
        route.fulfill({ status: 200, contentType: 'text/csv', body: csv, headers: { 'access-control-allow-origin': '*' } }),
      );
      await page.selectOption('#dataset', 'lecture-url');
      await waitText(page, '#data-info', 'dnnex.csv (online): 2000 points, with the true probability');

      // Drag and drop: a small CSV without prob, dropped anywhere on the page.
      await page.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['y,x\n0,-0.5\n1,0.5\n1,0.25\n'], 'dropped.csv', { type: 'text/csv' }));
        document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      });
      await waitText(page, '#data-info', 'dropped.csv: 3 points');
      expect(await page.locator('#dataset').inputValue()).toBe('file');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('the page under stress', () => {
  test('a lost device: the page says so, restores the last finished run on a new device, and resumes', async () => {
    const { browser, page, errors } = await open(WEBGPU_FLAGS);
    try {
      await page.setInputFiles('#file', dnnex);
      await waitText(page, '#data-info', 'dnnex.csv');
      await page.fill('#epochs', '500');
      await page.click('#train');
      await idle(page);
      await page.evaluate(() => (window as any).lecture.loseDevice());
      await waitText(page, '#gpu-message', 'Recovered on a new device');
      await page.evaluate(() => (window as any).lecture.recovered());
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(500);
      await page.click('#more');
      await idle(page);
      const losses = await page.evaluate(() => (window as any).lecture.losses() as number[]);
      expect(losses).toHaveLength(1000);
      losses.forEach((l, i) => expect(Math.abs(l - LECTURE.loss[i])).toBeLessThan(1e-4));
      expect(errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('a bad setting: the field says why and nothing starts; a diverging rate stops at its epoch', async () => {
    const { browser, page } = await open(WEBGPU_FLAGS);
    try {
      await page.fill('#hidden', '0');
      await page.click('#train');
      await waitText(page, '#settings-message', 'hidden width must be an integer');
      expect(await page.locator('#hidden').getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(0);
      expect(new URL(page.url()).searchParams.get('hidden')).not.toBe('0');

      await page.fill('#hidden', '2');
      await page.fill('#workgroup', '48');
      await page.click('#train');
      await waitText(page, '#settings-message', 'workgroup size must be a power of two');
      expect(await page.locator('#workgroup').getAttribute('aria-invalid')).toBe('true');
      await page.fill('#workgroup', 'many');
      await page.click('#train');
      await waitText(page, '#settings-message', 'workgroup size must be a number');
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(0);

      await page.fill('#workgroup', '');
      await page.fill('#lr', '1e38');
      await page.fill('#epochs', '100');
      await page.click('#train');
      await idle(page);
      await waitText(page, '#gpu-message', 'training stopped at epoch 1');
      expect(await page.locator('#hidden').getAttribute('aria-invalid')).toBe('false');
      expect(new URL(page.url()).searchParams.get('lr')).toBe('1e+38');
    } finally {
      await browser.close();
    }
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
      await page.goto(`http://127.0.0.1:${(sub.address() as AddressInfo).port}${prefix}`);
      await page.waitForFunction(() => (window as any).lecture?.ready === true, null, { timeout: 60_000 });
      await page.fill('#epochs', '100');
      await page.click('#train');
      await idle(page);
      expect(await page.evaluate(() => (window as any).lecture.epochs())).toBe(100);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      sub.close();
    }
  });
});

describe('the page without WebGPU', () => {
  test('says why and how to enable it; the rest renders; no uncaught error', async () => {
    const { browser, page, errors } = await open(NO_GPU_FLAGS);
    try {
      await page.locator('#gpu-message').waitFor({ state: 'visible' });
      await waitText(page, '#gpu-message', /WebGPU|adapter/);
      await waitText(page, '#gpu-message', 'Chrome');
      expect(await page.locator('#train').isDisabled()).toBe(true);
      expect(await page.locator('#data-chart canvas').count()).toBe(1);
      expect(errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
