// The CPU reference itself: its gradients against central finite differences of its own loss,
// in double precision, so a wrong backward formula in the twins cannot hide behind the GPU.
import { describe, expect, test } from 'vitest';
import { cpuLossAndGrads } from '../src/cpu/model';
import { ACTIVATION_TWINS, bce, bceBackward, bceLogits, headDlogit, sigmoid, sigmoidBackward } from '../src/cpu/ops';
import { ACTIVATIONS, POINT_HEADS as HEADS, paramLayout, type Activation, type Head } from '../src/model/layout';
import { rng } from './harness';

const MODELS: [number[], Head, Activation[]?][] = [
  [[1, 1, 1], 'bce'],
  [[1, 2, 1], 'bce'],
  [[1, 16, 1], 'bce-logits'],
  [[3, 5, 1], 'mse'],
  [[2, 4, 3, 1], 'bce'],
  [[4, 3, 3, 2, 1], 'mse'],
  // hidden Sigmoid and Tanh, alone and mixed with ReLU
  [[2, 4, 1], 'bce', ['sigmoid']],
  [[3, 5, 1], 'mse', ['tanh']],
  [[2, 4, 3, 1], 'bce', ['tanh', 'sigmoid']],
  [[4, 3, 3, 2, 1], 'bce-logits', ['sigmoid', 'relu', 'tanh']],
];

describe('gradient check by finite differences', () => {
  test.each(MODELS)('layers %j, head %s, activations %j', (layers, head, activations) => {
    const layout = paramLayout({ layers, head, dropout: 0, activations });
    const d = layers[0];
    const r = rng(100 + layout.count);
    const n = 37;
    const params = Float64Array.from({ length: layout.count }, () => r(-1, 1));
    const x = Float64Array.from({ length: n * d }, () => r(-1, 1));
    const y = Float64Array.from({ length: n }, () => (head === 'mse' ? r(-2, 2) : r() < 0.5 ? 0 : 1));
    const { grads } = cpuLossAndGrads(params, layout, x, y, undefined, 'float64');
    const eps = 1e-6;
    for (let i = 0; i < layout.count; i++) {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[i] += eps;
      minus[i] -= eps;
      const loss = (p: Float64Array) => cpuLossAndGrads(p, layout, x, y, undefined, 'float64').loss;
      const numeric = (loss(plus) - loss(minus)) / (2 * eps);
      expect(Math.abs(grads[i] - numeric), `param ${i}: analytic ${grads[i]}, numeric ${numeric}`).toBeLessThan(1e-7 + 1e-5 * Math.abs(numeric));
    }
  });

  test.each(ACTIVATIONS)('activation %s: the backward from the output is the derivative', (activation) => {
    const { forward, backward } = ACTIVATION_TWINS[activation];
    for (const z of [-5, -0.3, 0.2, 0.7, 4]) {
      const numeric = (forward(z + 1e-6) - forward(z - 1e-6)) / 2e-6;
      expect(backward(1.5, forward(z))).toBeCloseTo(1.5 * numeric, 8);
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

  test.each(HEADS)('head %s: dlogit is the derivative of the loss', (head) => {
    const n = 5;
    for (const [z, y] of [[-3, 0], [-0.4, 1], [0, 0.3], [1.2, 1], [2.5, 0]]) {
      const loss = (v: number) => (head === 'bce' ? bce(sigmoid(v), y) : head === 'bce-logits' ? bceLogits(v, y) : (v - y) ** 2) / n;
      const numeric = (loss(z + 1e-6) - loss(z - 1e-6)) / 2e-6;
      expect(headDlogit(head, z, y, n)).toBeCloseTo(numeric, 7);
    }
  });

  test('bce-logits is stable where sigmoid + bce saturates', () => {
    expect(bceLogits(200, 0)).toBeCloseTo(200, 10);
    expect(bceLogits(-200, 1)).toBeCloseTo(200, 10);
    expect(bceLogits(0, 1)).toBeCloseTo(Math.log(2), 12);
  });

  test('bce clamps each log at -100, as torch does', () => {
    expect(bce(0, 1)).toBe(100);
    expect(bce(1, 0)).toBe(100);
    expect(bce(0, 0)).toBe(0);
    expect(Number.isFinite(bceBackward(0, 1, 1))).toBe(true);
  });
});
