// The page's pure logic behind the faults of issue #19, in Node: the snapshot plan against the
// device's limit, min/max decimation, the run history after a restore, what an import may be, and
// the session's engine leases (a redraw's engine is destroyed only when the redraw lets go).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseCsvInPieces } from '../src/app/csv-chunks';
import { parseCsv } from '../src/data/csv';
import { join } from 'node:path';
import { TICK_INCRS, tickLabels } from '../src/app/axis';
import { columnX, minMaxColumn, orderedColumn, pixelColumns, sortedOrder } from '../src/app/decimate';
import { alternativesText } from '../src/app/fits';
import { importProblem, runsUpTo } from '../src/app/modelfile';
import { Session } from '../src/app/session';
import { deeperFromUrl } from '../src/app/settings';
import { MIN_SNAPSHOT_SLOTS, snapshotPlan, Timeline } from '../src/app/timeline';
import { generateLectureData } from '../src/data/generate';
import { DEFAULT_CONFIG } from '../src/train/trainer';

describe('snapshotPlan', () => {
  test('fits the slots to maxBufferSize and the memory cap; too few: off, saying which limit', () => {
    // Width 400 000 (1.2 M parameters, 4.8 MB a snapshot) on a 256 MiB device: 55 snapshots, not 256 (1.23 GB).
    const count = 3 * 400_000 + 1;
    expect(snapshotPlan(count, 256, 256 * 1024 * 1024)).toEqual({ slots: Math.floor((256 * 1024 * 1024) / (count * 4)) });
    expect(snapshotPlan(7, 256, 256 * 1024 * 1024)).toEqual({ slots: 256 });
    expect(snapshotPlan(count, 256, Infinity, 64 * 1024 * 1024).slots).toBe(13);
    const off = snapshotPlan(count, 256, 16 * 1024 * 1024);
    expect(off.slots).toBe(0);
    expect(off.off).toContain("this device's largest buffer (maxBufferSize, 16 MB)");
    expect(snapshotPlan(count, 256, Infinity, 8 * count * 4 - 1).off).toContain('the page gives the timeline');
    expect(snapshotPlan(count, 256, Infinity, 8 * count * 4)).toEqual({ slots: MIN_SNAPSHOT_SLOTS });
  });

  test('a timeline with no slots is never due and records nothing', () => {
    const off = new Timeline(0);
    expect(off.nextDue(0)).toBe(Infinity);
    expect(off.isDue(1000)).toBe(false);
    expect(off.record(0, true)).toBeUndefined();
    expect(off.all).toEqual([]);
    const on = new Timeline(8);
    expect(on.record(0)).toBe(0);
    expect(on.nextDue(0)).toBe(10);
  });
});

describe('min/max decimation', () => {
  test('two slots a pixel column: its smallest and largest value in x order, NaN columns as gaps', () => {
    const x = Float32Array.from([0.9, 0.1, 0.5, 0.2, 0.8, 0.6]);
    const order = sortedOrder(x);
    expect(Array.from(order)).toEqual([1, 3, 2, 5, 4, 0]);
    const starts = pixelColumns(x, order, 2); // [0.1, 0.5) and [0.5, 0.9]
    expect(Array.from(starts)).toEqual([0, 2, 6]);
    expect(columnX(x, order, starts).map((v) => +v.toFixed(2))).toEqual([0.1, 0.2, 0.5, 0.9]);
    // Values in x order: 1 (0.1), 5 (0.2) | 3 (0.5), 2 (0.6), 4 (0.8), NaN (0.9): NaN skipped.
    const v = Float32Array.from([NaN, 1, 3, 5, 4, 2]);
    expect(minMaxColumn(v, order, starts)).toEqual([1, 5, 2, 4]);
    const falling = Float32Array.from([0, 9, 1, 7, 0, 0]);
    expect(minMaxColumn(falling, order, starts)).toEqual([9, 7, 1, 0]); // max first: it comes first along x
    expect(minMaxColumn(Float32Array.from([1, NaN, 2, NaN, 3, 4]), order, starts)).toEqual([null, null, 4, 1]);
    expect(orderedColumn(Float32Array.from([1, NaN, 2, 3, 4, 5]), order)).toEqual([null, 3, 2, 5, 4, 1]);
  });

  test('1.9 M sorted points decimate to at most two slots a column and keep the extremes', () => {
    const n = 1_900_000;
    const x = new Float32Array(n).map((_, i) => i / n);
    const y = x.map((v, i) => (i === 1_234_567 ? 7 : Math.sin(10 * v)));
    const order = sortedOrder(x);
    const starts = pixelColumns(x, order, 800);
    expect(starts.length - 1).toBe(800);
    const column = minMaxColumn(y, order, starts);
    expect(column).toHaveLength(1600);
    expect(Math.max(...(column as number[]))).toBe(7);
  });
});

describe('run history and imports', () => {
  test('runsUpTo cuts the runs at the restored epoch', () => {
    const runs = [
      { from: 0, to: 100, lr: 0.001 },
      { from: 100, to: 300, lr: 0.01 },
    ];
    expect(runsUpTo(runs, 150)).toEqual([runs[0], { from: 100, to: 150, lr: 0.01 }]);
    expect(runsUpTo(runs, 100)).toEqual([runs[0]]);
    expect(runsUpTo(runs, 0)).toEqual([]);
  });

  test('importProblem: another head or another input count is refused, depth and dropout are not', () => {
    const page = { head: 'bce' as const, features: ['x'], lessonsByHead: { mse: ['04wk-1-curve'] } };
    expect(importProblem({ layers: [1, 16, 16, 1], head: 'bce', dropout: 0.5 }, page)).toBeUndefined();
    expect(importProblem({ layers: [1, 4, 1], head: 'mse', dropout: 0 }, page)).toBe("its model has the mse head, and this lesson's page shows bce models: open ?lesson=04wk-1-curve to continue it");
    expect(importProblem({ layers: [2, 4, 1], head: 'bce', dropout: 0 }, page)).toBe('its model takes 2 inputs, and the data on screen has 1 feature (x): load its data first');
  });

  test('alternativesText names what fits besides the chosen one', () => {
    expect(alternativesText({ fit: ['fused', 'unfused'], auto: 'fused' }, 'piecewise')).toBe('On this device fused and unfused fit this model; auto picks fused.');
    expect(alternativesText({ fit: ['resident', 'fused', 'unfused'], auto: 'resident' }, 'fused')).toBe('On this device resident and unfused fit this model; auto picks resident.');
    expect(alternativesText({ fit: [], auto: 'unfused' }, 'fused')).toContain('No strategy fits');
  });
});

describe('Session (CPU engine)', () => {
  test('keeps the chosen strategy, and destroys an engine a redraw still reads only when the redraw lets go', async () => {
    const data = generateLectureData(43052, 50);
    const session = new Session(data, undefined, { onGpuError: () => undefined, onRecovered: () => undefined });
    await session.start();
    const first = await session.build({ ...DEFAULT_CONFIG, strategy: 'auto' }, data);
    expect(session.requested?.strategy).toBe('auto');
    expect(session.requested?.workgroupSize).toBeUndefined();
    let destroyed = 0;
    first.destroy = () => void destroyed++;
    const lease = session.lease()!;
    expect(lease.engine).toBe(first);
    const second = await session.build({ ...DEFAULT_CONFIG, lr: 0.01 }, data);
    expect(session.engine).toBe(second);
    expect(destroyed).toBe(0); // the redraw still reads it
    expect((await lease.engine.readParams()).length).toBe(7);
    lease.release();
    lease.release();
    expect(destroyed).toBe(1);
    // Not leased: destroyed at once.
    let destroyedSecond = 0;
    second.destroy = () => void destroyedSecond++;
    await session.build(DEFAULT_CONFIG, data);
    expect(destroyedSecond).toBe(1);
    expect(session.timeline.slots).toBe(256);
  });
});

describe('tick labels', () => {
  test('short and distinct on any float32 range; steps up to 1e38', () => {
    expect(tickLabels([-1, -0.5, 0, 0.5, 1])).toEqual(['-1', '-0.5', '0', '0.5', '1']);
    expect(tickLabels([0, 2e11, 4e11, null])).toEqual(['0', '2e11', '4e11', '']);
    expect(tickLabels([1e35, 1.5e35, 2e35])).toEqual(['1e35', '1.5e35', '2e35']);
    expect(tickLabels([0.0001, 0.0002])).toEqual(['0.0001', '0.0002']);
    expect(tickLabels([1e-20, 2e-20])).toEqual(['1e-20', '2e-20']);
    expect(tickLabels([1200, 1400])).toEqual(['1200', '1400']);
    expect(TICK_INCRS[TICK_INCRS.length - 1]).toBeGreaterThan(3.4e38);
    expect(TICK_INCRS[0]).toBeLessThan(1e-38);
  });
});

describe('links to imported models', () => {
  test('layers= gives the hidden widths after the first, for the lesson\'s inputs only', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(deeperFromUrl(q('layers=1,16,8,1'), 1)).toEqual({ first: 16, deeper: [8] });
    expect(deeperFromUrl(q('layers=1,16,1'), 1)).toBeUndefined();
    expect(deeperFromUrl(q('layers=2,16,8,1'), 1)).toBeUndefined();
    expect(deeperFromUrl(q('layers=1,16,x,1'), 1)).toBeUndefined();
    expect(deeperFromUrl(q(''), 1)).toBeUndefined();
  });
});

describe('parseCsvInPieces', () => {
  const same = (text: string, pieceChars = 40) => {
    const fractions: number[] = [];
    let whole: unknown;
    let pieces: unknown;
    try {
      whole = parseCsv(text, 'f.csv');
    } catch (e) {
      whole = (e as Error).message;
    }
    try {
      pieces = parseCsvInPieces(text, 'f.csv', (f) => fractions.push(f), pieceChars);
    } catch (e) {
      pieces = (e as Error).message;
    }
    expect(pieces).toEqual(whole);
    return fractions;
  };

  test('gives parseCsv\'s data set, number for number, and its messages', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i / 10},${i % 7 === 0 ? '' : 0.5},${i % 2}`);
    const fractions = same(`x,prob,y\n${rows.join('\n')}\n`);
    expect(fractions.length).toBeGreaterThan(5);
    expect(fractions[fractions.length - 1]).toBe(1);
    same(`sep=;\n\n x ; y \n${rows.map((r) => r.split(',')[0] + ';' + (r.endsWith('1') ? 1 : 0)).join('\r\n')}\r\n\r\n\r\n`);
    same(`x,y\n${rows.map((_, i) => (i === 37 ? '0.1,maybe' : `${i},${i % 2}`)).join('\n')}\n`); // the file's line 39
    same(`x,y\n${rows.map((_, i) => (i === 30 ? '' : `${i},${i % 2}`)).join('\n')}\n`); // a blank line mid-file
    same(`x,y\n${rows.map((_, i) => (i === 20 ? '"1",0' : `${i},${i % 2}`)).join('\n')}\n`); // quotes: one parse
    same(`x1,x2,y\n${rows.map((_, i) => `${i},${-i},${i % 2}`).join('\n')}`); // no final line end
    same(readFileSync(join(__dirname, '..', '..', 'shared', 'data', 'dnnex.csv'), 'utf8'), 5000);
  });
});
