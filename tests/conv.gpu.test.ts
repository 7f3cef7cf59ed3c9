// The convolution and pooling kernels against their hand-written CPU twins (src/cpu/conv.ts) at
// every tile preset, on small odd shapes (N=2, C×H×W in {1×5×5, 3×7×6, 2×9×8}, k in {1, 2, 3, 5},
// O in {1, 3, 16}) and, at the default presets, the course's MNIST layer (N=3, 1×28×28 → 16, k=5,
// pool 2) through the step builders; max-pool argmax exactly, ties and NaNs included; the fused
// kernels against the unfused chain bit for bit; the weight gradients' reruns bit for bit; the
// block builder (convBlockPlan, convBlockSteps) fused and unfused.
// Each GEMM pipeline costs a second or more to compile on SwiftShader, so each preset compiles one
// per kernel: the tiles the step builders fit to the MNIST layer, used as they are on the odd
// shapes too (larger or smaller than their outputs: the bounds' clamps and several blocks), and
// epilogue 0 and pool 1 only at the default presets.
import { describe, expect, test } from 'vitest';
import * as twin from '../src/cpu/conv';
import { splitKReduce } from '../src/cpu/gemm';
import type { GpuContext } from '../src/gpu/context';
import {
  CONV_TILE_PRESET_NAMES,
  conv2dBackwardInputTiles,
  conv2dForwardGrid,
  conv2dForwardTiles,
  conv2dPoolGrid,
  conv2dPoolTiles,
  convBlockPlan,
  convBlockSteps,
  convDimsUniform,
  convWeightGrid,
  convWeightSplits,
  convWeightTiles,
  poolDimsUniform,
  POOL_WG,
} from '../src/gpu/conv';
import { readFloats } from '../src/gpu/readback';
import { encodeSteps, type Step } from '../src/train/steps';
import { GEMM_KERNELS, reduceGrid, splitKReduceDims, tileConstants, tileGrid, type GemmTiles, type TilePresetName } from '../src/gpu/gemm';
import { elementWorkgroups } from '../src/gpu/grid';
import { KERNELS } from '../src/gpu/kernels';
import { expectClose, withDevice } from './gpu';
import { rng, runKernel, words } from './harness';

const { convBiasOffset, convGradientRows, convOut, poolAfterConv, poolOut } = twin;
type Dims = twin.ConvDims;

const SHAPES: Dims[] = [
  { n: 2, c: 1, h: 5, w: 5, o: 3, k: 3, wOffset: 3 },
  { n: 2, c: 3, h: 7, w: 6, o: 16, k: 2, wOffset: 1 },
  { n: 2, c: 2, h: 9, w: 8, o: 1, k: 5, wOffset: 0 },
  { n: 2, c: 3, h: 7, w: 6, o: 3, k: 1, wOffset: 2 },
  { n: 2, c: 1, h: 5, w: 5, o: 16, k: 5, wOffset: 1 }, // a 1×1 output
];
const MNIST: Dims = { n: 3, c: 1, h: 28, w: 28, o: 16, k: 5, wOffset: 5 };
/** The presets defaultConvTilePreset picks (software adapter, GPU). */
const isDefault = (preset: TilePresetName) => preset === 'software' || preset === 'medium';
const name = (d: Dims) => `N=${d.n} ${d.c}×${d.h}×${d.w}→${d.o} k${d.k}`;

/** Multiples of 1/8 in [-1, 1]: every product and sum here is exact in float32, so ties are real ties. */
function grid8(n: number, seed: number): Float32Array<ArrayBuffer> {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.round(r(-8, 8)) / 8);
}
function uniform(n: number, seed: number): Float32Array<ArrayBuffer> {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r(-1, 1));
}

interface Layer {
  d: Dims;
  x: Float32Array<ArrayBuffer>; // (N, C, H, W)
  params: Float32Array<ArrayBuffer>; // padding, Wt, b
  dy: Float32Array<ArrayBuffer>; // (N, O, OH, OW)
}
function layer(d: Dims, make: (n: number, seed: number) => Float32Array<ArrayBuffer>): Layer {
  const { oh, ow } = convOut(d);
  const seed = d.c * 1000 + d.h * 100 + d.o * 10 + d.k;
  return { d, x: make(d.n * d.c * d.h * d.w, seed), params: make(convBiasOffset(d) + d.o, seed + 1), dy: make(d.n * d.o * oh * ow, seed + 2) };
}

const U = 2 ** -24;
const absOf = (v: Float32Array) => v.map(Math.abs);
/** Sums of K products: a few √K·u·max Σ|terms| (the twin on |inputs|), plus the last rounding. */
function check(actual: Float32Array, want: Float64Array, sums: Float64Array, k: number, what: string): void {
  let worst = 0;
  for (const s of sums) worst = Math.max(worst, s);
  expectClose(actual, want, 1e-7 + 4 * Math.sqrt(k) * U * worst, 2 * U, what);
}
const asU32 = (f: Float32Array<ArrayBuffer>) => new Uint32Array(f.buffer, f.byteOffset, f.length);
function bitDifferences(a: Float32Array<ArrayBuffer>, b: Float32Array<ArrayBuffer>): number {
  const ua = asU32(a);
  const ub = asU32(b);
  let d = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let i = 0; i < Math.min(ua.length, ub.length); i++) if (ua[i] !== ub[i]) d++;
  return d;
}
/** The same value, NaN matching NaN. */
function expectSameValues(actual: Float32Array, want: ArrayLike<number>, what: string): void {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (!Object.is(actual[i], Math.fround(want[i])) && !(Number.isNaN(actual[i]) && Number.isNaN(want[i]))) bad.push(`[${i}] ${actual[i]} vs ${want[i]}`);
  expect(bad.slice(0, 5), what).toEqual([]);
}

// ---- the runs

/** Each kernel's tiles: what the step builders pick for the MNIST layer at a preset. */
interface TileSet {
  forward: GemmTiles;
  backwardInput: GemmTiles;
  weights: GemmTiles;
  pool: (pool: number) => GemmTiles;
}
function tileSet(preset: TilePresetName): TileSet {
  return {
    forward: conv2dForwardTiles(preset, MNIST),
    backwardInput: conv2dBackwardInputTiles(preset, MNIST),
    weights: convWeightTiles(preset, MNIST),
    pool: (pool) => conv2dPoolTiles(preset, MNIST, pool),
  };
}

async function forward(ctx: GpuContext, l: Layer, ts: TileSet, epilogue: twin.ConvEpilogue) {
  const { oh, ow } = convOut(l.d);
  const tiles = ts.forward;
  const [y] = await runKernel(ctx, KERNELS.conv2dForward, { ...tileConstants(tiles), EPILOGUE: epilogue }, [new Float32Array(l.d.n * l.d.o * oh * ow), l.x, l.params, convDimsUniform('conv2dForward', l.d)], conv2dForwardGrid(tiles, l.d));
  return y;
}

async function poolForward(ctx: GpuContext, l: Layer, ts: TileSet, pool: number) {
  const { ph, pw } = poolOut(poolAfterConv(l.d, pool));
  const count = l.d.n * l.d.o * ph * pw;
  const t = ts.pool(pool);
  const [pooled, argmax] = await runKernel(ctx, KERNELS.conv2dPoolForward, tileConstants(t), [new Float32Array(count), new Uint32Array(count), l.x, l.params, convDimsUniform('conv2dPoolForward', l.d, { pool })], conv2dPoolGrid(t, l.d, pool));
  return { pooled, argmax: asU32(argmax) };
}

async function backwardInput(ctx: GpuContext, l: Layer, ts: TileSet) {
  const tiles = ts.backwardInput;
  const count = l.d.n * l.d.c * l.d.h * l.d.w;
  const [dx] = await runKernel(ctx, KERNELS.conv2dBackwardInput, tileConstants(tiles), [new Float32Array(count), l.dy, l.params, convDimsUniform('conv2dBackwardInput', l.d)], tileGrid(tiles, l.d.n * l.d.h * l.d.w, l.d.c));
  return dx;
}

async function backwardWeights(ctx: GpuContext, l: Layer, ts: TileSet, split: twin.PositionSplits, dy = l.dy) {
  const tiles = ts.weights;
  const [partials] = await runKernel(ctx, KERNELS.conv2dBackwardWeights, tileConstants(tiles), [new Float32Array(convGradientRows(l.d) * split.splits), dy, l.x, convDimsUniform('conv2dBackwardWeights', l.d, { split })], convWeightGrid(tiles, l.d, split.splits));
  return partials;
}

async function poolBackwardWeights(ctx: GpuContext, l: Layer, ts: TileSet, pool: number, split: twin.PositionSplits, dpooled: Float32Array<ArrayBuffer>, argmax: Uint32Array<ArrayBuffer>, pooled: Float32Array<ArrayBuffer>) {
  const tiles = ts.weights;
  const [partials] = await runKernel(
    ctx,
    KERNELS.conv2dPoolBackwardWeights,
    tileConstants(tiles),
    [new Float32Array(convGradientRows(l.d) * split.splits), dpooled, argmax, pooled, l.x, convDimsUniform('conv2dPoolBackwardWeights', l.d, { split, pool })],
    convWeightGrid(tiles, l.d, split.splits),
  );
  return partials;
}

async function maxpool(ctx: GpuContext, x: Float32Array<ArrayBuffer>, d: twin.PoolDims) {
  const { ph, pw } = poolOut(d);
  const count = d.n * d.c * ph * pw;
  const [out, argmax] = await runKernel(ctx, KERNELS.maxpoolForward, { WG: POOL_WG }, [new Float32Array(count), new Uint32Array(count), x, poolDimsUniform('maxpoolForward', d)], elementWorkgroups(count, POOL_WG, ctx.plan));
  return { out, argmax: asU32(argmax) };
}

async function maxpoolBack(ctx: GpuContext, dout: Float32Array<ArrayBuffer>, argmax: Uint32Array<ArrayBuffer>, d: twin.PoolDims, pooled?: Float32Array<ArrayBuffer>) {
  const count = d.n * d.c * d.h * d.w;
  const [dx] = await runKernel(ctx, KERNELS.maxpoolBackward, { WG: POOL_WG, MASK: pooled ? 1 : 0 }, [new Float32Array(count), dout, argmax, pooled ?? dout, poolDimsUniform('maxpoolBackward', d)], elementWorkgroups(count, POOL_WG, ctx.plan));
  return dx;
}

/** The twin's partials summed in split order: the flat gradient block. */
function reduced(partials: Float64Array, rows: number, splits: number): Float64Array {
  const out = new Float64Array(rows);
  splitKReduce(out, partials, { rows, splits, outOffset: 0 });
  return out;
}

describe.each(CONV_TILE_PRESET_NAMES)('tile preset %s', (preset: TilePresetName) => {
  const tiles = tileSet(preset);

  test('every conv kernel against the twins on odd shapes, the fused ones against the chain; the MNIST layer through the step builders at the default presets', async () => {
    await withDevice(async (ctx) => {
      for (const [s, d] of SHAPES.entries()) {
        const l = layer(d, uniform);
        const { oh, ow } = convOut(d);
        const patch = d.c * d.k * d.k;
        const epilogue = (isDefault(preset) ? s % 2 : 1) as twin.ConvEpilogue;
        const want = new Float64Array(d.n * d.o * oh * ow);
        const sums = new Float64Array(want.length);
        twin.conv2dForward(want, l.x, l.params, d, epilogue);
        twin.conv2dForward(sums, absOf(l.x), absOf(l.params), d, 0);
        check(await forward(ctx, l, tiles, epilogue), want, sums, patch, `conv2d_forward ${preset} ${name(d)} epilogue ${epilogue}`);

        const wantDx = new Float64Array(d.n * d.c * d.h * d.w);
        const sumsDx = new Float64Array(wantDx.length);
        twin.conv2dBackwardInput(wantDx, l.dy, l.params, d);
        twin.conv2dBackwardInput(sumsDx, absOf(l.dy), absOf(l.params), d);
        check(await backwardInput(ctx, l, tiles), wantDx, sumsDx, d.o * d.k * d.k, `conv2d_backward_input ${preset} ${name(d)}`);

        const rows = convGradientRows(d);
        // the helper's split (software), and 7 positions: no tileK's multiple, the last split short
        for (const split of [convWeightSplits(d, tiles.weights, true), { splitLen: 7, splits: Math.ceil((d.n * oh * ow) / 7) }]) {
          const partials = await backwardWeights(ctx, l, tiles, split);
          const wantW = new Float64Array(rows * split.splits);
          const sumsW = new Float64Array(wantW.length);
          twin.conv2dBackwardWeights(wantW, l.dy, l.x, d, split);
          twin.conv2dBackwardWeights(sumsW, absOf(l.dy), absOf(l.x), d, split);
          const what = `conv2d_backward_weights ${preset} ${name(d)} split ${split.splitLen}×${split.splits}`;
          check(partials, wantW, sumsW, split.splitLen, what);
          const [grads] = await runKernel(ctx, GEMM_KERNELS.splitKReduce, { WG: 64 }, [new Float32Array(d.wOffset + rows), partials, splitKReduceDims({ rows, splits: split.splits, outOffset: d.wOffset }), words([0])], reduceGrid(rows));
          check(grads.subarray(d.wOffset), reduced(wantW, rows, split.splits), reduced(sumsW, rows, split.splits), d.n * oh * ow, `${what}, reduced`);
        }
      }
      await fusedAgainstChain(ctx, preset, tiles);
      if (isDefault(preset)) await mnistChecks(ctx, preset);
    });
  });
});

/**
 * conv2d_pool_forward and conv2d_pool_backward_weights on 1/8 grids, where every sum is exact (so
 * ties are real ties): the twins exactly, argmax included, and bit for bit the unfused chain
 * conv2d_forward (ReLU) → maxpool_forward, maxpool_backward (mask) → conv2d_backward_weights.
 */
async function fusedAgainstChain(ctx: GpuContext, preset: TilePresetName, tiles: TileSet): Promise<void> {
  for (const d of SHAPES) {
    const { oh, ow } = convOut(d);
    for (const pool of (isDefault(preset) ? [1, 2] : [2]).filter((p) => p <= Math.min(oh, ow))) {
      const l = layer(d, grid8);
      const pd = poolAfterConv(d, pool);
      const { ph, pw } = poolOut(pd);
      const count = d.n * d.o * ph * pw;
      const what = `${preset} ${name(d)} pool ${pool}`;
      const { pooled, argmax } = await poolForward(ctx, l, tiles, pool);
      const wantPooled = new Float64Array(count);
      const wantArgmax = new Uint32Array(count);
      twin.conv2dPoolForward(wantPooled, wantArgmax, l.x, l.params, d, pool);
      expect(Array.from(argmax), `argmax ${what}`).toEqual(Array.from(wantArgmax));
      expectClose(pooled, wantPooled, 0, 0, `pooled ${what}`);

      // the unfused chain: conv + ReLU, maxpool, maxpool backward with the ReLU mask, backward weights
      const act = await forward(ctx, l, tiles, 1);
      const plain = await maxpool(ctx, act, pd);
      expect(bitDifferences(plain.out, pooled), `pooled vs conv2d_forward + maxpool_forward ${what}`).toBe(0);
      expect(Array.from(plain.argmax), `argmax vs maxpool_forward ${what}`).toEqual(Array.from(argmax));
      const dpooled = grid8(count, count);
      const split = convWeightSplits(d, tiles.weights, true);
      const fused = await poolBackwardWeights(ctx, l, tiles, pool, split, dpooled, argmax, pooled);
      const dz = await maxpoolBack(ctx, dpooled, argmax, pd, pooled);
      const chain = await backwardWeights(ctx, l, tiles, split, dz);
      expect(bitDifferences(fused, chain), `fused backward weights vs maxpool_backward + conv2d_backward_weights ${what}`).toBe(0);
      const want = new Float64Array(fused.length);
      twin.conv2dPoolBackwardWeights(want, dpooled, argmax, pooled, l.x, d, pool, split);
      expectClose(fused, want, 0, 0, `conv2d_pool_backward_weights ${what}`);
    }
  }
}

test('maxpool_forward and maxpool_backward: k = 1, 2, 3, 5 on odd shapes; ties to the first, NaN wins, floor mode', async () => {
  await withDevice(async (ctx) => {
    const nan = NaN;
    // the by-hand case of tests/conv.test.ts
    const hand = Float32Array.from([1, 1, 0, 3, 9, 1, 1, 3, nan, 9, -2, -1, nan, 2, 9, -1, -2, 5, nan, 9, 9, 9, 9, 9, 9]);
    const handDims = { n: 1, c: 1, h: 5, w: 5, k: 2 };
    const got = await maxpool(ctx, hand, handDims);
    expect(Array.from(got.argmax)).toEqual([0, 8, 11, 18]);
    expectSameValues(got.out, [1, nan, -1, nan], 'by-hand pooled');

    for (const [s, d] of [
      { n: 2, c: 1, h: 5, w: 5, k: 2 },
      { n: 2, c: 3, h: 7, w: 6, k: 3 },
      { n: 2, c: 2, h: 9, w: 8, k: 5 },
      { n: 2, c: 3, h: 7, w: 6, k: 1 },
      { n: 3, c: 16, h: 24, w: 24, k: 2 },
    ].entries()) {
      const count = d.n * d.c * d.h * d.w;
      const r = rng(77 + s);
      // a coarse grid, so windows tie; a few NaNs and -0s
      const x = Float32Array.from({ length: count }, () => {
        const u = r();
        return u < 0.03 ? nan : u < 0.06 ? -0 : Math.round(r(-3, 3));
      });
      const { ph, pw } = poolOut(d);
      const out = await maxpool(ctx, x, d);
      const wantOut = new Float64Array(d.n * d.c * ph * pw);
      const wantArg = new Uint32Array(wantOut.length);
      twin.maxpoolForward(wantOut, wantArg, x, d);
      expect(Array.from(out.argmax), `argmax ${JSON.stringify(d)}`).toEqual(Array.from(wantArg));
      expectSameValues(out.out, wantOut, `pooled ${JSON.stringify(d)}`);

      const dout = uniform(wantOut.length, s);
      const pooledMask = Float32Array.from(wantOut, (v) => v);
      for (const mask of [undefined, pooledMask]) {
        const dx = await maxpoolBack(ctx, dout, out.argmax, d, mask);
        const want = new Float64Array(count);
        twin.maxpoolBackward(want, dout, wantArg, d, mask);
        expectSameValues(dx, want, `maxpool_backward ${JSON.stringify(d)} mask ${mask !== undefined}`);
      }
    }
  });
});

/** Buffers for one test, all destroyed after: storage holding values, and uniforms (a UniformMaker). */
function bufferSet(ctx: GpuContext) {
  const made: GPUBuffer[] = [];
  const { STORAGE, UNIFORM, COPY_DST, COPY_SRC } = GPUBufferUsage;
  const make = (label: string, data: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, usage: number) => {
    const b = ctx.createBuffer(label, Math.max(16, data.byteLength), usage | COPY_DST);
    ctx.device.queue.writeBuffer(b, 0, data);
    made.push(b);
    return b;
  };
  return {
    data: (label: string, values: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>) => make(label, values, STORAGE | COPY_SRC),
    storage: (label: string, floats: number) => make(label, new Float32Array(floats), STORAGE | COPY_SRC),
    uniform: (label: string, words: Uint32Array<ArrayBuffer>) => make(label, words, UNIFORM),
    destroy: () => made.forEach((b) => ctx.destroyBuffer(b)),
  };
}

const MNIST_POOL = 2;

/**
 * The MNIST layer's whole epoch as a Conv2d → ReLU → MaxPool2d block (convBlockPlan,
 * convBlockSteps), fused and unfused side by side on buffers sized by their plans, at a preset
 * (with the software adapter's few splits at `software`, the GPU's many at `medium`); run twice.
 */
async function mnistSteps(ctx: GpuContext, l: Layer, dpooledValues: Float32Array<ArrayBuffer>, tiles: TilePresetName) {
  const d = l.d;
  const software = tiles === 'software';
  const fusedPlan = convBlockPlan(d, MNIST_POOL, { tiles, software });
  const plainPlan = convBlockPlan(d, MNIST_POOL, { tiles, software, fused: false });
  expect(fusedPlan.fused && !plainPlan.fused && fusedPlan.floats.map === 0).toBe(true);
  const b = bufferSet(ctx);
  try {
    const f = plainPlan.floats;
    const shared = { x: b.data('x', l.x), params: b.data('params', l.params), dpooled: b.data('dpooled', dpooledValues), epochIndex: b.uniform('epoch index', new Uint32Array(64)) };
    const buf = {
      pooled: b.storage('pooled', f.pooled),
      argmax: b.storage('argmax', f.argmax),
      fusedPartials: b.storage('fused partials', fusedPlan.floats.partials),
      fusedGrads: b.storage('fused grads', d.wOffset + f.grads),
      pooled2: b.storage('pooled2', f.pooled),
      argmax2: b.storage('argmax2', f.argmax),
      dz: b.storage('map', f.map),
      dx: b.storage('dx', f.x),
      partials: b.storage('partials', f.partials),
      grads: b.storage('grads', d.wOffset + f.grads),
    };
    const fused = await convBlockSteps(ctx, b, fusedPlan, { ...shared, pooled: buf.pooled, argmax: buf.argmax, partials: buf.fusedPartials, grads: buf.fusedGrads });
    const plain = await convBlockSteps(ctx, b, plainPlan, { ...shared, pooled: buf.pooled2, argmax: buf.argmax2, partials: buf.partials, grads: buf.grads, map: buf.dz, dx: buf.dx });
    const steps: Step[] = [...fused.forward, ...fused.backward, ...plain.forward, ...plain.backward];
    const run = async () => {
      const encoder = ctx.device.createCommandEncoder({ label: 'conv steps' });
      const pass = encoder.beginComputePass({ label: 'conv steps' });
      encodeSteps(pass, steps, 1);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      const out: Record<keyof typeof buf, Float32Array<ArrayBuffer>> = Object.fromEntries(await Promise.all(Object.entries(buf).map(async ([key, buffer]) => [key, await readFloats(ctx, buffer)]))) as never;
      return out;
    };
    const split = plainPlan.split;
    return { first: await run(), second: await run(), what: `${tiles} split ${split.splitLen}×${split.splits}`, split };
  } finally {
    b.destroy();
  }
}

/**
 * The MNIST layer (N=3, 1×28×28 → 16, k=5, pool 2) through the step builders at a preset: on 1/8
 * grids (exact sums) the twins exactly and fused = unfused; on uniform data (rounding everywhere)
 * fused = unfused and reruns bit for bit, and the gradients within the twin's bound.
 */
async function mnistChecks(ctx: GpuContext, preset: TilePresetName): Promise<void> {
  const d = MNIST;
  const pd = poolAfterConv(d, MNIST_POOL);
  const { oh, ow } = convOut(d);
  const { ph, pw } = poolOut(pd);
  const count = d.n * d.o * ph * pw;
  const whole = { splitLen: d.n * oh * ow, splits: 1 };

  const exact = layer(d, grid8);
  const dpooled = grid8(count, 11);
  const want = { pooled: new Float64Array(count), argmax: new Uint32Array(count), dz: new Float64Array(d.n * d.o * oh * ow), dx: new Float64Array(exact.x.length), grads: new Float64Array(convGradientRows(d)) };
  twin.conv2dPoolForward(want.pooled, want.argmax, exact.x, exact.params, d, MNIST_POOL);
  twin.maxpoolBackward(want.dz, dpooled, want.argmax, pd, want.pooled);
  twin.conv2dBackwardInput(want.dx, want.dz, exact.params, d);
  twin.conv2dPoolBackwardWeights(want.grads, dpooled, want.argmax, want.pooled, exact.x, d, MNIST_POOL, whole);
  const { first: got, what } = await mnistSteps(ctx, exact, dpooled, preset);
  expect(Array.from(asU32(got.argmax)), `argmax ${what}`).toEqual(Array.from(want.argmax));
  expectClose(got.pooled, want.pooled, 0, 0, `pooled ${what}`);
  expect(bitDifferences(got.pooled2, got.pooled) + bitDifferences(got.argmax2, got.argmax), `unfused pool ${what}`).toBe(0);
  expectClose(got.dz, want.dz, 0, 0, `dz ${what}`);
  expectClose(got.dx, want.dx, 0, 0, `dx ${what}`);
  expectClose(got.grads.subarray(d.wOffset), want.grads, 0, 0, `grads ${what}`);
  expect(Array.from(got.grads.subarray(0, d.wOffset))).toEqual(new Array<number>(d.wOffset).fill(0));
  expect(bitDifferences(got.fusedGrads, got.grads), `fused grads ${what}`).toBe(0);

  const rounded = layer(d, uniform);
  const dpooledRounded = uniform(count, 12);
  const { first, second, split } = await mnistSteps(ctx, rounded, dpooledRounded, preset);
  expect(split.splits).toBeGreaterThan(1);
  expect(bitDifferences(first.fusedPartials, first.partials), `fused partials, uniform data ${what}`).toBe(0);
  for (const key of Object.keys(first) as (keyof typeof first)[]) expect(bitDifferences(second[key], first[key]), `rerun ${key} ${what}`).toBe(0);
  // the gradients from the GPU's own routing (argmax, mask) against the twin's sums
  const argmax = asU32(first.argmax);
  const wantGrads = new Float64Array(convGradientRows(d));
  const sums = new Float64Array(wantGrads.length);
  twin.conv2dPoolBackwardWeights(wantGrads, dpooledRounded, argmax, first.pooled, rounded.x, d, MNIST_POOL, whole);
  twin.conv2dPoolBackwardWeights(sums, absOf(dpooledRounded), argmax, first.pooled, absOf(rounded.x), d, MNIST_POOL, whole);
  check(first.grads.subarray(d.wOffset), wantGrads, sums, whole.splitLen, `grads, uniform data ${what}`);
}

test('conv2d_forward and conv2d_pool_forward past 65535 workgroups (2-D grid): 1×1 tiles on a 258×258 output', async () => {
  await withDevice(async (ctx) => {
    const d: Dims = { n: 1, c: 1, h: 260, w: 260, o: 2, k: 3, wOffset: 0 };
    const ones: GemmTiles = { tileM: 1, tileN: 1, tileK: 1, tm: 1, tn: 1, shared: false };
    const ts: TileSet = { forward: ones, backwardInput: ones, weights: ones, pool: () => ones };
    expect(conv2dForwardGrid(ones, d)[1]).toBeGreaterThan(1);
    expect(conv2dPoolGrid(ones, d, 1)[1]).toBeGreaterThan(1);
    const l = layer(d, grid8);
    const want = new Float64Array(2 * 258 * 258);
    twin.conv2dForward(want, l.x, l.params, d, 1);
    expectClose(await forward(ctx, l, ts, 1), want, 0, 0, 'conv2d_forward on a 2-D grid');
    const { pooled, argmax } = await poolForward(ctx, l, ts, 1);
    expectClose(pooled, want, 0, 0, 'conv2d_pool_forward (pool 1) on a 2-D grid');
    expect(Array.from(argmax)).toEqual(Array.from({ length: want.length }, (_, e) => e % (258 * 258)));
  });
});
