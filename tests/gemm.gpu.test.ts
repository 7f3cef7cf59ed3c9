// The GEMM kernels against their hand-written CPU twins (src/cpu/gemm.ts) at every tile preset, on
// shapes drawn from {1, 2, 3, 5, 31, 32, 33, 784, 1000} around the tile sizes, MNIST's first layer
// (1600 × 784 → 32) and a wide layer (33 × 1 → 20480, 20480 → 1); epilogues, masks, split-K and
// its reduce, dispatches past 65535 workgroups, determinism, and the dropout mask's statistics.
import { describe, expect, test } from 'vitest';
import * as twin from '../src/cpu/gemm';
import { withPlan, type GpuContext } from '../src/gpu/context';
import {
  GEMM_KERNELS,
  TILE_PRESET_NAMES,
  TILE_PRESETS,
  fitTiles,
  gemmBackwardInputConstants,
  gemmBackwardInputDims,
  gemmBackwardWeightsDims,
  gemmForwardConstants,
  gemmForwardDims,
  planTiles,
  tileWorkgroupSize,
  forwardReduceGrid,
  forwardSplitGrid,
  forwardSplits,
  gradientReduceGrid,
  gradientReduceUniforms,
  gradientRows,
  reduceGrid,
  splitKReduceDims,
  tileConstants,
  tileGrid,
  weightGrid,
  weightSplits,
  weightTiles,
  type GemmTiles,
  type TilePresetName,
  type ForwardSplits,
  type WeightSplits,
} from '../src/gpu/gemm';
import { ACTIVATION_CODE, ACTIVATIONS, type Activation } from '../src/model/layout';
import { KERNELS } from '../src/gpu/kernels';
import { reduceRows } from '../src/cpu/kernels';
import { expectClose, inBrowser, withDevice } from './gpu';
import { adamSteps, randomArray, rng, runKernel, words } from './harness';

type Shape = readonly [n: number, inDim: number, outDim: number];

// A covering set: every size of {1, 2, 3, 5, 31, 32, 33, 784, 1000} in every role, the tile
// edges (31, 32, 33) on both sides of each product, and the shapes the trainer must be fast on.
const SHAPES: Shape[] = [
  [1, 1, 1],
  [2, 3, 5],
  [5, 2, 3],
  [3, 5, 2],
  [33, 31, 32],
  [31, 32, 33],
  [32, 33, 31],
  [1000, 1, 33],
  [33, 1000, 2],
  [5, 784, 3],
  [2, 5, 784],
  [1000, 2, 1],
];

/** The shapes the trainer must be fast on: checked at the two default presets (software adapter, GPU). */
const LARGE_SHAPES: Shape[] = [
  [1600, 784, 32], // MNIST's first layer
  [33, 1, 20480], // wide
  [33, 20480, 1],
];
const shapesOf = (preset: TilePresetName): Shape[] => (preset === 'software' || preset === 'medium' ? [...SHAPES, ...LARGE_SHAPES] : SHAPES);

const U = 2 ** -24;

/**
 * The tolerance of a sum of K products: the probabilistic bound of float32 summation, a few
 * √K·u·Σ|terms| (Higham & Mary), with Σ|terms| from the twin on |inputs|, plus the last rounding.
 */
function check(actual: Float32Array, expected: Float64Array, absSums: Float64Array, k: number, what: string): void {
  let worst = 0;
  for (const s of absSums) worst = Math.max(worst, s);
  expectClose(actual, expected, 1e-7 + 4 * Math.sqrt(k) * U * worst, 2 * U, what);
}

const abs = (v: Float32Array<ArrayBuffer>) => v.map(Math.abs);

interface Layer {
  shape: Shape;
  x: Float32Array<ArrayBuffer>; // (N, IN)
  params: Float32Array<ArrayBuffer>; // a flat block: 3 floats of padding, W (OUT, IN), b (OUT)
  dims: twin.GemmLayerDims;
  dy: Float32Array<ArrayBuffer>; // (N, OUT)
  act: Float32Array<ArrayBuffer>; // (N, IN) a ReLU'd activation, about half zeros
}

function layer(shape: Shape): Layer {
  const [n, inDim, outDim] = shape;
  const r = rng(n * 1_000_003 + inDim * 1009 + outDim);
  const wOffset = 3; // not at 0, to catch a forgotten offset
  const params = randomArray(wOffset + outDim * inDim + outDim, () => r(-1, 1));
  return {
    shape,
    x: randomArray(n * inDim, () => r(-1, 1)),
    params,
    dims: { n, inDim, outDim, wOffset, bOffset: wOffset + outDim * inDim },
    dy: randomArray(n * outDim, () => r(-1, 1)),
    act: randomArray(n * inDim, () => Math.max(r(-1, 1), 0)),
  };
}

const layers = new Map<Shape, Layer>([...SHAPES, ...LARGE_SHAPES].map((s) => [s, layer(s)]));

// Twin results are the same at every preset: computed once per layer and split.
const weightTwins = new Map<string, { want: Float64Array; sums: Float64Array }>();
function weightTwin(l: Layer, split: WeightSplits): { want: Float64Array; sums: Float64Array } {
  const key = `${name(l.shape)} ${split.splitLen}×${split.splits}`;
  let hit = weightTwins.get(key);
  if (!hit) {
    const dims = { ...l.dims, ...split };
    const rows = gradientRows(l.dims.inDim, l.dims.outDim) * split.splits;
    hit = { want: new Float64Array(rows), sums: new Float64Array(rows) };
    twin.gemmBackwardWeights(hit.want, l.dy, l.x, dims);
    twin.gemmBackwardWeights(hit.sums, abs(l.dy), abs(l.x), dims);
    weightTwins.set(key, hit);
  }
  return hit;
}

/** How many elements differ in their bits (vitest's toEqual is slow on million-element arrays). */
function bitDifferences(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let d = 0;
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) d++;
  return d;
}
const name = ([n, i, o]: Shape) => `N=${n} ${i}→${o}`;

const ONE_EPOCH = (epoch: number) => adamSteps(() => ({ stepSize: 0, bc2Sqrt: 1 }), epoch, 1);

/**
 * The epilogue and activation of shape s: epilogues 0, 1, 2 in turn; epilogue 1 (the activation
 * alone) cycles ReLU, Sigmoid, Tanh over the shapes; dropout (2) is ReLU's only.
 */
function epilogueOf(s: number): { epilogue: twin.Epilogue; activation: Activation } {
  const epilogue = (s % 3) as twin.Epilogue;
  return { epilogue, activation: epilogue === 1 ? ACTIVATIONS[Math.floor(s / 3) % ACTIVATIONS.length] : 'relu' };
}

async function forward(ctx: GpuContext, l: Layer, t: GemmTiles, epilogue: twin.Epilogue, dropout?: { p: number; seed: number; layer: number }, epoch = 1, activation: Activation = 'relu') {
  const { n, outDim } = l.dims;
  const fitted = fitTiles(t, n, outDim);
  const [y] = await runKernel(
    ctx,
    GEMM_KERNELS.gemmForward,
    gemmForwardConstants(fitted, epilogue, 0, ACTIVATION_CODE[activation]),
    [new Float32Array(n * outDim), l.x, l.params, ONE_EPOCH(epoch), gemmForwardDims(l.dims, dropout), words([0])],
    tileGrid(fitted, n, outDim),
  );
  return y;
}

/** gemm_forward split-K: the partials (SPLIT 1), then their reduce with the epilogue (SPLIT 2), as gemmForwardSteps dispatches them. */
async function forwardSplit(ctx: GpuContext, l: Layer, t: GemmTiles, split: ForwardSplits, epilogue: twin.Epilogue, dropout?: { p: number; seed: number; layer: number }, epoch = 1, activation: Activation = 'relu') {
  const { n, outDim } = l.dims;
  const fitted = fitTiles(t, n, outDim);
  const dims = gemmForwardDims(l.dims, dropout, split);
  const [partials] = await runKernel(
    ctx,
    GEMM_KERNELS.gemmForward,
    gemmForwardConstants(fitted, epilogue, 1, ACTIVATION_CODE[activation]),
    [new Float32Array(split.splits * n * outDim), l.x, l.params, ONE_EPOCH(epoch), dims, words([0])],
    forwardSplitGrid(fitted, n, outDim, split.splits),
  );
  const [y] = await runKernel(
    ctx,
    GEMM_KERNELS.gemmForward,
    gemmForwardConstants(fitted, epilogue, 2, ACTIVATION_CODE[activation]),
    [new Float32Array(n * outDim), partials, l.params, ONE_EPOCH(epoch), dims, words([0])],
    forwardReduceGrid(fitted, n, outDim),
  );
  return { partials, y };
}

async function backwardInput(ctx: GpuContext, l: Layer, t: GemmTiles, scale?: number, activation: Activation = 'relu') {
  const { n, inDim } = l.dims;
  const fitted = fitTiles(t, n, inDim);
  const [dx] = await runKernel(
    ctx,
    GEMM_KERNELS.gemmBackwardInput,
    gemmBackwardInputConstants(fitted, scale !== undefined, ACTIVATION_CODE[activation]),
    [new Float32Array(n * inDim), l.dy, l.params, l.act, gemmBackwardInputDims(l.dims, scale)],
    tileGrid(fitted, n, inDim),
  );
  return dx;
}

async function backwardWeights(ctx: GpuContext, l: Layer, t: GemmTiles, split: WeightSplits) {
  const { inDim, outDim } = l.dims;
  const fitted = weightTiles(t, inDim, outDim);
  const [partials] = await runKernel(
    ctx,
    GEMM_KERNELS.gemmBackwardWeights,
    tileConstants(fitted),
    [new Float32Array(gradientRows(inDim, outDim) * split.splits), l.dy, l.x, gemmBackwardWeightsDims(l.dims, split)],
    weightGrid(fitted, inDim, outDim, split.splits),
  );
  return partials;
}

/**
 * The presets the per-preset suite runs: all five in Node (Dawn); in Chromium the one its software
 * adapter defaults to, the same kernels through the browser's SwiftShader JIT (CI's 20-minute
 * budget; Chromium runs `medium` in tests/lab.test.ts's GPU-class run).
 */
const SUITE_PRESETS: readonly TilePresetName[] = inBrowser ? ['software'] : TILE_PRESET_NAMES;

describe.each(SUITE_PRESETS)('tile preset %s', (preset: TilePresetName) => {
  const t = TILE_PRESETS[preset];

  test('gemm_forward: epilogues 0, 1 (ReLU, Sigmoid, Tanh), 2 against the twin', async () => {
    await withDevice(async (ctx) => {
      for (const [s, shape] of shapesOf(preset).entries()) {
        const l = layers.get(shape)!;
        const { n, inDim, outDim } = l.dims;
        const { epilogue, activation } = epilogueOf(s);
        const dropout = { p: 0.3, seed: 1234 + s, layer: s };
        const mask = { seed: dropout.seed, epoch: 7, layer: s, threshold: twin.dropThreshold(dropout.p), keepScale: twin.keepScale(dropout.p) };
        const y = await forward(ctx, l, t, epilogue, dropout, 7, activation);
        const want = new Float64Array(n * outDim);
        twin.gemmForward(want, l.x, l.params, l.dims, epilogue, mask, activation);
        // Σ|terms| bounds the sum's error; Sigmoid and Tanh have slopes ≤ 1, so it bounds theirs too
        const sums = new Float64Array(n * outDim);
        twin.gemmForward(sums, abs(l.x), abs(l.params), l.dims, twin.EPILOGUE_RELU_DROPOUT, { ...mask, threshold: 0 });
        check(y, want, sums, inDim, `gemm_forward ${preset} ${name(shape)} epilogue ${epilogue} ${activation}`);
      }
    });
  });

  test('gemm_forward split-K: the GPU plan\'s splits and splits of 7 inputs, partials and reduce against the twins', async () => {
    await withDevice(async (ctx) => {
      const gpu = withPlan(ctx, 'gpu').plan;
      for (const [s, shape] of shapesOf(preset).entries()) {
        const l = layers.get(shape)!;
        const { n, inDim, outDim } = l.dims;
        const fitted = fitTiles(t, n, outDim);
        const splits = [forwardSplits(n, inDim, outDim, fitted, gpu)].filter((c) => c.splits > 1);
        if (inDim > 7 && n * outDim * inDim < 1e6) splits.push({ splitLen: 7, splits: Math.ceil(inDim / 7) }); // the last split short
        expect(forwardSplits(n, inDim, outDim, fitted, withPlan(ctx, 'software').plan).splits).toBe(1);
        for (const split of splits) {
          const { epilogue, activation } = epilogueOf(s);
          const dropout = { p: 0.3, seed: 99 + s, layer: s };
          const mask = { seed: dropout.seed, epoch: 3, layer: s, threshold: twin.dropThreshold(dropout.p), keepScale: twin.keepScale(dropout.p) };
          const { partials, y } = await forwardSplit(ctx, l, t, split, epilogue, dropout, 3, activation);
          const what = `gemm_forward ${preset} ${name(shape)} split ${split.splitLen}×${split.splits} ${activation}`;
          const want = new Float64Array(split.splits * n * outDim);
          const sums = new Float64Array(split.splits * n * outDim);
          twin.gemmForwardSplit(want, l.x, l.params, l.dims, split);
          twin.gemmForwardSplit(sums, abs(l.x), abs(l.params), l.dims, split);
          check(partials, want, sums, split.splitLen, `${what} partials`);
          const wantY = new Float64Array(n * outDim);
          twin.gemmForwardSplitReduce(wantY, partials, l.params, l.dims, split.splits, epilogue, mask, activation);
          const sumsY = new Float64Array(n * outDim);
          twin.gemmForward(sumsY, abs(l.x), abs(l.params), l.dims, twin.EPILOGUE_RELU_DROPOUT, { ...mask, threshold: 0 });
          check(y, wantY, sumsY, split.splits, `${what} reduce`);
          const whole = new Float64Array(n * outDim);
          twin.gemmForward(whole, l.x, l.params, l.dims, epilogue, mask, activation);
          check(y, whole, sumsY, inDim, `${what} against the unsplit twin`);
        }
      }
    });
  });

  test('gemm_backward_input: no mask, activation masks (ReLU, Sigmoid, Tanh), dropout mask', async () => {
    await withDevice(async (ctx) => {
      for (const [s, shape] of shapesOf(preset).entries()) {
        const l = layers.get(shape)!;
        const { n, inDim, outDim } = l.dims;
        const scale = [undefined, 1, twin.keepScale(0.5)][s % 3];
        // the mask alone (scale 1) cycles the activations, as the forward's epilogue 1; act in [0, 1) is a valid output of each
        const { activation } = epilogueOf(s);
        const dx = await backwardInput(ctx, l, t, scale, activation);
        const want = new Float64Array(n * inDim);
        twin.gemmBackwardInput(want, l.dy, l.params, l.dims, scale === undefined ? undefined : { act: l.act, scale, activation });
        const sums = new Float64Array(n * inDim);
        twin.gemmBackwardInput(sums, abs(l.dy), abs(l.params), l.dims, { act: new Float32Array(n * inDim).fill(1), scale: scale ?? 1 });
        check(dx, want, sums, outDim, `gemm_backward_input ${preset} ${name(shape)} scale ${scale} ${activation}`);
      }
    });
  });

  test('gemm_backward_weights: split-K partials, and their reduce against a straight sum', async () => {
    await withDevice(async (ctx) => {
      for (const shape of shapesOf(preset)) {
        const l = layers.get(shape)!;
        const { n, inDim, outDim } = l.dims;
        const rows = gradientRows(inDim, outDim);
        // the helper's split, and (up to 1000 points) one of 7 points: not a multiple of any tileK, the last split short
        const splits = [weightSplits(n, inDim, outDim, weightTiles(t, inDim, outDim), ctx.plan)];
        if (n <= 1000) splits.push({ splitLen: 7, splits: Math.ceil(n / 7) });
        for (const split of splits) {
          const partials = await backwardWeights(ctx, l, t, split);
          const { want, sums } = weightTwin(l, split);
          check(partials, want, sums, split.splitLen, `gemm_backward_weights ${preset} ${name(shape)} split ${split.splitLen}×${split.splits}`);

          const [grads] = await runKernel(
            ctx,
            GEMM_KERNELS.splitKReduce,
            { WG: 64 },
            [new Float32Array(rows + 2), partials, splitKReduceDims({ rows, splits: split.splits, outOffset: 2 }), words([0])],
            reduceGrid(rows),
          );
          const { want: whole, sums: wholeSums } = weightTwin(l, { splitLen: n, splits: 1 });
          check(grads.subarray(2), whole, wholeSums, n, `split_k_reduce ${preset} ${name(shape)} split ${split.splitLen}×${split.splits}`);
          expect(Array.from(grads.subarray(0, 2))).toEqual([0, 0]);
        }
      }
    });
  });
});

test("GPU plan's warp-sized skinny tiles (planTiles): the same bits as the fitted tiles", async () => {
  await withDevice(async (ctx) => {
    const gpu = withPlan(ctx, 'gpu').plan;
    for (const shape of [LARGE_SHAPES[2], SHAPES[7], SHAPES[11]] as const) {
      const l = layers.get(shape)!;
      const { n, outDim } = l.dims;
      const fitted = fitTiles(TILE_PRESETS.medium, n, outDim);
      const planned = planTiles(fitted, gpu);
      const run = (t: GemmTiles) =>
        runKernel(ctx, GEMM_KERNELS.gemmForward, gemmForwardConstants(t, 1), [new Float32Array(n * outDim), l.x, l.params, ONE_EPOCH(1), gemmForwardDims(l.dims), words([0])], tileGrid(t, n, outDim));
      const [[a], [b]] = await Promise.all([run(fitted), run(planned)]);
      expect(tileWorkgroupSize(planned), name(shape)).toBeGreaterThanOrEqual(Math.min(32, tileWorkgroupSize({ ...fitted, tm: 1, tn: 1 })));
      expect(bitDifferences(a, b), name(shape)).toBe(0);
    }
  });
});

test('presets unfitted: tiles far larger than the output', async () => {
  await withDevice(async (ctx) => {
    const l = layers.get(SHAPES[1])!; // N=2, 3 → 5
    const { n, outDim } = l.dims;
    for (const preset of TILE_PRESET_NAMES) {
      const t = TILE_PRESETS[preset];
      const [y] = await runKernel(ctx, GEMM_KERNELS.gemmForward, gemmForwardConstants(t, 1), [new Float32Array(n * outDim), l.x, l.params, ONE_EPOCH(1), gemmForwardDims(l.dims), words([0])], tileGrid(t, n, outDim));
      const want = new Float64Array(n * outDim);
      twin.gemmForward(want, l.x, l.params, l.dims, twin.EPILOGUE_RELU);
      expectClose(y, want, 1e-6, 1e-6, `gemm_forward unfitted ${preset}`);
    }
  });
});

test('split_k_reduce: a million rows past 65535 workgroups, a divisor, and a loss history slot per epoch', async () => {
  await withDevice(async (ctx) => {
    const r = rng(5);
    const rows = 65535 * 64 + 100; // one more workgroup than one dispatch dimension holds
    const partials = randomArray(rows, () => r(-1, 1));
    const grid = reduceGrid(rows);
    expect(grid[1]).toBeGreaterThan(1);
    const [out] = await runKernel(ctx, GEMM_KERNELS.splitKReduce, { WG: 64 }, [new Float32Array(rows), partials, splitKReduceDims({ rows, splits: 1, outOffset: 0 }), words([0])], grid);
    expect(bitDifferences(out, partials)).toBe(0);

    // the mean loss of epoch k of a chunk: one row of N partials, written at outOffset + k
    const n = 1000;
    const losses = randomArray(n, () => r(0, 2));
    const history = new Float32Array(8);
    const d = { rows: 1, splits: n, outOffset: 1, epochStride: 1, divisor: n };
    const [written] = await runKernel(ctx, GEMM_KERNELS.splitKReduce, { WG: 64 }, [history, losses, splitKReduceDims(d), words([3])], reduceGrid(1));
    const want = new Float64Array(8);
    twin.splitKReduce(want, losses, d, 3);
    expectClose(written, want, 1e-5, 1e-6, 'split_k_reduce mean at epoch slot 3');
    expect(written[4]).not.toBe(0);
  });
});

test.each([
  [1, 64],
  [257, 64],
  [1000, 256],
])('gradient_reduce (N=%i, WG=%i): every layer\'s rows and the mean loss, the same bits as split_k_reduce per layer and reduce_rows', async (n, wg) => {
  await withDevice(async (ctx) => {
    const r = rng(11 + n);
    // Three layers' partials in one buffer, each at a 64-float offset (the fused strategy's binding alignment), gaps between.
    const layers = [
      { rows: 7, splits: 1 },
      { rows: 33, splits: 5 },
      { rows: 100, splits: 13 },
    ];
    let at = 0;
    const segments = layers.map((l, i) => {
      const seg = { ...l, partialOffset: at, outOffset: 3 + 150 * i };
      at = Math.ceil((at + l.rows * l.splits + 1) / 64) * 64;
      return seg;
    });
    const partials = randomArray(at, () => r(-1, 1));
    const losses = randomArray(n, () => r(0, 3));
    const u = gradientReduceUniforms(segments, n);
    const grads = new Float32Array(3 + 150 * 3);
    const [merged, history] = await runKernel(ctx, GEMM_KERNELS.gradientReduce, { WG: wg }, [grads, new Float32Array(8), partials, losses, u.segments, u.dims, words([5])], gradientReduceGrid(segments, wg));
    for (const seg of segments) {
      const own = partials.slice(seg.partialOffset, seg.partialOffset + seg.rows * seg.splits);
      const [alone] = await runKernel(ctx, GEMM_KERNELS.splitKReduce, { WG: 64 }, [new Float32Array(seg.rows), own, splitKReduceDims({ rows: seg.rows, splits: seg.splits, outOffset: 0 }), words([0])], reduceGrid(seg.rows));
      expect(bitDifferences(merged.subarray(seg.outOffset, seg.outOffset + seg.rows), alone)).toBe(0);
      const want = new Float64Array(seg.rows);
      twin.splitKReduce(want, own, { rows: seg.rows, splits: seg.splits, outOffset: 0 });
      expectClose(merged.subarray(seg.outOffset, seg.outOffset + seg.rows), want, 1e-5, 1e-6, `gradient_reduce rows ${seg.rows}×${seg.splits}`);
    }
    // Rows of no segment stay as they were.
    expect(merged[0]).toBe(0);
    expect(merged[3 + 7]).toBe(0);
    const [mean] = await runKernel(ctx, KERNELS.reduceRows, { WG: wg }, [new Float32Array(1), losses, words([n, 0, 0, n], [3]), words([0])], [1]);
    expect(bitDifferences(history.subarray(5, 6), mean)).toBe(0);
    const meanWant = new Float64Array(1);
    reduceRows(meanWant, losses, { rows: 1, len: n, outOffset: 0, divisor: n });
    expectClose(history.subarray(5, 6), meanWant, 1e-5, 1e-6, 'gradient_reduce mean at epoch slot 5');
  });
});

test('gemm_forward and gemm_backward_weights past 65535 workgroups (2-D grid)', async () => {
  await withDevice(async (ctx) => {
    const l = layer([600, 1, 8192]);
    const t = fitTiles(TILE_PRESETS.naive, 600, 8192);
    expect(tileGrid(t, 600, 8192)[1]).toBeGreaterThan(1);
    const y = await forward(ctx, l, TILE_PRESETS.naive, 1);
    const want = new Float64Array(600 * 8192);
    twin.gemmForward(want, l.x, l.params, l.dims, twin.EPILOGUE_RELU);
    expectClose(y, want, 1e-6, 1e-6, 'gemm_forward 600 × 1 → 8192 naive');

    const w = layer([3, 8192, 16]); // the weights' output 16 × 8193 in 1 × 1 tiles: 131088 workgroups
    const ones: GemmTiles = { tileM: 1, tileN: 1, tileK: 1, tm: 1, tn: 1, shared: false };
    expect(weightGrid(ones, 8192, 16, 1)[1]).toBeGreaterThan(1);
    const partials = await backwardWeights(ctx, w, ones, { splitLen: 3, splits: 1 });
    const wantW = new Float64Array(gradientRows(8192, 16));
    twin.gemmBackwardWeights(wantW, w.dy, w.x, { ...w.dims, splitLen: 3, splits: 1 });
    expectClose(partials, wantW, 1e-6, 1e-6, 'gemm_backward_weights 16 × 8193 in 1 × 1 tiles');
  });
});

test('determinism: MNIST forward, backward input and weights twice, bit for bit', async () => {
  await withDevice(async (ctx) => {
    for (const [preset, shape] of [['software', LARGE_SHAPES[0]], ['medium', SHAPES[8]]] as const) {
      const l = layers.get(shape)!;
      const { n, inDim, outDim } = l.dims;
      const t = TILE_PRESETS[preset];
      const split = weightSplits(n, inDim, outDim, weightTiles(t, inDim, outDim), withPlan(ctx, 'gpu').plan);
      expect(split.splits).toBeGreaterThan(1);
      for (const run of [
        () => forward(ctx, l, t, 2, { p: 0.5, seed: 9, layer: 0 }),
        () => backwardInput(ctx, l, t, 2),
        () => backwardWeights(ctx, l, t, split),
      ]) {
        expect(bitDifferences(await run(), await run())).toBe(0);
      }
    }
  });
});

describe('dropout', () => {
  // z = 1 everywhere (W = 0, b = 1), so y is exactly keep_scale where kept and 0 where dropped.
  const N = 1000;
  const OUT = 1000;
  const constant: Layer = {
    shape: [N, 1, OUT],
    x: new Float32Array(N).fill(0.5),
    params: Float32Array.from({ length: 2 * OUT }, (_, i) => (i < OUT ? 0 : 1)),
    dims: { n: N, inDim: 1, outDim: OUT, wOffset: 0, bOffset: OUT },
    dy: new Float32Array(0),
    act: new Float32Array(0),
  };
  // its first rows: the same elements n·OUT + o, so the same mask
  const small: Layer = { ...constant, shape: [50, 1, OUT], x: constant.x.subarray(0, 50), dims: { ...constant.dims, n: 50 } };

  test.each([0.2, 0.5, 0.8])('p = %f: the twin mask bit for bit, survivors scaled exactly, kept fraction within 5σ', async (p) => {
    await withDevice(async (ctx) => {
      const dropout = { p, seed: 43052, layer: 2 };
      const y = await forward(ctx, constant, TILE_PRESETS.software, 2, dropout, 11);
      const stream = twin.dropoutStream(dropout.seed, 11, dropout.layer);
      const threshold = twin.dropThreshold(p);
      const scale = twin.keepScale(p);
      let kept = 0;
      let mismatches = 0;
      for (let e = 0; e < N * OUT; e++) {
        const keep = twin.dropoutKeep(stream, e, threshold);
        if (keep) kept++;
        if (y[e] !== (keep ? scale : 0)) mismatches++;
      }
      expect(mismatches).toBe(0);
      const total = N * OUT;
      const sigma = Math.sqrt(total * p * (1 - p));
      expect(Math.abs(kept - total * (1 - p))).toBeLessThan(5 * sigma);
    });
  });

  test('same seed and epoch: the same mask at every preset; another epoch, seed or layer: another mask', async () => {
    await withDevice(async (ctx) => {
      const base = { p: 0.5, seed: 1, layer: 0 };
      const ref = await forward(ctx, constant, TILE_PRESETS.software, 2, base, 5);
      for (const preset of TILE_PRESET_NAMES) {
        expect(bitDifferences(await forward(ctx, small, TILE_PRESETS[preset], 2, base, 5), ref.subarray(0, small.dims.n * OUT))).toBe(0);
      }
      const otherEpoch = await forward(ctx, constant, TILE_PRESETS.software, 2, base, 6);
      const otherSeed = await forward(ctx, constant, TILE_PRESETS.software, 2, { ...base, seed: 2 }, 5);
      const otherLayer = await forward(ctx, constant, TILE_PRESETS.software, 2, { ...base, layer: 1 }, 5);
      // independent masks at p = 0.5 disagree on half the units
      for (const other of [otherEpoch, otherSeed, otherLayer]) expect(Math.abs(bitDifferences(ref, other) / ref.length - 0.5)).toBeLessThan(0.01);
    });
  });
});
