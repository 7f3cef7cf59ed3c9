// The element-wise kernels and reductions of the general strategies against their hand-written CPU
// twins (src/cpu/ops.ts, kernels.ts, gemm.ts), at sizes that straddle the workgroup size. The GEMM
// kernels have their own file (gemm.gpu.test.ts); resident and piecewise theirs (small-strategies).
import { describe, expect, test } from 'vitest';
import * as twin from '../src/cpu/kernels';
import { adamStepScalars, bce, bceBackward, bceBinary, crossEntropy, DEFAULT_ADAM, headDlogit, headLoss, headProb, sigmoidBackward, softmaxRow } from '../src/cpu/ops';
import { dropoutKeep, dropoutStream, dropThreshold, keepScale } from '../src/cpu/gemm';
import { grid2d, workgroupsFor } from '../src/gpu/grid';
import type { GpuContext } from '../src/gpu/context';
import { KERNELS } from '../src/gpu/kernels';
import { structBytes } from '../src/gpu/structs';
import { ACTIVATION_CODE, ACTIVATIONS, HEAD_CODE, POINT_HEADS as HEADS } from '../src/model/layout';
import { expectClose, withDevice } from './gpu';
import { adamSteps, randomArray, rng, runKernel, words } from './harness';

const SIZES = [1, 7, 255, 256, 257, 2000, 3333];
const WG = 64;
const elements = (count: number, wg = WG): [number, number] => grid2d(workgroupsFor(count, wg));
const hyperWords = () => new Float32Array(structBytes('ops/adam', 'AdamHyper', { beta1: 0.9, beta2: 0.999, one_minus_beta1: 1 - 0.9, one_minus_beta2: 1 - 0.999, eps: 1e-8 }).buffer);
const headDims = (n: number) => new Uint32Array(structBytes('kernels/head_points', 'HeadDims', { count: n, mean_over: n }).buffer);

describe('element-wise kernels and reductions', () => {
  test.each(SIZES)('N=%i: activation forward and backward (ReLU, Sigmoid, Tanh), reduce_rows', async (n) => {
    await withDevice(async (ctx) => {
      const r = rng(n);
      const z = randomArray(n, () => r(-30, 30));
      const g = randomArray(n, () => r(-1, 1));
      const count = words([n]);
      const grid = elements(n);
      for (const activation of ACTIVATIONS) {
        // ReLU bit for bit; Sigmoid and Tanh within a few float32 ulps of the double twin (exp, tanh)
        const [atol, rtol] = activation === 'relu' ? [0, 0] : [2e-7, 4e-6];
        const zs = activation === 'relu' ? z : z.map((v) => v / 4); // ±7.5: away from saturation too
        const constants = { WG, ACTIVATION: ACTIVATION_CODE[activation] };
        const [out] = await runKernel(ctx, KERNELS.activationForward, constants, [zs, count], grid);
        const want = Float64Array.from(zs);
        twin.activationForwardInplace(want, activation);
        expectClose(out, want, atol, rtol, `activation_forward ${activation}`);
        // the backward from the GPU's own output, as the trainer runs it
        const [grad] = await runKernel(ctx, KERNELS.activationBackward, constants, [g, out, count], grid);
        const gradWant = Float64Array.from(g);
        twin.activationBackwardInplace(gradWant, out, activation);
        expectClose(grad, gradWant, atol, activation === 'relu' ? 0 : 1e-6, `activation_backward ${activation}`);
      }
      const [mean] = await runKernel(ctx, KERNELS.reduceRows, { WG }, [new Float32Array(1), z, words([n, 0, 1, n], [3]), words([0])], [1]);
      const meanWant = new Float64Array(1);
      twin.reduceRows(meanWant, z, { rows: 1, len: n, outOffset: 0, divisor: n });
      expectClose(mean, meanWant, 1e-5, 1e-5, 'reduce_rows mean');
      // The order itself, bit for bit at both workgroup sizes: invocation t's columns t, t+WG, ...
      // one after another (loaded four at a time, added one at a time), then the tree (i, i + s).
      for (const wg of [64, 256]) {
        const [sum] = await runKernel(ctx, KERNELS.reduceRows, { WG: wg }, [new Float32Array(1), z, words([n, 0, 1, 1], [3]), words([0])], [1]);
        const lanes = Array.from({ length: wg }, (_, t) => {
          let acc = 0;
          for (let c = t; c < n; c += wg) acc = Math.fround(acc + z[c]);
          return acc;
        });
        for (let half = wg / 2; half >= 1; half /= 2) for (let t = 0; t < half; t++) lanes[t] = Math.fround(lanes[t] + lanes[t + half]);
        expect(sum[0], `reduce_rows order, WG ${wg}`).toBe(Math.fround(lanes[0] / 1));
      }
    });
  });

  test.each(HEADS)('head_points, head %s: loss, dlogit and prob of every point, saturated logits included', async (head) => {
    await withDevice(async (ctx) => {
      for (const n of [1, 257, 3333]) {
        const r = rng(n + HEAD_CODE[head]);
        // Logits up to ±40: a float32 sigmoid is exactly 0 or 1 there, BCE's clamps decide.
        const z = randomArray(n, () => (r() < 0.1 ? r(-40, 40) : r(-6, 6)));
        const binary = randomArray(n, () => (r() < 0.5 ? 0 : 1));
        const soft = randomArray(n, () => (head === 'mse' ? r(-3, 3) : r()));
        for (const [y, binaryLabels] of [[soft, false], [binary, false], [binary, true]] as const) {
          const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
          const constants = { WG, HEAD: HEAD_CODE[head], BINARY_LABELS: Number(binaryLabels), WRITE_LOSS: 1, WRITE_DLOGIT: 1, WRITE_PROB: 1 };
          const [loss, dlogit, prob] = await runKernel(ctx, KERNELS.headPoints, constants, [...outs, z, y, headDims(n)], elements(n));
          const what = `${head} N=${n} ${binaryLabels ? 'one-log' : 'two-log'}`;
          expectClose(prob, Array.from(z, (v) => headProb(head, v)), 1e-7, 1e-6, `prob ${what}`);
          // BCE from the probability the GPU stored: near saturation one float32 ulp of p moves
          // log(1 - p) a long way (to the -100 clamp at p = 1), so the formula is checked given p.
          const p = (i: number) => (head === 'bce' ? prob[i] : z[i]);
          const lossWant = head === 'bce' ? Array.from(z, (_, i) => (binaryLabels ? bceBinary : bce)(prob[i], y[i])) : Array.from(z, (v, i) => headLoss(head, v, y[i], binaryLabels));
          const dlogitWant = head === 'bce' ? Array.from(z, (_, i) => sigmoidBackward(bceBackward(p(i), y[i], n), p(i))) : Array.from(z, (v, i) => headDlogit(head, v, y[i], n));
          expectClose(loss, lossWant, 1e-6, 1e-5, `loss ${what}`);
          expectClose(dlogit, dlogitWant, 1e-9, 1e-5, `dlogit ${what}`);
          if (head === 'bce') expect(Math.max(...loss)).toBeLessThanOrEqual(100); // each log clamped at -100
        }
      }
    });
  });

  test('head bce: the one-log form for 0/1 labels gives the same bits as the two-log form', async () => {
    await withDevice(async (ctx) => {
      const n = 2000;
      const r = rng(9);
      const z = randomArray(n, () => r(-30, 30));
      const y = randomArray(n, () => (r() < 0.5 ? 0 : 1));
      const run = async (binary: number) =>
        (await runKernel(ctx, KERNELS.headPoints, { WG, HEAD: 0, BINARY_LABELS: binary, WRITE_LOSS: 1, WRITE_DLOGIT: 0, WRITE_PROB: 0 }, [new Float32Array(n), new Float32Array(1), new Float32Array(1), z, y, headDims(n)], elements(n)))[0];
      const [two, one] = [await run(0), await run(1)];
      expect(Array.from(one, (v) => v + 0)).toEqual(Array.from(two, (v) => v + 0)); // a zero's sign aside
    });
  });

  test('dropout_inplace: the mask is the CPU twin\'s bit for bit, survivors scaled by 1/(1-p)', async () => {
    await withDevice(async (ctx) => {
      const n = 5000;
      const values = randomArray(n, () => 1);
      for (const [p, epoch, layer] of [[0.2, 1, 0], [0.8, 7, 1], [0.5, 123, 2]] as const) {
        const dims = structBytes('kernels/dropout_inplace', 'DropoutDims', { count: n, seed: 43052, layer, drop_threshold: dropThreshold(p), keep_scale: keepScale(p) });
        const [out] = await runKernel(ctx, KERNELS.dropoutInplace, { WG }, [values, adamSteps(() => ({ stepSize: 0, bc2Sqrt: 1 }), epoch, 1), dims, words([0])], elements(n));
        const stream = dropoutStream(43052, epoch, layer);
        const want = Array.from(values, (v, i) => (dropoutKeep(stream, i, dropThreshold(p)) ? v * keepScale(p) : 0));
        expectClose(out, want, 0, 0, `dropout p=${p} epoch ${epoch} layer ${layer}`);
        const kept = want.filter((v) => v !== 0).length;
        expect(Math.abs(kept - n * (1 - p))).toBeLessThan(5 * Math.sqrt(n * p * (1 - p))); // binomial, 5 sigma
      }
    });
  });

  test('2-D dispatches: more than 65535 workgroups are flattened correctly', async () => {
    await withDevice(async (ctx) => {
      const n = 70_001;
      const z = randomArray(n, rng(5).bind(null, -1, 1));
      const grid = elements(n, 1);
      expect(grid[1]).toBeGreaterThan(1);
      const [out] = await runKernel(ctx, KERNELS.activationForward, { WG: 1, ACTIVATION: ACTIVATION_CODE.relu }, [z, words([n])], grid);
      const want = Float64Array.from(z);
      twin.activationForwardInplace(want, 'relu');
      expectClose(out, want, 0, 0, 'relu over a 2-D grid');
    });
  });
});

describe('adam_check then adam_step: all or nothing', () => {
  const P = 1000;
  interface AdamState { params: Float32Array<ArrayBuffer>; m: Float32Array<ArrayBuffer>; v: Float32Array<ArrayBuffer>; grads: Float32Array<ArrayBuffer> }
  const setup = (seed: number): AdamState => {
    const r = rng(seed);
    return { params: randomArray(P, () => r(-1, 1)), m: randomArray(P, () => r(-0.01, 0.01)), v: randomArray(P, () => r(0, 1e-4)), grads: randomArray(P, () => r(-1, 1)) };
  };
  const scalars = (t: number) => adamStepScalars(DEFAULT_ADAM, t);

  async function step(ctx: GpuContext, s: AdamState, loss: number, t: number, status = new Uint32Array(4)): Promise<Omit<AdamState, 'grads'> & { status: number[] }> {
    const steps = adamSteps(scalars, t, 1);
    const lossHistory = new Float32Array([loss]);
    const [flags] = await runKernel(ctx, KERNELS.adamCheck, { WG }, [status, s.params, s.m, s.v, s.grads, lossHistory, steps, hyperWords(), words([P]), words([0])], elements(P));
    const flagWords = new Uint32Array(flags.buffer);
    const [params, m, v] = await runKernel(ctx, KERNELS.adamStep, { WG }, [s.params, s.m, s.v, flagWords, s.grads, steps, hyperWords(), words([P]), words([0])], elements(P));
    return { params, m, v, status: Array.from(flagWords.subarray(0, 2)) };
  }

  test('a finite epoch updates every parameter as the CPU twin does', async () => {
    await withDevice(async (ctx) => {
      const s = setup(1);
      const got = await step(ctx, s, 0.5, 3);
      const want = { params: Float64Array.from(s.params), m: Float64Array.from(s.m), v: Float64Array.from(s.v) };
      twin.adamStep(want.params, want.m, want.v, s.grads, DEFAULT_ADAM, 3);
      expect(got.status).toEqual([0, 0]);
      expectClose(got.params, want.params, 1e-7, 1e-6, 'params');
      expectClose(got.m, want.m, 1e-9, 1e-6, 'm');
      expectClose(got.v, want.v, 1e-12, 1e-6, 'v');
    });
  });

  const spoilGrad = (at: number, value: number) => (s: AdamState): void => void (s.grads[at] = value);
  test.each([
    ['one NaN gradient', spoilGrad(777, NaN), 0.5, 2],
    ['one infinite gradient', spoilGrad(3, Infinity), 0.5, 2],
    ['a gradient whose square overflows v', spoilGrad(500, 3e38), 0.5, 2],
    ['a non-finite loss', (): void => undefined, NaN, 1],
  ] as const)('%s: no parameter, m or v changes, and the epoch is flagged', async (_, spoil, loss, why) => {
    await withDevice(async (ctx) => {
      const s = setup(2);
      spoil(s);
      const got = await step(ctx, s, loss, 9);
      expect(got.status).toEqual([9, why]);
      expect(Array.from(got.params)).toEqual(Array.from(s.params));
      expect(Array.from(got.m)).toEqual(Array.from(s.m));
      expect(Array.from(got.v)).toEqual(Array.from(s.v));
    });
  });

  test('OPTIMIZER = 1: an SGD step (p - lr·g) as the CPU twin, m and v untouched; a NaN gradient refused', async () => {
    await withDevice(async (ctx) => {
      const s = setup(4);
      const lr = 0.01;
      const steps = adamSteps(() => ({ stepSize: lr, bc2Sqrt: 1 }), 5, 1);
      const sgd = { WG, OPTIMIZER: 1 };
      const run = async (grads: Float32Array<ArrayBuffer>) => {
        const [flags] = await runKernel(ctx, KERNELS.adamCheck, sgd, [new Uint32Array(4), s.params, s.m, s.v, grads, new Float32Array([0.5]), steps, hyperWords(), words([P]), words([0])], elements(P));
        const flagWords = new Uint32Array(flags.buffer);
        const [params, m, v] = await runKernel(ctx, KERNELS.adamStep, sgd, [s.params, s.m, s.v, flagWords, grads, steps, hyperWords(), words([P]), words([0])], elements(P));
        return { params, m, v, status: Array.from(flagWords.subarray(0, 2)) };
      };
      const got = await run(s.grads);
      const want = Float64Array.from(s.params);
      twin.sgdStep(want, s.grads, lr);
      expect(got.status).toEqual([0, 0]);
      expectClose(got.params, want, 1e-7, 1e-6, 'sgd params');
      expect(Array.from(got.m)).toEqual(Array.from(s.m));
      expect(Array.from(got.v)).toEqual(Array.from(s.v));
      const bad = Float32Array.from(s.grads);
      bad[10] = NaN;
      const refused = await run(bad);
      expect(refused.status).toEqual([5, 2]);
      expect(Array.from(refused.params)).toEqual(Array.from(s.params));
    });
  });

  test('after a flagged epoch, later epochs update nothing', async () => {
    await withDevice(async (ctx) => {
      const s = setup(3);
      const got = await step(ctx, s, 0.5, 12, new Uint32Array([10, 2, 0, 0]));
      expect(got.status).toEqual([10, 2]);
      expect(Array.from(got.params)).toEqual(Array.from(s.params));
    });
  });
});

describe('ce_points: CrossEntropyLoss of every point', () => {
  test.each([1, 3, 10])('C = %i: loss, dlogit and softmax against the CPU twin, class indices and probability rows', async (c) => {
    await withDevice(async (ctx) => {
      for (const n of [1, 257, 1000]) {
        const r = rng(n * 31 + c);
        const z = randomArray(n * c, () => (r() < 0.05 ? r(-60, 60) : r(-8, 8)));
        const indices = randomArray(n, () => Math.floor(r(0, c)));
        const rows = new Float32Array(n * c);
        for (let i = 0; i < n; i++) {
          const raw = Array.from({ length: c }, () => r());
          const sum = raw.reduce((a, b) => a + b, 0);
          raw.forEach((v, k) => (rows[i * c + k] = v / sum));
        }
        for (const [y, targetRows] of [[indices, false], [rows, true]] as const) {
          const outs = [new Float32Array(n), new Float32Array(n * c), new Float32Array(n * c)];
          const dims = new Uint32Array(structBytes('kernels/ce_points', 'CeDims', { count: n, classes: c, mean_over: n }).buffer);
          const constants = { WG, WRITE_LOSS: 1, WRITE_DLOGIT: 1, WRITE_PROB: 1, TARGET_ROWS: Number(targetRows) };
          const [loss, dlogit, prob] = await runKernel(ctx, KERNELS.cePoints, constants, [...outs, z, y, dims], elements(n));
          const wantLoss = new Float64Array(n);
          const wantD = new Float64Array(n * c);
          const wantP = new Float64Array(n * c);
          for (let i = 0; i < n; i++) {
            wantLoss[i] = crossEntropy(z, i * c, c, targetRows ? y.subarray(i * c, (i + 1) * c) : y[i], n, wantD);
            softmaxRow(wantP, z, i * c, c);
          }
          const what = `C=${c} N=${n} ${targetRows ? 'rows' : 'indices'}`;
          expectClose(loss, wantLoss, 2e-5, 1e-5, `loss ${what}`);
          expectClose(dlogit, wantD, 1e-8, 1e-5, `dlogit ${what}`);
          expectClose(prob, wantP, 1e-7, 1e-5, `softmax ${what}`);
        }
      }
    });
  });

  test('a logit that is not finite makes its point NaN (the epoch is refused)', async () => {
    await withDevice(async (ctx) => {
      const z = new Float32Array([1, Infinity, 2, 0.5, NaN, 1, 0, 1, 2]);
      const y = new Float32Array([0, 1, 2]);
      const dims = new Uint32Array(structBytes('kernels/ce_points', 'CeDims', { count: 3, classes: 3, mean_over: 3 }).buffer);
      const outs = [new Float32Array(3), new Float32Array(9), new Float32Array(9)];
      const [loss, dlogit] = await runKernel(ctx, KERNELS.cePoints, { WG, WRITE_LOSS: 1, WRITE_DLOGIT: 1, WRITE_PROB: 0, TARGET_ROWS: 0 }, [...outs, z, y, dims], [1]);
      expect(Number.isNaN(loss[0]) && Number.isNaN(loss[1])).toBe(true);
      expect(Array.from(dlogit.subarray(0, 6)).every(Number.isNaN)).toBe(true);
      expect(Number.isFinite(loss[2])).toBe(true);
    });
  });
});

describe('gather_rows: a minibatch from the resident data', () => {
  test.each([
    [10, 3, 1, 4],
    [1600, 7, 3, 256],
    [33, 1, 2, 33],
  ])('N=%i D=%i T=%i B=%i: every batch of a shuffled epoch as the CPU twin', async (n, d, t, batch) => {
    await withDevice(async (ctx) => {
      const r = rng(n + d);
      const x = randomArray(n * d, () => r(-1, 1));
      const y = randomArray(n * t, () => r());
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(r(0, i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const steps = Math.ceil(n / batch);
      for (let j = 0; j < steps; j++) {
        const dims = new Uint32Array(structBytes('kernels/gather_rows', 'GatherDims', { n, d, t, batch, steps_per_epoch: steps }).buffer);
        // Slot j of a one-epoch chunk: the dynamic epoch index is at offset 0, so the slot goes in its value.
        const [bx, by] = await runKernel(ctx, KERNELS.gatherRows, { WG }, [new Float32Array(batch * d), new Float32Array(batch * t), x, y, order, dims, words([j])], elements(batch * d));
        const wx = new Float64Array(batch * d);
        const wy = new Float64Array(batch * t);
        const rows = twin.gatherRows(wx, wy, x, y, order, { n, d, t, batch, j });
        expectClose(bx.subarray(0, rows * d), wx.subarray(0, rows * d), 0, 0, `batch ${j} x`);
        expectClose(by.subarray(0, rows * t), wy.subarray(0, rows * t), 0, 0, `batch ${j} y`);
      }
    });
  });
});
