// CPU twins of the WGSL kernels: one hand-written function per kernel, same argument order
// (outputs, inputs, sizes), double-precision arithmetic. Not generated from the WGSL.
import { activationBackward, activationForward, adamUpdate, sgdUpdate, type AdamHyper } from './ops';
import type { Activation } from '../model/layout';

type Vec = Float32Array | Float64Array;

export interface LinearDims {
  n: number;
  inDim: number;
  outDim: number;
  wOffset: number;
}

/** linear_forward.wgsl: Y = X·Wᵀ + b, b stored right after W. */
export function linearForward(y: Vec, x: Vec, params: Vec, d: LinearDims): void {
  const bOffset = d.wOffset + d.outDim * d.inDim;
  for (let n = 0; n < d.n; n++) {
    for (let o = 0; o < d.outDim; o++) {
      let acc = 0;
      for (let i = 0; i < d.inDim; i++) acc += x[n * d.inDim + i] * params[d.wOffset + o * d.inDim + i];
      y[n * d.outDim + o] = acc + params[bOffset + o];
    }
  }
}

/** linear_backward_input.wgsl: dX = dY·W. */
export function linearBackwardInput(dx: Vec, dy: Vec, params: Vec, d: LinearDims): void {
  for (let n = 0; n < d.n; n++) {
    for (let i = 0; i < d.inDim; i++) {
      let acc = 0;
      for (let o = 0; o < d.outDim; o++) acc += dy[n * d.outDim + o] * params[d.wOffset + o * d.inDim + i];
      dx[n * d.inDim + i] = acc;
    }
  }
}

/**
 * linear_backward_params.wgsl: partials[q, chunk] of dW (q < OUT·IN) and db; a chunk holds
 * wg·pointsPerThread consecutive points.
 */
export function linearBackwardParams(partials: Vec, dy: Vec, x: Vec, d: Omit<LinearDims, 'wOffset'>, wg: number, pointsPerThread = 1): void {
  const span = wg * pointsPerThread;
  const chunks = Math.ceil(d.n / span);
  const weights = d.outDim * d.inDim;
  for (let q = 0; q < weights + d.outDim; q++) {
    for (let c = 0; c < chunks; c++) {
      let acc = 0;
      for (let n = c * span; n < Math.min(d.n, (c + 1) * span); n++) {
        acc += q < weights ? dy[n * d.outDim + Math.floor(q / d.inDim)] * x[n * d.inDim + (q % d.inDim)] : dy[n * d.outDim + q - weights];
      }
      partials[q * chunks + c] = acc;
    }
  }
}

/** activation_forward.wgsl: act = activation(act) in place (ReLU by default). */
export const activationForwardInplace = (act: Vec, activation: Activation = 'relu'): void => act.forEach((z, i) => (act[i] = activationForward(activation, z)));
/** activation_backward.wgsl: grad = activation_backward(grad, act) in place, from the activation's output act. */
export const activationBackwardInplace = (grad: Vec, act: Vec, activation: Activation = 'relu'): void =>
  grad.forEach((g, i) => (grad[i] = activationBackward(activation, g, act[i])));

/** reduce_rows.wgsl: out[offset + q] = Σ_c values[q, c] / divisor. */
export function reduceRows(out: Vec, values: Vec, d: { rows: number; len: number; outOffset: number; divisor: number }): void {
  for (let q = 0; q < d.rows; q++) {
    let acc = 0;
    for (let c = 0; c < d.len; c++) acc += values[q * d.len + c];
    out[d.outOffset + q] = acc / d.divisor;
  }
}

/** adam_step.wgsl: one Adam step (t counts from 1) of every parameter. */
export function adamStep(params: Vec, m: Vec, v: Vec, grads: Vec, hyper: AdamHyper, t: number): void {
  for (let i = 0; i < params.length; i++) [params[i], m[i], v[i]] = adamUpdate(params[i], m[i], v[i], grads[i], hyper, t);
}

/** adam_step.wgsl with OPTIMIZER = 1 (ops/sgd.wgsl): one SGD step of every parameter; m and v untouched. */
export function sgdStep(params: Vec, grads: Vec, lr: number): void {
  for (let i = 0; i < params.length; i++) params[i] = sgdUpdate(params[i], grads[i], lr);
}

/**
 * gather_rows.wgsl: the rows of batch j of an epoch in row order `order` (N), B rows a batch (the
 * last one shorter): batchX (rows, D) and batchY (rows, T). Returns the batch's rows.
 */
export function gatherRows(batchX: Vec, batchY: Vec, x: Vec, y: Vec, order: ArrayLike<number>, d: { n: number; d: number; t: number; batch: number; j: number }): number {
  const first = d.j * d.batch;
  const rows = Math.min(d.batch, d.n - first);
  for (let r = 0; r < rows; r++) {
    const src = order[first + r];
    for (let c = 0; c < d.d; c++) batchX[r * d.d + c] = x[src * d.d + c];
    for (let c = 0; c < d.t; c++) batchY[r * d.t + c] = y[src * d.t + c];
  }
  return rows;
}
