// The tiled GEMM kernels of a general MLP's Linear layers (shaders/kernels/gemm_*.wgsl,
// split_k_reduce.wgsl): their specs, the tile presets, the dims uniforms, and one helper per kernel
// that builds its dispatch as a Step (src/train/steps.ts) for one layer.
//
// Per layer l of [D, H1, ..., Hk, 1] over N points, an epoch is:
//   forward   gemmForwardStep          A_l (N, OUT) = epilogue(A_{l-1}·Wᵀ + b)
//   backward  gemmBackwardWeightsStep  partials (OUT·IN + OUT, splits) of dW, db from dZ_l and A_{l-1}
//             splitKReduceStep         grads[w_offset ..] = the partials summed in order
//             gemmBackwardInputStep    dZ_{l-1} (N, IN) = mask(dZ_l·W)   (not for the first layer)
// Uniform layouts are read from the WGSL by webgpu-utils, so no struct is packed by position here.
import type { GpuContext } from './context';
import { grid2d, isPowerOfTwo, workgroupsFor } from './grid';
import { isSoftwarePlan, waveInvocations, type DevicePlan } from './plan';
import { getKernel, type KernelSpec } from './kernel';
import { dimsUniform, structBytes } from './structs';
import type { Step } from '../train/steps';
import { dropThreshold, keepScale, type Epilogue, type GemmLayerDims } from '../cpu/gemm';

const TILES = 'common/gemm_tiles';

export const GEMM_KERNELS = {
  gemmForward: {
    file: 'gemm_forward',
    uses: ['ops/adam', 'ops/relu', 'ops/sigmoid', 'ops/activation', 'common/epoch', 'common/grid', 'common/dropout', TILES],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  gemmBackwardInput: {
    file: 'gemm_backward_input',
    uses: ['ops/relu', 'ops/sigmoid', 'ops/activation', 'common/grid', TILES],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  gemmBackwardWeights: {
    file: 'gemm_backward_weights',
    uses: ['common/grid', TILES],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  splitKReduce: {
    file: 'split_k_reduce',
    uses: ['common/split_sum', 'common/grid', 'common/epoch'],
    bindings: ['storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  /** fused's epoch-end reductions in one dispatch: every layer's split-K partials and the mean loss. */
  gradientReduce: {
    file: 'gradient_reduce',
    uses: ['common/split_sum', 'common/strided_sum', 'common/workgroup_sum', 'common/grid', 'common/epoch'],
    bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform', 'dynamic-uniform'],
  },
} as const satisfies Record<string, KernelSpec>;

/**
 * The tiling of one GEMM dispatch (common/gemm_tiles.wgsl): a workgroup computes a tileM × tileN
 * block of the output, each invocation tm × tn of it, so a workgroup has (tileM/tm)·(tileN/tn)
 * invocations. `shared` stages tileK-deep slices of both operands in workgroup memory (one barrier
 * pair per slice); without it every invocation reads global memory directly (no barriers).
 * All sizes powers of two; tm, tn ≤ 8.
 */
export interface GemmTiles {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly tm: number;
  readonly tn: number;
  readonly shared: boolean;
}

/**
 * The tile presets a user can pick. Workgroup sizes: naive 64, small 64, medium 64, large 256,
 * software 16. On a software adapter (SwiftShader: every barrier costs each invocation ~0.15 µs)
 * the barrier-free `software` preset wins; a GPU wants `medium` or `large` (see defaultTilePreset).
 */
export const TILE_PRESETS = {
  /** one output per invocation, operands straight from global memory: the reference ladder's first rung */
  naive: { tileM: 8, tileN: 8, tileK: 8, tm: 1, tn: 1, shared: false },
  /** 2×2 per invocation, 16×16 tiles through workgroup memory */
  small: { tileM: 16, tileN: 16, tileK: 16, tm: 2, tn: 2, shared: true },
  /** 4×4 per invocation, 32×32 tiles through workgroup memory */
  medium: { tileM: 32, tileN: 32, tileK: 16, tm: 4, tn: 4, shared: true },
  /** 8×8 per invocation, 128×128 tiles, 256 invocations: for big layers on a GPU */
  large: { tileM: 128, tileN: 128, tileK: 8, tm: 8, tn: 8, shared: true },
  /** 8×8 per invocation, 32×32 blocks, 16 invocations, no workgroup memory: for CPU adapters */
  software: { tileM: 32, tileN: 32, tileK: 8, tm: 8, tn: 8, shared: false },
} as const satisfies Record<string, GemmTiles>;

export type TilePresetName = keyof typeof TILE_PRESETS;
export const TILE_PRESET_NAMES = Object.keys(TILE_PRESETS) as TilePresetName[];

/** The preset to use when the user picks none: barrier-free on a software plan, workgroup tiles on a GPU plan. */
export function defaultTilePreset(ctx: { readonly plan: Pick<DevicePlan, 'deviceClass'> }): TilePresetName {
  return isSoftwarePlan(ctx.plan) ? 'software' : 'medium';
}

export function tilesOf(choice: TilePresetName | GemmTiles): GemmTiles {
  const t = typeof choice === 'string' ? TILE_PRESETS[choice] : choice;
  if (!t) throw new Error(`no tile preset ${String(choice)}; presets: ${TILE_PRESET_NAMES.join(', ')}`);
  const sizes = [t.tileM, t.tileN, t.tileK, t.tm, t.tn];
  if (!sizes.every(isPowerOfTwo) || t.tm > 8 || t.tn > 8 || t.tm > t.tileM || t.tn > t.tileN) {
    throw new Error(`bad GEMM tiles ${JSON.stringify(t)}: powers of two, tm ≤ min(8, tileM), tn ≤ min(8, tileN)`);
  }
  return t;
}

/** Invocations per workgroup of a tiling. */
export function tileWorkgroupSize(t: GemmTiles): number {
  return (t.tileM / t.tm) * (t.tileN / t.tn);
}

/**
 * The tiling shrunk to an output of `rows` × `cols`: a side longer than the output is cut to the
 * next power of two at or above it (and tm, tn with it), so a skinny product (1024→1, 1→1024)
 * does not spend most of every workgroup on padding.
 */
export function fitTiles(t: GemmTiles, rows: number, cols: number): GemmTiles {
  const fit = (tile: number, per: number, size: number) => {
    const cut = Math.min(tile, 2 ** Math.ceil(Math.log2(Math.max(size, 1))));
    return [cut, Math.min(per, cut)] as const;
  };
  const [tileM, tm] = fit(t.tileM, t.tm, rows);
  const [tileN, tn] = fit(t.tileN, t.tn, cols);
  return { ...t, tileM, tileN, tm, tn };
}

/** Invocations a GPU plan keeps in a fitted tiling: one warp (NVIDIA's 32; AMD's 64-wide waves run two). */
export const GPU_MIN_TILE_INVOCATIONS = 32;

/**
 * The fitted tiling for the plan: on a GPU plan a skinny product's tile (1024→1 fits TILE_N to 1,
 * leaving 8 invocations of 4 rows) gets its invocations back by smaller register blocks (tm, tn
 * halved, the larger first) until it has GPU_MIN_TILE_INVOCATIONS, so each copies fewer tile
 * elements per step; the tile and every sum's order stay the same (bit-identical results). A
 * software plan keeps the blocks (fewer invocations are cheaper there).
 */
export function planTiles(t: GemmTiles, plan: Pick<DevicePlan, 'deviceClass'> & Partial<Pick<DevicePlan, 'deviceTuned'>>): GemmTiles {
  if (isSoftwarePlan(plan) || plan.deviceTuned === false) return t;
  let { tm, tn } = t;
  while ((t.tileM / tm) * (t.tileN / tn) < GPU_MIN_TILE_INVOCATIONS && (tm > 1 || tn > 1)) {
    if (tm >= tn) tm /= 2;
    else tn /= 2;
  }
  return { ...t, tm, tn };
}

/** Global loads one invocation makes per TILE_K step to stage both tiles (common/gemm_tiles.wgsl), or 1 without SHARED. */
export function tileLoadsPerStep(t: GemmTiles): number {
  const wg = tileWorkgroupSize(t);
  return t.shared ? Math.ceil((t.tileM * t.tileK) / wg) + Math.ceil((t.tileK * t.tileN) / wg) : 1;
}

/**
 * On a GPU plan, the split count that balances a split's serial chain against its reduce's: a
 * split of K/s inputs takes about (K/s/tileK)·loads dependent loads, the reduce s/perLoad (it loads
 * `perLoad` splits at once), so s ≈ √(perLoad · K/tileK · loads).
 */
export function balancedSplits(k: number, t: GemmTiles, perLoad = 1): number {
  return Math.max(1, Math.round(Math.sqrt(perLoad * Math.ceil(k / t.tileK) * tileLoadsPerStep(t))));
}

/** Splits a reduce loads at once: gemm_forward's (SPLIT 2) and split_k_reduce's. */
export const SPLIT_REDUCE_LOADS = 4;

/** The override constants of a tiling (common/gemm_tiles.wgsl). */
export function tileConstants(t: GemmTiles): Record<string, number> {
  return { TILE_M: t.tileM, TILE_N: t.tileN, TILE_K: t.tileK, TM: t.tm, TN: t.tn, SHARED: t.shared ? 1 : 0, WG: tileWorkgroupSize(t) };
}

/** Workgroups of a tiled dispatch over an output of `rows` × `cols`, spread over x and y past 65535. */
export function tileGrid(t: GemmTiles, rows: number, cols: number): [number, number] {
  return grid2d(Math.ceil(rows / t.tileM) * Math.ceil(cols / t.tileN));
}

/** How the points of a weight-gradient product are cut: `splits` splits of `splitLen` points (the last may be shorter). */
export interface WeightSplits {
  readonly splitLen: number;
  readonly splits: number;
}

/**
 * Splits of N for gemm_backward_weights: enough workgroups to fill the device (the plan's
 * parallelWorkgroups on a software plan, twice it on a GPU plan, counting the tiles of the
 * OUT × (IN+1) output), each split a multiple of tileK points, at most 65535 splits (one dispatch
 * dimension). On a GPU plan (deviceTuned) the splits are those that balance a split's chain
 * against the reduce's (balancedSplits), as many as one wave of the device holds (waveInvocations):
 * a split's chain is latency, so it shortens with every split the device holds at once.
 * `pointsPerSplit` forces a length.
 */
export function weightSplits(
  n: number,
  inDim: number,
  outDim: number,
  t: GemmTiles,
  plan: Pick<DevicePlan, 'deviceClass' | 'parallelWorkgroups'> & Partial<Pick<DevicePlan, 'deviceTuned'>>,
  pointsPerSplit?: number,
): WeightSplits {
  const tiles = Math.ceil(outDim / t.tileM) * Math.ceil((inDim + 1) / t.tileN);
  const target = isSoftwarePlan(plan) ? plan.parallelWorkgroups : 2 * plan.parallelWorkgroups;
  const filling = Math.max(1, Math.ceil(target / tiles));
  const planned = planTiles(t, plan);
  const wave = Math.max(1, Math.floor(waveInvocations(plan) / (tiles * tileWorkgroupSize(planned))));
  const wanted = isSoftwarePlan(plan) || !plan.deviceTuned ? filling : Math.min(wave, balancedSplits(n, planned, SPLIT_REDUCE_LOADS));
  // A software plan rounds a split up to whole tileK steps; a GPU plan to the nearest, so the count
  // lands nearest the balanced one (MNIST's 32→1: 82 balanced, 20 points a split, 16 rather than 32).
  const steps = (len: number) => (isSoftwarePlan(plan) || !plan.deviceTuned ? Math.ceil(len / t.tileK) : Math.max(1, Math.round(len / t.tileK)));
  let splitLen = pointsPerSplit ?? steps(Math.ceil(n / wanted)) * t.tileK;
  splitLen = Math.max(splitLen, Math.ceil(n / 65535), 1);
  return { splitLen, splits: Math.ceil(n / splitLen) };
}

/** Rows of a layer's gradient partials and of its flat gradient block: OUT·IN weights, then OUT biases. */
export function gradientRows(inDim: number, outDim: number): number {
  return outDim * inDim + outDim;
}

// ---- uniforms: each kernel's `dims` struct, laid out from the kernel's own WGSL (gpu/structs.ts)

/** Makes a labelled uniform buffer that the caller owns (TrainingBuffers.uniform fits). */
export interface UniformMaker {
  uniform(label: string, words: Uint32Array<ArrayBuffer>): GPUBuffer;
}

function checkDims(what: string, ...sizes: number[]): void {
  if (!sizes.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`${what}: sizes must be positive integers, got ${sizes.join(', ')}`);
  if (sizes.reduce((a, b) => a * b, 1) >= 2 ** 32) throw new Error(`${what}: ${sizes.join('·')} elements pass u32 indices`);
}

// ---- the steps

/** Dropout after a hidden layer's ReLU: drop probability p ∈ [0, 1), the run's seed, the layer's index. */
export interface DropoutConfig {
  p: number;
  seed: number;
  layer: number;
}

export interface GemmForwardArgs {
  y: GPUBuffer; // (N, OUT) output
  x: GPUBuffer; // (N, IN)
  params: GPUBuffer; // flat: W (OUT, IN) at dims.wOffset, b (OUT) at dims.bOffset
  steps: GPUBuffer; // (chunk) AdamStep: steps[k].epoch seeds the dropout of epoch k of the chunk
  epochIndex: GPUBuffer; // EpochIndex at a 256-byte stride (TrainingBuffers.epochIndex)
  dims: GemmLayerDims;
  epilogue: Epilogue;
  /** The ACTIVATION override of epilogues 1 and 2 (model/layout.ts ACTIVATION_CODE; 0, ReLU, when absent). */
  activation?: number;
  /** needed with epilogue 2 */
  dropout?: DropoutConfig;
  tiles: TilePresetName | GemmTiles;
}

/** gemm_forward's SPLIT override: 0 whole, 1 a split's partial sums, 2 the splits' reduce with the epilogue. */
export type ForwardSplitMode = 0 | 1 | 2;

/** Override constants of gemm_forward for an N × OUT output; `activation` is ACTIVATION_CODE's (0, ReLU, by default). */
export function gemmForwardConstants(t: GemmTiles, epilogue: Epilogue, split: ForwardSplitMode = 0, activation = 0): Record<string, number> {
  return { ...tileConstants(t), EPILOGUE: epilogue, SPLIT: split, ACTIVATION: activation };
}

/** How the inputs (K = IN) of a forward product are cut: `splits` splits of `splitLen` inputs (the last may be shorter). */
export type ForwardSplits = WeightSplits;

/**
 * The fewest inputs per split: one TILE_K step of the small and medium presets. A split that short
 * writes as many partials as it reads inputs; on a GPU the reduce's loads are latency (four at a
 * time), not bandwidth, at the course's sizes (bench --plan counts both).
 */
export const MIN_FORWARD_SPLIT = 16;

/**
 * Split-K of gemm_forward: on a GPU plan, when the N × OUT output has fewer tiles than the plan's
 * parallelWorkgroups, the K = IN inputs are cut into the splits that balance a split's chain
 * against the reduce's (balancedSplits), but no more than one wave of the device holds
 * (waveInvocations: a split's chain is latency, so it shortens with every split held at once), each
 * a multiple of tileK and at least MIN_FORWARD_SPLIT
 * inputs long, at most 65535 splits and no more partials (splits·N·OUT floats) than one binding holds. One split (no split-K)
 * on a software plan, where the extra dispatch costs more (~45 µs) than the cores it could fill.
 * `inputsPerSplit` forces a length.
 */
export function forwardSplits(
  n: number,
  inDim: number,
  outDim: number,
  t: GemmTiles,
  plan: Pick<DevicePlan, 'deviceClass' | 'parallelWorkgroups' | 'limits' | 'deviceTuned'>,
  inputsPerSplit?: number,
): ForwardSplits {
  const whole = { splitLen: inDim, splits: 1 };
  let splitLen = inputsPerSplit;
  if (splitLen === undefined) {
    const tiles = Math.ceil(n / t.tileM) * Math.ceil(outDim / t.tileN);
    if (isSoftwarePlan(plan) || !plan.deviceTuned || tiles >= plan.parallelWorkgroups) return whole;
    const planned = planTiles(t, plan);
    const wave = Math.max(1, Math.floor(waveInvocations(plan) / (tiles * tileWorkgroupSize(planned))));
    const wanted = Math.min(wave, balancedSplits(inDim, planned, SPLIT_REDUCE_LOADS));
    splitLen = Math.max(MIN_FORWARD_SPLIT, Math.max(1, Math.round(Math.ceil(inDim / wanted) / t.tileK)) * t.tileK);
  }
  const binding = Math.min(plan.limits.maxStorageBufferBindingSize, plan.limits.maxBufferSize);
  const mostSplits = Math.max(1, Math.min(65535, Math.floor(binding / (4 * n * outDim))));
  splitLen = Math.max(splitLen, Math.ceil(inDim / mostSplits), 1);
  const splits = Math.ceil(inDim / splitLen);
  return splits <= 1 ? whole : { splitLen, splits };
}

/** The dims uniform of gemm_forward; `dropout` only with epilogue 2; `split` for split-K (SPLIT 1 and 2). */
export function gemmForwardDims(d: GemmLayerDims, dropout?: DropoutConfig, split?: ForwardSplits): Uint32Array<ArrayBuffer> {
  return dimsUniform(GEMM_KERNELS.gemmForward, {
    n: d.n,
    in_dim: d.inDim,
    out_dim: d.outDim,
    w_offset: d.wOffset,
    b_offset: d.bOffset,
    dropout_seed: (dropout?.seed ?? 0) >>> 0,
    layer: dropout?.layer ?? 0,
    drop_threshold: dropThreshold(dropout?.p ?? 0),
    keep_scale: keepScale(dropout?.p ?? 0),
    split_len: split?.splitLen ?? d.inDim,
    splits: split?.splits ?? 1,
  });
}

/** One layer's forward dispatch, bound per epoch (the epoch seeds the dropout mask). */
export async function gemmForwardStep(ctx: GpuContext, owner: UniformMaker, a: GemmForwardArgs): Promise<Step> {
  const { n, inDim, outDim } = a.dims;
  checkDims('gemm_forward', n, Math.max(inDim, outDim));
  if (a.epilogue === 2 && !a.dropout) throw new Error('gemm_forward: the dropout epilogue needs a DropoutConfig');
  const t = planTiles(fitTiles(tilesOf(a.tiles), n, outDim), ctx.plan);
  const kernel = await getKernel(ctx, GEMM_KERNELS.gemmForward, gemmForwardConstants(t, a.epilogue, 0, a.activation));
  const dims = owner.uniform(`gemm_forward dims ${inDim}→${outDim}`, gemmForwardDims(a.dims, a.dropout));
  const group = kernel.bind(`gemm_forward ${inDim}→${outDim}`, [a.y, a.x, a.params, a.steps, dims, a.epochIndex]);
  return { kernel, group, workgroups: tileGrid(t, n, outDim), perEpoch: true };
}

/** Makes labelled uniform and storage buffers that the caller owns (TrainingBuffers fits). */
export interface BufferMaker extends UniformMaker {
  storage(label: string, bytes: number): GPUBuffer;
}

/** Workgroups of gemm_forward's split-K partials: the output's tiles over x and y, the splits over z. */
export function forwardSplitGrid(t: GemmTiles, n: number, outDim: number, splits: number): [number, number, number] {
  return [...tileGrid(t, n, outDim), splits];
}

/** Workgroups of gemm_forward's split-K reduce: one invocation per output. */
export function forwardReduceGrid(t: GemmTiles, n: number, outDim: number): [number, number] {
  return grid2d(workgroupsFor(n * outDim, tileWorkgroupSize(t)));
}

/**
 * One layer's forward as the plan cuts it (forwardSplits): the single gemm_forward dispatch, or,
 * with split-K, the partial sums (SPLIT 1, into a (splits, N, OUT) buffer of `owner`) then their
 * reduce with the bias and the epilogue (SPLIT 2). `split` forces a cut (tests). Both bound per epoch.
 */
export async function gemmForwardSteps(ctx: GpuContext, owner: BufferMaker, a: GemmForwardArgs, split?: ForwardSplits): Promise<Step[]> {
  const { n, inDim, outDim } = a.dims;
  const t = planTiles(fitTiles(tilesOf(a.tiles), n, outDim), ctx.plan);
  const cut = split ?? forwardSplits(n, inDim, outDim, t, ctx.plan);
  if (cut.splits <= 1) return [await gemmForwardStep(ctx, owner, a)];
  checkDims('gemm_forward split-K', n, outDim, cut.splits);
  if (a.epilogue === 2 && !a.dropout) throw new Error('gemm_forward: the dropout epilogue needs a DropoutConfig');
  if (cut.splitLen * cut.splits < inDim) throw new Error(`gemm_forward: splits ${JSON.stringify(cut)} do not cover IN=${inDim}`);
  const [partial, reduce] = await Promise.all([
    getKernel(ctx, GEMM_KERNELS.gemmForward, gemmForwardConstants(t, a.epilogue, 1, a.activation)),
    getKernel(ctx, GEMM_KERNELS.gemmForward, gemmForwardConstants(t, a.epilogue, 2, a.activation)),
  ]);
  const label = `gemm_forward ${inDim}→${outDim}`;
  const partials = owner.storage(`${label} split-K partials (${cut.splits},N,${outDim})`, 4 * cut.splits * n * outDim);
  const dims = owner.uniform(`${label} dims, ${cut.splits} splits`, gemmForwardDims(a.dims, a.dropout, cut));
  return [
    { kernel: partial, group: partial.bind(`${label} split-K ${cut.splits}`, [partials, a.x, a.params, a.steps, dims, a.epochIndex]), workgroups: forwardSplitGrid(t, n, outDim, cut.splits), perEpoch: true },
    { kernel: reduce, group: reduce.bind(`${label} split-K reduce ${cut.splits}`, [a.y, partials, a.params, a.steps, dims, a.epochIndex]), workgroups: forwardReduceGrid(t, n, outDim), perEpoch: true },
  ];
}

export interface GemmBackwardInputArgs {
  dx: GPUBuffer; // (N, IN) output
  dy: GPUBuffer; // (N, OUT)
  params: GPUBuffer; // flat: W (OUT, IN) at dims.wOffset
  dims: Omit<GemmLayerDims, 'bOffset'>;
  /**
   * The layer's input activation (N, IN) after the previous layer's activation (and dropout, scale =
   * its keep scale); `activation` that layer's ACTIVATION_CODE (0, ReLU, when absent).
   */
  mask?: { act: GPUBuffer; scale: number; activation?: number };
  tiles: TilePresetName | GemmTiles;
}

/** Override constants of gemm_backward_input; `masked` sets MASK = 1, with the mask's ACTIVATION (ACTIVATION_CODE's; 0, ReLU, by default). */
export function gemmBackwardInputConstants(t: GemmTiles, masked: boolean, activation = 0): Record<string, number> {
  return { ...tileConstants(t), MASK: masked ? 1 : 0, ACTIVATION: activation };
}

/** The dims uniform of gemm_backward_input; scale is the mask's keep scale (1 for a plain ReLU). */
export function gemmBackwardInputDims(d: Omit<GemmLayerDims, 'bOffset'>, scale = 1): Uint32Array<ArrayBuffer> {
  return dimsUniform(GEMM_KERNELS.gemmBackwardInput, { n: d.n, in_dim: d.inDim, out_dim: d.outDim, w_offset: d.wOffset, scale });
}

/** The gradient at one layer's input, through the previous layer's activation (and dropout) when `mask` is given. */
export async function gemmBackwardInputStep(ctx: GpuContext, owner: UniformMaker, a: GemmBackwardInputArgs): Promise<Step> {
  const { n, inDim, outDim } = a.dims;
  checkDims('gemm_backward_input', n, Math.max(inDim, outDim));
  const t = planTiles(fitTiles(tilesOf(a.tiles), n, inDim), ctx.plan);
  const kernel = await getKernel(ctx, GEMM_KERNELS.gemmBackwardInput, gemmBackwardInputConstants(t, a.mask !== undefined, a.mask?.activation));
  const dims = owner.uniform(`gemm_backward_input dims ${inDim}→${outDim}`, gemmBackwardInputDims(a.dims, a.mask?.scale ?? 1));
  // Without a mask the act binding is never read; dy stands in for it.
  const group = kernel.bind(`gemm_backward_input ${inDim}→${outDim}`, [a.dx, a.dy, a.params, a.mask?.act ?? a.dy, dims]);
  return { kernel, group, workgroups: tileGrid(t, n, inDim) };
}

export interface GemmBackwardWeightsArgs {
  partials: GPUBuffer | GPUBufferBinding; // (OUT·IN + OUT, splits) output, gradientRows(IN, OUT) · splits floats (a range of a shared buffer in fused)
  dy: GPUBuffer; // (N, OUT)
  x: GPUBuffer; // (N, IN) the layer's input from the forward pass
  dims: { n: number; inDim: number; outDim: number };
  split: WeightSplits;
  tiles: TilePresetName | GemmTiles;
}

/** The tiling of a weight-gradient product: its output is OUT × (IN + 1), the bias as the last column. */
export function weightTiles(tiles: TilePresetName | GemmTiles, inDim: number, outDim: number): GemmTiles {
  return fitTiles(tilesOf(tiles), outDim, inDim + 1);
}

/** The dims uniform of gemm_backward_weights. */
export function gemmBackwardWeightsDims(d: { n: number; inDim: number; outDim: number }, split: WeightSplits): Uint32Array<ArrayBuffer> {
  return dimsUniform(GEMM_KERNELS.gemmBackwardWeights, { n: d.n, in_dim: d.inDim, out_dim: d.outDim, split_len: split.splitLen, splits: split.splits });
}

/** Workgroups of gemm_backward_weights: the output's tiles over x and y, the splits over z. */
export function weightGrid(t: GemmTiles, inDim: number, outDim: number, splits: number): [number, number, number] {
  return [...tileGrid(t, outDim, inDim + 1), splits];
}

/** One layer's split-K partial sums of dW and db (sum them with splitKReduceStep). */
export async function gemmBackwardWeightsStep(ctx: GpuContext, owner: UniformMaker, a: GemmBackwardWeightsArgs): Promise<Step> {
  const { n, inDim, outDim } = a.dims;
  checkDims('gemm_backward_weights', Math.max(n, outDim), inDim + 1);
  if (a.split.splits > 65535 || a.split.splitLen * a.split.splits < n) throw new Error(`gemm_backward_weights: splits ${JSON.stringify(a.split)} do not cover N=${n}`);
  const t = planTiles(weightTiles(a.tiles, inDim, outDim), ctx.plan);
  const kernel = await getKernel(ctx, GEMM_KERNELS.gemmBackwardWeights, tileConstants(t));
  const dims = owner.uniform(`gemm_backward_weights dims ${inDim}→${outDim}`, gemmBackwardWeightsDims(a.dims, a.split));
  const group = kernel.bind(`gemm_backward_weights ${inDim}→${outDim}`, [a.partials, a.dy, a.x, dims]);
  return { kernel, group, workgroups: weightGrid(t, inDim, outDim, a.split.splits) };
}

export interface SplitKReduceArgs {
  out: GPUBuffer; // flat: the gradient block, or the loss history
  partials: GPUBuffer; // (rows, splits)
  epochIndex: GPUBuffer; // EpochIndex at a 256-byte stride
  rows: number;
  splits: number;
  /** where row 0 lands in `out` (the layer's w_offset for gradients) */
  outOffset: number;
  /** 0 for gradients; 1 to write epoch k's value at outOffset + k (a loss history), which binds it per epoch */
  epochStride?: number;
  /** 1 for sums, N for a mean */
  divisor?: number;
}

/** Workgroup size of split_k_reduce: one invocation per row. */
export const REDUCE_WG = 64;

/** The dims uniform of split_k_reduce. */
export function splitKReduceDims(a: Pick<SplitKReduceArgs, 'rows' | 'splits' | 'outOffset' | 'epochStride' | 'divisor'>): Uint32Array<ArrayBuffer> {
  return dimsUniform(GEMM_KERNELS.splitKReduce, {
    rows: a.rows,
    splits: a.splits,
    out_offset: a.outOffset,
    epoch_stride: a.epochStride ?? 0,
    divisor: a.divisor ?? 1,
  });
}

/** Workgroups of split_k_reduce over `rows` rows. */
export function reduceGrid(rows: number): [number, number] {
  return grid2d(workgroupsFor(rows, REDUCE_WG));
}

/** Sums each row's partials in ascending split order into `out` (a layer's gradients: outOffset = its w_offset). */
export async function splitKReduceStep(ctx: GpuContext, owner: UniformMaker, a: SplitKReduceArgs): Promise<Step> {
  checkDims('split_k_reduce', a.rows, a.splits);
  const kernel = await getKernel(ctx, GEMM_KERNELS.splitKReduce, { WG: REDUCE_WG });
  const dims = owner.uniform(`split_k_reduce dims ${a.rows}×${a.splits}`, splitKReduceDims(a));
  const group = kernel.bind(`split_k_reduce ${a.rows}×${a.splits}`, [a.out, a.partials, dims, a.epochIndex]);
  return { kernel, group, workgroups: reduceGrid(a.rows), perEpoch: (a.epochStride ?? 0) !== 0 };
}

/** One layer's rows in gradient_reduce: its (rows, splits) partials at partialOffset (floats) of the shared buffer, summed into the gradient at outOffset. */
export interface ReduceSegment {
  readonly rows: number;
  readonly splits: number;
  readonly partialOffset: number;
  readonly outOffset: number;
}

/** The layers one gradient_reduce dispatch takes (its segments uniform, kernels/gradient_reduce.wgsl MAX_SEGMENTS). */
export const MAX_REDUCE_SEGMENTS = 17;

export interface GradientReduceArgs {
  grads: GPUBuffer; // flat gradient block (P)
  history: GPUBuffer; // the chunk's loss history (K): epoch k's mean at k
  partials: GPUBuffer; // every segment's partials, at their offsets
  losses: GPUBuffer; // (N) per-point losses
  epochIndex: GPUBuffer;
  segments: readonly ReduceSegment[];
  /** Points whose losses are averaged. */
  n: number;
  /** Workgroup size: the mean's tree is reduce_rows' at this size (the same bits). */
  wg: number;
}

/** gradient_reduce's two uniforms: its dims, and the segment table (MAX_REDUCE_SEGMENTS entries, the unused ones zero). */
export function gradientReduceUniforms(segments: readonly ReduceSegment[], n: number): { dims: Uint32Array<ArrayBuffer>; segments: Uint32Array<ArrayBuffer> } {
  const rows = segments.reduce((t, s) => t + s.rows, 0);
  const dims = dimsUniform(GEMM_KERNELS.gradientReduce, { segments: segments.length, rows, loss_len: n, loss_offset: 0, loss_divisor: n });
  const table = new Uint32Array(4 * MAX_REDUCE_SEGMENTS);
  segments.forEach((s, i) => table.set(structBytes('kernels/gradient_reduce', 'ReduceSegment', { rows: s.rows, splits: s.splits, partial_offset: s.partialOffset, out_offset: s.outOffset }), 4 * i));
  return { dims, segments: table };
}

/** Workgroups of gradient_reduce: one for the mean, then one invocation per gradient row. */
export function gradientReduceGrid(segments: readonly ReduceSegment[], wg: number): [number, number] {
  return grid2d(1 + workgroupsFor(segments.reduce((t, s) => t + s.rows, 0), wg));
}

/**
 * The fused strategy's epoch-end reductions as one dispatch (kernels/gradient_reduce.wgsl): each
 * segment's rows as splitKReduceStep sums them, and the mean loss as the mean-loss reduce_rows
 * does, the same bits as those L + 1 dispatches. Its cost is theirs.
 */
export async function gradientReduceStep(ctx: GpuContext, owner: UniformMaker, a: GradientReduceArgs): Promise<Step> {
  if (a.segments.length < 1 || a.segments.length > MAX_REDUCE_SEGMENTS) throw new Error(`gradient_reduce: ${a.segments.length} segments, 1 to ${MAX_REDUCE_SEGMENTS} allowed`);
  a.segments.forEach((s) => checkDims('gradient_reduce', s.rows, s.splits));
  const kernel = await getKernel(ctx, GEMM_KERNELS.gradientReduce, { WG: a.wg });
  const what = a.segments.map((s) => `${s.rows}×${s.splits}`).join(' + ');
  const u = gradientReduceUniforms(a.segments, a.n);
  const dims = owner.uniform(`gradient_reduce dims ${what}`, u.dims);
  const segments = owner.uniform(`gradient_reduce segments ${what}`, u.segments);
  const group = kernel.bind(`gradient_reduce ${what} + mean of ${a.n}`, [a.grads, a.history, a.partials, a.losses, segments, dims, a.epochIndex]);
  // The cost of split_k_reduce per segment plus reduce_rows' mean (bench/cost.ts splitKReduce, reduceRows): each partial and loss read once, each row and the mean written once.
  const split = a.segments.reduce((c, s) => c + s.rows * s.splits, 0);
  const rows = a.segments.reduce((c, s) => c + s.rows, 0);
  return { kernel, group, workgroups: gradientReduceGrid(a.segments, a.wg), perEpoch: true, cost: { flops: split + a.n, bytes: 4 * (split + rows + a.n + 1) } };
}
