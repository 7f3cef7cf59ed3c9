// Data in: the course's CSV files in ../shared as data sets, the holdout split, which targets each head
// takes, and the built-in generator against the lecture's data. (The reader's faults: csv.test.ts;
// random inputs against an oracle: csv-fuzz.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DataError, parseCsv } from '../src/data/csv';
import { splitHoldout, targetProblem, type Dataset } from '../src/data/dataset';
import { generateLectureData } from '../src/data/generate';
import { DNNEX_CSV } from './shared';

const SHARED = join(__dirname, '..', '..', 'shared', 'data');
const load = (name: string) => parseCsv(readFileSync(join(SHARED, `${name}.csv`)), `${name}.csv`);

describe("the course's files", () => {
  test.each([
    ['dnnex', 2000, ['x'], 'prob'],
    ['step2000', 2000, ['x'], 'prob'],
    ['curve2000', 2000, ['x'], 'truth'],
    ['noise100', 100, ['x'], undefined],
    ['rings1000', 1000, ['x1', 'x2'], 'prob'],
    ['xor800', 800, ['x1', 'x2'], 'prob'],
  ] as const)('%s.csv: %i points, features %j, curve %s', (name, n, features, curve) => {
    const d = load(name);
    expect([d.n, d.d, d.features, d.target, d.source]).toEqual([n, features.length, features, 'y', `${name}.csv`]);
    expect(d.x.length).toBe(n * features.length);
    expect(d.y.length).toBe(n);
    expect([d.prob !== undefined, d.truth !== undefined]).toEqual([curve === 'prob', curve === 'truth']);
  });

  test("dnnex.csv: the lecture's grid, labels and probability, in file order", () => {
    const d = parseCsv(DNNEX_CSV, 'dnnex.csv');
    expect([d.x[0], d.x[1999]]).toEqual([-1, 1]);
    expect(new Set(d.y)).toEqual(new Set([0, 1]));
    expect(d.prob?.[0]).toBeCloseTo(4.5397872e-5, 10);
  });

  test('rings1000.csv: x is row-major, (x1, x2) of each point side by side', () => {
    const d = load('rings1000');
    expect([d.x[0], d.x[1], d.x[2], d.x[3]]).toEqual([0.0634317398071289, 0.6625359058380127, 0.9436759948730469, -0.7613983154296875].map(Math.fround));
  });

  test('mnist37: 784 pixel features (y first in the file), 1600 + 502 rows, read in well under a second', () => {
    const start = performance.now();
    const train = load('mnist37-train');
    const test = load('mnist37-test');
    const ms = performance.now() - start;
    expect([train.n, test.n, train.d, train.features[0], train.features[783], train.target]).toEqual([1600, 502, 784, 'p0', 'p783', 'y']);
    expect(train.x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(new Set(train.y)).toEqual(new Set([0, 1]));
    expect(ms).toBeLessThan(1000); // about 200 ms here
  });
});

describe('splitHoldout', () => {
  test("noise100.csv, 0.2: the first 80 rows train, the last 20 test, as the lecture's x_all[:80] / x_all[80:]", () => {
    const all = load('noise100');
    const { train, test } = splitHoldout(all, 0.2);
    expect([train.n, test.n]).toEqual([80, 20]);
    expect(Array.from(train.x)).toEqual(Array.from(all.x.subarray(0, 80)));
    expect(Array.from(test.y)).toEqual(Array.from(all.y.subarray(80)));
    expect([train.source, test.source]).toEqual(['noise100.csv, training rows 1–80', 'noise100.csv, test rows 81–100']);
  });

  test('rows of D features and the true curve split together; sizes round as Math.round(n·fraction)', () => {
    const all = load('rings1000');
    const { train, test } = splitHoldout(all, 0.333);
    expect([train.n, test.n, train.x.length, test.x.length, test.prob!.length]).toEqual([667, 333, 1334, 666, 333]);
    expect([test.x[0], test.x[1], test.prob![0]]).toEqual([all.x[1334], all.x[1335], all.prob![667]]);
  });

  test.each([
    [0.2, 2, 'test'], // rounds to 0 test rows
    [0.9, 2, 'training'], // rounds to 2 of 2
    [0, 100, undefined],
    [1, 100, undefined],
    [NaN, 100, undefined],
  ])('%s of %i rows is refused', (fraction, n, side) => {
    const data = generateLectureData(1, n);
    const run = () => splitHoldout(data, fraction);
    expect(run).toThrow(DataError);
    expect(run).toThrow(side ? `leaves the ${side} set empty` : 'between 0 and 1');
  });
});

describe('targetProblem', () => {
  const withTargets = (values: number[]): Dataset => ({ ...generateLectureData(1, values.length), y: Float32Array.from(values) });

  test('bce and bce-logits take labels in [0, 1], soft ones too; mse any finite number', () => {
    expect(targetProblem(withTargets([0, 1, 0.25]), 'bce')).toBeUndefined();
    expect(targetProblem(withTargets([0, 1, 0.25]), 'bce-logits')).toBeUndefined();
    expect(targetProblem(withTargets([0, 2]), 'bce')).toMatch(/target y of point 2 is 2, outside \[0, 1\]: the bce head/);
    expect(targetProblem(withTargets([-0.5]), 'bce-logits')).toMatch(/bce-logits head needs labels in \[0, 1\]/);
    expect(targetProblem(withTargets([-30, 2e10]), 'mse')).toBeUndefined();
    expect(targetProblem(withTargets([1, NaN]), 'mse')).toMatch(/point 2 is NaN/);
  });

  test("the course's files: curve2000's targets suit only mse, the others every head", () => {
    expect(targetProblem(load('curve2000'), 'bce')).toMatch(/outside \[0, 1\]/);
    expect(targetProblem(load('curve2000'), 'mse')).toBeUndefined();
    for (const name of ['dnnex', 'step2000', 'rings1000']) expect(targetProblem(load(name), 'bce-logits')).toBeUndefined();
  });
});

describe('generateLectureData', () => {
  test("the data set's shape: one feature x, target y, prob", () => {
    const gen = generateLectureData(7, 50);
    expect([gen.d, gen.n, gen.features, gen.target, gen.x.length, gen.prob?.length]).toEqual([1, 50, ['x'], 'y', 50, 50]);
  });

  test("has the lecture's x grid and true probability", () => {
    const gen = generateLectureData();
    const csv = parseCsv(DNNEX_CSV);
    expect(gen.x.length).toBe(2000);
    for (let i = 0; i < 2000; i++) {
      expect(gen.x[i]).toBe(csv.x[i]);
      expect(Math.abs(gen.prob![i] - csv.prob![i])).toBeLessThan(1e-6);
    }
  });

  test('labels follow the probability: the count of ones is within 4 standard deviations', () => {
    const gen = generateLectureData(1, 2000);
    const expected = gen.prob!.reduce((a, p) => a + p, 0);
    const sd = Math.sqrt(gen.prob!.reduce((a, p) => a + p * (1 - p), 0));
    const ones = gen.y.reduce((a, v) => a + v, 0);
    expect(Math.abs(ones - expected)).toBeLessThan(4 * sd);
  });

  test('is seeded: same seed, same labels; other seed, other labels', () => {
    expect(generateLectureData(5).y).toEqual(generateLectureData(5).y);
    expect(generateLectureData(5).y).not.toEqual(generateLectureData(6).y);
  });
});
