// The CPU twins of the convolution and pooling kernels (src/cpu/conv.ts): small cases worked by
// hand, the gradients against double-precision central differences of a scalar loss, and the
// fused twins against the composition of the plain ones.
import { describe, expect, test } from 'vitest';
import * as conv from '../src/cpu/conv';
import { splitKReduce } from '../src/cpu/gemm';
import { CONV_COSTS, convBindingProblem } from '../src/gpu/conv';
import { rng } from './harness';

const { convBiasOffset, convGradientRows, convOut, poolOut } = conv;

function random(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => r(-1, 1));
}

/** The flat gradient block from split partials, as split_k_reduce sums them. */
function reduce(partials: Float64Array, rows: number, splits: number): Float64Array {
  const out = new Float64Array(rows);
  splitKReduce(out, partials, { rows, splits, outOffset: 0 });
  return out;
}

/** Central differences of f at every element of v (changed in place and restored). */
function numericGradient(f: () => number, v: Float64Array, from = 0, to = v.length, h = 1e-6): Float64Array {
  const g = new Float64Array(to - from);
  for (let i = from; i < to; i++) {
    const keep = v[i];
    v[i] = keep + h;
    const up = f();
    v[i] = keep - h;
    const down = f();
    v[i] = keep;
    g[i - from] = (up - down) / (2 * h);
  }
  return g;
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst, what).toBeLessThan(tol);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('by hand', () => {
  test('conv2d: a 2×2 difference kernel on 1..9, bias, ReLU', () => {
    // Wt = [[1, 0], [0, -1]], b = 0.5: Y[i,j] = X[i,j] - X[i+1,j+1] + 0.5 = 1 - 5 + 0.5 = -3.5
    const d: conv.ConvDims = { n: 1, c: 1, h: 3, w: 3, o: 1, k: 2, wOffset: 1 };
    const params = Float64Array.from([99, 1, 0, 0, -1, 0.5]);
    const x = Float64Array.from({ length: 9 }, (_, i) => i + 1);
    const y = new Float64Array(4);
    conv.conv2dForward(y, x, params, d, 0);
    expect(Array.from(y)).toEqual([-3.5, -3.5, -3.5, -3.5]);
    conv.conv2dForward(y, x, params, d, 1);
    expect(Array.from(y)).toEqual([0, 0, 0, 0]);
    // two channels in, two out: o=1 sums the channels' top-left pixels
    const d2: conv.ConvDims = { n: 1, c: 2, h: 2, w: 2, o: 2, k: 2, wOffset: 0 };
    const p2 = Float64Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10, 20]);
    const x2 = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const y2 = new Float64Array(2);
    conv.conv2dForward(y2, x2, p2, d2, 0);
    expect(Array.from(y2)).toEqual([10 + 10, 1 + 5 + 20]);
  });

  test('conv2d backward: dX spreads dY through the kernel; dWt correlates dY with X; db sums dY', () => {
    const d: conv.ConvDims = { n: 1, c: 1, h: 3, w: 3, o: 1, k: 2, wOffset: 0 };
    const params = Float64Array.from([1, 2, 3, 4, 0]);
    const dy = Float64Array.from([1, 0, 0, 0]); // only Y[0,0]
    const dx = new Float64Array(9);
    conv.conv2dBackwardInput(dx, dy, params, d);
    expect(Array.from(dx)).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
    const x = Float64Array.from({ length: 9 }, (_, i) => i + 1);
    const partials = new Float64Array(convGradientRows(d) * 2);
    conv.conv2dBackwardWeights(partials, Float64Array.from([1, 1, 1, 1]), x, d, { splitLen: 3, splits: 2 });
    // dWt[p,q] = Σ_{i,j} X[i+p, j+q]: the four 2×2 sums; split 0 holds positions 0-2, split 1 position 3
    expect(Array.from(reduce(partials, 5, 2))).toEqual([1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9, 4]);
    expect(partials[0 * 2 + 1]).toBe(5); // position 3 = (1,1): X[1,1] = 5
  });

  test('maxpool: the first maximum on ties, the last NaN wins, floor mode drops the edge', () => {
    // 5×5 input, k = 2: a 2×2 output; row 4 and column 4 belong to no window
    const nan = NaN;
    const x = Float64Array.from([
      1, 1, 0, 3, 9,
      1, 1, 3, nan,9,
      -2, -1, nan, 2, 9,
      -1, -2, 5, nan, 9,
      9, 9, 9, 9, 9,
    ]);
    const d: conv.PoolDims = { n: 1, c: 1, h: 5, w: 5, k: 2 };
    const out = new Float64Array(4);
    const argmax = new Uint32Array(4);
    conv.maxpoolForward(out, argmax, x, d);
    expect(Array.from(argmax)).toEqual([0, 8, 11, 18]); // tie → (0,0); NaN at (1,3); -1 at (2,1); the later NaN (3,3)
    expect([out[0], out[2]]).toEqual([1, -1]);
    expect(Number.isNaN(out[1]) && Number.isNaN(out[3])).toBe(true);
    const dx = new Float64Array(25);
    conv.maxpoolBackward(dx, Float64Array.from([10, 20, 30, 40]), argmax, d);
    const want = new Float64Array(25);
    want[0] = 10;
    want[8] = 20;
    want[11] = 30;
    want[18] = 40;
    expect(Array.from(dx)).toEqual(Array.from(want));
    // with the ReLU mask: pooled -1 passes nothing
    conv.maxpoolBackward(dx, Float64Array.from([10, 20, 30, 40]), argmax, d, Float64Array.from([1, 1, -1, 1]));
    want[11] = 0;
    expect(Array.from(dx)).toEqual(Array.from(want));
  });
});

// Odd shapes: non-square, several channels, k from 1 to the image's side.
const SHAPES: conv.ConvDims[] = [
  { n: 2, c: 1, h: 5, w: 5, o: 3, k: 3, wOffset: 2 },
  { n: 2, c: 3, h: 7, w: 6, o: 2, k: 2, wOffset: 0 },
  { n: 1, c: 2, h: 4, w: 5, o: 1, k: 1, wOffset: 5 },
  { n: 1, c: 2, h: 5, w: 6, o: 2, k: 5, wOffset: 1 },
];

describe.each(SHAPES)('finite differences %o', (d) => {
  const { oh, ow } = convOut(d);
  const seed = d.c * 100 + d.h * 10 + d.k;
  const x = random(d.n * d.c * d.h * d.w, seed);
  const params = random(convBiasOffset(d) + d.o, seed + 1);
  const r = random(d.n * d.o * oh * ow, seed + 2); // L = Σ r·Y, so dL/dY = r
  const loss = () => {
    const y = new Float64Array(r.length);
    conv.conv2dForward(y, x, params, d, 0);
    return dot(r, y);
  };

  test('dWt and db (split partials of 7 positions, summed) and dX', () => {
    const rows = convGradientRows(d);
    const split = { splitLen: 7, splits: Math.ceil((d.n * oh * ow) / 7) };
    const partials = new Float64Array(rows * split.splits);
    conv.conv2dBackwardWeights(partials, r, x, d, split);
    expectNear(reduce(partials, rows, split.splits), numericGradient(loss, params, d.wOffset, d.wOffset + rows), 1e-8, 'dWt, db');
    const dx = new Float64Array(x.length);
    conv.conv2dBackwardInput(dx, r, params, d);
    expectNear(dx, numericGradient(loss, x), 1e-8, 'dX');
  });

  test.each([1, 2, 3].filter((pool) => pool <= Math.min(oh, ow)))('conv → ReLU → MaxPool2d(%i): the fused twins match the composition and the differences', (pool) => {
    const pd = conv.poolAfterConv(d, pool);
    const { ph, pw } = poolOut(pd);
    const count = d.n * d.o * ph * pw;
    const pooled = new Float64Array(count);
    const argmax = new Uint32Array(count);
    conv.conv2dPoolForward(pooled, argmax, x, params, d, pool);
    // the composition: conv with ReLU, then the pool
    const act = new Float64Array(d.n * d.o * oh * ow);
    conv.conv2dForward(act, x, params, d, 1);
    const pooled2 = new Float64Array(count);
    const argmax2 = new Uint32Array(count);
    conv.maxpoolForward(pooled2, argmax2, act, pd);
    expect(Array.from(argmax)).toEqual(Array.from(argmax2));
    expectNear(pooled, pooled2, 1e-7, 'pooled'); // the fused twin rounds each window value to float32

    const rp = random(count, seed + 3);
    const rows = convGradientRows(d);
    const split = { splitLen: 5, splits: Math.ceil((d.n * oh * ow) / 5) };
    const fused = new Float64Array(rows * split.splits);
    conv.conv2dPoolBackwardWeights(fused, rp, argmax, pooled, x, d, pool, split);
    const dact = new Float64Array(act.length);
    conv.maxpoolBackward(dact, rp, argmax2, pd, pooled2);
    const plain = new Float64Array(rows * split.splits);
    conv.conv2dBackwardWeights(plain, dact, x, d, split);
    expect(Array.from(fused)).toEqual(Array.from(plain));

    const pooledLoss = () => {
      const y = new Float64Array(act.length);
      conv.conv2dForward(y, x, params, d, 1);
      const out = new Float64Array(count);
      conv.maxpoolForward(out, new Uint32Array(count), y, pd);
      return dot(rp, out);
    };
    expectNear(reduce(fused, rows, split.splits), numericGradient(pooledLoss, params, d.wOffset, d.wOffset + rows), 1e-6, 'dWt, db through ReLU and pool');
  });
});

test('convBindingProblem names the limit and the size; the course\'s layer fits the default limits', () => {
  const limits = { maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456 };
  const course: conv.ConvDims = { n: 1600, c: 1, h: 28, w: 28, o: 16, k: 5, wOffset: 0 };
  expect(convBindingProblem('unfused', limits, course, { pool: 2, splits: 8 })).toBeUndefined();
  const big = convBindingProblem('unfused', limits, { ...course, n: 4000 }, { pool: 2, splits: 8 });
  expect(big?.limit).toBe('maxStorageBufferBindingSize');
  expect(big?.message).toContain(`${4 * 4000 * 16 * 24 * 24}-byte buffer for the conv's output, 4000×16×24×24 floats`);
  expect(big?.message).toContain('134217728');
  expect(convBindingProblem('fused', limits, { ...course, n: 4000 }, { pool: 2, fused: true, splits: 8 })).toBeUndefined();
});

test('CONV_COSTS: the course layer by hand', () => {
  const d: conv.ConvDims = { n: 1600, c: 1, h: 28, w: 28, o: 16, k: 5, wOffset: 0 };
  const outputs = 1600 * 16 * 24 * 24;
  const pooledCount = 1600 * 16 * 12 * 12;
  expect(CONV_COSTS.conv2dForward(d, 1)).toEqual({ flops: 2 * outputs * 25 + 2 * outputs, bytes: 4 * (1600 * 784 + 16 * 26 + outputs) });
  expect(CONV_COSTS.conv2dPoolForward(d, 2)).toEqual({ flops: outputs * (2 * 25 + 3), bytes: 4 * (1600 * 784 + 16 * 26 + 2 * pooledCount) });
  expect(CONV_COSTS.conv2dBackwardWeights(d, 8)).toEqual({ flops: 2 * outputs * 25 + outputs, bytes: 4 * (outputs + 1600 * 784 + 16 * 26 * 8) });
  expect(CONV_COSTS.conv2dPoolBackwardWeights(d, 2, 8).flops).toBe(pooledCount * 51);
  expect(CONV_COSTS.maxpoolForward(conv.poolAfterConv(d, 2))).toEqual({ flops: outputs, bytes: 4 * (outputs + 2 * pooledCount) });
  expect(CONV_COSTS.maxpoolBackward(conv.poolAfterConv(d, 2), true)).toEqual({ flops: outputs, bytes: 4 * (outputs + 3 * pooledCount) });
});
