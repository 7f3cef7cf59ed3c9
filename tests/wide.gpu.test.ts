// The wide strategy's kernels (shaders/kernels/wide_*.wgsl) against their float32 CPU twins
// (src/cpu/wide.ts, the same sums in the same order), on the software plan and on the GPU plan forced
// on this adapter, in both runtimes; and the plan's sizes. The trainer, the CPU model, the golden and
// the descriptor: tests/wide.test.ts (Node only, as the course's runs).
import { describe, expect, test } from 'vitest';
import * as twin from '../src/cpu/wide';
import { planOnlyContext, withPlan } from '../src/gpu/context';
import { KERNELS } from '../src/gpu/kernels';
import { planFor } from '../src/gpu/plan';
import { structBytes } from '../src/gpu/structs';
import { HEAD_CODE, paramLayout, singleHidden, type Head } from '../src/model/layout';
import { padToVec4 } from '../src/train/buffers';
import { widePlan } from '../src/train/wide';
import { H200 } from '../bench/plan';
import { expectClose, withDevice } from './gpu';
import { randomArray, rng, runKernel, words } from './harness';

const PLANS = ['software', 'gpu'] as const;

/** The largest |a - b| over two arrays (NaN counts as infinite). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Number.isNaN(a[i] - b[i]) ? Infinity : Math.abs(a[i] - b[i]));
  return worst;
}

describe.each(PLANS)('wide kernels on the %s plan', (deviceClass) => {
  test.each([
    { hidden: 512, n: 100, head: 'mse' as Head, binary: false },
    { hidden: 1000, n: 37, head: 'bce' as Head, binary: true }, // H not a multiple of the slice length
    { hidden: 1000, n: 300, head: 'bce-logits' as Head, binary: false },
    { hidden: 7, n: 1, head: 'bce' as Head, binary: false },
  ])('H=$hidden N=$n head $head: logits, head and grads equal their float32 twins', async (c) => {
    await withDevice(async (device) => {
      const ctx = withPlan(device, deviceClass);
      const p = widePlan(ctx, c.n, c.hidden);
      expect((p.slices - 1) * p.sliceLen).toBeLessThan(c.hidden); // no slice is empty
      expect(p.slices * p.sliceLen).toBeGreaterThanOrEqual(c.hidden);
      const layout = paramLayout(singleHidden(c.hidden, c.head));
      const [first, second] = layout.layers;
      const d: twin.WideDims = { n: c.n, hidden: c.hidden, slices: p.slices, sliceLen: p.sliceLen, w1: first.w, b1: first.b, w2: second.w, b2: second.b };
      const dims = structBytes('common/wide', 'WideDims', { n: c.n, hidden: c.hidden, slices: p.slices, slice_len: p.sliceLen, w1: d.w1, b1: d.b1, w2: d.w2, b2: d.b2, mean_over: c.n });
      const r = rng(c.hidden + c.n);
      const params = randomArray(layout.count, () => r(-1, 1) / Math.sqrt(c.hidden / 64));
      const x = padToVec4(randomArray(c.n, () => r(-1, 1)));
      const y = padToVec4(randomArray(c.n, () => (c.binary ? (r() < 0.5 ? 0 : 1) : r())));

      const [partials] = await runKernel(ctx, KERNELS.wideLogits, { WG: p.pointsWg }, [new Float32Array(p.slices * c.n), params, x, dims], [p.slices, p.tiles]);
      const wantPartials = new Float32Array(p.slices * c.n);
      twin.wideLogits(wantPartials, params, x, d);
      // Same order, every step rounded to float32: the same bits (measured on SwiftShader, both plans:
      // a difference of 0 in the partials, the grads and mse's head; bce's and bce-logits' head
      // within 6e-8 in the loss and 2e-9 in dlogit, where the twin's exp and log are double's).
      expect(maxDiff(partials, wantPartials), 'partials').toBe(0);

      const constants = { WG: p.pointsWg, HEAD: HEAD_CODE[c.head], BINARY_LABELS: Number(c.binary) };
      const [history, dlogit] = await runKernel(ctx, KERNELS.wideHead, constants, [new Float32Array(4), new Float32Array(4 * Math.ceil(c.n / 4)), partials, y, params, dims, words([0])], [1]);
      const [wantHistory, wantDlogit] = [new Float32Array(1), new Float32Array(c.n)];
      twin.wideHead(wantHistory, 0, wantDlogit, partials, y, params, d, c.head, c.binary, p.pointsWg);
      const exact = c.head === 'mse' ? 0 : 1;
      expectClose(history.subarray(0, 1), wantHistory, 0, 2e-7 * exact, 'mean loss');
      expectClose(dlogit.subarray(0, c.n), wantDlogit, 1e-8 * exact, 1e-6 * exact, 'dlogit');
      expect(Array.from(dlogit.subarray(c.n)).every((v) => v === 0)).toBe(true);

      const [grads] = await runKernel(ctx, KERNELS.wideGrads, { WG: p.gradsWg }, [new Float32Array(layout.count), params, x, dlogit, dims], p.gradsGrid);
      const wantGrads = new Float32Array(layout.count);
      twin.wideGrads(wantGrads, params, x, dlogit, d);
      expect(maxDiff(grads, wantGrads), 'grads').toBe(0);
    });
  });
});

describe('the plan', () => {
  test('a GPU plan spreads H = 204 800 over thousands of invocations; a software plan over a few workgroups', () => {
    const gpu = planOnlyContext(planFor('gpu', H200.limits, H200.sms));
    const software = planOnlyContext(planFor('software', H200.limits));
    const big = widePlan(gpu, 100, 204_800);
    expect(big.slices * big.tiles * big.pointsWg).toBeGreaterThan(10_000);
    expect(big.gradsGrid[0] * big.gradsGrid[1] * big.gradsWg).toBeGreaterThanOrEqual(204_800);
    expect(big.slices * big.sliceLen).toBeGreaterThanOrEqual(204_800);
    expect((big.slices - 1) * big.sliceLen).toBeLessThan(204_800);
    const small = widePlan(software, 100, 20_480);
    expect(small.slices * small.tiles).toBeLessThanOrEqual(8);
    expect(small.gradsGrid[0] * small.gradsGrid[1]).toBeLessThanOrEqual(8);
  });
});
