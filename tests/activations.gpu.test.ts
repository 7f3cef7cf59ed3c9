// Hidden activations as data (ops/activation.wgsl, model/layout.ts ACTIVATION_CODE): a model with
// Tanh and Sigmoid hidden layers, from torch's text, trained by fused and unfused against the CPU
// model; the forward pass's panels; and the strategies that stay ReLU-only saying so.
import { describe, expect, test } from 'vitest';
import { cpuForward, cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { initParams } from '../src/model/init';
import { paramLayout } from '../src/model/layout';
import { modelFromText } from '../src/model/ops';
import { gpuForwardWith } from '../src/train/forward';
import { supportProblem } from '../src/train/strategy';
import { chooseStrategy, STRATEGIES, Trainer } from '../src/train/trainer';
import { dataset } from './datasets';
import { expectClose, withDevice } from './gpu';
import { randomArray, rng } from './harness';

const specOf = (text: string, loss: string) => {
  const r = modelFromText(text, loss);
  if ('problems' in r) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.spec;
};

/** n points in [-1, 1]², labelled 1 inside the circle of radius 0.7. */
function circle(n: number, seed: number) {
  const r = rng(seed);
  const x = Array.from({ length: 2 * n }, () => r(-1, 1));
  const y = Array.from({ length: n }, (_, i) => (x[2 * i] ** 2 + x[2 * i + 1] ** 2 < 0.49 ? 1 : 0));
  return dataset(x, y, 2);
}

const TEXT = 'Linear(2,16), Tanh(), Linear(16,16), Sigmoid(), Linear(16,1), Sigmoid()';

describe('a 2-16-16-1 model with Tanh and Sigmoid hidden layers and BCELoss', () => {
  const spec = specOf(TEXT, 'BCELoss');
  const layout = paramLayout(spec);
  const data = circle(200, 1);
  const testSet = circle(50, 2);
  const epochs = 25;
  const lr = 0.02;
  const want = cpuTrain(initParams(7n, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr }, epochs, testSet);

  test('the CPU model learns (the reference is not flat)', () => {
    expect(spec.activations).toEqual(['tanh', 'sigmoid']);
    expect(want.losses[epochs - 1]).toBeLessThan(want.losses[0] - 0.01);
  });

  test.each(['fused', 'unfused'] as const)('%s: loss, test loss and parameters match the CPU model', async (strategy) => {
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, data, { strategy, model: spec, lr, seed: 7n, chunkEpochs: 8 }, testSet);
      const losses: number[] = [];
      const testLosses: number[] = [];
      await trainer.train(epochs, { onLoss: (_, l, t) => (losses.push(...l), t && testLosses.push(...t)) });
      expectClose(losses, want.losses, 1e-5, 1e-4, `${strategy} loss per epoch`);
      expectClose(testLosses, want.testLosses!, 1e-5, 1e-4, `${strategy} test loss per epoch`);
      expectClose(await trainer.readParams(), want.params, 1e-4, 1e-3, `${strategy} params`);
      trainer.destroy();
    });
  });

  test('the forward pass: each hidden layer before and after its activation, and the probability', async () => {
    await withDevice(async (ctx) => {
      const r = rng(3);
      const params = randomArray(layout.count, () => r(-1.5, 1.5));
      const xs = randomArray(2 * 40, () => r(-2, 2));
      const trace = await gpuForwardWith(ctx, params, layout, xs);
      const cpu = cpuForward(params, layout, xs, undefined, true);
      trace.layers.forEach((l, i) => {
        expectClose(l.preact, cpu.preact[i], 1e-6, 1e-5, `layer ${i + 1} pre-activation`);
        expectClose(l.hidden, cpu.hidden[i], 1e-6, 1e-5, `layer ${i + 1} ${layout.layers[i].activation}`);
      });
      expectClose(trace.prob, cpu.prob, 1e-6, 1e-5, 'probability');
    });
  });
});

test('resident and piecewise stay ReLU-only and say so; auto picks fused for a Tanh lecture model', async () => {
  await withDevice(async (ctx) => {
    const tanh = paramLayout(specOf('Linear(1,32), Tanh(), Linear(32,1)', 'MSELoss'));
    const run = { optimizer: 'adam', minibatches: false } as const;
    for (const s of STRATEGIES) {
      const problem = supportProblem(s, tanh, run);
      if (s.name === 'fused' || s.name === 'unfused') expect(problem).toBeUndefined();
      else expect(problem).toBe(`${s.name} supports relu hidden layers only, not tanh (layer 1); use fused or unfused`);
    }
    expect(chooseStrategy({ ctx, layout: tanh, n: 2000, testN: 0 }, false)).toBe('fused');
    const relu = paramLayout(specOf('Linear(1,32), ReLU(), Linear(32,1)', 'MSELoss'));
    expect(chooseStrategy({ ctx, layout: relu, n: 2000, testN: 0 }, false)).toBe('piecewise');
    await expect(Trainer.create(ctx, circle(10, 3), { strategy: 'resident', model: specOf('Linear(2,4), Sigmoid(), Linear(4,1), Sigmoid()', 'BCELoss'), lr: 0.01, seed: 1n })).rejects.toThrow(/resident supports relu hidden layers only, not sigmoid/);
  });
});
