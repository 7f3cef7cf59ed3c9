// Logistic regression as torch writes it, `Linear(D,1), Sigmoid()` with BCELoss: a model with no
// hidden layer, which the lecture compares the network against. fused, unfused and resident train it
// as the CPU model does (the CPU model follows PyTorch's goldens elsewhere); piecewise refuses it by name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseCsv } from '../src/data/csv';
import { modelFromText } from '../src/model/ops';
import { CpuEngine, GpuEngine, type Engine } from '../src/train/engine';
import { DEFAULT_CONFIG, type TrainerConfig } from '../src/train/trainer';
import { withDevice } from './gpu';

const shared = join(__dirname, '..', '..', 'shared', 'data');
const spec = (text: string) => {
  const built = modelFromText(text, 'BCELoss');
  if ('problems' in built) throw new Error(built.problems.map((p) => p.message).join('; '));
  return built.spec;
};
const losses = async (engine: Engine, epochs: number) => {
  const out: number[] = [];
  await engine.train(epochs, { onLoss: (_first, l) => out.push(...l) });
  return out;
};

describe('logistic regression: Linear(D,1), Sigmoid()', () => {
  test('lowers to layers D,1; the lecture (1,1, Adam, 50 epochs) on fused, unfused and resident and MNIST 0/1 (784,1, shuffled SGD batches) on fused and unfused follow the CPU model; piecewise says why not', async () => {
    expect(spec('Linear(784,1), Sigmoid()')).toEqual({ layers: [784, 1], head: 'bce', dropout: 0 });
    const lecture = parseCsv(readFileSync(join(shared, 'dnnex.csv'), 'utf8'), 'dnnex.csv');
    const mnist = parseCsv(readFileSync(join(shared, 'mnist01-train.csv'), 'utf8'), 'mnist01-train.csv');
    const cases: { data: typeof lecture; config: TrainerConfig; epochs: number; strategies: readonly ('fused' | 'unfused' | 'resident')[] }[] = [
      { data: lecture, config: { ...DEFAULT_CONFIG, model: spec('Linear(1,1), Sigmoid()') }, epochs: 50, strategies: ['fused', 'unfused', 'resident'] },
      { data: mnist, config: { ...DEFAULT_CONFIG, model: spec('Linear(784,1), Sigmoid()'), optimizer: 'sgd', lr: 0.01, seed: 1n, batchSize: 256, shuffle: true }, epochs: 2, strategies: ['fused', 'unfused'] },
    ];
    await withDevice(async (ctx) => {
      for (const c of cases) {
        const reference = await losses(new CpuEngine(c.data, c.config), c.epochs);
        for (const strategy of c.strategies) {
          const got = await losses(await GpuEngine.create(ctx, c.data, { ...c.config, strategy }), c.epochs);
          expect(got).toHaveLength(reference.length);
          got.forEach((l, i) => expect(Math.abs(l - reference[i]), `${strategy}, step ${i + 1}`).toBeLessThan(1e-6));
        }
      }
      await expect(GpuEngine.create(ctx, lecture, { ...cases[0].config, strategy: 'piecewise' })).rejects.toThrow('piecewise needs one input and one hidden layer (layers 1,H,1), not layers 1,1');
    });
  });
});
