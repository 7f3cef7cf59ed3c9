// A full-batch data set: one input x and one label y per point, and the true probability when known.

export interface Dataset {
  readonly x: Float32Array<ArrayBuffer>;
  readonly y: Float32Array<ArrayBuffer>;
  /** The true P(y = 1 | x), when the data came with it (the lecture's `prob` column). */
  readonly prob?: Float32Array<ArrayBuffer>;
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
