// The course's 05wk-1 session against PyTorch (../shared/golden, one loss per optimizer step):
// SGD, DataLoader minibatches (batch 256, with and without shuffle) and CrossEntropyLoss on MNIST,
// the model given as torch's text. Every step within tolerance[i], every epoch's test loss within
// test_tolerance[e]; the init equal to torch's by state_dict key; the shuffled row orders equal to
// the ones torch drew. The GPU runs are prefixes here (the full runs of the commands are in
// the CLI test); the CPU model follows the same goldens for a few steps.
import { describe, expect, test } from 'vitest';
import { readCsv } from '../src/data/csv';
import { selectDataset } from '../src/data/select';
import type { Dataset } from '../src/data/dataset';
import { modelFromText } from '../src/model/ops';
import { paramLayout, stateDict, type ModelSpec } from '../src/model/layout';
import { initParams } from '../src/model/init';
import { batchPlan, EpochOrders } from '../src/train/batches';
import { describeDivergence, Trainer, type TrainerConfig } from '../src/train/trainer';
import { cpuLossAndGrads, cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { rng } from './harness';
import { withDevice } from './gpu';
import { STEP_GOLDENS, type StepGolden } from './shared';

/** GPU epochs checked per golden (the two commands run whole in tests/cli.test.ts). */
const EPOCHS: Record<string, number> = {
  'mnist01-h32-sgd': 20,
  'mnist01-h32-sgd-b256': 5,
  'mnist01-h32-sgd-b256-shuffle': 3,
  'mnist012-h32-ce': 5,
};

const cache = new Map<string, { data: Dataset; test: Dataset }>();
function load(name: string): { data: Dataset; test: Dataset; spec: ModelSpec; config: Partial<TrainerConfig> } {
  const { golden, csv, testCsv } = STEP_GOLDENS[name];
  const c = golden.config;
  if (!cache.has(c.data)) {
    const pick = (text: string, source: string) => selectDataset(readCsv(text), { target: c.target, source });
    cache.set(c.data, { data: pick(csv, c.data), test: pick(testCsv, c.test) });
  }
  const made = modelFromText(c.model.join(', '), c.loss);
  if ('problems' in made) throw new Error(made.problems[0].message);
  const config: Partial<TrainerConfig> = {
    model: made.spec,
    seed: BigInt(c.seed),
    lr: c.optimizer.lr,
    optimizer: c.optimizer.name === 'SGD' ? 'sgd' : 'adam',
    batchSize: c.batch_size ?? undefined,
    shuffle: c.shuffle,
  };
  return { ...cache.get(c.data)!, spec: made.spec, config };
}

function within(ours: ArrayLike<number>, golden: StepGolden, what: 'loss' | 'test_loss') {
  const want = golden[what];
  const band = what === 'loss' ? golden.tolerance : golden.test_tolerance;
  const bad = Array.from(ours, (v, i) => ({ i, v, want: want[i], tol: band[i] })).filter((e) => !(Math.abs(e.v - e.want) <= e.tol));
  expect(bad.slice(0, 5), `${what}: ${bad.length} of ${ours.length} outside the band`).toEqual([]);
}

describe.each(Object.keys(STEP_GOLDENS))('%s', (name) => {
  const { golden } = STEP_GOLDENS[name];

  test('the init is torch\'s, by state_dict key, to the last bit', () => {
    const { spec, config } = load(name);
    const layout = paramLayout(spec);
    const init = stateDict(initParams(config.seed!, layout), layout);
    expect(Object.keys(init)).toEqual(Object.keys(golden.init));
    for (const [key, { data }] of Object.entries(golden.init)) expect(init[key], key).toEqual(data.map(Math.fround));
  });

  test(`fused on the GPU: every step of the first ${EPOCHS[name]} epochs, and their test losses`, async () => {
    const { data, test: testSet, config } = load(name);
    await withDevice(async (ctx) => {
      const epochs = EPOCHS[name];
      const trainer = await Trainer.create(ctx, data, { ...config, strategy: 'fused' }, testSet);
      expect(trainer.batches.stepsPerEpoch).toBe(golden.config.steps_per_epoch);
      const losses: number[] = [];
      const testLosses: number[] = [];
      const result = await trainer.train(epochs, {
        onLoss: (first, chunk, testChunk) => {
          expect(first).toBe(losses.length);
          losses.push(...chunk);
          testLosses.push(...(testChunk ?? []));
        },
      });
      expect(result.diverged).toBeUndefined();
      expect(losses).toHaveLength(epochs * golden.config.steps_per_epoch);
      expect(testLosses).toHaveLength(epochs);
      expect(trainer.stepsDone).toBe(losses.length);
      within(losses, golden, 'loss');
      within(testLosses, golden, 'test_loss');
      trainer.destroy();
    });
  });
});

describe('minibatches: a step that would not be finite is refused, all or nothing', () => {
  test('SGD at lr 1e38 in batches of 100: step 1 is finite, step 2 is not; stopped there, mid-epoch, with the state of step 1', async () => {
    const { data, config } = load('mnist012-h32-ce');
    const small: Dataset = { ...data, n: 300, x: data.x.slice(0, 300 * data.d), y: data.y.slice(0, 300), source: 'first 300' };
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, small, { ...config, optimizer: 'sgd', lr: 1e38, batchSize: 100, shuffle: true, strategy: 'fused' });
      const init = await trainer.readParams();
      const losses: number[] = [];
      const r = await trainer.train(3, { onLoss: (_, chunk) => void losses.push(...chunk) });
      expect(r.diverged).toMatchObject({ epoch: 1, step: 2, loss: true });
      expect(describeDivergence(r.diverged!)).toContain('optimizer step 2 (epoch 1)');
      expect(losses).toHaveLength(2); // the bad step's own loss is the last one delivered
      expect(Number.isFinite(losses[1])).toBe(false);
      expect(trainer.stepsDone).toBe(1);
      const params = await trainer.readParams();
      expect(params.every(Number.isFinite)).toBe(true);
      expect(Array.from(params)).not.toEqual(Array.from(init));
      await expect(trainer.train(1)).rejects.toThrow(/reset or load parameters/);
      trainer.destroy();
    });
  });
});

describe('DataLoader(shuffle=True) as torch 1.13 draws it', () => {
  test('the row orders of epochs 1 and 2 are torch\'s', () => {
    const { golden } = STEP_GOLDENS['mnist01-h32-sgd-b256-shuffle'];
    const { spec, data, config } = load('mnist01-h32-sgd-b256-shuffle');
    const orders = new EpochOrders(config.seed!, paramLayout(spec).count, batchPlan(data.n, 256, true));
    expect(Array.from(orders.order(1))).toEqual(golden.order![0]);
    expect(Array.from(orders.order(2))).toEqual(golden.order![1]);
    // Asked again out of order, the stream is replayed from the seed.
    expect(Array.from(orders.order(1))).toEqual(golden.order![0]);
    // Every order is a permutation.
    const third = Array.from(orders.order(3)).sort((a, b) => a - b);
    expect(third).toEqual(Array.from({ length: data.n }, (_, i) => i));
  });

  test('batches: 1600 rows in batches of 256 are 7 steps, the last of 64', () => {
    expect(batchPlan(1600, 256, false)).toMatchObject({ stepsPerEpoch: 7, lastBatch: 64, gathered: true });
    expect(batchPlan(1600, undefined, false)).toMatchObject({ stepsPerEpoch: 1, lastBatch: 1600, gathered: false });
    expect(batchPlan(1600, 5000, true)).toMatchObject({ stepsPerEpoch: 1, batchSize: 1600, gathered: true });
  });
});

describe('the CPU model follows the same goldens', () => {
  test.each([
    ['mnist01-h32-sgd-b256-shuffle', 2],
    ['mnist012-h32-ce', 2],
  ] as const)('%s: the first %i epochs, step by step', (name, epochs) => {
    const { golden } = STEP_GOLDENS[name];
    const { data, test: testSet, spec, config } = load(name);
    const layout = paramLayout(spec);
    const orders = new EpochOrders(config.seed!, layout.count, batchPlan(data.n, config.batchSize, config.shuffle!));
    const r = cpuTrain(initParams(config.seed!, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: config.lr! }, epochs, testSet, {
      optimizer: config.optimizer,
      batchSize: config.batchSize,
      order: (e) => orders.order(e),
    });
    within(r.losses, golden, 'loss');
    within(r.testLosses!, golden, 'test_loss');
  });

  test('CrossEntropyLoss: the gradient is the derivative of the loss (class indices and probability rows)', () => {
    const spec: ModelSpec = { layers: [3, 5, 4], head: 'ce', dropout: 0 };
    const layout = paramLayout(spec);
    const r = rng(7);
    const n = 6;
    const x = Float64Array.from({ length: n * 3 }, () => r(-2, 2));
    const params = Float64Array.from({ length: layout.count }, () => r(-1, 1));
    const indices = Float64Array.from({ length: n }, (_, i) => i % 4);
    const rows = new Float64Array(n * 4);
    for (let i = 0; i < n; i++) {
      const raw = [r(), r(), r(), r()];
      const sum = raw.reduce((a, b) => a + b, 0);
      raw.forEach((v, c) => (rows[i * 4 + c] = v / sum));
    }
    for (const y of [indices, rows]) {
      const { grads } = cpuLossAndGrads(params, layout, x, y, undefined, 'float64');
      const h = 1e-6;
      for (let p = 0; p < layout.count; p++) {
        const plus = Float64Array.from(params);
        const minus = Float64Array.from(params);
        plus[p] += h;
        minus[p] -= h;
        const fd = (cpuLossAndGrads(plus, layout, x, y, undefined, 'float64').loss - cpuLossAndGrads(minus, layout, x, y, undefined, 'float64').loss) / (2 * h);
        expect(Math.abs(grads[p] - fd), `param ${p}, ${y === rows ? 'rows' : 'indices'}`).toBeLessThan(1e-7);
      }
    }
  });
});
