// The lecture's data shipped with the page (src/data/lecture.ts, vite.config.ts's lecture-data plugin):
// the built page holds ../shared's dnnex.csv byte for byte, the loader parses it into the notebook's 2000
// points, and a page without it falls back to the generator and says why.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../src/data/csv';
import { LECTURE_DATA_PATH, LECTURE_DATA_SOURCE, loadLectureData } from '../src/data/lecture';

const root = join(__dirname, '..');
const shared = readFileSync(join(root, '..', 'shared', 'data', 'dnnex.csv'));
const serve = (body: Buffer | undefined): typeof fetch =>
  (async (url: string | URL | Request) => {
    expect(String(url)).toBe(`http://127.0.0.1:5173/app/${LECTURE_DATA_PATH}`);
    return body ? new Response(new Uint8Array(body)) : new Response('not found', { status: 404 });
  }) as typeof fetch;

describe('the lecture’s data, shipped with the page', () => {
  test('the build emits ../shared/data/dnnex.csv at data/dnnex.csv, byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'lecture-data-'));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error', '--outDir', out, '--emptyOutDir'], { cwd: root, stdio: 'pipe' });
      expect(readFileSync(join(out, LECTURE_DATA_PATH)).equals(shared)).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);

  test('the loader gives the notebook’s 2000 points', async () => {
    const { data, fallback } = await loadLectureData('http://127.0.0.1:5173/app/index.html', serve(shared));
    const direct = parseCsv(shared, 'dnnex.csv');
    expect(fallback).toBeUndefined();
    expect(data.source).toBe(LECTURE_DATA_SOURCE);
    expect(data.n).toBe(2000);
    expect(Array.from(data.x)).toEqual(Array.from(direct.x));
    expect(Array.from(data.y)).toEqual(Array.from(direct.y));
  });

  test('without the file: the generator’s points, and the reason', async () => {
    const { data, fallback } = await loadLectureData('http://127.0.0.1:5173/app/', serve(undefined));
    expect(data.source.startsWith('generated')).toBe(true);
    expect(data.n).toBe(2000);
    expect(fallback).toContain('404');
  });
});
