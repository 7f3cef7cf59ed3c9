// CPU twins of the GEMM kernels (shaders/kernels/gemm_*.wgsl, split_k_reduce.wgsl): one
// hand-written function per kernel, same argument order (outputs, inputs, dims), double-precision
// sums. The dropout hash is integer arithmetic, so its mask is bit-for-bit the GPU's.

import type { Activation } from '../model/layout';
import { activationBackward, activationForward } from './ops';

type Vec = Float32Array | Float64Array;

/** The shapes of one Linear layer over N points: W (OUT, IN) at wOffset, b (OUT) at bOffset of the flat block. */
export interface GemmLayerDims {
  n: number;
  inDim: number;
  outDim: number;
  wOffset: number;
  bOffset: number;
}

/**
 * gemm_forward's EPILOGUE override: 0 y = z (the last layer: the logit), 1 y = activation(z)
 * (the ACTIVATION override), 2 y = relu(z)·keepScale where kept, else 0 (inverted dropout, ReLU only).
 */
export type Epilogue = 0 | 1 | 2;
export const EPILOGUE_BIAS = 0;
export const EPILOGUE_ACTIVATION = 1;
export const EPILOGUE_ACTIVATION_DROPOUT = 2;
/** The activation epilogues under their ReLU-era names (ReLU is the default activation). */
export const EPILOGUE_RELU = EPILOGUE_ACTIVATION;
export const EPILOGUE_RELU_DROPOUT = EPILOGUE_ACTIVATION_DROPOUT;

/**
 * The epilogue of a layer's forward GEMM, from the layer table: bias only for the last layer, the
 * activation for a hidden one, with dropout when the model has it (ReLU only: model/layout.ts
 * refuses the others). What every GPU builder and the CPU twins pass.
 */
export function layerEpilogue(activation: Activation | 'identity', dropout: boolean): Epilogue {
  if (activation === 'identity') return EPILOGUE_BIAS;
  return dropout ? EPILOGUE_ACTIVATION_DROPOUT : EPILOGUE_ACTIVATION;
}

/** The dropout of one layer in one epoch: which mask (seed, epoch, layer) and how many are dropped. */
export interface DropoutMask {
  seed: number;
  /** 1-based epoch number, as AdamStep.epoch */
  epoch: number;
  /** the layer's index in the model */
  layer: number;
  /** round(p·2³²), see dropThreshold */
  threshold: number;
  /** 1/(1-p) rounded to float32, see keepScale */
  keepScale: number;
}

/** common/dropout.wgsl's dropout_mix: lowbias32 (hash-prospector), a bijection of u32. */
export function dropoutMix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** common/dropout.wgsl's dropout_stream: one stream per (seed, epoch, layer); u32 sums wrap. */
export function dropoutStream(seed: number, epoch: number, layer: number): number {
  return dropoutMix((layer + dropoutMix((epoch + dropoutMix(seed)) >>> 0)) >>> 0);
}

/** common/dropout.wgsl's dropout_keep: element n·OUT + o of the stream is kept. */
export function dropoutKeep(stream: number, element: number, threshold: number): boolean {
  return dropoutMix((dropoutMix((element ^ stream) >>> 0) + stream) >>> 0) >= threshold;
}

/** The u32 threshold for drop probability p ∈ [0, 1): a unit is kept when its hash ≥ round(p·2³²). */
export function dropThreshold(p: number): number {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout probability must be in [0, 1), got ${p}`);
  return Math.min(0xffffffff, Math.round(p * 2 ** 32));
}

/** Inverted dropout's scale of kept units, 1/(1-p), computed in double and rounded to float32 once. */
export function keepScale(p: number): number {
  return Math.fround(1 / (1 - p));
}

/**
 * gemm_forward.wgsl: y (N, OUT) = epilogue(x (N, IN)·Wᵀ + b). `dropout` is needed for
 * EPILOGUE_RELU_DROPOUT only; `activation` is the ACTIVATION override's (ReLU by default).
 */
export function gemmForward(y: Vec, x: Vec, params: Vec, d: GemmLayerDims, epilogue: Epilogue, dropout?: DropoutMask, activation: Activation = 'relu'): void {
  if (epilogue === EPILOGUE_RELU_DROPOUT && !dropout) throw new Error('gemmForward: the dropout epilogue needs a mask');
  const stream = dropout ? dropoutStream(dropout.seed, dropout.epoch, dropout.layer) : 0;
  for (let n = 0; n < d.n; n++) {
    for (let o = 0; o < d.outDim; o++) {
      let acc = 0;
      for (let i = 0; i < d.inDim; i++) acc += x[n * d.inDim + i] * params[d.wOffset + o * d.inDim + i];
      let v = acc + params[d.bOffset + o];
      if (epilogue !== EPILOGUE_BIAS) v = activationForward(activation, v);
      if (epilogue === EPILOGUE_RELU_DROPOUT && dropout) {
        v = dropoutKeep(stream, (n * d.outDim + o) >>> 0, dropout.threshold) ? v * dropout.keepScale : 0;
      }
      y[n * d.outDim + o] = v;
    }
  }
}

/**
 * gemm_forward.wgsl with SPLIT = 1: partials (splits, N, OUT), partials[s, n, o] = Σ x[n,i]·W[o,i]
 * over i in [s·splitLen, min(IN, (s+1)·splitLen)), no bias.
 */
export function gemmForwardSplit(partials: Vec, x: Vec, params: Vec, d: GemmLayerDims, split: { splitLen: number; splits: number }): void {
  for (let s = 0; s < split.splits; s++) {
    const end = Math.min(d.inDim, (s + 1) * split.splitLen);
    for (let n = 0; n < d.n; n++) {
      for (let o = 0; o < d.outDim; o++) {
        let acc = 0;
        for (let i = s * split.splitLen; i < end; i++) acc += x[n * d.inDim + i] * params[d.wOffset + o * d.inDim + i];
        partials[(s * d.n + n) * d.outDim + o] = acc;
      }
    }
  }
}

/**
 * gemm_forward.wgsl with SPLIT = 2: y (N, OUT) = epilogue((Σ_s partials[s, n, o]) + b), the splits
 * summed in ascending order; the epilogue as gemmForward's.
 */
export function gemmForwardSplitReduce(y: Vec, partials: Vec, params: Vec, d: GemmLayerDims, splits: number, epilogue: Epilogue, dropout?: DropoutMask, activation: Activation = 'relu'): void {
  if (epilogue === EPILOGUE_RELU_DROPOUT && !dropout) throw new Error('gemmForwardSplitReduce: the dropout epilogue needs a mask');
  const stream = dropout ? dropoutStream(dropout.seed, dropout.epoch, dropout.layer) : 0;
  const count = d.n * d.outDim;
  for (let e = 0; e < count; e++) {
    let acc = 0;
    for (let s = 0; s < splits; s++) acc += partials[s * count + e];
    const o = e % d.outDim;
    let v = acc + params[d.bOffset + o];
    if (epilogue !== EPILOGUE_BIAS) v = activationForward(activation, v);
    if (epilogue === EPILOGUE_RELU_DROPOUT && dropout) v = dropoutKeep(stream, e >>> 0, dropout.threshold) ? v * dropout.keepScale : 0;
    y[e] = v;
  }
}

/**
 * gemm_backward_input.wgsl: dx (N, IN) = dy (N, OUT)·W. With `mask`, dx = activation_backward(dx·mask.scale, act)
 * (ReLU, the default: act > 0 ? dx·mask.scale : 0), `mask.act` (N, IN) being the layer's input
 * after the previous layer's activation and dropout.
 */
export function gemmBackwardInput(dx: Vec, dy: Vec, params: Vec, d: Omit<GemmLayerDims, 'bOffset'>, mask?: { act: Vec; scale: number; activation?: Activation }): void {
  for (let n = 0; n < d.n; n++) {
    for (let i = 0; i < d.inDim; i++) {
      let acc = 0;
      for (let o = 0; o < d.outDim; o++) acc += dy[n * d.outDim + o] * params[d.wOffset + o * d.inDim + i];
      dx[n * d.inDim + i] = mask ? activationBackward(mask.activation ?? 'relu', acc * mask.scale, mask.act[n * d.inDim + i]) : acc;
    }
  }
}

/**
 * gemm_backward_weights.wgsl: partials (Q, splits), Q = OUT·IN + OUT in torch's flat order (dW
 * row-major, then db); column s sums points s·splitLen .. min(N, (s+1)·splitLen)-1.
 */
export function gemmBackwardWeights(partials: Vec, dy: Vec, x: Vec, d: { n: number; inDim: number; outDim: number; splitLen: number; splits: number }): void {
  const weights = d.outDim * d.inDim;
  for (let s = 0; s < d.splits; s++) {
    const end = Math.min(d.n, (s + 1) * d.splitLen);
    for (let o = 0; o < d.outDim; o++) {
      for (let c = 0; c <= d.inDim; c++) {
        let acc = 0;
        for (let n = s * d.splitLen; n < end; n++) acc += dy[n * d.outDim + o] * (c === d.inDim ? 1 : x[n * d.inDim + c]);
        partials[(c === d.inDim ? weights + o : o * d.inDim + c) * d.splits + s] = acc;
      }
    }
  }
}

/** split_k_reduce.wgsl: out[outOffset + epochStride·k + q] = (Σ_s partials[q, s]) / divisor, for epoch index k of the chunk. */
export function splitKReduce(
  out: Vec,
  partials: Vec,
  d: { rows: number; splits: number; outOffset: number; epochStride?: number; divisor?: number },
  k = 0,
): void {
  for (let q = 0; q < d.rows; q++) {
    let acc = 0;
    for (let s = 0; s < d.splits; s++) acc += partials[q * d.splits + s];
    out[d.outOffset + (d.epochStride ?? 0) * k + q] = acc / (d.divisor ?? 1);
  }
}
