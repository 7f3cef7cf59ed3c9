// The course's networks against PyTorch (../shared/golden): every epoch's training loss within the
// golden's tolerance[i] (the test loss within test_tolerance[i]) for every strategy that supports
// the model. The band is max(1e-4, 10 × PyTorch's own spread when only the summation order
// changes), so it is 1e-4 wherever PyTorch's float32 trajectory is stable. Long runs check the
// slower strategies on a prefix of the epochs (EPOCHS below says how many). A GPU test run in Node
// (Dawn) only, to keep CI short: the browser project runs the same kernels through the lecture's
// parity and the strategies' tests.
import { describe, expect, test } from 'vitest';
import { readCsv } from '../src/data/csv';
import { splitHoldout } from '../src/data/dataset';
import { selectDataset } from '../src/data/select';
import type { Dataset } from '../src/data/dataset';
import { paramLayout, unpackParams, type ModelSpec } from '../src/model/layout';
import type { StrategyName } from '../src/train/strategy';
import { STRATEGIES, Trainer } from '../src/train/trainer';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { initParams } from '../src/model/init';
import { dataset } from './datasets';
import { rng } from './harness';
import { expectClose, withDevice } from './gpu';
import { COURSE } from './shared';

/** Epochs checked per golden and strategy: the whole run where it is quick, else a prefix. */
const EPOCHS: Record<string, Partial<Record<StrategyName, number>>> = {
  'step2000-h256-bcelogits': { piecewise: 5000, resident: 300, fused: 300, unfused: 100, wide: 100 },
  'curve2000-h1024-mse': { piecewise: 300, fused: 100, unfused: 20, wide: 30 },
  'noise100-h512-mse-holdout': { piecewise: 1000, fused: 1000, unfused: 300, wide: 1000 },
  'mnist37-h32-bce': { fused: 200, unfused: 30 },
  'rings1000-h16x16-bce': { fused: 2000, resident: 100, unfused: 300 },
};

function load(name: string): { data: Dataset; test?: Dataset; spec: ModelSpec } {
  const { golden, csv, testCsv, holdout } = COURSE[name];
  const c = golden.config;
  const pick = (text: string, source: string) => selectDataset(readCsv(text), { features: c.features, target: c.target, source });
  const all = pick(csv, c.data);
  const split = holdout === undefined ? { train: all, test: testCsv === undefined ? undefined : pick(testCsv, c.test!) } : splitHoldout(all, holdout);
  return { data: split.train, test: split.test, spec: { layers: c.layers, head: c.head, dropout: 0 } };
}

describe.each(Object.keys(COURSE))('%s', (name) => {
  const { golden } = COURSE[name];
  const { data, test: testSet, spec } = load(name);
  const layout = paramLayout(spec);

  test('the strategies that support it and fit this device are the ones checked', async () => {
    await withDevice(async (ctx) => {
      const fits = STRATEGIES.filter((s) => {
        if (s.unsupported(layout, { testSet: testSet !== undefined })) return false;
        return !s.limitProblem({ ctx, layout, n: data.n, testN: testSet?.n ?? 0, workgroupSize: s.defaultWorkgroupSize(ctx, layout) });
      });
      expect(fits.map((s) => s.name).sort()).toEqual(Object.keys(EPOCHS[name]).sort());
    });
  });

  test.each(Object.entries(EPOCHS[name]))('%s: every epoch within the golden tolerance', async (strategy, epochs) => {
    await withDevice(async (ctx) => {
      const c = golden.config;
      const trainer = await Trainer.create(ctx, data, { model: spec, seed: BigInt(c.seed), lr: c.lr, strategy: strategy as StrategyName }, testSet);
      const init = unpackParams(await trainer.readParams(), trainer.layout);
      for (const key of Object.keys(golden.init)) expectClose(init[key], golden.init[key], 0, 0, `init ${key}`);
      const losses: number[] = [];
      const testLosses: number[] = [];
      const result = await trainer.train(epochs!, {
        onLoss: (first, chunk, testChunk) => {
          expect(first).toBe(losses.length);
          losses.push(...chunk);
          if (testChunk) testLosses.push(...testChunk);
        },
      });
      expect(result.diverged).toBeUndefined();
      expect(losses.length).toBe(epochs);
      const within = (ours: number[], theirs: number[], band: number[], what: string) => {
        const bad = ours.map((v, i) => ({ i, v, want: theirs[i], tol: band[i] })).filter((e) => !(Math.abs(e.v - e.want) <= e.tol));
        expect(bad.slice(0, 5), `${what}: ${bad.length} epochs outside the band`).toEqual([]);
      };
      within(losses, golden.loss, golden.tolerance, 'train loss');
      if (golden.test_loss) {
        expect(testLosses.length).toBe(epochs);
        within(testLosses, golden.test_loss, golden.test_tolerance!, 'test loss');
      }
      const checkpoint = golden.checkpoints[String(epochs)];
      if (checkpoint && golden.tolerance[epochs! - 1] <= 1e-4) {
        // A stable trajectory: the predictions at the checkpoint match too.
        const { prob } = await trainer.forward(data.x);
        expectClose(prob, checkpoint.prob ?? checkpoint.yhat!, 2e-3, 0, `predictions after ${epochs}`);
      }
      trainer.destroy();
    });
  });
});

describe('the sizes the course needs', () => {
  test('05wk-1: a hidden layer of 204,800 units on 100 points trains (fused), as the CPU reference', async () => {
    await withDevice(async (ctx) => {
      const spec: ModelSpec = { layers: [1, 204_800, 1], head: 'mse', dropout: 0 };
      const x = Array.from({ length: 100 }, (_, i) => i / 99);
      const data = dataset(x, x.map((v) => Math.sin(6 * v)));
      const trainer = await Trainer.create(ctx, data, { strategy: 'fused', model: spec, seed: 43052n, chunkEpochs: 2 });
      const losses: number[] = [];
      await trainer.train(2, { onLoss: (_, l) => losses.push(...l) });
      const layout = paramLayout(spec);
      const want = cpuTrain(initParams(43052n, layout), layout, data.x, data.y, DEFAULT_ADAM, 2);
      expectClose(losses, want.losses, 1e-5, 1e-4, 'loss per epoch');
      trainer.destroy();
    });
  });

  test('eight hidden layers and 4096 inputs train, as the CPU reference', async () => {
    await withDevice(async (ctx) => {
      for (const layers of [[3, 8, 8, 8, 8, 8, 8, 8, 8, 1], [4096, 4, 1]]) {
        const spec: ModelSpec = { layers, head: 'bce', dropout: 0 };
        const g = rng(layers.length);
        const n = 40;
        const data = dataset(Array.from({ length: n * layers[0] }, () => g(-1, 1)), Array.from({ length: n }, () => (g() < 0.5 ? 0 : 1)), layers[0]);
        const trainer = await Trainer.create(ctx, data, { strategy: 'fused', model: spec, seed: 1n, lr: 0.01, chunkEpochs: 10 });
        const losses: number[] = [];
        await trainer.train(10, { onLoss: (_, l) => losses.push(...l) });
        const layout = paramLayout(spec);
        const want = cpuTrain(initParams(1n, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: 0.01 }, 10);
        expectClose(losses, want.losses, 1e-5, 1e-4, `loss per epoch, layers ${layers.join(',')}`);
        trainer.destroy();
      }
    });
  });

  test('dropout: the fused and unfused strategies draw the same masks, and the masks act', async () => {
    await withDevice(async (ctx) => {
      const spec: ModelSpec = { layers: [1, 64, 64, 1], head: 'mse', dropout: 0.5 };
      const x = Array.from({ length: 50 }, (_, i) => i / 49);
      const data = dataset(x, x.map((v) => v * v));
      const run = async (strategy: 'fused' | 'unfused') => {
        const trainer = await Trainer.create(ctx, data, { strategy, model: spec, seed: 9n, chunkEpochs: 10 });
        const losses: number[] = [];
        await trainer.train(10, { onLoss: (_, l) => losses.push(...l) });
        const params = await trainer.readParams();
        trainer.destroy();
        return { losses, params };
      };
      const [fused, unfused] = [await run('fused'), await run('unfused')];
      expectClose(unfused.losses, fused.losses, 1e-6, 1e-5, 'fused vs unfused losses with dropout');
      expectClose(unfused.params, fused.params, 1e-6, 1e-5, 'fused vs unfused params with dropout');
      // Without dropout the same model gives other losses: the masks do act.
      const plain = await Trainer.create(ctx, data, { strategy: 'fused', model: { ...spec, dropout: 0 }, seed: 9n, chunkEpochs: 10 });
      const plainLosses: number[] = [];
      await plain.train(10, { onLoss: (_, l) => plainLosses.push(...l) });
      plain.destroy();
      expect(Math.abs(plainLosses[0] - fused.losses[0])).toBeGreaterThan(1e-4);
    });
  });
});

test('the CPU model (the page without WebGPU) follows PyTorch float32 on MNIST, where float64 differs by 2.0', () => {
  const { data, spec } = load('mnist37-h32-bce');
  const { golden } = COURSE['mnist37-h32-bce'];
  const layout = paramLayout(spec);
  const epochs = 6;
  const { losses } = cpuTrain(initParams(43052n, layout), layout, data.x, data.y, DEFAULT_ADAM, epochs);
  for (let i = 0; i < epochs; i++) expect(Math.abs(losses[i] - golden.loss[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(golden.tolerance[i]);
});
