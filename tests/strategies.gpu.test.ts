// Every strategy against the CPU reference (src/cpu/model.ts) on random models and data: layer
// sizes, heads, points, learning rate, seed, with and without a test set; and the automatic choice.
import { describe, expect, test } from 'vitest';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { generateLectureData } from '../src/data/generate';
import { initParams } from '../src/model/init';
import { paramLayout, singleHidden, type Head, type ModelSpec } from '../src/model/layout';
import { STRATEGY_NAMES } from '../src/train/strategy';
import { chooseStrategy, STRATEGIES, Trainer } from '../src/train/trainer';
import { dataset } from './datasets';
import { expectClose, withDevice } from './gpu';
import { rng } from './harness';

const r = rng(4052);
const HEADS_CYCLE: Head[] = ['bce', 'bce-logits', 'mse'];

/** Random models: single-hidden ones (every strategy) and deeper, wider-input ones (the GEMM strategies). */
const CONFIGS = Array.from({ length: 6 }, (_, i) => {
  const d = i < 3 ? 1 : [2, 5, 33][i - 3];
  const hidden = i < 3 ? [[1], [5], [40]][i] : [[3, 4], [7], [16, 9, 2]][i - 3];
  return {
    spec: { layers: [d, ...hidden, 1], head: HEADS_CYCLE[i % 3], dropout: 0 } as ModelSpec,
    n: [1, 37, 300, 1000, 33, 257][i],
    lr: [0.001, 0.01, 0.05][Math.floor(r(0, 3))],
    seed: BigInt(Math.floor(r(0, 1e6))),
    test: i % 2 === 1,
  };
});

function randomData(c: (typeof CONFIGS)[number], n: number, salt: number) {
  const g = rng(Number(c.seed) + salt);
  const d = c.spec.layers[0];
  const x = Array.from({ length: n * d }, () => g(-1, 1));
  const y = Array.from({ length: n }, (_, i) => (c.spec.head === 'mse' ? Math.sin(3 * x[i * d]) + g(-0.1, 0.1) : g() < 0.5 ? 0 : g() < 0.5 ? 1 : g()));
  return dataset(x, y, d);
}

describe.each(STRATEGY_NAMES)('%s', (strategy) => {
  const descriptor = STRATEGIES.find((s) => s.name === strategy)!;
  const supported = CONFIGS.filter((c) => !descriptor.unsupported(paramLayout(c.spec), { testSet: c.test }));

  test('supports at least the lecture', () => {
    expect(descriptor.unsupported(paramLayout(singleHidden(2)), { testSet: false })).toBeUndefined();
  });

  test.each(supported)('layers $spec.layers head $spec.head N=$n lr=$lr test=$test: 40 epochs match the CPU reference', async (c) => {
    await withDevice(async (ctx) => {
      const data = randomData(c, c.n, 1);
      const test = c.test ? randomData(c, 23, 2) : undefined;
      const trainer = await Trainer.create(ctx, data, { strategy, model: c.spec, lr: c.lr, seed: c.seed, chunkEpochs: 16 }, test);
      const losses: number[] = [];
      const testLosses: number[] = [];
      await trainer.train(40, { onLoss: (_, l, t) => (losses.push(...l), t && testLosses.push(...t)) });
      const layout = paramLayout(c.spec);
      const want = cpuTrain(initParams(c.seed, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: c.lr }, 40, test);
      expectClose(losses, want.losses, 1e-5, 1e-4, 'loss per epoch');
      if (test) expectClose(testLosses, want.testLosses!, 1e-5, 1e-4, 'test loss per epoch');
      expectClose(await trainer.readParams(), want.params, 1e-4, 1e-3, 'params');
      trainer.destroy();
    });
  });

  test('shuffled points with soft labels (y = the true probability) match the CPU reference', async () => {
    await withDevice(async (ctx) => {
      // Not sorted by x (piecewise sorts its own copy) and not 0/1 (BCE's two-log form).
      const lecture = generateLectureData(11, 500);
      const order = Array.from({ length: 500 }, (_, i) => i).sort((a, b) => ((a * 7919) % 500) - ((b * 7919) % 500));
      const data = dataset(order.map((i) => lecture.x[i]), order.map((i) => lecture.prob![i]));
      expect(data.y.some((v) => v > 0 && v < 1)).toBe(true);
      const spec = singleHidden(6);
      const trainer = await Trainer.create(ctx, data, { strategy, model: spec, lr: 0.02, seed: 5n, chunkEpochs: 16 });
      const losses: number[] = [];
      await trainer.train(40, { onLoss: (_, l) => losses.push(...l) });
      const layout = paramLayout(spec);
      const want = cpuTrain(initParams(5n, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: 0.02 }, 40);
      expectClose(losses, want.losses, 1e-5, 0, 'loss per epoch');
      expectClose(await trainer.readParams(), want.params, 1e-4, 1e-4, 'params');
      trainer.destroy();
    });
  });
});

test('auto: resident for the lecture, piecewise for one input and one hidden layer at scale, fused for the rest', async () => {
  await withDevice(async (ctx) => {
    const q = (layers: number[], n: number, testN = 0) => ({ ctx, layout: paramLayout({ layers, head: 'bce', dropout: 0 }), n, testN });
    expect(chooseStrategy(q([1, 2, 1], 2000), false)).toBe('resident');
    expect(chooseStrategy(q([1, 32, 1], 2000), false)).toBe('piecewise');
    expect(chooseStrategy(q([1, 32, 1], 200_000), false)).toBe('piecewise');
    expect(chooseStrategy(q([1, 2, 1], 2000, 100), true)).toBe('piecewise'); // resident has no test evaluation
    expect(chooseStrategy(q([784, 32, 1], 1600, 502), true)).toBe('fused');
    expect(chooseStrategy(q([2, 16, 16, 1], 1000), false)).toBe('fused');
  });
});

