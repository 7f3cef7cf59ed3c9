// Every strategy against the CPU reference on random configurations (width, points, learning
// rate, seed), and the automatic choice.
import { describe, expect, test } from 'vitest';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { generateLectureData } from '../src/data/generate';
import { initParams } from '../src/model/init';
import { paramLayout } from '../src/model/layout';
import { STRATEGY_NAMES } from '../src/train/strategy';
import { columnsWorkgroupBytes } from '../src/train/columns';
import { piecewiseWorkgroupBytes } from '../src/train/piecewise';
import { chooseStrategy, Trainer } from '../src/train/trainer';
import { expectClose, withDevice } from './gpu';
import { rng } from './harness';

const r = rng(4052);
const CONFIGS = Array.from({ length: 3 }, (_, i) => ({
  hidden: [1, 3, 5, 16, 40][Math.floor(r(0, 5))],
  n: [1, 37, 300, 1000, 2500][i + Math.floor(r(0, 3))],
  lr: [0.001, 0.01, 0.05][Math.floor(r(0, 3))],
  seed: Math.floor(r(0, 1e6)),
  pointsPerThread: i === 1 ? 3 : undefined, // one configuration with a hand-set reduction split
}));

describe.each(STRATEGY_NAMES)('%s', (strategy) => {
  test('shuffled points with soft labels (y = the true probability): 40 epochs match the CPU reference', async () => {
    await withDevice(async (ctx) => {
      // Not sorted by x (piecewise sorts its own copy) and not 0/1 (BCE's two-log form).
      const lecture = generateLectureData(11, 500);
      const order = Array.from({ length: 500 }, (_, i) => i).sort((a, b) => ((a * 7919) % 500) - ((b * 7919) % 500));
      const data = { x: Float32Array.from(order, (i) => lecture.x[i]), y: Float32Array.from(order, (i) => lecture.prob![i]), source: 'shuffled' };
      expect(data.y.some((v) => v > 0 && v < 1)).toBe(true);
      const trainer = await Trainer.create(ctx, data, { strategy, hidden: 6, lr: 0.02, seed: 5, chunkEpochs: 16 });
      const losses: number[] = [];
      await trainer.train(40, { onLoss: (_, l) => losses.push(...l) });
      const want = cpuTrain(initParams(5, 6), paramLayout(6), data.x, data.y, { ...DEFAULT_ADAM, lr: 0.02 }, 40);
      expectClose(losses, want.losses, 1e-5, 0, 'loss per epoch');
      expectClose(await trainer.readParams(), want.params, 1e-4, 1e-4, 'params');
      trainer.destroy();
    });
  });

  test.each(CONFIGS)('H=$hidden N=$n lr=$lr seed=$seed ppt=$pointsPerThread: 60 epochs match the CPU reference', async (c) => {
    await withDevice(async (ctx) => {
      const data = generateLectureData(c.seed, c.n);
      const trainer = await Trainer.create(ctx, data, { strategy, hidden: c.hidden, lr: c.lr, seed: c.seed, chunkEpochs: 25, pointsPerThread: c.pointsPerThread });
      const losses: number[] = [];
      await trainer.train(60, { onLoss: (_, l) => losses.push(...l) });
      const layout = paramLayout(c.hidden);
      const want = cpuTrain(initParams(c.seed, c.hidden), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: c.lr }, 60);
      expectClose(losses, want.losses, 1e-4, 0, 'loss per epoch');
      expectClose(await trainer.readParams(), want.params, 1e-3, 1e-3, 'params');
      trainer.destroy();
    });
  });
});

test('auto: resident for the lecture, piecewise for large N·H, fused and unfused when their sums cannot fit', async () => {
  await withDevice(async (ctx) => {
    expect(chooseStrategy(ctx, 2000, 2)).toBe('resident');
    expect(chooseStrategy(ctx, 2000, 32)).toBe('piecewise');
    expect(chooseStrategy(ctx, 200_000, 32)).toBe('piecewise');
    const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
    // The widest layer piecewise holds, and one past it: fused while its columns fit, then unfused.
    let widest = 1;
    while (piecewiseWorkgroupBytes(widest + 1) <= memory) widest++;
    expect(chooseStrategy(ctx, 200_000, widest)).toBe('piecewise');
    expect(chooseStrategy(ctx, 200_000, widest + 1)).toBe(columnsWorkgroupBytes(widest + 1, 1) <= memory ? 'fused' : 'unfused');
    expect(chooseStrategy(ctx, 1000, 4096)).toBe('unfused');
  });
});
