// Divergence is caught on the GPU and the last good parameters kept; a lost device is survived
// with no gap or duplicate in the loss history; nothing leaks over many train/reset cycles.
import { describe, expect, test } from 'vitest';
import { acquireGpu } from '../src/gpu/context';
import { generateLectureData } from '../src/data/generate';
import { initParams } from '../src/model/init';
import { ResilientTraining } from '../src/train/recovery';
import { STRATEGY_NAMES } from '../src/train/strategy';
import { describeDivergence, Trainer } from '../src/train/trainer';
import { gpuEntry, heapAfterGc, withDevice } from './gpu';

const data = generateLectureData(3, 500);

describe.each(STRATEGY_NAMES)('%s', (strategy) => {
  test('a learning rate that blows the update up stops at epoch 1 and keeps the initial parameters', async () => {
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, data, { strategy, lr: 1e38, chunkEpochs: 50 });
      const losses: number[] = [];
      const r = await trainer.train(200, { onLoss: (_, l) => losses.push(...l) });
      expect(r.diverged).toEqual({ epoch: 1, loss: false, update: true });
      expect(r.epochs).toBe(0);
      expect(trainer.epochsDone).toBe(0);
      expect(losses).toHaveLength(1);
      expect(Number.isFinite(losses[0])).toBe(true);
      expect(Array.from(await trainer.readParams())).toEqual(Array.from(initParams(43052, 2)));
      expect(describeDivergence(r.diverged!)).toContain('epoch 1');
      await expect(trainer.train(10)).rejects.toThrow(/reset or load parameters/);
      trainer.destroy();
    });
  });

  test('a non-finite parameter stops training at the next epoch and is reported, nothing else changes', async () => {
    await withDevice(async (ctx) => {
      const trainer = await Trainer.create(ctx, data, { strategy, chunkEpochs: 40 });
      const bad = initParams(43052, 2);
      bad[6] = NaN; // the output bias
      const zeros = new Float32Array(7);
      trainer.restore({ params: bad, m: zeros, v: zeros, step: 5 });
      const epochs: number[] = [];
      const r = await trainer.train(300, { onLoss: (first, l) => l.forEach((_, i) => epochs.push(first + i + 1)) });
      expect(r.diverged?.epoch).toBe(6);
      expect(r.diverged!.loss || r.diverged!.update).toBe(true);
      expect(epochs).toEqual([6]);
      expect(trainer.epochsDone).toBe(5);
      expect(Array.from(await trainer.readParams())).toEqual(Array.from(bad));
      trainer.destroy();
    });
  });

  test('a NaN loss (here from a NaN label) is detected at its epoch', async () => {
    await withDevice(async (ctx) => {
      const y = Float32Array.from(data.y);
      y[123] = NaN;
      const trainer = await Trainer.create(ctx, { ...data, y }, { strategy, chunkEpochs: 40 });
      const losses: number[] = [];
      const r = await trainer.train(100, { onLoss: (_, l) => losses.push(...l) });
      expect(r.diverged).toEqual({ epoch: 1, loss: true, update: false });
      expect(losses).toHaveLength(1);
      expect(Number.isNaN(losses[0])).toBe(true);
      expect(Array.from(await trainer.readParams())).toEqual(Array.from(initParams(43052, 2)));
      trainer.destroy();
    });
  });

  test('a lost device: a new one is acquired, the checkpoint restored, and the history has no gap or duplicate', async () => {
    const gpu = await gpuEntry();
    const reference: number[] = [];
    await withDevice(async (ctx) => {
      const t = await Trainer.create(ctx, data, { strategy, chunkEpochs: 50 });
      await t.train(300, { onLoss: (_, l) => reference.push(...l) });
      t.destroy();
    });

    let ctx = await acquireGpu(gpu);
    try {
      const trainer = await Trainer.create(ctx, data, { strategy, chunkEpochs: 50 });
      const run = new ResilientTraining(ctx, trainer, data, () => acquireGpu(gpu), 100);
      const history: number[] = [];
      const recoveredAt: number[] = [];
      let destroyed = false;
      const r = await run.train(300, {
        onLoss: (first, l) => {
          history.length = first; // a rewind after recovery drops what the checkpoint did not keep
          history.push(...l);
          if (!destroyed && first + l.length >= 150) {
            destroyed = true;
            ctx.device.destroy(); // what a lost device looks like to WebGPU
          }
        },
        onRecovered: (error, epoch, fresh) => {
          expect(error.kind).toBe('device-lost');
          recoveredAt.push(epoch);
          ctx = fresh;
        },
      });
      expect(r.recoveries).toBe(1);
      expect(recoveredAt).toEqual([100]);
      expect(r.epochs).toBe(300);
      expect(history).toHaveLength(300);
      expect(history).toEqual(reference); // restored exactly: the same bits as a run never interrupted
      run.trainer.destroy();
    } finally {
      ctx.destroy();
    }
  });
});

describe('a device lost between two runs', () => {
  test.each(STRATEGY_NAMES)('%s: the next run recovers at the last checkpoint, with the same bits as no loss', async (strategy) => {
    const gpu = await gpuEntry();
    const reference: number[] = [];
    await withDevice(async (ctx) => {
      const t = await Trainer.create(ctx, data, { strategy, chunkEpochs: 25 });
      await t.train(200, { onLoss: (_, l) => reference.push(...l) });
      t.destroy();
    });
    let ctx = await acquireGpu(gpu);
    try {
      const run = new ResilientTraining(ctx, await Trainer.create(ctx, data, { strategy, chunkEpochs: 25 }), data, () => acquireGpu(gpu), 100);
      const history: number[] = [];
      const onLoss = (first: number, l: Float32Array) => {
        history.length = first;
        history.push(...l);
      };
      await run.train(100, { onLoss });
      ctx.device.destroy(); // lost while nothing is in flight: the next submit and read fail
      const r = await run.train(100, { onLoss, onRecovered: (_, epoch, fresh) => ((ctx = fresh), expect(epoch).toBe(100)) });
      expect(r.recoveries).toBe(1);
      expect(history).toEqual(reference);
      run.trainer.destroy();
    } finally {
      ctx.destroy();
    }
  });
});

test('100 train/reset cycles leave no live GPU buffers behind and no JS heap growth beyond noise', async () => {
  await withDevice(async (ctx) => {
    const buffers = ctx.liveBuffers();
    const cycle = async (i: number) => {
      const trainer = await Trainer.create(ctx, data, { strategy: STRATEGY_NAMES[i % 3], hidden: 1 + (i % 5), chunkEpochs: 5 });
      await trainer.train(5);
      await trainer.forward(data.x);
      trainer.destroy();
      expect(ctx.liveBuffers()).toBe(buffers); // freed by destroy itself, not later
    };
    for (let i = 0; i < 10; i++) await cycle(i); // pipelines cached, code warmed up
    const heap = heapAfterGc();
    for (let i = 0; i < 100; i++) await cycle(i);
    const growth = heapAfterGc() - heap;
    expect(growth, `heap grew by ${growth} bytes`).toBeLessThan(2 * 1024 * 1024);
  });
});

test('sizes the device cannot hold are refused before allocating, naming the limit', async () => {
  await withDevice(async (ctx) => {
    const limit = ctx.device.limits.maxStorageBufferBindingSize;
    const n = 1 << 20;
    const hidden = Math.ceil(limit / (4 * n)) + 1; // the unfused (N, H) activations exceed the limit
    const big = { x: new Float32Array(n), y: new Float32Array(n), source: 'big' };
    const before = ctx.liveBuffers();
    await expect(Trainer.create(ctx, big, { strategy: 'unfused', hidden })).rejects.toThrow(/maxStorageBufferBindingSize/);
    await expect(Trainer.create(ctx, data, { strategy: 'resident', hidden: 4000, workgroupSize: 64 })).rejects.toThrow(/maxComputeWorkgroupStorageSize/);
    await expect(Trainer.create(ctx, data, { strategy: 'fused', hidden: 4000, workgroupSize: 8 })).rejects.toThrow(/maxComputeWorkgroupStorageSize/);
    await expect(Trainer.create(ctx, data, { strategy: 'piecewise', hidden: 4000 })).rejects.toThrow(/piecewise needs \d+ bytes of workgroup memory.*maxComputeWorkgroupStorageSize/);
    expect(ctx.liveBuffers()).toBe(before); // refused before any allocation
    // The same data fits another strategy.
    const trainer = await Trainer.create(ctx, big, { strategy: 'fused', hidden: 2 });
    trainer.destroy();
  });
});

test('uncaptured GPU errors reach the listeners as messages', async () => {
  const ctx = await acquireGpu(await gpuEntry());
  try {
    const seen: string[] = [];
    ctx.onError((e) => seen.push(`${e.kind}: ${e.message}`));
    // MAP_READ may only be combined with COPY_DST: a validation error nobody captures.
    ctx.device.createBuffer({ label: 'deliberately invalid', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await ctx.device.queue.onSubmittedWorkDone();
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatch(/^validation: GPU error: .*deliberately invalid/s);
  } finally {
    ctx.destroy();
  }
});
