// The wide strategy (src/train/wide.ts) through the trainer, on the software plan and on the GPU
// plan forced on this adapter: against the CPU model (src/cpu/model.ts) with Adam and SGD and every
// point head, H = 512 and H = 1000 (not a multiple of the slice length); 05wk-1's PyTorch golden with
// its test set; reruns bit for bit; and what the descriptor says about support and auto. A GPU test
// run in Node (Dawn) only, to keep CI short: tests/wide.gpu.test.ts runs the kernels in both runtimes.
import { describe, expect, test } from 'vitest';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { readCsv } from '../src/data/csv';
import { splitHoldout } from '../src/data/dataset';
import { generateLectureData } from '../src/data/generate';
import { selectDataset } from '../src/data/select';
import { planOnlyContext, withPlan, type GpuContext } from '../src/gpu/context';
import { planFor } from '../src/gpu/plan';
import { initParams } from '../src/model/init';
import { paramLayout, singleHidden, type ModelSpec } from '../src/model/layout';
import { supportProblem } from '../src/train/strategy';
import { chooseStrategy, Trainer } from '../src/train/trainer';
import { WIDE } from '../src/train/wide';
import { H200 } from '../bench/plan';
import { dataset } from './datasets';
import { expectClose, withDevice } from './gpu';
import { COURSE } from './shared';

const PLANS = ['software', 'gpu'] as const;

/** Training through the trainer, the losses of every epoch and the params at the end. */
async function trainWide(ctx: GpuContext, data: ReturnType<typeof dataset>, spec: ModelSpec, o: { lr: number; seed: bigint; epochs: number; optimizer?: 'adam' | 'sgd' }, test?: ReturnType<typeof dataset>) {
  const trainer = await Trainer.create(ctx, data, { strategy: 'wide', model: spec, lr: o.lr, seed: o.seed, chunkEpochs: 16, optimizer: o.optimizer }, test);
  const losses: number[] = [];
  const testLosses: number[] = [];
  const result = await trainer.train(o.epochs, { onLoss: (_, l, t) => (losses.push(...l), t && testLosses.push(...t)) });
  const params = await trainer.readParams();
  trainer.destroy();
  return { losses, testLosses, params, result };
}

describe.each(PLANS)('the wide strategy on the %s plan', (deviceClass) => {
  const noise = selectDataset(readCsv(COURSE['noise100-h512-mse-holdout'].csv), { features: ['x'], target: 'y', source: 'noise100.csv' });
  const lecture = generateLectureData(3, 200);
  const cases = [
    { what: 'noise100, 1-512-1 mse, Adam', data: noise, spec: singleHidden(512, 'mse'), lr: 0.001, optimizer: 'adam' as const },
    { what: 'the lecture\'s 1-D data, 1-1000-1 bce, Adam', data: dataset(lecture.x, lecture.y), spec: singleHidden(1000, 'bce'), lr: 0.01, optimizer: 'adam' as const },
    { what: 'noise100, 1-1000-1 bce-logits on soft labels, SGD', data: dataset(noise.x, Array.from(noise.x, (v) => v)), spec: singleHidden(1000, 'bce-logits'), lr: 0.1, optimizer: 'sgd' as const },
  ];
  test.each(cases)('$what: 20 epochs match the CPU model', async (c) => {
    await withDevice(async (device) => {
      const ctx = withPlan(device, deviceClass);
      const run = await trainWide(ctx, c.data, c.spec, { lr: c.lr, seed: 7n, epochs: 20, optimizer: c.optimizer });
      const layout = paramLayout(c.spec);
      const want = cpuTrain(initParams(7n, layout), layout, c.data.x, c.data.y, { ...DEFAULT_ADAM, lr: c.lr }, 20, undefined, { optimizer: c.optimizer });
      expect(run.result.diverged).toBeUndefined();
      expectClose(run.losses, want.losses, 1e-6, 1e-5, 'loss per epoch');
      expectClose(run.params, want.params, 1e-5, 1e-4, 'params');
    });
  });

  test('05wk-1 noise100-h512-mse-holdout: every train and test loss within the golden band, and a rerun gives the same bits', async () => {
    const { golden, csv, holdout } = COURSE['noise100-h512-mse-holdout'];
    const all = selectDataset(readCsv(csv), { features: golden.config.features, target: golden.config.target, source: golden.config.data });
    const { train, test: held } = splitHoldout(all, holdout!);
    const epochs = deviceClass === 'software' ? 100 : 50;
    await withDevice(async (device) => {
      const ctx = withPlan(device, deviceClass);
      const spec: ModelSpec = { layers: golden.config.layers, head: golden.config.head, dropout: 0 };
      const o = { lr: golden.config.lr, seed: BigInt(golden.config.seed), epochs };
      const run = await trainWide(ctx, train, spec, o, held);
      const outside = (ours: number[], theirs: number[], band: number[]) => ours.filter((v, i) => !(Math.abs(v - theirs[i]) <= band[i])).length;
      expect(run.losses).toHaveLength(epochs);
      expect(run.testLosses).toHaveLength(epochs);
      expect(outside(run.losses, golden.loss, golden.tolerance), 'train epochs outside the band').toBe(0);
      expect(outside(run.testLosses, golden.test_loss!, golden.test_tolerance!), 'test epochs outside the band').toBe(0);
      // No atomics, every sum in a fixed order: a rerun gives the same losses, bit for bit.
      const again = await trainWide(ctx, train, spec, { ...o, epochs: 20 }, held);
      const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
      expect(bits(again.losses)).toEqual(bits(run.losses.slice(0, 20)));
      expect(bits(again.testLosses)).toEqual(bits(run.testLosses.slice(0, 20)));
    });
  });
});

describe('the descriptor', () => {
  const run = { optimizer: 'adam', minibatches: false } as const;
  const layout = (layers: number[], dropout = 0) => paramLayout({ layers, head: 'mse', dropout });

  test('supports 1-H-1 with the point heads, Adam and SGD, full batch; says by name why not otherwise', () => {
    expect(WIDE.unsupported(layout([1, 512, 1]), { testSet: true })).toBeUndefined();
    expect(WIDE.unsupported(layout([2, 512, 1]), { testSet: false })).toMatch(/^wide needs one input .*not 2 inputs/);
    expect(WIDE.unsupported(layout([1, 8, 8, 1]), { testSet: false })).toMatch(/^wide needs one hidden layer .*not 2/);
    expect(WIDE.unsupported(paramLayout({ layers: [1, 8, 3], head: 'ce', dropout: 0 }), { testSet: false })).toMatch(/^wide needs one output .*not 3/);
    expect(WIDE.unsupported(layout([1, 8, 1], 0.2), { testSet: false })).toMatch(/^wide has no dropout/);
    expect(supportProblem(WIDE, layout([1, 8, 1]), { optimizer: 'sgd', minibatches: false })).toBeUndefined();
    expect(supportProblem(WIDE, layout([1, 8, 1]), { optimizer: 'adam', minibatches: true })).toMatch(/^wide trains full batches only/);
    expect(supportProblem(WIDE, paramLayout({ layers: [1, 8, 1], head: 'mse', dropout: 0, activations: ['tanh'] }), run)).toMatch(/^wide supports relu hidden layers only, not tanh/);
  });

  test("auto: wide for 05wk-1's 1-H-1 (fewer points than units), on a GPU plan while N <= 512; piecewise on the course's 2000 points", () => {
    const gpu = planOnlyContext(planFor('gpu', H200.limits, H200.sms));
    const software = planOnlyContext(planFor('software', { ...H200.limits, maxComputeWorkgroupStorageSize: 32768 }));
    const pick = (ctx: GpuContext, h: number, n: number) => chooseStrategy({ ctx, layout: paramLayout(singleHidden(h, 'mse')), n, testN: 0 }, false);
    expect([pick(gpu, 2, 2000), pick(gpu, 256, 2000), pick(gpu, 1024, 2000), pick(gpu, 512, 100), pick(gpu, 20_480, 100), pick(gpu, 204_800, 100), pick(gpu, 4096, 1000)]).toEqual([
      'resident', 'piecewise', 'fused', 'wide', 'wide', 'wide', 'fused',
    ]);
    expect([pick(software, 2, 2000), pick(software, 256, 2000), pick(software, 1024, 2000), pick(software, 512, 100), pick(software, 20_480, 100)]).toEqual([
      'resident', 'piecewise', 'piecewise', 'wide', 'wide',
    ]);
    // A test set is fine (the trainer evaluates it with its own steps); deeper or wider-input models are not wide's.
    expect(chooseStrategy({ ctx: gpu, layout: paramLayout(singleHidden(512, 'mse')), n: 80, testN: 20 }, true)).toBe('wide');
    expect(chooseStrategy({ ctx: gpu, layout: paramLayout({ layers: [2, 512, 1], head: 'mse', dropout: 0 }), n: 80, testN: 0 }, false)).toBe('fused');
  });
});
