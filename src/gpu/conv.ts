// The CNN's convolution and pooling kernels (shaders/kernels/conv2d_*.wgsl, maxpool_*.wgsl): tile
// choices, dims uniforms, one helper per kernel that builds its dispatch as a Step
// (src/train/steps.ts), the FLOPs and bytes of each for the benchmark, and the device-limit check.
//
// Per Conv2d(C, O, (k,k)) over X (N, C, H, W), with Wt (O, C, k, k) then b (O) at wOffset of the
// flat block (src/cpu/conv.ts ConvDims), an epoch is, unfused:
//   forward   conv2dForwardStep            Y (N, O, OH, OW) = epilogue(conv(X) + b), epilogue 0 or 1 (ReLU)
//             maxpoolForwardStep           P, argmax (N, O, PH, PW) = MaxPool2d(Y)
//   backward  maxpoolBackwardStep          dZ (N, O, OH, OW) from dP and argmax (mask = P: the ReLU's too)
//             conv2dBackwardWeightsStep    partials (O·C·k·k + O, splits) from dZ and X
//             convGradientReduceStep       grads[wOffset ..] = the partials summed in order
//             conv2dBackwardInputStep      dX (N, C, H, W)   (not for the first layer)
// and fused (Conv2d → ReLU → MaxPool2d(pool), pool 1 or 2):
//   forward   conv2dPoolForwardStep        P, argmax (N, O, PH, PW): the (N, O, OH, OW) map never stored
//   backward  conv2dPoolBackwardWeightsStep partials from dP, argmax, P and X, then convGradientReduceStep
// convBlockPlan and convBlockSteps build either list for a whole Conv2d → ReLU → MaxPool2d block.
// Every sum runs in a fixed order (no atomics): reruns are bit-identical, and fused and unfused
// write the same bits.
import type { GpuContext } from './context';
import { elementWorkgroups, grid2d } from './grid';
import { getKernel } from './kernel';
import { KERNELS } from './kernels';
import { dimsUniform } from './structs';
import {
  defaultTilePreset,
  fitTiles,
  splitKReduceStep,
  tileConstants,
  tileGrid,
  tilesOf,
  type GemmTiles,
  type TilePresetName,
  type UniformMaker,
} from './gemm';
import type { Step } from '../train/steps';
import {
  convBiasOffset,
  convGradientRows,
  convOut,
  poolAfterConv,
  poolOut,
  type ConvDims,
  type ConvEpilogue,
  type PoolDims,
  type PositionSplits,
} from '../cpu/conv';

export { TILE_PRESETS as CONV_TILE_PRESETS, TILE_PRESET_NAMES as CONV_TILE_PRESET_NAMES } from './gemm';

/** The conv kernels share the GEMM presets (common/gemm_tiles.wgsl): barrier-free `software` on a CPU adapter, `medium` on a GPU. */
export function defaultConvTilePreset(ctx: Pick<GpuContext, 'plan'>): TilePresetName {
  return defaultTilePreset(ctx);
}

/** Workgroup size of the element-wise pooling kernels. */
export const POOL_WG = 64;

/** The pool sizes conv2d_pool_forward can fuse: the window is TM = pool² registers of one invocation (≤ 4 here). */
export const FUSABLE_POOLS: readonly number[] = [1, 2];

type Tiles = TilePresetName | GemmTiles;

function checkConv(what: string, d: ConvDims): void {
  const sizes = [d.n, d.c, d.h, d.w, d.o, d.k];
  if (!sizes.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`${what}: sizes must be positive integers, got ${JSON.stringify(d)}`);
  if (d.k > d.h || d.k > d.w) throw new Error(`${what}: kernel ${d.k}×${d.k} larger than the ${d.h}×${d.w} image`);
  if (!Number.isInteger(d.wOffset) || d.wOffset < 0) throw new Error(`${what}: wOffset must be a non-negative integer, got ${d.wOffset}`);
  const largest = Math.max(d.n * d.c * d.h * d.w, d.n * d.o * d.h * d.w, convBiasOffset(d) + d.o);
  if (largest >= 2 ** 32) throw new Error(`${what}: ${largest} elements pass u32 indices`);
}

function checkPool(what: string, d: PoolDims): void {
  const sizes = [d.n, d.c, d.h, d.w, d.k];
  if (!sizes.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`${what}: sizes must be positive integers, got ${JSON.stringify(d)}`);
  if (d.k > d.h || d.k > d.w) throw new Error(`${what}: window ${d.k}×${d.k} larger than the ${d.h}×${d.w} map`);
  if (d.n * d.c * d.h * d.w >= 2 ** 32) throw new Error(`${what}: ${d.n * d.c * d.h * d.w} elements pass u32 indices`);
}

/** The Conv2dDims uniform (ops/conv2d.wgsl) of a kernel: the conv, and the split or fused pool where it has one. */
export function convDimsUniform(kernel: keyof typeof KERNELS, d: ConvDims, extra: { split?: PositionSplits; pool?: number } = {}): Uint32Array<ArrayBuffer> {
  const { oh, ow } = convOut(d);
  const pool = extra.pool ?? 1;
  const { ph, pw } = poolOut({ h: oh, w: ow, k: pool });
  return dimsUniform(KERNELS[kernel], {
    n: d.n,
    c: d.c,
    h: d.h,
    w: d.w,
    o: d.o,
    k: d.k,
    oh,
    ow,
    w_offset: d.wOffset,
    b_offset: convBiasOffset(d),
    split_len: extra.split?.splitLen ?? 0,
    splits: extra.split?.splits ?? 1,
    pool,
    ph,
    pw,
  });
}

/** The MaxPoolDims uniform (ops/maxpool.wgsl) of a pooling kernel. */
export function poolDimsUniform(kernel: 'maxpoolForward' | 'maxpoolBackward', d: PoolDims): Uint32Array<ArrayBuffer> {
  const { ph, pw } = poolOut(d);
  return dimsUniform(KERNELS[kernel], { planes: d.n * d.c, h: d.h, w: d.w, k: d.k, ph, pw });
}

const label = (d: ConvDims) => `${d.c}×${d.h}×${d.w}→${d.o} k${d.k}`;

// ---- forward

export interface Conv2dForwardArgs {
  y: GPUBuffer; // (N, O, OH, OW) output
  x: GPUBuffer; // (N, C, H, W)
  params: GPUBuffer; // flat: Wt (O, C, k, k) at dims.wOffset, b (O) right after
  dims: ConvDims;
  epilogue: ConvEpilogue;
  tiles: Tiles;
}

/** The tiling of conv2d_forward: rows are the N·OH·OW positions, columns the O channels. */
export function conv2dForwardTiles(tiles: Tiles, d: ConvDims): GemmTiles {
  const { oh, ow } = convOut(d);
  return fitTiles(tilesOf(tiles), d.n * oh * ow, d.o);
}

/** Workgroups of conv2d_forward. */
export function conv2dForwardGrid(t: GemmTiles, d: ConvDims): [number, number] {
  const { oh, ow } = convOut(d);
  return tileGrid(t, d.n * oh * ow, d.o);
}

/** One conv's forward dispatch: y = epilogue(conv(x) + b). */
export async function conv2dForwardStep(ctx: GpuContext, owner: UniformMaker, a: Conv2dForwardArgs): Promise<Step> {
  checkConv('conv2d_forward', a.dims);
  const t = conv2dForwardTiles(a.tiles, a.dims);
  const kernel = await getKernel(ctx, KERNELS.conv2dForward, { ...tileConstants(t), EPILOGUE: a.epilogue });
  const dims = owner.uniform(`conv2d_forward dims ${label(a.dims)}`, convDimsUniform('conv2dForward', a.dims));
  const group = kernel.bind(`conv2d_forward ${label(a.dims)}`, [a.y, a.x, a.params, dims]);
  return { kernel, group, workgroups: conv2dForwardGrid(t, a.dims), cost: CONV_COSTS.conv2dForward(a.dims, a.epilogue) };
}

export interface Conv2dPoolForwardArgs {
  pooled: GPUBuffer; // (N, O, PH, PW) output
  argmax: GPUBuffer; // (N, O, PH, PW) u32 output: i·OW + j in the conv output's plane
  x: GPUBuffer; // (N, C, H, W)
  params: GPUBuffer; // flat: Wt then b at dims.wOffset
  dims: ConvDims;
  /** MaxPool2d's window: 1 or 2 (FUSABLE_POOLS) */
  pool: number;
  tiles: Tiles;
}

/**
 * The tiling of conv2d_pool_forward: the preset's WG_M = tileM/tm invocations down, each with the
 * pool² rows of one window (tm = pool², tileM = WG_M·pool²); columns fitted to O as fitTiles does.
 */
export function conv2dPoolTiles(tiles: Tiles, d: ConvDims, pool: number): GemmTiles {
  if (!FUSABLE_POOLS.includes(pool)) throw new Error(`conv2d_pool_forward fuses MaxPool2d of ${FUSABLE_POOLS.join(' or ')}, not ${pool}: use conv2d_forward then maxpool_forward`);
  const t = tilesOf(tiles);
  const tm = pool * pool;
  const fitted = fitTiles(t, 1, d.o);
  return { ...t, tileM: (t.tileM / t.tm) * tm, tm, tileN: fitted.tileN, tn: fitted.tn };
}

/** Workgroups of conv2d_pool_forward: ceil(N·PH·PW / WG_M) row blocks × ceil(O / tileN). */
export function conv2dPoolGrid(t: GemmTiles, d: ConvDims, pool: number): [number, number] {
  const { ph, pw } = poolOut(poolAfterConv(d, pool));
  return grid2d(Math.ceil((d.n * ph * pw) / (t.tileM / t.tm)) * Math.ceil(d.o / t.tileN));
}

/** The fused Conv2d → ReLU → MaxPool2d forward: writes only the pooled map and its argmax. */
export async function conv2dPoolForwardStep(ctx: GpuContext, owner: UniformMaker, a: Conv2dPoolForwardArgs): Promise<Step> {
  checkConv('conv2d_pool_forward', a.dims);
  checkPool('conv2d_pool_forward', poolAfterConv(a.dims, a.pool));
  const t = conv2dPoolTiles(a.tiles, a.dims, a.pool);
  const kernel = await getKernel(ctx, KERNELS.conv2dPoolForward, tileConstants(t));
  const dims = owner.uniform(`conv2d_pool_forward dims ${label(a.dims)} pool ${a.pool}`, convDimsUniform('conv2dPoolForward', a.dims, { pool: a.pool }));
  const group = kernel.bind(`conv2d_pool_forward ${label(a.dims)} pool ${a.pool}`, [a.pooled, a.argmax, a.x, a.params, dims]);
  return { kernel, group, workgroups: conv2dPoolGrid(t, a.dims, a.pool), cost: CONV_COSTS.conv2dPoolForward(a.dims, a.pool) };
}

// ---- backward

export interface Conv2dBackwardInputArgs {
  dx: GPUBuffer; // (N, C, H, W) output
  dy: GPUBuffer; // (N, O, OH, OW)
  params: GPUBuffer; // flat: Wt at dims.wOffset
  dims: ConvDims;
  tiles: Tiles;
}

/** The tiling of conv2d_backward_input: rows are the N·H·W input positions, columns the C channels. */
export function conv2dBackwardInputTiles(tiles: Tiles, d: ConvDims): GemmTiles {
  return fitTiles(tilesOf(tiles), d.n * d.h * d.w, d.c);
}

/** The gradient at a conv's input. */
export async function conv2dBackwardInputStep(ctx: GpuContext, owner: UniformMaker, a: Conv2dBackwardInputArgs): Promise<Step> {
  checkConv('conv2d_backward_input', a.dims);
  const t = conv2dBackwardInputTiles(a.tiles, a.dims);
  const kernel = await getKernel(ctx, KERNELS.conv2dBackwardInput, tileConstants(t));
  const dims = owner.uniform(`conv2d_backward_input dims ${label(a.dims)}`, convDimsUniform('conv2dBackwardInput', a.dims));
  const group = kernel.bind(`conv2d_backward_input ${label(a.dims)}`, [a.dx, a.dy, a.params, dims]);
  return { kernel, group, workgroups: tileGrid(t, a.dims.n * a.dims.h * a.dims.w, a.dims.c), cost: CONV_COSTS.conv2dBackwardInput(a.dims) };
}

/** The tiling of a conv's weight gradient: its output is O × (C·k·k + 1), the bias the last column. */
export function convWeightTiles(tiles: Tiles, d: ConvDims): GemmTiles {
  return fitTiles(tilesOf(tiles), d.o, d.c * d.k * d.k + 1);
}

/**
 * Splits of the N·OH·OW positions for the weight gradient: enough workgroups to fill the device
 * (about 8 on a software adapter, 1024 on a GPU, counting the output's tiles), each split a
 * multiple of tileK positions, at most 65535 splits. `positionsPerSplit` forces a length.
 */
export function convWeightSplits(d: ConvDims, t: GemmTiles, software: boolean, positionsPerSplit?: number): PositionSplits {
  const { oh, ow } = convOut(d);
  const positions = d.n * oh * ow;
  const tiles = Math.ceil(d.o / t.tileM) * Math.ceil((d.c * d.k * d.k + 1) / t.tileN);
  const wanted = Math.max(1, Math.ceil((software ? 8 : 1024) / tiles));
  let splitLen = positionsPerSplit ?? Math.ceil(Math.ceil(positions / wanted) / t.tileK) * t.tileK;
  splitLen = Math.max(splitLen, Math.ceil(positions / 65535), 1);
  return { splitLen, splits: Math.ceil(positions / splitLen) };
}

/** Workgroups of the weight-gradient kernels: the output's tiles over x and y, the splits over z. */
export function convWeightGrid(t: GemmTiles, d: ConvDims, splits: number): [number, number, number] {
  return [...tileGrid(t, d.o, d.c * d.k * d.k + 1), splits];
}

function checkSplit(what: string, d: ConvDims, split: PositionSplits): void {
  const { oh, ow } = convOut(d);
  const positions = d.n * oh * ow;
  if (split.splits > 65535 || split.splits < 1 || split.splitLen * split.splits < positions) {
    throw new Error(`${what}: splits ${JSON.stringify(split)} do not cover the ${positions} positions`);
  }
}

export interface Conv2dBackwardWeightsArgs {
  partials: GPUBuffer; // (O·C·k·k + O, splits) output: convGradientRows(dims) · splits floats
  dy: GPUBuffer; // (N, O, OH, OW) the gradient at the conv's output (after the ReLU's mask)
  x: GPUBuffer; // (N, C, H, W) the conv's input
  dims: ConvDims;
  split: PositionSplits;
  tiles: Tiles;
}

/** One conv's split partial sums of dWt and db (sum them with convGradientReduceStep). */
export async function conv2dBackwardWeightsStep(ctx: GpuContext, owner: UniformMaker, a: Conv2dBackwardWeightsArgs): Promise<Step> {
  checkConv('conv2d_backward_weights', a.dims);
  checkSplit('conv2d_backward_weights', a.dims, a.split);
  const t = convWeightTiles(a.tiles, a.dims);
  const kernel = await getKernel(ctx, KERNELS.conv2dBackwardWeights, tileConstants(t));
  const dims = owner.uniform(`conv2d_backward_weights dims ${label(a.dims)}`, convDimsUniform('conv2dBackwardWeights', a.dims, { split: a.split }));
  const group = kernel.bind(`conv2d_backward_weights ${label(a.dims)}`, [a.partials, a.dy, a.x, dims]);
  return { kernel, group, workgroups: convWeightGrid(t, a.dims, a.split.splits), cost: CONV_COSTS.conv2dBackwardWeights(a.dims, a.split.splits) };
}

export interface Conv2dPoolBackwardWeightsArgs {
  partials: GPUBuffer; // (O·C·k·k + O, splits) output
  dpooled: GPUBuffer; // (N, O, PH, PW) the gradient at the pool's output
  argmax: GPUBuffer; // (N, O, PH, PW) u32 from the forward
  pooled: GPUBuffer; // (N, O, PH, PW) the forward's pooled values
  x: GPUBuffer; // (N, C, H, W)
  dims: ConvDims;
  pool: number;
  split: PositionSplits;
  tiles: Tiles;
}

/** The fused backward of Conv2d → ReLU → MaxPool2d: split partials of dWt and db straight from the pooled gradient. */
export async function conv2dPoolBackwardWeightsStep(ctx: GpuContext, owner: UniformMaker, a: Conv2dPoolBackwardWeightsArgs): Promise<Step> {
  checkConv('conv2d_pool_backward_weights', a.dims);
  checkPool('conv2d_pool_backward_weights', poolAfterConv(a.dims, a.pool));
  checkSplit('conv2d_pool_backward_weights', a.dims, a.split);
  const t = convWeightTiles(a.tiles, a.dims);
  const kernel = await getKernel(ctx, KERNELS.conv2dPoolBackwardWeights, tileConstants(t));
  const what = `${label(a.dims)} pool ${a.pool}`;
  const dims = owner.uniform(`conv2d_pool_backward_weights dims ${what}`, convDimsUniform('conv2dPoolBackwardWeights', a.dims, { split: a.split, pool: a.pool }));
  const group = kernel.bind(`conv2d_pool_backward_weights ${what}`, [a.partials, a.dpooled, a.argmax, a.pooled, a.x, dims]);
  return { kernel, group, workgroups: convWeightGrid(t, a.dims, a.split.splits), cost: CONV_COSTS.conv2dPoolBackwardWeights(a.dims, a.pool, a.split.splits) };
}

/** Sums a conv's partials in split order into the flat gradient block at dims.wOffset (Wt then b). */
export function convGradientReduceStep(ctx: GpuContext, owner: UniformMaker, a: { grads: GPUBuffer; partials: GPUBuffer; epochIndex: GPUBuffer; dims: ConvDims; split: PositionSplits }): Promise<Step> {
  return splitKReduceStep(ctx, owner, { out: a.grads, partials: a.partials, epochIndex: a.epochIndex, rows: convGradientRows(a.dims), splits: a.split.splits, outOffset: a.dims.wOffset });
}

// ---- pooling

export interface MaxpoolForwardArgs {
  out: GPUBuffer; // (N, C, PH, PW) output
  argmax: GPUBuffer; // (N, C, PH, PW) u32 output: y·W + x in the input plane
  x: GPUBuffer; // (N, C, H, W)
  dims: PoolDims;
}

/** MaxPool2d's forward with torch's argmax. */
export async function maxpoolForwardStep(ctx: GpuContext, owner: UniformMaker, a: MaxpoolForwardArgs): Promise<Step> {
  checkPool('maxpool_forward', a.dims);
  const { ph, pw } = poolOut(a.dims);
  const kernel = await getKernel(ctx, KERNELS.maxpoolForward, { WG: POOL_WG });
  const what = `${a.dims.c}×${a.dims.h}×${a.dims.w} k${a.dims.k}`;
  const dims = owner.uniform(`maxpool_forward dims ${what}`, poolDimsUniform('maxpoolForward', a.dims));
  const group = kernel.bind(`maxpool_forward ${what}`, [a.out, a.argmax, a.x, dims]);
  return { kernel, group, workgroups: elementWorkgroups(a.dims.n * a.dims.c * ph * pw, POOL_WG, ctx.plan), cost: CONV_COSTS.maxpoolForward(a.dims) };
}

export interface MaxpoolBackwardArgs {
  dx: GPUBuffer; // (N, C, H, W) output: every element written
  dout: GPUBuffer; // (N, C, PH, PW)
  argmax: GPUBuffer; // (N, C, PH, PW) u32
  dims: PoolDims;
  /** the pool's output (N, C, PH, PW) when a ReLU comes before the pool: dx passes only where it is > 0 */
  mask?: GPUBuffer;
}

/** MaxPool2d's backward, with the ReLU before it when `mask` is given. */
export async function maxpoolBackwardStep(ctx: GpuContext, owner: UniformMaker, a: MaxpoolBackwardArgs): Promise<Step> {
  checkPool('maxpool_backward', a.dims);
  const kernel = await getKernel(ctx, KERNELS.maxpoolBackward, { WG: POOL_WG, MASK: a.mask ? 1 : 0 });
  const what = `${a.dims.c}×${a.dims.h}×${a.dims.w} k${a.dims.k}`;
  const dims = owner.uniform(`maxpool_backward dims ${what}`, poolDimsUniform('maxpoolBackward', a.dims));
  // Without a mask the pooled binding is never read; dout stands in for it.
  const group = kernel.bind(`maxpool_backward ${what}`, [a.dx, a.dout, a.argmax, a.mask ?? a.dout, dims]);
  return { kernel, group, workgroups: elementWorkgroups(a.dims.n * a.dims.c * a.dims.h * a.dims.w, POOL_WG, ctx.plan), cost: CONV_COSTS.maxpoolBackward(a.dims, a.mask !== undefined) };
}

// ---- costs and limits

/** FLOPs and compulsory bytes of one dispatch (as bench/cost.ts: a multiply-add is 2 FLOPs, 4 bytes a float or index). */
export interface ConvCost {
  flops: number;
  bytes: number;
}

const F = 4;

/** Floats of each tensor of a conv (and of the pool after it). */
function convSizes(d: ConvDims, pool = 1) {
  const { oh, ow } = convOut(d);
  const { ph, pw } = poolOut({ h: oh, w: ow, k: pool });
  const patch = d.c * d.k * d.k;
  return { x: d.n * d.c * d.h * d.w, y: d.n * d.o * oh * ow, pooled: d.n * d.o * ph * pw, positions: d.n * oh * ow, windows: d.n * ph * pw * pool * pool, patch, params: d.o * patch + d.o };
}

/**
 * The cost of each conv and pooling kernel. Products count the useful multiply-adds, 2·positions·O·C·k·k
 * (the backward input's taps outside the image and the fused backward's zeros off the argmax are not work).
 */
export const CONV_COSTS = {
  /** Y = epilogue(conv(X) + b): 2·N·OH·OW·O·C·k² + a bias add (and a ReLU) per output; X, Wt, b read once, Y written. */
  conv2dForward: (d: ConvDims, epilogue: ConvEpilogue): ConvCost => {
    const s = convSizes(d);
    return { flops: 2 * s.y * s.patch + s.y * (1 + epilogue), bytes: F * (s.x + s.params + s.y) };
  },
  /** The windows' conv outputs (2·C·k² each), bias, ReLU and a compare per window element; X, params read, pooled and argmax written. */
  conv2dPoolForward: (d: ConvDims, pool: number): ConvCost => {
    const s = convSizes(d, pool);
    return { flops: s.windows * d.o * (2 * s.patch + 3), bytes: F * (s.x + s.params + 2 * s.pooled) };
  },
  /** dX = conv_transpose(dY, Wt): the forward's 2·N·OH·OW·O·C·k²; dY, Wt read, dX written. */
  conv2dBackwardInput: (d: ConvDims): ConvCost => {
    const s = convSizes(d);
    return { flops: 2 * s.y * s.patch, bytes: F * (s.y + s.params - d.o + s.x) };
  },
  /** dWt, db as `splits` partials: 2·N·OH·OW·O·C·k² + N·OH·OW·O; dY, X read, the partials written. */
  conv2dBackwardWeights: (d: ConvDims, splits: number): ConvCost => {
    const s = convSizes(d);
    return { flops: 2 * s.y * s.patch + s.y, bytes: F * (s.y + s.x + s.params * splits) };
  },
  /** As conv2dBackwardWeights over the nonzero dZ (one per window); dP, argmax, P and X read, the partials written. */
  conv2dPoolBackwardWeights: (d: ConvDims, pool: number, splits: number): ConvCost => {
    const s = convSizes(d, pool);
    return { flops: s.pooled * (2 * s.patch + 1), bytes: F * (3 * s.pooled + s.x + s.params * splits) };
  },
  /** A compare per window element; each window read once, out and argmax written. */
  maxpoolForward: (d: PoolDims): ConvCost => {
    const { ph, pw } = poolOut(d);
    const out = d.n * d.c * ph * pw;
    return { flops: out * d.k * d.k, bytes: F * (out * d.k * d.k + 2 * out) };
  },
  /** A compare per input element; dOut and argmax (and the mask) read, dX written. */
  maxpoolBackward: (d: PoolDims, masked: boolean): ConvCost => {
    const { ph, pw } = poolOut(d);
    const out = d.n * d.c * ph * pw;
    const count = d.n * d.c * d.h * d.w;
    return { flops: count, bytes: F * (count + (masked ? 3 : 2) * out) };
  },
} as const;

/** Which device limit a buffer passes and a message naming it and the size (shaped as src/train/strategy.ts LimitProblem). */
export interface ConvLimitProblem {
  readonly limit: 'maxStorageBufferBindingSize';
  readonly message: string;
}

/**
 * Whether one conv layer's buffers fit the device's bindings: X and dX (N, C, H, W), the conv's
 * output (N, O, OH, OW) unless `fused`, the pooled map and argmax when `pool` is given, the
 * weight-gradient partials (O·C·k·k + O, splits). Returns the first that does not, naming
 * maxStorageBufferBindingSize/maxBufferSize and the size, or undefined when all fit.
 */
export function convBindingProblem(
  name: string,
  limits: Pick<GPUSupportedLimits, 'maxStorageBufferBindingSize' | 'maxBufferSize'>,
  d: ConvDims,
  opts: { pool?: number; fused?: boolean; splits: number },
): ConvLimitProblem | undefined {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const s = convSizes(d, opts.pool ?? 1);
  const { oh, ow } = convOut(d);
  const needs: [number, string][] = [[F * s.x, `the conv's input, ${d.n}×${d.c}×${d.h}×${d.w} floats`]];
  if (!opts.fused) needs.push([F * s.y, `the conv's output, ${d.n}×${d.o}×${oh}×${ow} floats`]);
  if (opts.pool !== undefined) needs.push([F * s.pooled, `the pooled map, ${s.pooled} floats`]);
  needs.push([F * s.params * opts.splits, `the weight gradient's split partial sums, ${s.params}×${opts.splits} floats`]);
  for (const [bytes, what] of needs) {
    if (bytes > limit) {
      return {
        limit: 'maxStorageBufferBindingSize',
        message: `${name} needs a ${bytes}-byte buffer for ${what}, over this device's maxStorageBufferBindingSize/maxBufferSize of ${limit} bytes; use smaller batches (fewer images per step)`,
      };
    }
  }
  return undefined;
}

// ---- a whole Conv2d → ReLU → MaxPool2d block

/** How one Conv2d → ReLU → MaxPool2d((pool,pool)) block runs: fused (pool 1 or 2) or unfused, its tiles and splits. */
export interface ConvBlockPlan {
  dims: ConvDims;
  pool: number;
  fused: boolean;
  tiles: TilePresetName | GemmTiles;
  split: PositionSplits;
  /** Floats (or u32 indices) of each buffer the block's steps bind; `map` is 0 when fused. */
  floats: { x: number; pooled: number; argmax: number; partials: number; map: number; grads: number };
}

/**
 * The plan of a block: fused where the pool allows (FUSABLE_POOLS) unless `fused` says otherwise,
 * at `tiles` (defaultConvTilePreset(ctx) for the adapter's choice), the weight gradient's splits
 * from convWeightSplits for a software adapter or a GPU (`software`), or `positionsPerSplit`.
 */
export function convBlockPlan(
  dims: ConvDims,
  pool: number,
  options: { tiles: TilePresetName | GemmTiles; software: boolean; fused?: boolean; positionsPerSplit?: number },
): ConvBlockPlan {
  const fused = options.fused ?? FUSABLE_POOLS.includes(pool);
  if (fused && !FUSABLE_POOLS.includes(pool)) throw new Error(`a fused conv block pools by ${FUSABLE_POOLS.join(' or ')}, not ${pool}`);
  const { tiles } = options;
  const split = convWeightSplits(dims, convWeightTiles(tiles, dims), options.software, options.positionsPerSplit);
  const s = convSizes(dims, pool);
  return { dims, pool, fused, tiles, split, floats: { x: s.x, pooled: s.pooled, argmax: s.pooled, partials: s.params * split.splits, map: fused ? 0 : s.y, grads: s.params } };
}

/** The buffers of a block's steps; shapes as in its plan. */
export interface ConvBlockBuffers {
  x: GPUBuffer; // (N, C, H, W) the block's input
  params: GPUBuffer; // flat: Wt then b at dims.wOffset
  grads: GPUBuffer; // flat gradient block: Wt's then b's gradients written at dims.wOffset
  epochIndex: GPUBuffer; // EpochIndex at a 256-byte stride (split_k_reduce binds it)
  pooled: GPUBuffer; // (N, O, PH, PW) output of the forward: the block's output, what Flatten views
  argmax: GPUBuffer; // (N, O, PH, PW) u32, written by the forward, read by the backward
  dpooled: GPUBuffer; // (N, O, PH, PW) input of the backward: the gradient at the block's output
  partials: GPUBuffer; // (O·C·k·k + O, splits) scratch of the weight gradient
  /** unfused only: (N, O, OH, OW) scratch, the ReLU'd conv output in the forward, its gradient in the backward */
  map?: GPUBuffer;
  /** (N, C, H, W) the gradient at the block's input, when it has one (not for the first layer): needs `map`, so unfused */
  dx?: GPUBuffer;
}

/**
 * The forward and backward steps of a block. Forward: pooled, argmax (fused: one dispatch;
 * unfused: conv2d_forward with ReLU into map, maxpool_forward). Backward: the weight gradients
 * into grads at dims.wOffset (fused: conv2d_pool_backward_weights; unfused: maxpool_backward with
 * the ReLU mask into map, conv2d_backward_weights), split_k_reduce, and with `dx` the gradient at
 * the input (conv2d_backward_input from map). Fused and unfused write the same bits.
 */
export async function convBlockSteps(ctx: GpuContext, owner: UniformMaker, plan: ConvBlockPlan, b: ConvBlockBuffers): Promise<{ forward: Step[]; backward: Step[] }> {
  const { dims, pool, tiles, split } = plan;
  const pd = poolAfterConv(dims, pool);
  const reduce = () => convGradientReduceStep(ctx, owner, { grads: b.grads, partials: b.partials, epochIndex: b.epochIndex, dims, split });
  if (plan.fused) {
    if (b.dx) throw new Error('convBlockSteps: the fused block has no (N, O, OH, OW) gradient for dx; plan it unfused');
    return {
      forward: [await conv2dPoolForwardStep(ctx, owner, { pooled: b.pooled, argmax: b.argmax, x: b.x, params: b.params, dims, pool, tiles })],
      backward: [await conv2dPoolBackwardWeightsStep(ctx, owner, { partials: b.partials, dpooled: b.dpooled, argmax: b.argmax, pooled: b.pooled, x: b.x, dims, pool, split, tiles }), await reduce()],
    };
  }
  if (!b.map) throw new Error('convBlockSteps: an unfused block needs its (N, O, OH, OW) map buffer');
  const backward = [
    await maxpoolBackwardStep(ctx, owner, { dx: b.map, dout: b.dpooled, argmax: b.argmax, dims: pd, mask: b.pooled }),
    await conv2dBackwardWeightsStep(ctx, owner, { partials: b.partials, dy: b.map, x: b.x, dims, split, tiles }),
    await reduce(),
  ];
  if (b.dx) backward.push(await conv2dBackwardInputStep(ctx, owner, { dx: b.dx, dy: b.map, params: b.params, dims, tiles }));
  return {
    forward: [await conv2dForwardStep(ctx, owner, { y: b.map, x: b.x, params: b.params, dims, epilogue: 1, tiles }), await maxpoolForwardStep(ctx, owner, { out: b.pooled, argmax: b.argmax, x: b.map, dims: pd })],
    backward,
  };
}
