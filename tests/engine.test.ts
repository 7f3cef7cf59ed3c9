// One Engine (src/train/engine.ts): the CPU engine against PyTorch's goldens (prefixes), against the
// GPU engine step by step on the same configuration, the one divergence rule giving both engines the
// same report, the one input check, and the one recovery wrapper across a (fake) lost device.
import { describe, expect, test } from 'vitest';
import { parseCsv, readCsv } from '../src/data/csv';
import { selectDataset } from '../src/data/select';
import type { Dataset } from '../src/data/dataset';
import { generateLectureData } from '../src/data/generate';
import { GpuError } from '../src/gpu/context';
import { modelFromText } from '../src/model/ops';
import { singleHidden } from '../src/model/layout';
import { checkRun, divergenceAt, stepFaults } from '../src/train/checks';
import { CpuEngine, GpuEngine, type Engine } from '../src/train/engine';
import { ResilientTraining } from '../src/train/recovery';
import { ConfigError, DEFAULT_CONFIG, Trainer, type TrainerConfig, type TrainOptions, type TrainResult } from '../src/train/trainer';
import { DNNEX_CSV, LECTURE, STEP_GOLDENS, type StepGolden } from './shared';
import { dataset } from './datasets';
import { expectClose, withDevice } from './gpu';

const cache = new Map<string, { data: Dataset; test: Dataset }>();
/** A per-step golden's data, test set and configuration (as tests/course-05wk.test.ts reads them). */
function load(name: string): { data: Dataset; test: Dataset; config: TrainerConfig; golden: StepGolden } {
  const { golden, csv, testCsv } = STEP_GOLDENS[name];
  const c = golden.config;
  if (!cache.has(c.data)) {
    const pick = (text: string, source: string) => selectDataset(readCsv(text), { target: c.target, source });
    cache.set(c.data, { data: pick(csv, c.data), test: pick(testCsv, c.test) });
  }
  const made = modelFromText(c.model.join(', '), c.loss);
  if ('problems' in made) throw new Error(made.problems[0].message);
  const config: TrainerConfig = {
    ...DEFAULT_CONFIG,
    model: made.spec,
    seed: BigInt(c.seed),
    lr: c.optimizer.lr,
    optimizer: c.optimizer.name === 'SGD' ? 'sgd' : 'adam',
    batchSize: c.batch_size ?? undefined,
    shuffle: c.shuffle,
  };
  return { ...cache.get(c.data)!, config, golden };
}

/** The first n rows of a data set. */
function head(d: Dataset, n: number): Dataset {
  const t = d.targetColumns ?? 1;
  return { ...d, n, x: d.x.slice(0, n * d.d), y: d.y.slice(0, n * t), source: `${d.source}, first ${n}` };
}

/** Every step's loss and every epoch's test loss, checking that chunks arrive in order. */
async function trainAll(engine: Engine, epochs: number, options: Pick<TrainOptions, 'shouldStop'> = {}) {
  const losses: number[] = [];
  const testLosses: number[] = [];
  const result = await engine.train(epochs, {
    ...options,
    onLoss: (first, chunk, testChunk) => {
      expect(first).toBe(losses.length);
      losses.push(...chunk);
      testLosses.push(...(testChunk ?? []));
    },
  });
  return { losses, testLosses, result };
}

function within(ours: ArrayLike<number>, want: ArrayLike<number>, band: ArrayLike<number>, what: string) {
  const bad = Array.from(ours, (v, i) => ({ i, v, want: want[i], tol: band[i] })).filter((e) => !(Math.abs(e.v - e.want) <= e.tol));
  expect(bad.slice(0, 5), `${what}: ${bad.length} of ${ours.length} outside the band`).toEqual([]);
}

describe('the CPU engine follows PyTorch', () => {
  test('the lecture (1-2-1, Adam, full batch): the first 300 epochs within 1e-4 of the golden', async () => {
    const data = parseCsv(DNNEX_CSV, 'dnnex.csv');
    const engine = new CpuEngine(data, DEFAULT_CONFIG);
    engine.sliceMs = 1000;
    const { losses, result } = await trainAll(engine, 300);
    expect(result.epochs).toBe(300);
    expect(engine.stepsDone).toBe(300);
    expect(losses).toHaveLength(300);
    expectClose(losses, LECTURE.loss.slice(0, 300), 1e-4, 0, 'loss vs PyTorch');
  });

  test.each([
    ['mnist01-h32-sgd-b256-shuffle', 2],
    ['mnist012-h32-ce', 2],
  ] as const)('%s: every step of the first %i epochs and their test losses within the golden bands', async (name, epochs) => {
    const { data, test: testSet, config, golden } = load(name);
    const engine = new CpuEngine(data, config, testSet);
    engine.sliceMs = 1000;
    expect(engine.stepsPerEpoch).toBe(golden.config.steps_per_epoch);
    const { losses, testLosses, result } = await trainAll(engine, epochs);
    expect(result.diverged).toBeUndefined();
    expect(losses).toHaveLength(epochs * golden.config.steps_per_epoch);
    expect(testLosses).toHaveLength(epochs);
    expect(engine.epochsDone).toBe(epochs);
    within(losses, golden.loss, golden.tolerance, 'loss');
    within(testLosses, golden.test_loss, golden.test_tolerance, 'test_loss');
  });
});

describe('the CPU engine reproduces the GPU engine step for step', () => {
  const cases: [string, () => { data: Dataset; test: Dataset; config: TrainerConfig }, number][] = [
    [
      'SGD, batches of 256 shuffled (784-32-1, BCELoss; 600 rows)',
      () => {
        const { data, test, config } = load('mnist01-h32-sgd-b256-shuffle');
        return { data: head(data, 600), test: head(test, 200), config: { ...config, lr: 0.05 } };
      },
      3,
    ],
    [
      'Adam, CrossEntropyLoss, full batch (784-32-3; 300 rows)',
      () => {
        const { data, test, config } = load('mnist012-h32-ce');
        return { data: head(data, 300), test: head(test, 100), config: { ...config, lr: 0.01 } };
      },
      5,
    ],
    [
      'Adam, Dropout(0.5), batches of 100 (784-32-3, CrossEntropyLoss; 300 rows)',
      () => {
        const { data, test, config } = load('mnist012-h32-ce');
        const made = modelFromText('Linear(784,32), ReLU(), Dropout(0.5), Linear(32,3)', 'CrossEntropyLoss');
        if ('problems' in made) throw new Error(made.problems[0].message);
        return { data: head(data, 300), test: head(test, 100), config: { ...config, model: made.spec, lr: 0.01, batchSize: 100 } };
      },
      2,
    ],
  ];

  test.each(cases)('%s', async (_, make, epochs) => {
    const { data, test: testSet, config } = make();
    const cpu = new CpuEngine(data, config, testSet);
    cpu.sliceMs = 1000;
    const want = await trainAll(cpu, epochs);
    await withDevice(async (ctx) => {
      const gpu = await GpuEngine.create(ctx, data, config, testSet);
      expect(gpu.stepsPerEpoch).toBe(cpu.stepsPerEpoch);
      const got = await trainAll(gpu, epochs);
      expect(got.losses).toHaveLength(epochs * cpu.stepsPerEpoch);
      expectClose(want.losses, got.losses, 1e-6, 1e-5, 'CPU vs GPU loss per step');
      expectClose(want.testLosses, got.testLosses, 1e-6, 1e-5, 'CPU vs GPU test loss per epoch');
      expect([cpu.stepsDone, cpu.epochsDone]).toEqual([gpu.stepsDone, gpu.epochsDone]);
      // Adam divides by sqrt(v): a near-zero gradient's rounding shows in its parameter (1% of a step at most).
      expectClose(await cpu.readParams(), await gpu.readParams(), 1e-4, 1e-3, 'CPU vs GPU params');
      gpu.destroy();
    });
  });
});

describe('one divergence rule', () => {
  // An SGD run that blows up geometrically (MSE, 1-8-1, batches of 50 shuffled): the loss sum
  // overflows float32 first, at the same optimizer step on both engines.
  test.each([
    [2, { epoch: 10, step: 40 }],
    [5, { epoch: 6, step: 21 }],
    [10, { epoch: 4, step: 16 }],
  ])('SGD at lr %d: both engines stop at the same step with the same report, the state of the step before', async (lr, where) => {
    const data = generateLectureData(3, 200);
    const diverging: TrainerConfig = { ...DEFAULT_CONFIG, model: { layers: [1, 8, 1], head: 'mse', dropout: 0 }, optimizer: 'sgd', lr, batchSize: 50, shuffle: true, strategy: 'fused' };
    const runs: { losses: number[]; result: TrainResult; stepsDone: number; params: Float32Array }[] = [];
    const cpu = new CpuEngine(data, diverging);
    runs.push({ ...(await trainAll(cpu, 40)), stepsDone: cpu.stepsDone, params: await cpu.readParams() });
    await expect(cpu.train(1)).rejects.toThrow(/reset or load parameters/);
    await withDevice(async (ctx) => {
      const gpu = await GpuEngine.create(ctx, data, diverging);
      runs.push({ ...(await trainAll(gpu, 40)), stepsDone: gpu.stepsDone, params: await gpu.readParams() });
      await expect(gpu.train(1)).rejects.toThrow(/reset or load parameters/);
      gpu.destroy();
    });
    const [c, g] = runs;
    expect(g.result.diverged).toEqual({ ...where, loss: true, update: false });
    expect(c.result.diverged).toEqual(g.result.diverged);
    expect([c.result.epochs, c.stepsDone, c.losses.length]).toEqual([g.result.epochs, g.stepsDone, g.losses.length]);
    expect([c.stepsDone, c.losses.length]).toEqual([where.step - 1, where.step]); // the bad step's own loss is the last one delivered
    expect(Number.isFinite(c.losses[where.step - 1])).toBe(false);
    expect(c.params.every(Number.isFinite)).toBe(true);
    expectClose(c.losses.slice(0, -1), g.losses.slice(0, -1), 0, 1e-3, 'losses up to the bad step, CPU vs GPU');
  });

  // Two of tests/robustness.gpu.test.ts's cases; its third (an input of -3.4e38 whose activation
  // overflows float32 inside the forward pass) the CPU's double-precision forward pass does not see.
  test.each([
    ['an mse loss that overflows (a target of 3e38)', dataset([-1, 0, 1], [0, 3e38, 1]), { model: singleHidden(2, 'mse') }],
    ['an Adam step size lr / (1 - β1) beyond float32 (lr 1e38)', generateLectureData(3, 100), { lr: 1e38 }],
  ] as const)('%s: the same report from both engines, at epoch 1, the initial state kept', async (_, data, partial) => {
    const config: TrainerConfig = { ...DEFAULT_CONFIG, ...partial };
    const cpu = new CpuEngine(data, config);
    const c = await trainAll(cpu, 10);
    const g = await withDevice(async (ctx) => {
      const gpu = await GpuEngine.create(ctx, data, config);
      const run = await trainAll(gpu, 10);
      const params = await gpu.readParams();
      gpu.destroy();
      return { ...run, params };
    });
    expect(g.result.diverged).toMatchObject({ epoch: 1, step: 1 });
    expect(c.result.diverged).toEqual(g.result.diverged);
    expect(c.losses).toEqual(g.losses.map((l) => (Number.isFinite(l) ? expect.closeTo(l, 5) : l)));
    expect(Array.from(await cpu.readParams())).toEqual(Array.from(g.params));
  });

  test('stepFaults and divergenceAt: a loss sum or a step size that float32 cannot hold, a non-finite parameter or moment; step 9 of 4 an epoch is epoch 3', () => {
    const ok = { meanLoss: 0.5, rows: 4, stepSize: 0.1, grads: [0.2], params: [1], m: [0], v: [0] };
    expect(stepFaults(ok)).toEqual({ loss: false, update: false });
    expect(stepFaults({ ...ok, meanLoss: 1e39, rows: 1 })).toEqual({ loss: true, update: false });
    expect(stepFaults({ ...ok, meanLoss: 1e37, rows: 100 })).toEqual({ loss: true, update: false }); // the sum of 100 points overflows
    expect(stepFaults({ ...ok, meanLoss: 1e37, rows: 10 })).toEqual({ loss: false, update: false });
    expect(stepFaults({ ...ok, meanLoss: NaN, m: [NaN] })).toEqual({ loss: true, update: false }); // a bad loss names the loss only
    expect(stepFaults({ ...ok, m: [NaN] })).toEqual({ loss: false, update: true });
    expect(stepFaults({ ...ok, grads: [Infinity] })).toEqual({ loss: false, update: true });
    expect(stepFaults({ ...ok, params: [-Infinity] })).toEqual({ loss: false, update: true });
    expect(stepFaults({ ...ok, stepSize: 1e39 })).toEqual({ loss: false, update: true }); // lr / (1 - β1) in the float32 uniform
    expect(divergenceAt(9, 4, { loss: false, update: true })).toEqual({ epoch: 3, step: 9, loss: false, update: true });
    expect(divergenceAt(8, 4, { loss: true, update: false })).toEqual({ epoch: 2, step: 8, loss: true, update: false });
  });
});

describe('one input check', () => {
  const data = generateLectureData(3, 50);
  test('checkRun: each setting, else the data, else the test set, each with its field', () => {
    expect(checkRun(DEFAULT_CONFIG, data)).toEqual([]);
    expect(checkRun({ ...DEFAULT_CONFIG, lr: -1, batchSize: 0 }, data).map((p) => p.field)).toEqual(['lr', 'batchSize']);
    const three = { ...DEFAULT_CONFIG, model: { layers: [3, 2, 1], head: 'bce' as const, dropout: 0 } };
    const [problem] = checkRun(three, data);
    expect(problem.field).toBe('data');
    expect(problem.message).toMatch(/layers start with 3 inputs, but the data set has 1 feature/);
    const wide: Dataset = { ...data, d: 2, x: new Float32Array(100), features: ['a', 'b'] };
    expect(checkRun(DEFAULT_CONFIG, data, wide).map((p) => p.field)).toEqual(['test']);
  });

  test('the CPU engine and the GPU Trainer refuse the same run with the same problems', async () => {
    const bad = { ...DEFAULT_CONFIG, lr: Number.NaN };
    const problems = checkRun(bad, data);
    expect(() => new CpuEngine(data, bad)).toThrow(ConfigError);
    try {
      new CpuEngine(data, bad);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(problems);
    }
    await withDevice(async (ctx) => {
      await expect(Trainer.create(ctx, data, bad)).rejects.toMatchObject({ problems });
    });
  });
});

/** A CPU engine whose device is "lost" once, after the chunk that reaches epoch `loseAt`: it throws as a lost GPU does. */
class LosingEngine extends CpuEngine {
  lost = false;
  constructor(
    data: Dataset,
    config: TrainerConfig,
    private readonly loseAt: number,
  ) {
    super(data, config);
  }
  override async train(epochs: number, options?: TrainOptions): Promise<TrainResult> {
    const result = await super.train(epochs, options);
    if (!this.lost && this.epochsDone >= this.loseAt) {
      this.lost = true;
      throw new GpuError('device-lost', 'the GPU device was lost during training');
    }
    return result;
  }
}

describe('one recovery wrapper', () => {
  test('a device lost at epoch 60: rebuilt, the lr and the checkpoint of epoch 40 restored, the history the same as without a loss', async () => {
    const data = generateLectureData(3, 200);
    const config: TrainerConfig = { ...DEFAULT_CONFIG, model: singleHidden(4) };
    const reference = new CpuEngine(data, config);
    reference.learningRate = 0.01;
    const { losses: want } = await trainAll(reference, 100);

    const first = new LosingEngine(data, config, 60);
    first.learningRate = 0.01;
    const rebuilt: Engine[] = [];
    const run = new ResilientTraining(first, async (error) => {
      expect(error.kind).toBe('device-lost');
      const engine = new CpuEngine(data, config);
      rebuilt.push(engine);
      return engine;
    }, 40);
    const history: number[] = [];
    const recoveredAt: number[] = [];
    const r = await run.train(100, {
      onLoss: (firstStep, chunk) => {
        history.length = firstStep; // a rewind drops what the checkpoint did not keep
        history.push(...chunk);
      },
      onRecovered: (_, epoch, engine) => {
        recoveredAt.push(epoch);
        expect(engine.learningRate).toBe(0.01);
      },
    });
    expect(r).toMatchObject({ epochs: 100, recoveries: 1 });
    expect(recoveredAt).toEqual([40]);
    expect(run.engine).toBe(rebuilt[0]);
    expect(history).toEqual(want); // the same bits as a run never interrupted
  });

  test('anything but a lost device is rethrown, and so is a loss past maxRecoveries', async () => {
    const data = generateLectureData(3, 50);
    const always = new LosingEngine(data, DEFAULT_CONFIG, 0);
    const run = new ResilientTraining(always, async () => {
      const again = new LosingEngine(data, DEFAULT_CONFIG, 0);
      return again;
    }, 10, 2);
    await expect(run.train(20)).rejects.toThrow(/device was lost/);
    const broken = new CpuEngine(data, DEFAULT_CONFIG);
    broken.train = () => Promise.reject(new RangeError('not a device loss'));
    await expect(new ResilientTraining(broken, () => Promise.reject(new Error('never called'))).train(5)).rejects.toThrow('not a device loss');
  });
});
