// The strategies specialised to one input and one hidden layer, resident and piecewise, driven
// directly (their own buffers, a small chunk encoder, no trainer): every head against a
// double-precision reference written here by hand; the piecewise kernels against their CPU twins;
// the lecture against PyTorch; divergence all or nothing, detected at the same epoch by both; and
// what their descriptors say about support, limits and preference.
import { describe, expect, test } from 'vitest';
import * as pw from '../src/cpu/piecewise';
import { DEFAULT_ADAM, adamStepScalars, adamUpdate, headDlogit, headLoss, type AdamHyper } from '../src/cpu/ops';
import { parseCsv } from '../src/data/csv';
import { generateLectureData } from '../src/data/generate';
import { planOnlyContext, withPlan, type GpuContext } from '../src/gpu/context';
import { planFor } from '../src/gpu/plan';
import { grid2d, workgroupsFor } from '../src/gpu/grid';
import { getKernel } from '../src/gpu/kernel';
import { KERNELS } from '../src/gpu/kernels';
import { readFloats } from '../src/gpu/readback';
import { initParams } from '../src/model/init';
import { HEAD_CODE, POINT_HEADS as HEADS, paramLayout, singleHidden, type Head, type ModelSpec } from '../src/model/layout';
import { createTrainingBuffers } from '../src/train/buffers';
import { PIECEWISE, piecewiseWorkgroupBytes, sortByInput } from '../src/train/piecewise';
import { RESIDENT, residentWorkgroupBytes } from '../src/train/resident';
import { encodeSteps } from '../src/train/steps';
import type { StrategyDescriptor, StrategyQuery } from '../src/train/strategy';
import { dataset } from './datasets';
import { expectClose, inBrowser, withDevice } from './gpu';
import { adamSteps, randomArray, rng, runKernel, words } from './harness';
import { DNNEX_CSV, LECTURE } from './shared';

const SMALL = [RESIDENT, PIECEWISE] as const;

interface Points {
  x: Float32Array<ArrayBuffer>;
  y: Float32Array<ArrayBuffer>;
}

interface RunOptions {
  hidden: number;
  head: Head;
  lr: number;
  epochs: number;
  chunk: number;
  init: Float32Array<ArrayBuffer>;
  workgroupSize?: number;
  pointsPerThread?: number;
  /** Epochs (ends of chunks) after which to read the params back. */
  checkpoints?: number[];
}

interface Run {
  /** The loss of every epoch up to and including the first refused one. */
  losses: number[];
  /** common/status.wgsl: the first refused epoch (0: none) and why. */
  status: { epoch: number; why: number };
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** The params after each of RunOptions.checkpoints. */
  paramsAt: Map<number, Float32Array>;
}

/** Trains `o.epochs` epochs in chunks of `o.chunk` through the strategy's own encoding, as the trainer would. */
async function train(ctx: GpuContext, strategy: StrategyDescriptor, data: Points, o: RunOptions): Promise<Run> {
  const layout = paramLayout(singleHidden(o.hidden, o.head));
  const hyper: AdamHyper = { ...DEFAULT_ADAM, lr: o.lr };
  const b = createTrainingBuffers(ctx, data, undefined, layout, hyper, o.chunk);
  try {
    ctx.device.queue.writeBuffer(b.params, 0, o.init);
    const s = await strategy.create(ctx, b, dataset(data.x, data.y), {
      workgroupSize: o.workgroupSize ?? strategy.defaultWorkgroupSize(ctx, layout),
      pointsPerThread: o.pointsPerThread,
      dropoutSeed: 0,
    });
    const losses: number[] = [];
    const paramsAt = new Map<number, Float32Array>();
    let status = { epoch: 0, why: 0 };
    for (let done = 0; done < o.epochs; done += o.chunk) {
      const count = Math.min(o.chunk, o.epochs - done);
      ctx.device.queue.writeBuffer(b.steps, 0, adamSteps((t) => adamStepScalars(hyper, t), done + 1, count));
      const encoder = ctx.device.createCommandEncoder({ label: `test epochs ${done + 1}..${done + count}` });
      const pass = encoder.beginComputePass({ label: `test ${s.name} chunk` });
      if (s.encodeChunk) s.encodeChunk(pass, count);
      else encodeSteps(pass, s.epochSteps!, count);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      const chunkLosses = await readFloats(ctx, b.lossHistory, 0, count * 4);
      const [epoch, why] = new Uint32Array((await readFloats(ctx, b.status)).buffer);
      if (status.epoch === 0) losses.push(...chunkLosses.subarray(0, epoch === 0 ? count : epoch - done));
      if (epoch !== 0) status = { epoch, why };
      if (o.checkpoints?.includes(done + count)) paramsAt.set(done + count, await readFloats(ctx, b.params));
    }
    const [params, m, v] = await Promise.all([b.params, b.m, b.v].map((buffer) => readFloats(ctx, buffer)));
    return { losses, status, params, m, v, paramsAt };
  } finally {
    b.destroy();
  }
}

/**
 * The model by hand in double precision: Linear(1,H) -> ReLU -> Linear(H,1) -> head, mean loss,
 * gradients by the chain rule, torch's Adam. Losses and final parameters.
 */
function reference(init: ArrayLike<number>, hidden: number, head: Head, data: Points, hyper: AdamHyper, epochs: number) {
  const h = hidden;
  const n = data.x.length;
  const p = Float64Array.from(init);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  const losses: number[] = [];
  for (let t = 1; t <= epochs; t++) {
    const g = new Float64Array(p.length);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const x = data.x[i];
      const y = data.y[i];
      const z1 = Array.from({ length: h }, (_, j) => x * p[j] + p[h + j]);
      const z = z1.reduce((acc, zj, j) => acc + Math.max(zj, 0) * p[2 * h + j], p[3 * h]);
      loss += headLoss(head, z, y);
      const dz = headDlogit(head, z, y, n);
      g[3 * h] += dz;
      z1.forEach((zj, j) => {
        g[2 * h + j] += dz * Math.max(zj, 0);
        if (zj > 0) {
          g[j] += dz * p[2 * h + j] * x;
          g[h + j] += dz * p[2 * h + j];
        }
      });
    }
    losses.push(loss / n);
    for (let q = 0; q < p.length; q++) [p[q], m[q], v[q]] = adamUpdate(p[q], m[q], v[q], g[q], hyper, t);
  }
  return { losses, params: p };
}

/** Lecture-like points in a scrambled order (piecewise sorts its own copy); soft labels (the true probability) or 0/1. */
function lecturePoints(n: number, soft: boolean): Points {
  const lecture = generateLectureData(11, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919) % n) - ((b * 7919) % n));
  const labels = soft ? lecture.prob! : lecture.y;
  return { x: Float32Array.from(order, (i) => lecture.x[i]), y: Float32Array.from(order, (i) => labels[i]) };
}

describe.each(SMALL)('$name', (strategy) => {
  describe.each(HEADS)('head %s', (head) => {
    test.each([
      { labels: 'soft labels (BCE two-log form)', soft: true, hidden: 6, n: 500, lr: 0.02, epochs: 40, chunk: 16 },
      { labels: 'binary labels (BCE one-log form)', soft: false, hidden: 3, n: 301, lr: 0.05, epochs: 30, chunk: 7 },
    ])('shuffled points, $labels: every loss and the params match the reference', async (c) => {
      await withDevice(async (ctx) => {
        const data = lecturePoints(c.n, c.soft);
        expect(data.y.some((y) => y > 0 && y < 1)).toBe(c.soft);
        const init = initParams(5n, paramLayout(singleHidden(c.hidden, head)));
        const run = await train(ctx, strategy, data, { ...c, head, init });
        const want = reference(init, c.hidden, head, data, { ...DEFAULT_ADAM, lr: c.lr }, c.epochs);
        expect(run.status).toEqual({ epoch: 0, why: 0 });
        expectClose(run.losses, want.losses, 1e-5, 1e-5, 'loss per epoch');
        expectClose(run.params, want.params, 1e-4, 1e-4, 'params');
      });
    });
  });
});

describe('resident', () => {
  test.each([
    { hidden: 1, n: 7, wg: 4, head: 'bce' as Head },
    { hidden: 2, n: 257, wg: 4, head: 'mse' as Head },
    { hidden: 4, n: 1, wg: 4, head: 'bce-logits' as Head },
    { hidden: 5, n: 33, wg: 8, head: 'bce' as Head }, // past four units: points in blocks
    { hidden: 16, n: 2000, wg: 2, head: 'mse' as Head },
    { hidden: 3, n: 100, wg: 1, head: 'bce-logits' as Head },
  ])('hidden $hidden, N=$n, workgroup $wg, head $head: 20 epochs in one dispatch match the reference', async (c) => {
    await withDevice(async (ctx) => {
      await residentAgainstReference(ctx, c);
    });
  });

  // The GPU plan's workgroups (256 invocations where the columns fit), forced on this adapter.
  test.each([
    { hidden: 2, n: 2000, head: 'bce' as Head }, // the lecture's shape: 8 points an invocation at 256
    { hidden: 1, n: 7, head: 'mse' as Head }, // most invocations have no point
    { hidden: 5, n: 1001, head: 'bce-logits' as Head }, // blocks of points; 32 KiB holds 256 columns of 17 (16 KiB: 128)
    { hidden: 16, n: 300, head: 'bce' as Head }, // 32 KiB: 128 columns of 50 (16 KiB: 64)
  ])('GPU plan: hidden $hidden, N=$n, head $head at the largest workgroup that fits matches the reference', async (c) => {
    await withDevice(async (ctx) => {
      const gpu = withPlan(ctx, 'gpu');
      const wg = RESIDENT.defaultWorkgroupSize(gpu, paramLayout(singleHidden(c.hidden, c.head)));
      const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
      expect(residentWorkgroupBytes(c.hidden, wg)).toBeLessThanOrEqual(memory);
      if (wg < 256) expect(residentWorkgroupBytes(c.hidden, 2 * wg)).toBeGreaterThan(memory);
      expect(wg).toBeGreaterThanOrEqual(c.hidden <= 2 ? 256 : 64);
      await residentAgainstReference(gpu, { ...c, wg });
    });
  });
});

/** Resident's 20 epochs in one dispatch of workgroup size c.wg against the double-precision reference. */
async function residentAgainstReference(ctx: GpuContext, c: { hidden: number; n: number; wg: number; head: Head }): Promise<void> {
  const r = rng(c.hidden * c.n);
  const data = { x: randomArray(c.n, () => r(-1, 1)), y: randomArray(c.n, () => (r() < 0.5 ? 0 : 1)) };
  const init = randomArray(3 * c.hidden + 1, () => r(-1, 1));
  const run = await train(ctx, RESIDENT, data, { hidden: c.hidden, head: c.head, lr: 0.001, epochs: 20, chunk: 20, init, workgroupSize: c.wg });
  const want = reference(init, c.hidden, c.head, data, DEFAULT_ADAM, 20);
  expectClose(run.losses, want.losses, 1e-6, 1e-5, 'resident losses');
  expectClose(run.params, want.params, 1e-5, 1e-4, 'resident params');
}

describe('piecewise kernels', () => {
  const WG = 64;
  // The one-workgroup kernels at both classes' sizes (piecewiseSmallWorkgroup: 64 software, 256 GPU):
  // H + 1 segments over 2·WG per pass, so H = 256 pairs segments at both (and H = 16 never does).
  test.each([
    { hidden: 1, head: 'bce' as Head, smallWg: 64 },
    { hidden: 2, head: 'bce-logits' as Head, smallWg: 64 },
    { hidden: 16, head: 'mse' as Head, smallWg: 64 },
    { hidden: 256, head: 'bce' as Head, smallWg: 64 },
    { hidden: 130, head: 'mse' as Head, smallWg: 64 },
    { hidden: 256, head: 'bce-logits' as Head, smallWg: 256 },
    { hidden: 2, head: 'bce' as Head, smallWg: 256 },
  ])('hidden $hidden, head $head, one-workgroup kernels of $smallWg: segments, points and reduce-adam equal their twins and the reference, with ties and a unit of zero weight', async ({ hidden: h, head, smallWg }) => {
    await withDevice(async (ctx) => {
      const count = 3 * h + 1;
      for (const n of [1, 7, 257, 2000]) {
        const r = rng(n + 97 * h);
        const params = randomArray(count, () => r(-1, 1));
        if (h > 1) params[1] = 0; // a unit with zero weight: on everywhere or nowhere
        // Sorted inputs with ties (equal x must fall on the same side of every switch point).
        const x = randomArray(n, () => r(-1, 1)).sort();
        for (let i = 1; i < n; i++) if (r() < 0.2) x[i] = x[i - 1];
        const y = randomArray(n, () => (r() < 0.5 ? 0 : 1));
        const runLen = n > 1000 ? 37 : 5;
        const dims = { n, runLen, runs: Math.ceil(n / runLen) };
        const dimsWords = words([n, runLen, dims.runs]);

        const [s, lines] = await runKernel(ctx, KERNELS.piecewiseSegments, { WG: smallWg, HIDDEN: h }, [new Uint32Array(2 * h + 3), new Float32Array(2 * (h + 1)), params, x, dimsWords], [1]);
        const segs = new Uint32Array(s.buffer);
        const [wantSegs, wantLines] = [new Uint32Array(2 * h + 3), new Float64Array(2 * (h + 1))];
        pw.piecewiseSegments(wantSegs, wantLines, params, x, h);
        expect(Array.from(segs)).toEqual(Array.from(wantSegs));
        expect(segs[pw.overflowAt(h)]).toBe(0);
        // Float32 sums of up to H terms of size ~1 that may cancel: the error grows with H.
        expectClose(lines, wantLines, 1e-6 * Math.max(1, h / 16), 1e-5, `piecewise lines N=${n}`);
        // At both ends of every segment: the units on there are exactly those whose z is > 0.
        const units = segs.subarray(pw.unitsAt(h));
        for (let k = 0; k <= h; k++) {
          for (const i of [segs[k], segs[k + 1] - 1]) {
            if (i < segs[k] || i >= segs[k + 1]) continue;
            for (let j = 0; j < h; j++) expect(pw.unitOnInSegment(units[j], k)).toBe(Math.fround(Math.fround(x[i] * params[j]) + params[h + j]) > 0);
          }
        }

        const constants = { WG, HIDDEN: h, HEAD: HEAD_CODE[head], BINARY_LABELS: 1 };
        const [partials] = await runKernel(ctx, KERNELS.piecewisePoints, constants, [new Float32Array(2 * (h + 2) * dims.runs), segs, lines, x, y, dimsWords], grid2d(workgroupsFor(dims.runs, WG)));
        const wantPartials = new Float64Array(2 * (h + 2) * dims.runs);
        pw.piecewisePoints(wantPartials, segs, lines, x, y, h, dims, head);
        const sums = 2 * (h + 1) * dims.runs;
        expectClose(partials.subarray(0, sums), wantPartials.subarray(0, sums), 1e-7, 1e-4, `piecewise partials N=${n}`);
        expectClose(partials.subarray(sums), wantPartials.subarray(sums), 1e-5, 1e-5, `piecewise run losses N=${n}`);

        const zeros = new Float32Array(count);
        const hyper = new Float32Array([0.9, 0.999, 1 - 0.9, 1 - 0.999, 1e-8, 0, 0, 0]);
        const [pOut, , , history, status] = await runKernel(
          ctx,
          KERNELS.piecewiseReduceAdam,
          { WG: smallWg, HIDDEN: h },
          [params, zeros, zeros, new Float32Array(1), new Uint32Array(4), partials, segs, adamSteps((t) => adamStepScalars(DEFAULT_ADAM, t), 1, 1), hyper, dimsWords, words([0])],
          [1],
        );
        expect(new Uint32Array(status.buffer)[0]).toBe(0);
        // Against the model itself: the segments are a rearrangement of the same sums.
        const want = reference(params, h, head, { x, y }, DEFAULT_ADAM, 1);
        const twinParams = Float64Array.from(params);
        const twin = pw.piecewiseReduceAdam(twinParams, new Float64Array(count), new Float64Array(count), partials, segs, h, dims, DEFAULT_ADAM, 1);
        expect(twin.refused).toBe(0);
        expectClose(pOut, want.params, 1e-6, 1e-5, `piecewise update N=${n}`);
        expectClose(pOut, twinParams, 1e-6, 1e-5, `piecewise update vs twin N=${n}`);
        expectClose(history, want.losses, 1e-6, 1e-5, `piecewise mean loss N=${n}`);
      }
    });
  });

  test('parameters that are not finite make every line NaN, so the loss is NaN', async () => {
    await withDevice(async (ctx) => {
      for (const bad of [NaN, Infinity]) {
        const params = new Float32Array([0.5, -0.5, 0.1, 0.2, 1, bad, 0.3]); // H = 2, W2[1] = bad
        const x = Float32Array.from({ length: 9 }, (_, i) => i / 4 - 1);
        const [, lines] = await runKernel(ctx, KERNELS.piecewiseSegments, { WG, HIDDEN: 2 }, [new Uint32Array(7), new Float32Array(6), params, x, words([9, 3, 3])], [1]);
        expect(Array.from(lines).every(Number.isNaN)).toBe(true);
      }
    });
  });
});

// Node only: in Chromium tests/parity.gpu.test.ts trains the lecture's 6000 epochs on resident (CI's 20-minute budget).
describe.each(inBrowser ? [] : SMALL)('$name on the lecture', (strategy) => {
  test('6000 epochs: every loss within 1e-4 of PyTorch, params within 1e-3 after 3000 and 6000', async () => {
    await withDevice(async (ctx) => {
      const data = parseCsv(DNNEX_CSV, 'dnnex.csv');
      const layout = paramLayout(singleHidden(2, 'bce'));
      const init = initParams(43052n, layout);
      expectClose(init, [...LECTURE.init.W1, ...LECTURE.init.b1, ...LECTURE.init.W2, ...LECTURE.init.b2], 0, 0, 'init');
      const run = await train(ctx, strategy, data, { hidden: 2, head: 'bce', lr: 0.001, epochs: 6000, chunk: 250, init, checkpoints: [3000, 6000] });
      expectClose(run.losses, LECTURE.loss, 1e-4, 0, 'loss per epoch');
      for (const epochs of [3000, 6000] as const) {
        const golden = LECTURE.checkpoints[epochs].params;
        expectClose(run.paramsAt.get(epochs)!, [...golden.W1, ...golden.b1, ...golden.W2, ...golden.b2], 1e-3, 0, `params after ${epochs}`);
      }
    });
  });
});

/** The bits of a float array, so that equality means bit for bit (and NaN equals NaN). */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const STATUS_LOSS = pw.STATUS_LOSS;
const STATUS_UPDATE = pw.STATUS_UPDATE;

const points = (x: number[], y: number[]): Points => ({ x: new Float32Array(x), y: new Float32Array(y) });
const params = (...values: number[]) => new Float32Array(values); // H = 1: W1, b1, W2, b2

/** Issue #10's reproduction: 7 points, two of them at x = -3.4e38; seed 43052, hidden 2, lr 0.5, bce. */
const SEVEN = {
  data: points([-1, -0.5, 0, 0.5, 1, -3.4e38, -3.4e38], [0, 0, 1, 1, 0, 1, 0]),
  hidden: 2,
  head: 'bce' as Head,
  lr: 0.5,
  init: initParams(43052n, paramLayout(singleHidden(2, 'bce'))),
};

interface DivergenceCase {
  name: string;
  data: Points;
  hidden: number;
  head: Head;
  lr: number;
  init: Float32Array<ArrayBuffer>;
  /** The first refused epoch, 1-based. */
  epoch: number;
  /** Why (common/status.wgsl), or 'same' where only the strategies' agreement is asserted. */
  why: number | 'same';
}

const lectureInit = (hidden: number) => initParams(43052n, paramLayout(singleHidden(hidden, 'bce')));

const DIVERGENCES: DivergenceCase[] = [
  { name: "issue #10's 7 points: z = +Inf in epoch 2 makes dW2 = 0·Inf = NaN", ...SEVEN, epoch: 2, why: STATUS_UPDATE },
  // relu(z)·v = 2e38·2 overflows: the logit is +Inf, the sigmoid saturates at 1 and, for y = 1, loss
  // and gradient would be 0; only the logit check (ops/head.wgsl) sees it.
  { name: 'forward: a unit term of the logit overflows, hidden by the saturated sigmoid (bce)', data: points([1e38, 0.5, -0.5], [1, 0, 1]),
    hidden: 1, head: 'bce', lr: 0.01, init: params(2, 0, 2, 0), epoch: 1, why: STATUS_UPDATE },
  // Epoch 1 moves every parameter up by lr = 2e19; in epoch 2 relu(z)·v ~ 4e38 overflows, p = 1 = y.
  { name: 'forward, after an update: a learning rate of 2e19 (bce)', data: points([1, 0.5], [1, 1]),
    hidden: 1, head: 'bce', lr: 2e19, init: params(1, 0, 1, 0), epoch: 2, why: STATUS_UPDATE },
  { name: 'loss: head mse with a target of 3e38', data: points([-1, 0, 0.5, 1], [0, 3e38, 0.5, 1]),
    hidden: 2, head: 'mse', lr: 0.01, init: lectureInit(2), epoch: 1, why: STATUS_LOSS },
  // z1 = 3e36, logit 9e36, loss ~4.5e36: finite; dW1 = dz·v·x = 0.5·3·3e38 is not.
  { name: 'gradient: dW1 overflows while every logit and the loss are finite (bce-logits)', data: points([3e38, 0], [0, 0]),
    hidden: 1, head: 'bce-logits', lr: 0.01, init: params(0.01, 0, 3, 0), epoch: 1, why: STATUS_UPDATE },
  { name: 'Adam: a learning rate of 1e38 makes the step not finite', data: lecturePoints(64, false),
    hidden: 2, head: 'bce', lr: 1e38, init: lectureInit(2), epoch: 1, why: STATUS_UPDATE },
  // dW1 = 0.5·1·2e21 is finite, v = 0.001·g·g is not.
  { name: 'Adam: v overflows while every gradient is finite', data: points([2e21, 0], [0, 0]),
    hidden: 1, head: 'bce-logits', lr: 0.01, init: params(0.01, 0, 1, 0), epoch: 1, why: STATUS_UPDATE },
  // Epoch 1 moves every parameter by 3e37; in epoch 2 the gradients are ~1e37 and step_size·m overflows.
  { name: 'Adam, after an update: a learning rate of 3e37', data: points([1, -1, 0.5], [0, 1, 1]),
    hidden: 1, head: 'bce', lr: 3e37, init: params(1, 0, 1, 0), epoch: 2, why: STATUS_UPDATE },
  // The logit is NaN. Whether its loss is (torch: NaN) depends on the adapter's exp(NaN): on
  // SwiftShader sigmoid(NaN) is 0 and the loss finite, so the NaN gradient refuses the update.
  { name: 'a NaN parameter (b2)', data: lecturePoints(64, false),
    hidden: 2, head: 'bce', lr: 0.01, init: Float32Array.from(lectureInit(2), (p, q) => (q === 6 ? NaN : p)), epoch: 1, why: 'same' },
];

describe.each(DIVERGENCES)('divergence, $name', (c) => {
  test('both strategies refuse the same epoch whole, and every later one: params, m and v stay those of the epoch before, bit for bit', async () => {
    await withDevice(async (ctx) => {
      const refused: { epoch: number; why: number }[] = [];
      for (const strategy of SMALL) {
        // Chunks of 3: the bad epoch, later epochs of its chunk, and a later chunk.
        const options = { hidden: c.hidden, head: c.head, lr: c.lr, init: c.init, chunk: 3, epochs: c.epoch + 3 };
        const run = await train(ctx, strategy, c.data, options);
        const before = await train(ctx, strategy, c.data, { ...options, epochs: c.epoch - 1 });
        expect(run.status.epoch, strategy.name).toBe(c.epoch);
        expect(run.status.why, strategy.name).not.toBe(0);
        if (c.why !== 'same') expect(run.status.why, strategy.name).toBe(c.why);
        expect(run.losses).toHaveLength(c.epoch);
        expect(bits(run.params), `${strategy.name} params`).toEqual(bits(before.params));
        expect(bits(run.m), `${strategy.name} m`).toEqual(bits(before.m));
        expect(bits(run.v), `${strategy.name} v`).toEqual(bits(before.v));
        expect(before.params.every(Number.isFinite) || c.epoch === 1).toBe(true);
        refused.push(run.status);
      }
      expect(refused[0]).toEqual(refused[1]);
    });
  });
});

describe.each(SMALL)('$name on issue #10\'s 7 points', (strategy) => {
  test('the losses and the params after epoch 1 are PyTorch\'s', async () => {
    await withDevice(async (ctx) => {
      const run = await train(ctx, strategy, SEVEN.data, { ...SEVEN, chunk: 2, epochs: 2 });
      expectClose(run.losses, [14.74575, 14.866], 1e-4, 0, 'losses');
      const first = await train(ctx, strategy, SEVEN.data, { ...SEVEN, chunk: 2, epochs: 1 });
      expectClose(first.params, [0.153313, -1.34703, -0.139551, 1.43356, -0.211952, -1.12825, -0.269582], 1e-5, 0, 'params after epoch 1');
    });
  });
});

test("the piecewise twins refuse epoch 2 of issue #10's 7 points whole, as the kernels do", async () => {
  await withDevice(async (ctx) => {
    const first = await train(ctx, PIECEWISE, SEVEN.data, { ...SEVEN, chunk: 1, epochs: 1 });
    const h = SEVEN.hidden;
    const sorted = sortByInput(SEVEN.data);
    const [segs, lines] = [new Uint32Array(2 * h + 3), new Float64Array(2 * (h + 1))];
    pw.piecewiseSegments(segs, lines, first.params, sorted.x, h);
    expect(segs[pw.overflowAt(h)]).toBe(1); // unit 2's z at x = -3.4e38 is +Inf
    const dims = { n: 7, runLen: 3, runs: 3 };
    const partials = new Float64Array(2 * (h + 2) * dims.runs);
    pw.piecewisePoints(partials, segs, lines, sorted.x, sorted.y, h, dims, 'bce');
    const [p, m, v] = [first.params, first.m, first.v].map((a) => Float64Array.from(a));
    const step = pw.piecewiseReduceAdam(p, m, v, partials, segs, h, dims, { ...DEFAULT_ADAM, lr: SEVEN.lr }, 2);
    expect(step.refused).toBe(STATUS_UPDATE);
    expectClose([step.loss], [14.866], 1e-4, 0, 'loss of epoch 2');
    expect([p, m, v].map((a) => Array.from(a))).toEqual([first.params, first.m, first.v].map((a) => Array.from(a)));
  });
});

/** A device with chosen limits, for the descriptors' pure questions. */
function fakeContext(limits: Partial<Record<keyof GPUSupportedLimits, number>> = {}, isSoftware = true): GpuContext {
  const all = { maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, maxComputeInvocationsPerWorkgroup: 256, ...limits };
  return planOnlyContext(planFor(isSoftware ? 'software' : 'gpu', { maxComputeWorkgroupSizeX: 256, ...all }));
}

const spec = (layers: number[], dropout = 0): ModelSpec => ({ layers, head: 'bce', dropout });

function query(ctx: GpuContext, hidden: number, n: number, workgroupSize: number, pointsPerThread?: number): StrategyQuery {
  return { ctx, layout: paramLayout(singleHidden(hidden)), n, testN: 0, workgroupSize, pointsPerThread };
}

describe('descriptors', () => {
  test('support: one input, one hidden layer (resident: also small deeper models), any head, no dropout; resident without a test set', () => {
    for (const head of HEADS) {
      const layout = paramLayout(singleHidden(3, head));
      expect(RESIDENT.unsupported(layout, { testSet: false })).toBeUndefined();
      expect(PIECEWISE.unsupported(layout, { testSet: false })).toBeUndefined();
      expect(PIECEWISE.unsupported(layout, { testSet: true })).toBeUndefined();
      expect(RESIDENT.unsupported(layout, { testSet: true })).toMatch(/one dispatch.*test set/);
    }
    for (const layers of [[2, 3, 1], [1, 3, 3, 1]]) {
      expect(PIECEWISE.unsupported(paramLayout(spec(layers)), { testSet: false })).toMatch(/1,H,1/);
      expect(RESIDENT.unsupported(paramLayout(spec(layers)), { testSet: false })).toBeUndefined(); // resident_mlp (tests/resident-mlp.gpu.test.ts)
    }
    for (const s of SMALL) expect(s.unsupported(paramLayout(spec([1, 3, 1], 0.2)), { testSet: false })).toMatch(/dropout/);
    const ctx = fakeContext();
    expect(RESIDENT.defaultWorkgroupSize(ctx, paramLayout(singleHidden(2)))).toBe(4);
    expect(PIECEWISE.defaultWorkgroupSize(ctx, paramLayout(singleHidden(2)))).toBe(64);
  });

  test('with a test set in the buffers, piecewise trains as without; resident refuses to be created', async () => {
    await withDevice(async (ctx) => {
      const data = lecturePoints(100, false);
      const layout = paramLayout(singleHidden(3));
      const b = createTrainingBuffers(ctx, data, lecturePoints(20, false), layout, DEFAULT_ADAM, 4);
      try {
        await expect(RESIDENT.create(ctx, b, dataset(data.x, data.y), { workgroupSize: 4, dropoutSeed: 0 })).rejects.toThrow(/test set/);
        const s = await PIECEWISE.create(ctx, b, dataset(data.x, data.y), { workgroupSize: 64, dropoutSeed: 0 });
        expect(s.epochSteps).toHaveLength(3);
        expect(s.encodeChunk).toBeUndefined();
      } finally {
        b.destroy();
      }
    });
  });

  test('workgroup memory: each message names only what would fit (16 KiB)', () => {
    const ctx = fakeContext();
    // resident, H = 100 (P = 301): 4·(2P + WG·(P+1)) + 4 bytes fit at WG 8, not 16; at WG 64, up to H = 20.
    const wide = RESIDENT.limitProblem(query(ctx, 100, 50, 64));
    expect(wide?.limit).toBe('maxComputeWorkgroupStorageSize');
    expect(wide?.message).toMatch(/workgroup size of at most 8,.*hidden width of at most 20.*piecewise/);
    expect(RESIDENT.limitProblem(query(ctx, 100, 50, 8))).toBeUndefined();
    expect(RESIDENT.limitProblem(query(ctx, 20, 50, 64))).toBeUndefined();
    // At WG 1 no smaller workgroup exists: H ≤ 454; piecewise holds at most 805 units, so not 2000.
    const widest = RESIDENT.limitProblem(query(ctx, 2000, 50, 1));
    expect(widest?.message).not.toMatch(/workgroup size of/);
    expect(widest?.message).toMatch(/hidden width of at most 454 or the unfused strategy/);
    expect(RESIDENT.limitProblem(query(ctx, 454, 50, 1))).toBeUndefined();
    // piecewise: 20·H + 272 bytes whatever the workgroup size, so it never suggests one.
    for (const wg of [1, 64, 256]) {
      const problem = PIECEWISE.limitProblem(query(ctx, 1000, 50, wg));
      expect(problem?.limit).toBe('maxComputeWorkgroupStorageSize');
      expect(problem?.message).not.toMatch(/workgroup size/);
      expect(problem?.message).toMatch(/hidden width of at most 805 or the unfused strategy/);
    }
    expect(PIECEWISE.limitProblem(query(ctx, 805, 50, 64))).toBeUndefined();
  });

  test('storage bindings and invocations: the size that needs them and what to change', () => {
    const ctx = fakeContext({ maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 20 });
    for (const s of SMALL) {
      const problem = s.limitProblem(query(ctx, 2, 300_000, s.defaultWorkgroupSize(ctx, paramLayout(singleHidden(2)))));
      expect(problem?.limit).toBe('maxStorageBufferBindingSize');
      expect(problem?.message).toMatch(/1200000-byte buffer for the (sorted )?data.*at most 262144 points/);
      expect(s.limitProblem(query(ctx, 2, 262_144, 4))).toBeUndefined();
      expect(s.limitProblem(query(ctx, 2, 100, 512))?.limit).toBe('maxComputeInvocationsPerWorkgroup');
    }
    // One point per run: (H+2)·N pairs of floats; 32768 runs fit 1 MiB at H = 2.
    const runs = PIECEWISE.limitProblem(query(ctx, 2, 100_000, 64, 1));
    expect(runs?.limit).toBe('maxStorageBufferBindingSize');
    expect(runs?.message).toMatch(/segment sums.*at least 4 points per thread/);
    expect(PIECEWISE.limitProblem(query(ctx, 2, 100_000, 64, 4))).toBeUndefined();
    expect(PIECEWISE.limitProblem(query(ctx, 2, 100_000, 64))).toBeUndefined(); // runs sized to fit
  });

  test('auto: resident while N·H ≤ 2^14 on a software plan, while ⌈N/WG⌉·(H + 8) ≤ 2^9 on a GPU plan; piecewise always on a software plan, while H²/256 ≤ 2^8 on a GPU plan', () => {
    const software = fakeContext({}, true);
    expect(RESIDENT.preferredBy(query(software, 2, (1 << 14) / 2, 4))).toBe(true);
    expect(RESIDENT.preferredBy(query(software, 2, (1 << 14) / 2 + 1, 4))).toBe(false);
    const gpu = fakeContext({ maxComputeWorkgroupStorageSize: 32768 }, false);
    const lecture = paramLayout(singleHidden(2));
    expect(RESIDENT.defaultWorkgroupSize(gpu, lecture)).toBe(256);
    expect(RESIDENT.defaultWorkgroupSize(software, lecture)).toBe(4);
    // 1-H-1 at 32 KiB: 4·(2P + WG·(P+1)) + 4 bytes, P = 3H + 1; H = 256 fits 8 columns, H = 512 only 4.
    expect(RESIDENT.defaultWorkgroupSize(gpu, paramLayout(singleHidden(256)))).toBe(8);
    expect(RESIDENT.defaultWorkgroupSize(gpu, paramLayout(singleHidden(512)))).toBe(4);
    // The lecture: 8 points of 2 + 8 units an invocation; (2^9 / 10)·256 = 13 107 points at most.
    expect(RESIDENT.preferredBy(query(gpu, 2, 2000, 256))).toBe(true);
    expect(RESIDENT.preferredBy(query(gpu, 2, 51 * 256, 256))).toBe(true);
    expect(RESIDENT.preferredBy(query(gpu, 2, 51 * 256 + 1, 256))).toBe(false);
    expect(RESIDENT.preferredBy(query(gpu, 256, 2000, 8))).toBe(false); // the step: piecewise
    for (const ctx of [software, gpu]) expect(PIECEWISE.preferredBy(query(ctx, 32, 200_000, 64))).toBe(true);
    // piecewise on a GPU plan while H²/256 ≤ 2^8: the step (H = 256), not the curve (1024) or 05wk-1's 512
    expect(PIECEWISE.preferredBy(query(gpu, 256, 2000, 64))).toBe(true);
    expect(PIECEWISE.preferredBy(query(gpu, 257, 2000, 64))).toBe(false);
    expect(PIECEWISE.preferredBy(query(software, 1024, 2000, 64))).toBe(true);
  });

  // Building at the widest fitting width compiles for seconds on a software adapter (its workgroup
  // memory is zeroed element by element), so this checks the count one unit past it, which the
  // device refuses before compiling, naming its own total.
  test("one unit past the widest accepted layer, the device counts the workgroup memory as the descriptors do", async () => {
    await withDevice(async (ctx) => {
      const cases = [
        [RESIDENT, 4, KERNELS.residentEpochs, (h: number) => ({ WG: 4, HIDDEN: h, THETA_COPIES: 2 }), (h: number) => residentWorkgroupBytes(h, 4)],
        [PIECEWISE, 64, KERNELS.piecewiseReduceAdam, (h: number) => ({ WG: 64, HIDDEN: h }), piecewiseWorkgroupBytes],
      ] as const;
      for (const [s, wg, kernel, constants, bytes] of cases) {
        const fits = (h: number) => s.limitProblem(query(ctx, h, 8, wg)) === undefined;
        let widest = 1;
        while (fits(widest + 1)) widest++;
        expect(bytes(widest)).toBeLessThanOrEqual(ctx.device.limits.maxComputeWorkgroupStorageSize);
        const refused = await getKernel(ctx, kernel, constants(widest + 1)).then(() => 'built', (e: Error) => e.message);
        expect(refused, s.name).toMatch(/workgroup storage/);
        const counted = /\((\d+) bytes\)/.exec(refused)?.[1];
        if (counted !== undefined) expect(Number(counted), s.name).toBe(bytes(widest + 1));
      }
    });
  });
});
