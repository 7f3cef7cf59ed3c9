// CPU twins of the piecewise strategy's kernels (shaders/kernels/piecewise_*.wgsl), one function
// per kernel, same arguments (the head, an override there, comes last). Sums are in double
// precision; only the tests that decide integers or flags are done in float32 (Math.fround): which
// points a unit covers must come out exactly as on the GPU, where z = x·w + b is rounded twice,
// and so must whether a unit's term of the logit overflows float32.
import type { Head } from '../model/layout';
import { adamUpdate, headDlogit, headLoss, relu, type AdamHyper } from './ops';

type Vec = Float32Array | Float64Array;

export const UNIT_ON_BEFORE = 0x80000000;

export function unitOnInSegment(unit: number, k: number): boolean {
  const rank = unit & ~UNIT_ON_BEFORE;
  return (unit & UNIT_ON_BEFORE) !== 0 ? k <= rank : k > rank;
}

/** z = x·w + b rounded as the GPU rounds it. */
const preact = (x: number, w: number, b: number) => Math.fround(Math.fround(x * w) + b);
const unitOn = (x: number, w: number, b: number) => preact(x, w, b) > 0;
/** piecewise_segments.wgsl's unit_term_overflows: relu(x·w + b)·v is not finite in float32. */
const unitTermOverflows = (x: number, w: number, b: number, v: number) => !Number.isFinite(Math.fround(relu(preact(x, w, b)) * v));

/** Whether the GPU's float32 would hold v: finite, and not past float32's largest value. */
const finite32 = (v: number) => Number.isFinite(Math.fround(v));

/** Where the units start in segs (after the H+2 bounds). */
export const unitsAt = (hidden: number) => hidden + 2;
/** Where the overflow flag is in segs (after the units). */
export const overflowAt = (hidden: number) => 2 * hidden + 2;

/** common/status.wgsl: why an epoch's update was refused. */
export const STATUS_LOSS = 1;
export const STATUS_UPDATE = 2;

/** piecewise_segments.wgsl: segs (H+2 bounds, H units, the overflow flag) and lines (H+1 pairs) of sorted inputs xs. */
export function piecewiseSegments(segs: Uint32Array, lines: Vec, params: Vec, xs: Vec, hidden: number): void {
  const bounds = segs.subarray(0, hidden + 2);
  const units = segs.subarray(unitsAt(hidden));
  const n = xs.length;
  const switchAt: number[] = [];
  let overflow = 0;
  for (let j = 0; j < hidden; j++) {
    const w = params[j];
    const onBefore = w < 0;
    for (const x of [xs[0], xs[n - 1]]) if (unitTermOverflows(x, w, params[hidden + j], params[2 * hidden + j])) overflow = 1;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unitOn(xs[mid], w, params[hidden + j]) !== onBefore) hi = mid;
      else lo = mid + 1;
    }
    switchAt.push(lo);
    units[j] = onBefore ? UNIT_ON_BEFORE : 0;
  }
  for (let j = 0; j < hidden; j++) {
    const rank = switchAt.filter((s, i) => s < switchAt[j] || (s === switchAt[j] && i < j)).length;
    bounds[rank + 1] = switchAt[j];
    units[j] = (units[j] | rank) >>> 0;
  }
  bounds[0] = 0;
  bounds[hidden + 1] = n;
  segs[overflowAt(hidden)] = overflow;
  const poison = Array.from(params.subarray(0, 3 * hidden + 1)).every(Number.isFinite) ? 0 : NaN;
  const c = params[3 * hidden];
  for (let k = 0; k <= hidden; k++) {
    let alpha = 0;
    let beta = 0;
    for (let j = 0; j < hidden; j++) {
      if (!unitOnInSegment(units[j], k)) continue;
      alpha += params[j] * params[2 * hidden + j];
      beta += params[hidden + j] * params[2 * hidden + j];
    }
    lines[2 * k] = alpha + poison;
    lines[2 * k + 1] = beta + c + poison;
  }
}

export interface PiecewiseDims {
  n: number;
  runLen: number;
  runs: number;
}

/** piecewise_points.wgsl: partials ((H+2)·runs pairs): each run's sums per segment, then its loss. */
export function piecewisePoints(partials: Vec, segs: Uint32Array, lines: Vec, xs: Vec, ys: Vec, hidden: number, d: PiecewiseDims, head: Head): void {
  const bounds = segs.subarray(0, hidden + 2);
  for (let r = 0; r < d.runs; r++) {
    const first = r * d.runLen;
    const end = Math.min(d.n, first + d.runLen);
    let k = 0;
    while (k < hidden && bounds[k + 1] <= first) k++;
    let loss = 0;
    for (let start = first; ; k++) {
      const to = Math.min(end, bounds[k + 1]);
      let s0 = 0;
      let s1 = 0;
      for (let i = start; i < to; i++) {
        const z = lines[2 * k] * xs[i] + lines[2 * k + 1];
        loss += headLoss(head, z, ys[i]);
        const dz = headDlogit(head, z, ys[i], d.n);
        s0 += dz;
        s1 += dz * xs[i];
      }
      partials[2 * (k * d.runs + r)] = s0;
      partials[2 * (k * d.runs + r) + 1] = s1;
      if (to >= end) break;
      start = to;
    }
    partials[2 * ((hidden + 1) * d.runs + r)] = loss;
    partials[2 * ((hidden + 1) * d.runs + r) + 1] = 0;
  }
}

/**
 * piecewise_reduce_adam.wgsl: the gradients from the segment sums, then one Adam step t, all or
 * nothing: nothing changes when the loss, the overflow flag, a gradient or a new param, m or v is
 * not finite. Returns the epoch's mean loss (the kernel's loss_history entry), the gradients and
 * why the update was refused (common/status.wgsl's bits; 0 when it was applied).
 */
export function piecewiseReduceAdam(
  params: Vec,
  m: Vec,
  v: Vec,
  partials: Vec,
  segs: Uint32Array,
  hidden: number,
  d: PiecewiseDims,
  hyper: AdamHyper,
  t: number,
): { loss: number; grads: Float64Array; refused: number } {
  const bounds = segs.subarray(0, hidden + 2);
  const units = segs.subarray(unitsAt(hidden), overflowAt(hidden));
  const sums: [number, number][] = [];
  for (let k = 0; k <= hidden; k++) {
    const s: [number, number] = [0, 0];
    if (bounds[k] < bounds[k + 1]) {
      for (let r = Math.floor(bounds[k] / d.runLen); r <= Math.floor((bounds[k + 1] - 1) / d.runLen); r++) {
        s[0] += partials[2 * (k * d.runs + r)];
        s[1] += partials[2 * (k * d.runs + r) + 1];
      }
    }
    sums.push(s);
  }
  let loss = 0;
  for (let r = 0; r < d.runs; r++) loss += partials[2 * ((hidden + 1) * d.runs + r)];
  loss /= d.n;
  const grads = new Float64Array(3 * hidden + 1);
  for (let j = 0; j < hidden; j++) {
    let s0 = 0;
    let s1 = 0;
    sums.forEach(([a, b], k) => {
      if (unitOnInSegment(units[j], k)) [s0, s1] = [s0 + a, s1 + b];
    });
    grads[j] = params[2 * hidden + j] * s1;
    grads[hidden + j] = params[2 * hidden + j] * s0;
    grads[2 * hidden + j] = params[j] * s1 + params[hidden + j] * s0;
  }
  grads[3 * hidden] = sums.reduce((a, [s0]) => a + s0, 0);
  const next = Array.from(grads, (g, q) => adamUpdate(params[q], m[q], v[q], g, hyper, t));
  const ok = segs[overflowAt(hidden)] === 0 && grads.every(finite32) && next.every((state) => state.every(finite32));
  const refused = !finite32(loss) ? STATUS_LOSS : ok ? 0 : STATUS_UPDATE;
  if (refused === 0) next.forEach(([p, mq, vq], q) => ([params[q], m[q], v[q]] = [p, mq, vq]));
  return { loss, grads, refused };
}
