// The whole model on the CPU, composed from the kernel twins and the layer table: the reference the
// GPU strategies and the finite-difference check are held against, and the page's engine when
// there is no WebGPU. Double precision; dropout off (evaluation mode) unless a mask is given.
import type { ParamLayout } from '../model/layout';
import * as k from './kernels';
import { cpuInputStage, type CpuStageForward } from './stages';
import { activationBackward, crossEntropy, headDlogit, headLoss, headProb, softmaxRow, type AdamHyper, type ProbStorage } from './ops';
import type { OptimizerName } from '../train/optimizer';
import { CpuTrainer } from './trainer';

type Vec = Float32Array | Float64Array;

export interface CpuForward {
  /** Per hidden layer l: (N, H_l), activation(input·Wᵀ + b) (the layer's ReLU, Sigmoid or Tanh), dropout applied when training. */
  hidden: Float64Array[];
  /** Per hidden layer, with `keepPreact`: (N, H_l), input·Wᵀ + b before the activation. */
  preact: Float64Array[];
  /** (N, C): the last Linear's output (C = 1 but for the ce head's classes). */
  logit: Float64Array;
  /** (N, C): sigmoid(logit) for the bce heads, softmax for ce, the logit itself for mse. */
  prob: Float64Array;
  /** With an input stage (the CNN's conv, src/cpu/stages.ts): its output (N, outFeatures), the first Linear's input, and its backward. */
  stage?: CpuStageForward;
}

/**
 * Keeps or drops unit `index` of hidden layer `layer` (0-based) for one point, and scales the
 * survivors: the training-mode dropout mask. Absent: evaluation mode.
 */
export type DropoutMask = (layer: number, index: number) => number;

/** The forward pass on N points of x (N, D) row-major; `keepPreact` keeps each hidden layer's pre-activation too. */
export function cpuForward(params: Vec, layout: ParamLayout, x: Vec, dropout?: DropoutMask, keepPreact = false): CpuForward {
  const n = x.length / layout.inputs;
  const hidden: Float64Array[] = [];
  const preact: Float64Array[] = [];
  const stage = cpuInputStage(layout)?.forward(params, x, n);
  let input: Vec = stage?.out ?? x;
  const logit = new Float64Array(n * layout.outputs);
  for (const l of layout.layers) {
    const out = l.hidden ? new Float64Array(n * l.outDim) : logit;
    k.linearForward(out, input, params, { n, inDim: l.inDim, outDim: l.outDim, wOffset: l.w });
    if (l.activation !== 'identity') {
      if (keepPreact) preact.push(out.slice());
      k.activationForwardInplace(out, l.activation);
      if (dropout) out.forEach((v, i) => (out[i] = v * dropout(l.index, i)));
      hidden.push(out);
    }
    input = out;
  }
  return { hidden, preact, logit, prob: headProbs(logit, layout), stage };
}

function headProbs(logit: Float64Array, layout: ParamLayout): Float64Array {
  if (layout.spec.head !== 'ce') return logit.map((z) => headProb(layout.spec.head, z));
  const c = layout.outputs;
  const prob = new Float64Array(logit.length);
  for (let at = 0; at < logit.length; at += c) softmaxRow(prob, logit, at, c);
  return prob;
}

/** The ce head's target of point i: its class index (y (N)), or its probability row (y (N, C)). */
function ceTarget(y: Vec, i: number, n: number, classes: number): number | Vec {
  return y.length === n * classes && classes > 1 ? y.subarray(i * classes, (i + 1) * classes) : y[i];
}

/** The mean loss of the model's logits against y, as head_loss sums it. */
export function cpuLoss(logit: Vec, y: Vec, layout: ParamLayout, storage: ProbStorage = 'float32'): number {
  const c = layout.outputs;
  const n = logit.length / c;
  let sum = 0;
  if (layout.spec.head === 'ce') for (let i = 0; i < n; i++) sum += crossEntropy(logit, i * c, c, ceTarget(y, i, n, c));
  else logit.forEach((z, i) => (sum += headLoss(layout.spec.head, z, y[i], false, storage)));
  return sum / n;
}

/**
 * Mean loss and its gradient with respect to every parameter, in the flat layout. The head's
 * probability is stored as float32, as torch stores it, unless `storage` says 'float64' (the
 * finite-difference check, which must see a smooth function).
 */
export function cpuLossAndGrads(params: Vec, layout: ParamLayout, x: Vec, y: Vec, dropout?: DropoutMask, storage: ProbStorage = 'float32'): { loss: number; grads: Float64Array } {
  const n = x.length / layout.inputs;
  const { hidden, logit, stage } = cpuForward(params, layout, x, dropout);
  const loss = cpuLoss(logit, y, layout, storage);
  const grads = new Float64Array(layout.count);
  let dy: Float64Array = dlogits(logit, y, layout, n, storage);
  for (let li = layout.layers.length - 1; li >= 0; li--) {
    const l = layout.layers[li];
    const input: Vec = li === 0 ? (stage?.out ?? x) : hidden[li - 1];
    // One chunk of all N points: the partial sums are the full sums.
    const g = new Float64Array(l.outDim * l.inDim + l.outDim);
    k.linearBackwardParams(g, dy, input, { n, inDim: l.inDim, outDim: l.outDim }, n);
    grads.set(g, l.w);
    if (li > 0) {
      const dx = new Float64Array(n * l.inDim);
      k.linearBackwardInput(dx, dy, params, { n, inDim: l.inDim, outDim: l.outDim, wOffset: l.w });
      // The input is the previous layer's activation (times the dropout scale, after a ReLU): its
      // backward from that output, as torch's (ReLU: the gradient passes where the output is > 0).
      const before = layout.layers[li - 1].activation;
      if (before === 'identity') throw new Error(`layer ${li} feeds another layer but has no activation`);
      const scale = dropout ? 1 / (1 - layout.spec.dropout) : 1;
      dx.forEach((g, i) => (dx[i] = activationBackward(before, g * scale, input[i])));
      dy = dx;
    }
  }
  if (stage) {
    // The first Linear's input gradient is the stage's output gradient; the stage takes it back into its parameters.
    const l = layout.layers[0];
    const dout = new Float64Array(n * l.inDim);
    k.linearBackwardInput(dout, dy, params, { n, inDim: l.inDim, outDim: l.outDim, wOffset: l.w });
    stage.backward(dout, grads);
  }
  return { loss, grads };
}

/** d(mean loss)/dz of every point, (N, C). */
function dlogits(logit: Float64Array, y: Vec, layout: ParamLayout, n: number, storage: ProbStorage): Float64Array {
  if (layout.spec.head !== 'ce') return logit.map((z, i) => headDlogit(layout.spec.head, z, y[i], n, storage));
  const c = layout.outputs;
  const d = new Float64Array(logit.length);
  for (let i = 0; i < n; i++) crossEntropy(logit, i * c, c, ceTarget(y, i, n, c), n, d);
  return d;
}

export interface CpuTrainResult {
  losses: Float64Array;
  /** The test loss of every epoch, before its update (when a test set was given). */
  testLosses?: Float64Array;
  params: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** How cpuTrain steps: the optimizer and the minibatches (as train/batches.ts plans them). */
export interface CpuTrainOptions {
  optimizer?: OptimizerName;
  /** Rows per batch (absent: the full batch). */
  batchSize?: number;
  /** Epoch e's (1-based) row order (absent: file order). */
  order?: (epoch: number) => ArrayLike<number>;
  /** Targets per point (1, or C for probability rows). */
  targetColumns?: number;
}

/**
 * `epochs` epochs from `init`, dropout off: one optimizer step per batch (losses: one per step),
 * the test loss once per epoch before its first step. Adam by default, full batch in file order.
 * A loop over src/cpu/trainer.ts's CpuTrainer (float64 state); a step that is not finite is refused
 * there, and the run ends with it (the later losses NaN).
 */
export function cpuTrain(
  init: Vec,
  layout: ParamLayout,
  x: Vec,
  y: Vec,
  hyper: AdamHyper,
  epochs: number,
  test?: { x: Vec; y: Vec },
  options: CpuTrainOptions = {},
): CpuTrainResult {
  const core = new CpuTrainer(layout, { x, y }, init, { ...options, hyper, shuffle: options.order !== undefined, storage: 'float64' });
  const steps = core.stepsPerEpoch;
  const losses = new Float64Array(epochs * steps).fill(NaN);
  const testLosses = test ? new Float64Array(epochs).fill(NaN) : undefined;
  run: for (let e = 0; e < epochs; e++) {
    if (test && testLosses) testLosses[e] = core.loss(test.x, test.y);
    for (let j = 0; j < steps; j++) {
      const step = core.trainStep();
      losses[e * steps + j] = step.loss;
      if (step.faults) break run;
    }
  }
  return { losses, testLosses, params: core.params as Float64Array, m: core.m as Float64Array, v: core.v as Float64Array };
}

/**
 * Fraction of points whose predicted class equals the target's. One output: probability > 0.5
 * against the label rounded. C outputs (prob (N, C)): the argmax (the first maximum, as
 * torch.argmax) against the class index y (N), or against the argmax of probability rows y (N, C).
 */
export function accuracy(prob: ArrayLike<number>, y: ArrayLike<number>, classes = 1): number {
  if (classes === 1) {
    let right = 0;
    for (let i = 0; i < y.length; i++) if (prob[i] > 0.5 === y[i] > 0.5) right++;
    return right / y.length;
  }
  const n = prob.length / classes;
  const rows = y.length === n * classes;
  let right = 0;
  for (let i = 0; i < n; i++) if (argmax(prob, i * classes, classes) === (rows ? argmax(y, i * classes, classes) : y[i])) right++;
  return right / n;
}

/** The index of the first maximum of values[at .. at + count). */
export function argmax(values: ArrayLike<number>, at: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if (values[at + c] > values[at + best]) best = c;
  return best;
}
