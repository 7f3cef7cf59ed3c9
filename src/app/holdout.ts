// The lecture's test/holdout switch (issue #20): every 5th point held out as a test set, evaluated
// every epoch in evaluation mode as the 04wk-2 lesson does, so runs with other widths or learning
// rates can be compared on points the model never trained on.
import type { Dataset } from '../data/dataset';

/** One point in this many is held out (the 5th, 10th, …: 20%). */
export const HOLDOUT_EVERY = 5;

/**
 * The points of `d` in file order, split: every HOLDOUT_EVERY-th (rows 4, 9, 14, …) to the test set,
 * the others to training. Features, labels and the true curve follow their rows. Throws a RangeError
 * when either part would be empty (fewer than HOLDOUT_EVERY points).
 */
export function splitHoldout(d: Dataset): { train: Dataset; test: Dataset } {
  if (d.n < HOLDOUT_EVERY) throw new RangeError(`a test set needs at least ${HOLDOUT_EVERY} points to hold one in ${HOLDOUT_EVERY} out; the data has ${d.n}`);
  const held = (i: number) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1;
  const part = (test: boolean, what: string): Dataset => {
    const rows = Array.from({ length: d.n }, (_, i) => i).filter((i) => held(i) === test);
    const pick = (v: Float32Array<ArrayBuffer>, width: number) => {
      const out = new Float32Array(rows.length * width);
      rows.forEach((r, k) => out.set(v.subarray(r * width, (r + 1) * width), k * width));
      return out;
    };
    return {
      ...d,
      x: pick(d.x, d.d),
      y: pick(d.y, d.targetColumns ?? 1),
      prob: d.prob && pick(d.prob, 1),
      truth: d.truth && pick(d.truth, 1),
      n: rows.length,
      source: `${d.source}, ${what}`,
    };
  };
  return { train: part(false, `${d.n - Math.floor(d.n / HOLDOUT_EVERY)} training points`), test: part(true, `every ${HOLDOUT_EVERY}th held out`) };
}
