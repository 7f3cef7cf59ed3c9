// CPU twins of the wide strategy's kernels (shaders/kernels/wide_*.wgsl), one function per kernel,
// same arguments (outputs, inputs, sizes; the head, an override there, last). Unlike the double-
// precision twins elsewhere these round every step to float32 (Math.fround) and sum in the kernels'
// own order (units ascending within a slice, slices ascending, points ascending, the mean through
// workgroup_sum's tree), so a GPU that rounds each step as WGSL's float32 does gives the same bits;
// the head's transcendental functions (bce, bce-logits) are the double-precision ops, rounded.
import type { Head } from '../model/layout';
import { headDlogit, headLoss, relu } from './ops';

type Vec = Float32Array | Float64Array;
const f = Math.fround;

/** The WideDims uniform (common/wide.wgsl), in the host's names. */
export interface WideDims {
  n: number;
  hidden: number;
  slices: number;
  sliceLen: number;
  /** Offsets in the flat block (model/layout.ts): W1, b1, W2, b2. */
  w1: number;
  b1: number;
  w2: number;
  b2: number;
}

/** common/wide.wgsl wide_preact: b + x·w, each step rounded. */
const preact = (x: number, w: number, b: number) => f(b + f(x * w));

/** wide_logits.wgsl: partials[s·N + n] = Σ over slice s's units, ascending, of v·relu(w·x_n + b). */
export function wideLogits(partials: Vec, params: Vec, x: Vec, d: WideDims): void {
  for (let s = 0; s < d.slices; s++) {
    const end = Math.min(d.hidden, (s + 1) * d.sliceLen);
    for (let i = 0; i < d.n; i++) {
      let acc = 0;
      for (let j = s * d.sliceLen; j < end; j++) acc = f(acc + f(relu(preact(x[i], params[d.w1 + j], params[d.b1 + j])) * params[d.w2 + j]));
      partials[s * d.n + i] = acc;
    }
  }
}

/** ops/head.wgsl in float32: mse's formulas step by step; bce and bce-logits from the double-precision ops, rounded. */
function pointHead(head: Head, z: number, y: number, n: number, binaryLabels: boolean): [loss: number, dlogit: number] {
  if (head === 'mse') {
    const diff = f(z - y);
    return [f(diff * diff), f(f(2 / n) * diff) + (z - z)];
  }
  return [f(headLoss(head, z, y, binaryLabels)), f(headDlogit(head, z, y, n))];
}

/**
 * wide_head.wgsl at workgroup size `wg`: dlogit (N) and history[k] = the mean loss. Invocation t's
 * points t, t + wg, ... in order, then workgroup_sum's tree (pairs (i, i + s), s = wg/2 .. 1).
 * Returns the per-point logits (what the kernel keeps in a register).
 */
export function wideHead(history: Vec, k: number, dlogit: Vec, partials: Vec, y: Vec, params: Vec, d: WideDims, head: Head, binaryLabels: boolean, wg: number): Float32Array {
  const logits = new Float32Array(d.n);
  const sums = new Float64Array(wg);
  for (let t = 0; t < wg; t++) {
    let losses = 0;
    for (let i = t; i < d.n; i += wg) {
      let z = f(params[d.b2]);
      for (let s = 0; s < d.slices; s++) z = f(z + partials[s * d.n + i]);
      logits[i] = z;
      const [loss, dz] = pointHead(head, z, y[i], d.n, binaryLabels);
      losses = f(losses + loss);
      dlogit[i] = dz;
    }
    sums[t] = losses;
  }
  for (let s = wg / 2; s >= 1; s /= 2) for (let i = 0; i < s; i++) sums[i] = f(sums[i] + sums[i + s]);
  history[k] = f(sums[0] / f(d.n));
  return logits;
}

/**
 * wide_grads.wgsl: per unit j, the points in ascending order: dW2_j = Σ dlogit·relu(z),
 * dz = dlogit·v_j·[z > 0], dW1_j = Σ dz·x, db1_j = Σ dz; and db2 = Σ dlogit.
 */
export function wideGrads(grads: Vec, params: Vec, x: Vec, dlogit: Vec, d: WideDims): void {
  for (let j = 0; j < d.hidden; j++) {
    const w = params[d.w1 + j];
    const b = params[d.b1 + j];
    const v = params[d.w2 + j];
    let [dw1, db1, dw2, db2] = [0, 0, 0, 0];
    for (let i = 0; i < d.n; i++) {
      const z = preact(x[i], w, b);
      const dz = z > 0 ? f(dlogit[i] * v) : 0;
      dw1 = f(dw1 + f(dz * x[i]));
      db1 = f(db1 + dz);
      dw2 = f(dw2 + f(dlogit[i] * relu(z)));
      db2 = f(db2 + dlogit[i]);
    }
    grads[d.w1 + j] = dw1;
    grads[d.b1 + j] = db1;
    grads[d.w2 + j] = dw2;
    if (j === 0) grads[d.b2] = db2;
  }
}
