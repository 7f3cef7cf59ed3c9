// The lecture's data distribution: x = linspace(-1, 1, n), logit = 15x + 5 for x < 0 and 5 - 5x for
// x >= 0, prob = sigmoid(logit), y ~ Bernoulli(prob), drawn from a seeded MT19937.
import { MT19937 } from '../model/mt19937';
import { linspace, type Dataset } from './dataset';

export const LECTURE_POINTS = 2000;
export const LECTURE_DATA_SEED = 43052;

/** The logit of the lecture's true probability at x. */
export function lectureLogit(x: number): number {
  return x < 0 ? 15 * x + 5 : 5 - 5 * x;
}

/** The lecture's data set with one feature `x` and target `y`, drawn from a seeded MT19937. */
export function generateLectureData(seed = LECTURE_DATA_SEED, n = LECTURE_POINTS): Dataset {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`the number of points must be a positive integer, got ${n}`);
  const rng = new MT19937(seed);
  const x = linspace(-1, 1, n);
  const prob = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    prob[i] = 1 / (1 + Math.exp(-lectureLogit(x[i])));
    y[i] = rng.uniform(0, 1) < prob[i] ? 1 : 0;
  }
  return { x, d: 1, n, y, features: ['x'], target: 'y', prob, source: `generated (seed ${seed}, ${n} points)` };
}
