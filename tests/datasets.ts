// Small data sets for tests, in the Dataset shape the trainer takes.
import type { Dataset } from '../src/data/dataset';

/** N points of D features (row-major) with their targets. */
export function dataset(x: ArrayLike<number>, y: ArrayLike<number>, d = 1, source = 'test'): Dataset {
  const n = y.length;
  return {
    x: Float32Array.from(x),
    y: Float32Array.from(y),
    d,
    n,
    features: d === 1 ? ['x'] : Array.from({ length: d }, (_, i) => `x${i + 1}`),
    target: 'y',
    source,
  };
}
