// A full-batch data set: N points of D features each and one target per point, with the true curve
// when known. x is row-major (point i's features at x[i·D .. i·D + D)), in the order of `features`;
// for one feature it is simply the inputs in file order.
import type { Head } from '../model/layout';
import { DataError } from './errors';

export interface Dataset {
  /** The inputs, N·D floats, row-major, features in the order of `features`. */
  readonly x: Float32Array<ArrayBuffer>;
  /** Features per point. */
  readonly d: number;
  /** Points. */
  readonly n: number;
  /**
   * The targets, N·T floats: labels in [0, 1] for the BCE heads, any number for MSE, class indices
   * 0..C-1 for CrossEntropyLoss, or (with T = C) a probability row per point (oneHot).
   */
  readonly y: Float32Array<ArrayBuffer>;
  /** T, targets per point: 1, or the classes of probability rows. Absent: 1. */
  readonly targetColumns?: number;
  /** The input columns' names, as the header spells them. */
  readonly features: readonly string[];
  /** The target column's name. */
  readonly target: string;
  /** The true P(y = 1 | x) when the data came with it (the `prob` column); NaN where a cell was empty. */
  readonly prob?: Float32Array<ArrayBuffer>;
  /** The true regression curve when the data came with it (the `truth` column); NaN where a cell was empty. */
  readonly truth?: Float32Array<ArrayBuffer>;
  /** Where it came from, for messages and the page ("dnnex.csv", "generated, seed 43052"). */
  readonly source: string;
}

/** np.linspace(start, stop, n) rounded to float32. */
export function linspace(start: number, stop: number, n: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(n);
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  if (n > 1) out[n - 1] = stop;
  return out;
}

/**
 * Splits off the last `fraction` of the points, in file order, as the test set (the lecture's
 * x_all[:80] / x_all[80:]): Math.round(n·fraction) test points. Refuses a split that leaves either
 * side empty, or a fraction outside (0, 1), with a DataError of kind 'holdout'.
 */
export function splitHoldout(data: Dataset, fraction: number): { train: Dataset; test: Dataset } {
  if (!(fraction > 0 && fraction < 1)) throw new DataError(`the holdout fraction must be between 0 and 1, got ${fraction}`, undefined, undefined, 'holdout');
  const testRows = Math.round(data.n * fraction);
  if (testRows === 0 || testRows === data.n) {
    const side = testRows === 0 ? 'test' : 'training';
    throw new DataError(`a holdout of ${fraction} of ${data.n} points leaves the ${side} set empty`, undefined, undefined, 'holdout');
  }
  const cut = data.n - testRows;
  return {
    train: rows(data, 0, cut, `${data.source}, training rows 1–${cut}`),
    test: rows(data, cut, data.n, `${data.source}, test rows ${cut + 1}–${data.n}`),
  };
}

/** Points [from, to) of a data set, copied. */
function rows(data: Dataset, from: number, to: number, source: string): Dataset {
  const t = data.targetColumns ?? 1;
  return {
    ...data,
    x: data.x.slice(from * data.d, to * data.d),
    n: to - from,
    y: data.y.slice(from * t, to * t),
    prob: data.prob?.slice(from, to),
    truth: data.truth?.slice(from, to),
    source,
  };
}

/**
 * Why the targets do not suit a head, or undefined when they do: bce and bce-logits need every
 * target in [0, 1] (torch's BCELoss refuses others; soft labels are fine), mse any finite number,
 * ce (with `classes` logits) a class index 0..C-1 per point or a row of C finite probabilities.
 */
export function targetProblem(data: Pick<Dataset, 'y' | 'target' | 'targetColumns'>, head: Head, classes = 1): string | undefined {
  const bce = head === 'bce' || head === 'bce-logits';
  const t = data.targetColumns ?? 1;
  if (t !== 1 && (head !== 'ce' || t !== classes)) {
    return `the targets are rows of ${t} probabilities, which only CrossEntropyLoss with ${t} outputs takes (the model has ${classes} output${classes === 1 ? '' : 's'})`;
  }
  for (let i = 0; i < data.y.length; i++) {
    const v = data.y[i];
    const point = Math.floor(i / t) + 1;
    if (!Number.isFinite(v)) return `target ${data.target} of point ${point} is ${v}: training needs finite targets`;
    if (bce && (v < 0 || v > 1)) return `target ${data.target} of point ${point} is ${v}, outside [0, 1]: the ${head} head needs labels in [0, 1] (use the mse head for regression)`;
    if (head === 'ce' && t === 1 && !(Number.isInteger(v) && v >= 0 && v < classes)) {
      return `target ${data.target} of point ${point} is ${v}: CrossEntropyLoss takes class indices 0 to ${classes - 1} (one per output of the last Linear), or probability rows (one-hot)`;
    }
  }
  return undefined;
}

/**
 * The targets as one-hot probability rows (N, C), as torch.nn.functional.one_hot(y, C).float():
 * each target must be a class index 0..C-1. Throws a DataError naming the first point that is not.
 */
export function oneHot(data: Dataset, classes: number): Dataset {
  if ((data.targetColumns ?? 1) !== 1) return data;
  const rows = new Float32Array(data.n * classes);
  data.y.forEach((v, i) => {
    if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
      throw new DataError(`one-hot: target ${data.target} of point ${i + 1} is ${v}, not a class index 0 to ${classes - 1}`, undefined, data.target, 'target');
    }
    rows[i * classes + v] = 1;
  });
  return { ...data, y: rows, targetColumns: classes };
}
