// Every kernel against its hand-written CPU twin on random inputs, at sizes that straddle the
// workgroup size (1, 7, 255, 256, 257, 2000, 3333 points) and hidden widths 1, 2, 16, 256.
import { describe, expect, test } from 'vitest';
import * as twin from '../src/cpu/kernels';
import { cpuLossAndGrads } from '../src/cpu/model';
import { DEFAULT_ADAM, adamStepScalars } from '../src/cpu/ops';
import { grid2d, workgroupsFor } from '../src/gpu/grid';
import { KERNELS } from '../src/gpu/kernels';
import { paramLayout } from '../src/model/layout';
import { padToVec4 } from '../src/train/buffers';
import { expectClose, withDevice } from './gpu';
import { adamSteps, randomArray, rng, runKernel, words } from './harness';

const SIZES = [1, 7, 255, 256, 257, 2000, 3333];
const WIDTHS = [1, 2, 16, 256];
const WG = 64;
const elements = (count: number, wg = WG): [number, number] => grid2d(workgroupsFor(count, wg));
const ATOL = 1e-5;
const RTOL = 1e-5;
const hyperWords = () => new Float32Array([0.9, 0.999, 1 - 0.9, 1 - 0.999, 1e-8, 0, 0, 0]);

describe.each(WIDTHS)('hidden width %i', (h) => {
  const layout = paramLayout(h);

  test('linear_forward: both layers', async () => {
    await withDevice(async (ctx) => {
      for (const n of SIZES) {
        const r = rng(n * 1000 + h);
        const params = randomArray(layout.count, () => r(-1, 1));
        const x = randomArray(n, () => r(-1, 1));
        for (const [inDim, outDim, wOffset, input] of [
          [1, h, layout.W1, x],
          [h, 1, layout.W2, randomArray(n * h, () => r(0, 2))],
        ] as const) {
          const [y] = await runKernel(ctx, KERNELS.linearForward, { WG }, [new Float32Array(n * outDim), input, params, words([n, inDim, outDim, wOffset])], elements(n * outDim));
          const want = new Float64Array(n * outDim);
          twin.linearForward(want, input, params, { n, inDim, outDim, wOffset });
          expectClose(y, want, ATOL, RTOL, `linear_forward N=${n} ${inDim}→${outDim}`);
        }
      }
    });
  });

  test('linear_backward_input and linear_backward_params', async () => {
    await withDevice(async (ctx) => {
      for (const n of SIZES) {
        const r = rng(n * 7 + h);
        const params = randomArray(layout.count, () => r(-1, 1));
        const dy = randomArray(n, () => r(-1, 1)); // layer 2: OUT = 1
        const act = randomArray(n * h, () => r(0, 2));
        const dims = { n, inDim: h, outDim: 1, wOffset: layout.W2 };
        const [dx] = await runKernel(ctx, KERNELS.linearBackwardInput, { WG }, [new Float32Array(n * h), dy, params, words([n, h, 1, layout.W2])], elements(n * h));
        const wantDx = new Float64Array(n * h);
        twin.linearBackwardInput(wantDx, dy, params, dims);
        expectClose(dx, wantDx, ATOL, RTOL, `linear_backward_input N=${n}`);

        // layer 1 (IN = 1, OUT = H) and layer 2 (IN = H, OUT = 1)
        const x = randomArray(n, () => r(-1, 1));
        const dz1 = randomArray(n * h, () => r(-1, 1));
        for (const [inDim, outDim, grad, input] of [
          [1, h, dz1, x],
          [h, 1, dy, act],
        ] as const) {
          for (const ppt of [1, 3]) {
            const chunks = Math.ceil(n / (WG * ppt));
            const q = outDim * inDim + outDim;
            const [partials] = await runKernel(ctx, KERNELS.linearBackwardParams, { WG }, [new Float32Array(q * chunks), grad, input, words([n, inDim, outDim, chunks, ppt])], [...grid2d(chunks), q]);
            const want = new Float64Array(q * chunks);
            twin.linearBackwardParams(want, grad, input, { n, inDim, outDim }, WG, ppt);
            expectClose(partials, want, ATOL, 1e-4, `linear_backward_params N=${n} ${inDim}→${outDim} ppt=${ppt}`);
          }
        }
      }
    });
  });

  test('adam_step over the flat block', async () => {
    await withDevice(async (ctx) => {
      const r = rng(h);
      const p = layout.count;
      const params = randomArray(p, () => r(-1, 1));
      const m = randomArray(p, () => r(-0.1, 0.1));
      const v = randomArray(p, () => r(0, 0.01));
      const grads = randomArray(p, () => r(-1, 1));
      for (const t of [1, 2, 3000]) {
        const [pOut, mOut, vOut, status] = await runKernel(
          ctx,
          KERNELS.adamStep,
          { WG },
          [params, m, v, new Uint32Array(4), grads, new Float32Array([0.5]), adamSteps((s) => adamStepScalars(DEFAULT_ADAM, s), t, 1), hyperWords(), words([p]), words([0])],
          elements(p),
        );
        expect(new Uint32Array(status.buffer)[0]).toBe(0);
        const [wp, wm, wv] = [Float64Array.from(params), Float64Array.from(m), Float64Array.from(v)];
        twin.adamStep(wp, wm, wv, grads, DEFAULT_ADAM, t);
        expectClose(pOut, wp, 1e-6, 1e-6, `adam params t=${t}`);
        expectClose(mOut, wm, 1e-7, 1e-6, `adam m t=${t}`);
        expectClose(vOut, wv, 1e-9, 1e-6, `adam v t=${t}`);
      }
    });
  });

  test('fused_forward_backward and fused_reduce_adam equal the CPU model', async () => {
    await withDevice(async (ctx) => {
      for (const n of SIZES) {
        const r = rng(n + 31 * h);
        const params = randomArray(layout.count, () => r(-1, 1));
        const x = randomArray(n, () => r(-1, 1));
        const y = randomArray(n, () => (r() < 0.5 ? 0 : 1));
        const rows = layout.count + 1;
        const wg = h === 256 ? 8 : WG; // the columns of a wide layer fit only a small workgroup
        const ppt = n > 1000 ? 8 : 4; // a multiple of 4: points are read as vec4s
        const chunks = Math.ceil(n / (wg * ppt));
        const [partials] = await runKernel(ctx, KERNELS.fusedForwardBackward, { WG: wg, HIDDEN: h }, [new Float32Array(rows * chunks), padToVec4(x), padToVec4(y), params, words([n, chunks, ppt])], grid2d(chunks));
        const sums = new Float64Array(rows);
        twin.reduceRows(sums, partials, { rows, len: chunks, outOffset: 0, divisor: 1 });
        const { loss, grads } = cpuLossAndGrads(params, layout, x, y);
        expectClose(sums.subarray(0, layout.count), grads, 1e-5, 1e-4, `fused gradients N=${n}`);
        expectClose([sums[layout.count] / n], [loss], 1e-6, 1e-5, `fused loss N=${n}`);

        const zeros = new Float32Array(layout.count);
        const [pOut, , , history] = await runKernel(
          ctx,
          KERNELS.fusedReduceAdam,
          { WG },
          [params, zeros, zeros, new Float32Array(1), new Uint32Array(4), partials, adamSteps((s) => adamStepScalars(DEFAULT_ADAM, s), 1, 1), hyperWords(), words([chunks, layout.count, n]), words([0])],
          [rows],
        );
        const want = Float64Array.from(params);
        twin.adamStep(want, new Float64Array(layout.count), new Float64Array(layout.count), grads, DEFAULT_ADAM, 1);
        expectClose(pOut, want, 1e-6, 1e-5, `fused update N=${n}`);
        expectClose(history, [loss], 1e-6, 1e-5, `fused mean loss N=${n}`);
      }
    });
  });
});

describe('element-wise kernels and reductions', () => {
  test.each(SIZES)('N=%i: relu, sigmoid, bce (forward and backward), reduce_rows', async (n) => {
    await withDevice(async (ctx) => {
      const r = rng(n);
      const z = randomArray(n, () => r(-30, 30));
      const g = randomArray(n, () => r(-1, 1));
      const count = words([n]);
      const grid = elements(n);

      const [reluOut] = await runKernel(ctx, KERNELS.reluForward, { WG }, [z, count], grid);
      const reluWant = Float64Array.from(z);
      twin.reluForwardInplace(reluWant);
      expectClose(reluOut, reluWant, 0, 0, 'relu_forward');

      const [reluGrad] = await runKernel(ctx, KERNELS.reluBackward, { WG }, [g, reluOut, count], grid);
      const reluGradWant = Float64Array.from(g);
      twin.reluBackwardInplace(reluGradWant, reluWant);
      expectClose(reluGrad, reluGradWant, 0, 0, 'relu_backward');

      const [prob] = await runKernel(ctx, KERNELS.sigmoidForward, { WG }, [z, count], grid);
      const probWant = Float64Array.from(z);
      twin.sigmoidForwardInplace(probWant);
      expectClose(prob, probWant, 1e-7, 1e-6, 'sigmoid_forward');

      const [sigGrad] = await runKernel(ctx, KERNELS.sigmoidBackward, { WG }, [g, prob, count], grid);
      const sigGradWant = Float64Array.from(g);
      twin.sigmoidBackwardInplace(sigGradWant, prob);
      expectClose(sigGrad, sigGradWant, 1e-7, 1e-5, 'sigmoid_backward');

      // Labels 0/1 and probabilities that include the clamped ends 0 and 1.
      const y = randomArray(n, () => (r() < 0.5 ? 0 : 1));
      const p = randomArray(n, () => (r() < 0.05 ? (r() < 0.5 ? 0 : 1) : r(0.001, 0.999)));
      const [loss] = await runKernel(ctx, KERNELS.bceForward, { WG }, [new Float32Array(n), p, y, count], grid);
      const lossWant = new Float64Array(n);
      twin.bceForwardPoints(lossWant, p, y);
      expectClose(loss, lossWant, 1e-6, 1e-5, 'bce_forward');
      expect(Math.max(...loss)).toBeLessThanOrEqual(100);
      // With every label 0 or 1, the one-log form gives the same bits (a zero's sign aside).
      const [lossBinary] = await runKernel(ctx, KERNELS.bceForward, { WG, BINARY_LABELS: 1 }, [new Float32Array(n), p, y, count], grid);
      expect(Array.from(lossBinary, (v) => v + 0)).toEqual(Array.from(loss, (v) => v + 0));
      const lossBinaryWant = new Float64Array(n);
      twin.bceForwardPoints(lossBinaryWant, p, y, true);
      expectClose(lossBinaryWant, lossWant, 0, 0, 'bce_forward binary twin');

      const [dp] = await runKernel(ctx, KERNELS.bceBackward, { WG }, [new Float32Array(n), p, y, count], grid);
      const dpWant = new Float64Array(n);
      twin.bceBackwardPoints(dpWant, p, y);
      expectClose(dp, dpWant, 0, 1e-5, 'bce_backward');

      // The mean loss as the unfused strategy takes it: one row of N values, divided by N.
      const pointLoss = Float32Array.from(lossWant);
      const [mean] = await runKernel(ctx, KERNELS.reduceRows, { WG }, [new Float32Array(1), pointLoss, words([n, 0, 1, n], [3]), words([0])], [1]);
      const meanWant = new Float64Array(1);
      twin.reduceRows(meanWant, pointLoss, { rows: 1, len: n, outOffset: 0, divisor: n });
      expectClose(mean, meanWant, 1e-6, 1e-5, 'reduce_rows mean');
    });
  });

  test('2-D dispatches: more than 65535 workgroups are flattened correctly', async () => {
    await withDevice(async (ctx) => {
      const n = 70_001;
      const z = randomArray(n, rng(5).bind(null, -1, 1));
      const grid = elements(n, 1);
      expect(grid[1]).toBeGreaterThan(1);
      const [out] = await runKernel(ctx, KERNELS.reluForward, { WG: 1 }, [z, words([n])], grid);
      const want = Float64Array.from(z);
      twin.reluForwardInplace(want);
      expectClose(out, want, 0, 0, 'relu over a 2-D grid');
    });
  });
});
