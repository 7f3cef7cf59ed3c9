// The course's first CNN against PyTorch (05wk-2 / 06wk-1, ../shared/golden/*cnn*): the model from
// torch's text with the image shape, the init by state_dict key to the last bit, every optimizer step
// of a prefix within tolerance[i] on the GPU (fused: conv + ReLU + pool in one kernel), and the two
// strategies and the CPU model agreeing on a few images. Prefixes only, to keep CI short on a
// software adapter: full batch 3 of 50 epochs, the minibatch runs their first epoch (13 and 19
// steps); the full runs are the bench's (or a lent GPU's).
import { describe, expect, test } from 'vitest';
import { readCsv } from '../src/data/csv';
import { selectDataset } from '../src/data/select';
import type { Dataset } from '../src/data/dataset';
import { modelFromText } from '../src/model/ops';
import { paramLayout, stateDict } from '../src/model/layout';
import { initParams } from '../src/model/init';
import { Trainer, type TrainerConfig } from '../src/train/trainer';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { convLimitProblem } from '../src/train/conv-steps';
import { expectClose, withDevice } from './gpu';
import { CNN_GOLDENS } from './shared';

const EPOCHS: Record<string, number> = { 'mnist01-cnn-bce': 3, 'mnist01-cnn-bce-b128': 1, 'mnist012-cnn-ce-b128': 1 };

const sets = new Map<string, { data: Dataset; test: Dataset }>();
function load(name: string) {
  const { golden, csv, testCsv } = CNN_GOLDENS[name];
  const c = golden.config;
  if (!sets.has(c.data)) {
    const pick = (text: string, source: string) => selectDataset(readCsv(text), { target: c.target, source });
    sets.set(c.data, { data: pick(csv, c.data), test: pick(testCsv, c.test) });
  }
  const made = modelFromText(c.model.join(', '), c.loss, c.input);
  if ('problems' in made) throw new Error(made.problems[0].message);
  const config: Partial<TrainerConfig> = { model: made.spec, seed: BigInt(c.seed), lr: c.optimizer.lr, batchSize: c.batch_size ?? undefined };
  return { ...sets.get(c.data)!, spec: made.spec, config };
}

describe.each(Object.keys(CNN_GOLDENS))('%s', (name) => {
  const { golden } = CNN_GOLDENS[name];

  test("torch's init by state_dict key, to the last bit", () => {
    const { spec, config } = load(name);
    const layout = paramLayout(spec);
    const init = stateDict(initParams(config.seed!, layout), layout);
    expect(Object.keys(init)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    for (const [key, { data }] of Object.entries(golden.init)) expect(init[key], key).toEqual(data.map(Math.fround));
  });

  test(`fused: every step of the first ${EPOCHS[name]} epoch(s) and their test losses within the band`, async () => {
    const { data, test: testSet, config } = load(name);
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, data, { ...config, strategy: 'fused' }, testSet);
      const losses: number[] = [];
      const testLosses: number[] = [];
      const r = await trainer.train(EPOCHS[name], { onLoss: (_, chunk, t) => void (losses.push(...chunk), testLosses.push(...(t ?? []))) });
      expect(r.diverged).toBeUndefined();
      expect(losses).toHaveLength(EPOCHS[name] * golden.config.steps_per_epoch);
      const outside = (ours: number[], want: number[], band: number[]) => ours.map((v, i) => ({ i, v, want: want[i], band: band[i] })).filter((e) => !(Math.abs(e.v - e.want) <= e.band));
      expect(outside(losses, golden.loss, golden.tolerance).slice(0, 5)).toEqual([]);
      expect(outside(testLosses, golden.test_loss, golden.test_tolerance).slice(0, 5)).toEqual([]);
      trainer.destroy();
    });
  }, 600_000);
});

describe('the conv stage in every strategy that supports it', () => {
  test('fused, unfused and the CPU model agree on 24 images, full batch and batches of 10', async () => {
    const { data, spec } = load('mnist012-cnn-ce-b128');
    const n = 24;
    const small: Dataset = { ...data, n, x: data.x.slice(0, n * data.d), y: data.y.slice(0, n), source: 'first 24' };
    const layout = paramLayout(spec);
    for (const batchSize of [undefined, 10]) {
      const cpu = cpuTrain(initParams(43052n, layout), layout, small.x, small.y, DEFAULT_ADAM, 2, undefined, { batchSize });
      await withDevice(async (ctx) => {
        for (const strategy of ['fused', 'unfused'] as const) {
          const trainer = await Trainer.create(ctx, small, { model: spec, strategy, seed: 43052n, batchSize });
          const losses: number[] = [];
          await trainer.train(2, { onLoss: (_, chunk) => void losses.push(...chunk) });
          expectClose(losses, cpu.losses, 2e-6, 1e-5, `${strategy} losses, batch ${batchSize ?? 'full'}`);
          expectClose(await trainer.readParams(), cpu.params, 2e-6, 1e-4, `${strategy} params, batch ${batchSize ?? 'full'}`);
          trainer.destroy();
        }
      });
    }
  }, 600_000);

  test('resident and piecewise say they train Linear layers only; a device too small for the conv says which limit', async () => {
    const { data, spec } = load('mnist01-cnn-bce');
    await withDevice(async (ctx) => {
      await expect(Trainer.create(ctx, data, { model: spec, strategy: 'resident' })).rejects.toThrow(/resident trains Linear layers only, not a Conv2d stage/);
      const layout = paramLayout(spec);
      const tiny = { ...ctx, device: { ...ctx.device, limits: { ...ctx.device.limits, maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 20 } } } as typeof ctx;
      expect(convLimitProblem(tiny, 'unfused', layout.conv!, 1600, 'software', false)?.message).toMatch(/maxStorageBufferBindingSize\/maxBufferSize of 1048576 bytes; use smaller batches/);
    });
  });
});
