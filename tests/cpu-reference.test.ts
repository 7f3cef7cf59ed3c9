// The CPU reference itself: its gradients against central finite differences of its own loss,
// in double precision, so a wrong backward formula in the twins cannot hide behind the GPU.
import { describe, expect, test } from 'vitest';
import { cpuLossAndGrads } from '../src/cpu/model';
import { bce, bceBackward, sigmoid, sigmoidBackward } from '../src/cpu/ops';
import { paramLayout } from '../src/model/layout';
import { rng } from './harness';

describe('gradient check by finite differences', () => {
  test.each([1, 2, 16])('hidden width %i', (h) => {
    const layout = paramLayout(h);
    const r = rng(100 + h);
    const n = 37;
    const params = Float64Array.from({ length: layout.count }, () => r(-1, 1));
    const x = Float64Array.from({ length: n }, () => r(-1, 1));
    const y = Float64Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));
    const { grads } = cpuLossAndGrads(params, layout, x, y);
    const eps = 1e-6;
    for (let i = 0; i < layout.count; i++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[i] += eps;
      minus[i] -= eps;
      const numeric = (cpuLossAndGrads(plus, layout, x, y).loss - cpuLossAndGrads(minus, layout, x, y).loss) / (2 * eps);
      expect(Math.abs(grads[i] - numeric), `param ${i}: analytic ${grads[i]}, numeric ${numeric}`).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
    }
  });

  test('scalar ops: sigmoid and bce derivatives', () => {
    for (const z of [-5, -0.3, 0, 0.7, 4]) {
      const numeric = (sigmoid(z + 1e-6) - sigmoid(z - 1e-6)) / 2e-6;
      expect(sigmoidBackward(1, sigmoid(z))).toBeCloseTo(numeric, 8);
    }
    for (const [p, y] of [[0.2, 0], [0.7, 1], [0.5, 1]]) {
      const numeric = (bce(p + 1e-7, y) - bce(p - 1e-7, y)) / 2e-7;
      expect(bceBackward(p, y, 1)).toBeCloseTo(numeric, 6);
    }
  });

  test('bce clamps each log at -100, as torch does', () => {
    expect(bce(0, 1)).toBe(100);
    expect(bce(1, 0)).toBe(100);
    expect(bce(0, 0)).toBe(0);
    expect(Number.isFinite(bceBackward(0, 1, 1))).toBe(true);
  });
});
