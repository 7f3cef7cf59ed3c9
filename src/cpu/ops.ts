import type { Activation, Head } from '../model/layout';
// The scalar formulas of shaders/ops/*.wgsl, written again by hand in double precision.
// The tests hold the GPU kernels against these, and these against finite differences.

export const relu = (z: number) => Math.max(z, 0);
export const reluBackward = (dh: number, z: number) => (z > 0 ? dh : 0);

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
export const sigmoidBackward = (dp: number, p: number) => dp * (1 - p) * p;

export const tanh = (z: number) => Math.tanh(z);
/** torch's tanh_backward, from the output a: dy·(1 - a²). */
export const tanhBackward = (dy: number, a: number) => dy * (1 - a * a);

/**
 * ops/activation.wgsl: each hidden activation's forward a = f(z) and its backward from the output a
 * (ReLU: a > 0 exactly where z > 0; Sigmoid: a(1-a); Tanh: 1 - a²), as torch's backward kernels.
 */
export const ACTIVATION_TWINS: Record<Activation, { forward(z: number): number; backward(dy: number, a: number): number }> = {
  relu: { forward: relu, backward: reluBackward },
  sigmoid: { forward: sigmoid, backward: sigmoidBackward },
  tanh: { forward: tanh, backward: tanhBackward },
};
export const activationForward = (activation: Activation, z: number) => ACTIVATION_TWINS[activation].forward(z);
export const activationBackward = (activation: Activation, dy: number, a: number) => ACTIVATION_TWINS[activation].backward(dy, a);

const LOG_FLOOR = -100;
const GRAD_EPS = 1e-12;
export const bce = (p: number, y: number) => (y - 1) * Math.max(Math.log(1 - p), LOG_FLOOR) - y * Math.max(Math.log(p), LOG_FLOOR);
/** bce for a label of exactly 0 or 1: one log (ops/bce.wgsl, BINARY_LABELS). */
export const bceBinary = (p: number, y: number) => -Math.max(Math.log(y === 1 ? p : 1 - p), LOG_FLOOR);
export const bceBackward = (p: number, y: number, n: number) => (p - y) / Math.max((1 - p) * p, GRAD_EPS) / n;

/** BCEWithLogitsLoss, torch's stable form with m = max(-z, 0) (ops/head.wgsl). */
export const bceLogits = (z: number, y: number) => {
  const m = Math.max(-z, 0);
  return (1 - y) * z + m + Math.log(Math.exp(-m) + Math.exp(-z - m));
};

/**
 * The probability BCELoss sees: sigmoid(z) stored as a float32 tensor, as torch stores it. It is
 * exactly 1 for z above ~16.6 (and 0 far below), where BCE's clamps take over: MNIST's raw pixels
 * drive logits there, so the twin must saturate where the GPU and torch do, not where a double would.
 */
export const sigmoidF32 = (z: number) => {
  const f = Math.fround;
  return f(1 / f(1 + f(Math.exp(-f(z))))); // each step rounded, as float32 arithmetic: 1 + e^-z is 1 for z > ~16.6
};

/** How the CPU twins store the head's probability: float32 as torch does (default), or double for a finite-difference check. */
export type ProbStorage = 'float32' | 'float64';
const probOf = (z: number, storage: ProbStorage) => (storage === 'float32' ? sigmoidF32(z) : sigmoid(z));

/** ops/head.wgsl: one point's loss from its logit z; `binaryLabels` selects BCE's one-log form. */
export function headLoss(head: Head, z: number, y: number, binaryLabels = false, storage: ProbStorage = 'float32'): number {
  if (head === 'bce-logits') return bceLogits(z, y);
  if (head === 'mse') return (z - y) * (z - y);
  if (Number.isNaN(z)) return NaN;
  return (binaryLabels ? bceBinary : bce)(probOf(z, storage), y);
}

/** ops/head.wgsl: d(mean loss)/dz for one point of n; NaN where z is not finite (so the epoch is refused). */
export function headDlogit(head: Head, z: number, y: number, n: number, storage: ProbStorage = 'float32'): number {
  return headDlogitFinite(head, z, y, n, storage) + (z - z);
}

function headDlogitFinite(head: Head, z: number, y: number, n: number, storage: ProbStorage): number {
  if (head === 'bce-logits') return (sigmoid(z) - y) / n;
  if (head === 'mse') return (2 / n) * (z - y);
  const p = probOf(z, storage);
  return sigmoidBackward(bceBackward(p, y, n), p);
}

/** What the model predicts from its logit: a probability for classifiers (float32, as stored), z itself for mse. */
export const headProb = (head: Head, z: number) => (head === 'mse' ? z : sigmoidF32(z));

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

export const DEFAULT_ADAM: AdamHyper = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** torch's per-step scalars, in double precision as torch computes them in Python. */
export function adamStepScalars(h: AdamHyper, t: number): { stepSize: number; bc2Sqrt: number } {
  return { stepSize: h.lr / (1 - h.beta1 ** t), bc2Sqrt: Math.sqrt(1 - h.beta2 ** t) };
}

export function adamUpdate(param: number, m: number, v: number, g: number, h: AdamHyper, t: number): [number, number, number] {
  const { stepSize, bc2Sqrt } = adamStepScalars(h, t);
  const m1 = m * h.beta1 + (1 - h.beta1) * g;
  const v1 = v * h.beta2 + (1 - h.beta2) * g * g;
  return [param - (stepSize * m1) / (Math.sqrt(v1) / bc2Sqrt + h.eps), m1, v1];
}

/**
 * ops/cross_entropy.wgsl: CrossEntropyLoss of one point's C logits z[at .. at + C) against a class
 * index (`target` a number) or a probability row (`target` an array of C), and, when `dlogit` is
 * given, d(mean loss over n points)/dz into dlogit[at ..]. torch's order: lse = max + log Σ exp(z - max),
 * log_softmax = z - lse, loss = -Σ t·log_softmax; dz = g - exp(log_softmax)·Σ g with g = -t / n.
 */
export function crossEntropy(z: ArrayLike<number>, at: number, classes: number, target: number | ArrayLike<number>, n = 1, dlogit?: { [i: number]: number }): number {
  const t = (c: number) => (typeof target === 'number' ? (c === target ? 1 : 0) : target[c]);
  let top = -Infinity;
  for (let c = 0; c < classes; c++) top = Math.max(top, z[at + c]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(z[at + c] - top);
  const lse = top + Math.log(sum);
  let loss = typeof target === 'number' ? -(z[at + target] - lse) : 0;
  let tSum = 0;
  for (let c = 0; c < classes; c++) {
    if (typeof target !== 'number') loss -= t(c) * (z[at + c] - lse);
    tSum += t(c);
  }
  if (dlogit) for (let c = 0; c < classes; c++) dlogit[at + c] = -t(c) / n - Math.exp(z[at + c] - lse) * (-tSum / n);
  return loss;
}

/** softmax of one point's C logits into out[at ..], as exp(log_softmax) (ce_points' prob). */
export function softmaxRow(out: { [i: number]: number }, z: ArrayLike<number>, at: number, classes: number): void {
  let top = -Infinity;
  for (let c = 0; c < classes; c++) top = Math.max(top, z[at + c]);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(z[at + c] - top);
  const lse = top + Math.log(sum);
  for (let c = 0; c < classes; c++) out[at + c] = Math.exp(z[at + c] - lse);
}

/** ops/sgd.wgsl: torch.optim.SGD's update with momentum 0, p + (-lr)·g. */
export const sgdUpdate = (param: number, g: number, lr: number): number => param + -lr * g;
