// The data chart's points, decimated: above a few tens of thousands of points it draws, for each
// pixel column of x, the smallest and the largest value of each series there (min/max decimation,
// as uPlot's and Chart.js's big-data demos do), so a 1.9 M-row file draws ~2 × width points that
// look the same as every point drawn. Missing values (NaN) are gaps (null), never joined across.

/** Above this many points the chart draws min and max per pixel column instead of every point. */
export const CHART_POINTS = 20_000;

/** The indices of `x` in increasing x order (already sorted data, the usual case, costs one pass). */
export function sortedOrder(x: ArrayLike<number>): Uint32Array {
  const n = x.length;
  const order = new Uint32Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    if (i > 0 && !(x[i - 1] <= x[i])) sorted = false;
  }
  if (!sorted) order.sort((a, b) => x[a] - x[b]);
  return order;
}

/**
 * Pixel columns over the sorted points: `starts[k]` is the position in `order` of column k's first
 * point and starts[count] = n; columns are equal slices of [min x, max x], empty ones left out.
 */
export function pixelColumns(x: ArrayLike<number>, order: Uint32Array, columns: number): Uint32Array {
  const n = order.length;
  if (n === 0) return new Uint32Array([0]);
  const lo = x[order[0]];
  const span = x[order[n - 1]] - lo;
  const starts: number[] = [];
  let last = -1;
  for (let p = 0; p < n; p++) {
    const column = span > 0 ? Math.min(columns - 1, Math.floor(((x[order[p]] - lo) / span) * columns)) : 0;
    if (column !== last) {
      starts.push(p);
      last = column;
    }
  }
  starts.push(n);
  return Uint32Array.from(starts);
}

/** Each pixel column's first and last x: the chart's x, two slots a column. */
export function columnX(x: ArrayLike<number>, order: Uint32Array, starts: Uint32Array): number[] {
  const out: number[] = [];
  for (let k = 0; k + 1 < starts.length; k++) out.push(x[order[starts[k]]], x[order[starts[k + 1] - 1]]);
  return out;
}

/**
 * A series decimated to two slots a column: its smallest and largest finite value there, in the
 * order they occur along x (so a curve's line runs through both); null, null where the column has
 * none (a gap).
 */
export function minMaxColumn(values: ArrayLike<number>, order: Uint32Array, starts: Uint32Array): (number | null)[] {
  const out: (number | null)[] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    let min = Infinity;
    let max = -Infinity;
    let minAt = -1;
    let maxAt = -1;
    for (let p = starts[k]; p < starts[k + 1]; p++) {
      const v = values[order[p]];
      if (Number.isNaN(v)) continue;
      if (v < min) [min, minAt] = [v, p];
      if (v > max) [max, maxAt] = [v, p];
    }
    if (minAt < 0) out.push(null, null);
    else if (minAt <= maxAt) out.push(min, max);
    else out.push(max, min);
  }
  return out;
}

/** Every point in x order, NaN as a gap (null): the chart's series below CHART_POINTS. */
export function orderedColumn(values: ArrayLike<number>, order: Uint32Array): (number | null)[] {
  return Array.from(order, (i) => (Number.isNaN(values[i]) ? null : values[i]));
}
