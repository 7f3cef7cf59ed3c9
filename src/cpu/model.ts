// The whole model on the CPU, composed from the kernel twins: the reference the GPU strategies and
// the finite-difference check are held against.
import type { ParamLayout } from '../model/layout';
import * as k from './kernels';
import type { AdamHyper } from './ops';

type Vec = Float32Array | Float64Array;

export interface CpuForward {
  /** (N, H): relu(x·W1ᵀ + b1) */
  hidden: Float64Array;
  prob: Float64Array;
}

export function cpuForward(params: Vec, layout: ParamLayout, x: Vec): CpuForward {
  const n = x.length;
  const h = layout.hidden;
  const hidden = new Float64Array(n * h);
  k.linearForward(hidden, x, params, { n, inDim: 1, outDim: h, wOffset: layout.W1 });
  k.reluForwardInplace(hidden);
  const prob = new Float64Array(n);
  k.linearForward(prob, hidden, params, { n, inDim: h, outDim: 1, wOffset: layout.W2 });
  k.sigmoidForwardInplace(prob);
  return { hidden, prob };
}

/** Mean BCE loss and its gradient with respect to every parameter, in the flat layout. */
export function cpuLossAndGrads(params: Vec, layout: ParamLayout, x: Vec, y: Vec): { loss: number; grads: Float64Array } {
  const n = x.length;
  const h = layout.hidden;
  const { hidden, prob } = cpuForward(params, layout, x);
  const pointLoss = new Float64Array(n);
  k.bceForwardPoints(pointLoss, prob, y);
  const lossOut = new Float64Array(1);
  k.reduceRows(lossOut, pointLoss, { rows: 1, len: n, outOffset: 0, divisor: n });

  const grads = new Float64Array(layout.count);
  const dz2 = new Float64Array(n);
  k.bceBackwardPoints(dz2, prob, y);
  k.sigmoidBackwardInplace(dz2, prob);
  const dh = new Float64Array(n * h);
  k.linearBackwardInput(dh, dz2, params, { n, inDim: h, outDim: 1, wOffset: layout.W2 });
  // One chunk of all N points: the partial sums are the full sums.
  const g2 = new Float64Array(h + 1);
  k.linearBackwardParams(g2, dz2, hidden, { n, inDim: h, outDim: 1 }, n);
  grads.set(g2, layout.W2);
  k.reluBackwardInplace(dh, hidden);
  const g1 = new Float64Array(2 * h);
  k.linearBackwardParams(g1, dh, x, { n, inDim: 1, outDim: h }, n);
  grads.set(g1, layout.W1);
  return { loss: lossOut[0], grads };
}

export interface CpuTrainResult {
  losses: Float64Array;
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

export function cpuTrain(init: Vec, layout: ParamLayout, x: Vec, y: Vec, hyper: AdamHyper, epochs: number): CpuTrainResult {
  const params = Float64Array.from(init);
  const m = new Float64Array(layout.count);
  const v = new Float64Array(layout.count);
  const losses = new Float64Array(epochs);
  for (let e = 0; e < epochs; e++) {
    const { loss, grads } = cpuLossAndGrads(params, layout, x, y);
    losses[e] = loss;
    k.adamStep(params, m, v, grads, hyper, e + 1);
  }
  return { losses, params, m, v };
}
