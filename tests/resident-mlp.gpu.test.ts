// resident on general small MLPs (shaders/kernels/resident_mlp.wgsl): whole chunks of epochs in one
// dispatch against the CPU model (src/cpu/model.ts cpuTrain), bit-identical reruns, the
// all-or-nothing rule, and what the descriptor refuses (widths past MAX_WIDTH, workgroup memory).
import { describe, expect, test } from 'vitest';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import type { Dataset } from '../src/data/dataset';
import { planOnlyContext, type GpuContext } from '../src/gpu/context';
import { planFor } from '../src/gpu/plan';
import { getKernel } from '../src/gpu/kernel';
import { KERNELS } from '../src/gpu/kernels';
import { initParams } from '../src/model/init';
import { paramLayout, type Head, type ModelSpec } from '../src/model/layout';
import { RESIDENT, RESIDENT_MLP_LIMITS, residentMlpWorkgroupBytes } from '../src/train/resident';
import { Trainer, type TrainerConfig } from '../src/train/trainer';
import { dataset } from './datasets';
import { expectClose, withDevice } from './gpu';
import { rng } from './harness';

const spec = (layers: number[], head: Head, dropout = 0): ModelSpec => ({ layers, head, dropout });

/** N random points of D features in [-1, 1]; labels 0/1, soft (in [0, 1]) or a curve for mse. */
function randomData(layers: number[], head: Head, n: number, soft: boolean, seed: number): Dataset {
  const g = rng(seed);
  const d = layers[0];
  const x = Array.from({ length: n * d }, () => g(-1, 1));
  const y = Array.from({ length: n }, (_, i) => {
    if (head === 'mse') return Math.sin(3 * x[i * d]) + g(-0.1, 0.1);
    const r = x[i * d] * x[i * d] + (d > 1 ? x[i * d + 1] * x[i * d + 1] : 0);
    return soft ? g() : r < 0.4 ? 1 : 0;
  });
  return dataset(x, y, d);
}

/** Trains through the Trainer (resident, chunks of 16) and returns the losses, the divergence and the state. */
async function train(ctx: GpuContext, data: Dataset, config: Partial<TrainerConfig>, epochs: number, setup?: (t: Trainer) => void) {
  const trainer = await Trainer.create(ctx, data, { strategy: 'resident', chunkEpochs: 16, ...config });
  try {
    setup?.(trainer);
    const losses: number[] = [];
    const result = await trainer.train(epochs, { onLoss: (_, l) => losses.push(...l) });
    return { losses, result, state: await trainer.snapshot(), strategy: trainer.strategy };
  } finally {
    trainer.destroy();
  }
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

const CASES = [
  { layers: [2, 16, 16, 1], head: 'bce' as Head, n: 100, soft: false, lr: 0.01, seed: 1n },
  { layers: [3, 5, 1], head: 'mse' as Head, n: 80, soft: false, lr: 0.02, seed: 2n },
  { layers: [1, 4, 4, 4, 1], head: 'bce-logits' as Head, n: 61, soft: false, lr: 0.02, seed: 3n },
  { layers: [5, 8, 1], head: 'bce' as Head, n: 50, soft: true, lr: 0.01, seed: 4n },
];

describe('resident on general MLPs', () => {
  test.each(CASES)('layers $layers head $head N=$n soft=$soft: 30 epochs in chunks of 16 match the CPU model', async (c) => {
    await withDevice(async (ctx) => {
      const model = spec(c.layers, c.head);
      const data = randomData(c.layers, c.head, c.n, c.soft, Number(c.seed) * 31);
      expect(data.y.some((y) => y > 0 && y < 1)).toBe(c.soft && c.head !== 'mse' ? true : c.head === 'mse');
      const layout = paramLayout(model);
      const want = cpuTrain(initParams(c.seed, layout), layout, data.x, data.y, { ...DEFAULT_ADAM, lr: c.lr }, 30);
      for (const workgroupSize of [4, 1, 8]) {
        const run = await train(ctx, data, { model, lr: c.lr, seed: c.seed, workgroupSize }, 30);
        expect(run.strategy.name).toBe('resident');
        expect(run.result.diverged).toBeUndefined();
        expectClose(run.losses, want.losses, 1e-5, 1e-4, `loss per epoch (WG ${workgroupSize})`);
        expectClose(run.state.params, want.params, 1e-4, 1e-3, `params (WG ${workgroupSize})`);
        expectClose(run.state.m, want.m, 1e-4, 1e-3, `adam m (WG ${workgroupSize})`);
      }
    });
  });

  test('two runs are bit-identical', async () => {
    await withDevice(async (ctx) => {
      const c = CASES[0];
      const data = randomData(c.layers, c.head, c.n, c.soft, 7);
      const config = { model: spec(c.layers, c.head), lr: c.lr, seed: c.seed };
      const [a, b] = [await train(ctx, data, config, 20), await train(ctx, data, config, 20)];
      expect(bits(new Float32Array(a.losses))).toEqual(bits(new Float32Array(b.losses)));
      for (const k of ['params', 'm', 'v'] as const) expect(bits(a.state[k]), k).toEqual(bits(b.state[k]));
    });
  });

  test('a learning rate of 1e38 stops at epoch 1 with the params, m and v exactly the initial ones', async () => {
    await withDevice(async (ctx) => {
      const c = CASES[0];
      const model = spec(c.layers, c.head);
      const data = randomData(c.layers, c.head, c.n, c.soft, 8);
      const run = await train(ctx, data, { model, lr: 1e38, seed: c.seed }, 40);
      expect(run.result.diverged).toEqual({ epoch: 1, step: 1, loss: false, update: true });
      expect(run.result.epochs).toBe(0);
      expect(run.losses).toHaveLength(1);
      expect(Number.isFinite(run.losses[0])).toBe(true);
      expect(bits(run.state.params)).toEqual(bits(initParams(c.seed, paramLayout(model))));
      expect(run.state.m.every((x) => x === 0) && run.state.v.every((x) => x === 0)).toBe(true);
    });
  });

  test('a NaN parameter set through restore stops at the next epoch with nothing changed', async () => {
    await withDevice(async (ctx) => {
      const c = CASES[2];
      const model = spec(c.layers, c.head);
      const layout = paramLayout(model);
      const data = randomData(c.layers, c.head, c.n, c.soft, 9);
      const bad = initParams(c.seed, layout);
      bad[layout.layers[1].w + 3] = NaN; // a weight of the second layer
      const g = rng(5);
      const m = Float32Array.from({ length: layout.count }, () => g(-1e-3, 1e-3));
      const v = Float32Array.from({ length: layout.count }, () => g(0, 1e-6));
      const run = await train(ctx, data, { model, lr: c.lr, seed: c.seed }, 40, (t) => t.restore({ params: bad, m, v, step: 5 }));
      expect(run.result.diverged?.epoch).toBe(6);
      expect(run.result.diverged!.loss || run.result.diverged!.update).toBe(true);
      expect(run.result.epochs).toBe(0);
      expect(run.losses).toHaveLength(1);
      expect(run.state.step).toBe(5);
      expect(bits(run.state.params)).toEqual(bits(bad));
      expect(bits(run.state.m)).toEqual(bits(m));
      expect(bits(run.state.v)).toEqual(bits(v));
    });
  });
});

/** A device with chosen limits, for the descriptor's pure questions. */
function fakeContext(limits: Partial<Record<keyof GPUSupportedLimits, number>> = {}): GpuContext {
  const all = { maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 1 << 27, maxBufferSize: 1 << 28, maxComputeInvocationsPerWorkgroup: 256, ...limits };
  return planOnlyContext(planFor(true ? 'software' : 'gpu', { maxComputeWorkgroupSizeX: 256, ...all }));
}

describe('resident descriptor on general MLPs', () => {
  const { maxWidth, maxLayers } = RESIDENT_MLP_LIMITS;

  test('supports widths up to MAX_WIDTH (inputs included) and up to MAX_LAYERS layers; refuses wider or deeper models, dropout and a test set', () => {
    const ok = (layers: number[]) => RESIDENT.unsupported(paramLayout(spec(layers, 'bce')), { testSet: false });
    for (const layers of [[2, 16, 16, 1], [maxWidth, maxWidth, 1], [1, ...Array(maxLayers - 1).fill(3), 1], [1, 5000, 1]]) expect(ok(layers), layers.join(',')).toBeUndefined();
    for (const layers of [[2, maxWidth + 1, 1], [maxWidth + 1, 4, 1], [1, 4, maxWidth + 1, 1], [1, ...Array(maxLayers).fill(3), 1]]) {
      expect(ok(layers), layers.join(',')).toMatch(new RegExp(`at most ${maxWidth} per layer and ${maxLayers} Linear layers.*layers ${layers.join(',')}.*fused`));
    }
    expect(RESIDENT.unsupported(paramLayout(spec([2, 4, 1], 'bce', 0.5)), { testSet: false })).toMatch(/dropout/);
    expect(RESIDENT.unsupported(paramLayout(spec([2, 4, 1], 'bce')), { testSet: true })).toMatch(/test set/);
  });

  test('workgroup memory: limitProblem names maxComputeWorkgroupStorageSize and what would fit; auto prefers it while N·P ≤ 2^14', () => {
    const ctx = fakeContext();
    const layout = paramLayout(spec([2, 32, 32, 1], 'bce')); // P = 1185
    const q = (workgroupSize: number, n = 100) => ({ ctx, layout, n, testN: 0, workgroupSize });
    const problem = RESIDENT.limitProblem(q(4));
    expect(problem?.limit).toBe('maxComputeWorkgroupStorageSize');
    expect(problem?.message).toContain(`needs ${residentMlpWorkgroupBytes(1185, 4)} bytes`);
    // 4·2P + 4·WG·(P+1) + 4 bytes, each rounded up to 16: WG 1 fits P = 1185; at WG 4, P ≤ 681.
    expect(problem?.message).toMatch(/maxComputeWorkgroupStorageSize is 16384; use a workgroup size of at most 1, a model of at most 681 parameters or the fused or unfused strategy/);
    expect(RESIDENT.limitProblem(q(2))?.limit).toBe('maxComputeWorkgroupStorageSize');
    expect(RESIDENT.limitProblem(q(1))).toBeUndefined();
    expect(residentMlpWorkgroupBytes(681, 4)).toBeLessThanOrEqual(16384);
    expect(residentMlpWorkgroupBytes(682, 4)).toBeGreaterThan(16384);
    // 2-16-16-1 (P = 337) fits at the default workgroup size; auto prefers it only while N·P is small.
    const small = paramLayout(spec([2, 16, 16, 1], 'bce'));
    const sq = (n: number) => ({ ctx, layout: small, n, testN: 0, workgroupSize: 4 });
    expect(RESIDENT.limitProblem(sq(1000))).toBeUndefined();
    expect(RESIDENT.preferredBy(sq(Math.floor((1 << 14) / 337)))).toBe(true);
    expect(RESIDENT.preferredBy(sq(Math.floor((1 << 14) / 337) + 1))).toBe(false);
  });

  test('the device counts the workgroup memory as the descriptor does, and the trainer refuses a model that does not fit', async () => {
    await withDevice(async (ctx) => {
      const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
      let widest = 1;
      while (residentMlpWorkgroupBytes(widest + 1, 4) <= memory) widest++;
      const refused = await getKernel(ctx, KERNELS.residentMlp, { WG: 4, PARAMS: widest + 1 }).then(() => 'built', (e: Error) => e.message);
      expect(refused).toMatch(/workgroup storage/);
      const counted = /\((\d+) bytes\)/.exec(refused)?.[1];
      if (counted !== undefined) expect(Number(counted)).toBe(residentMlpWorkgroupBytes(widest + 1, 4));
      // P = 1185 at WG 4 needs more than WebGPU's default 16 KiB (and Dawn's SwiftShader gives that).
      const data = randomData([2, 32, 32, 1], 'bce', 10, false, 1);
      const big = Trainer.create(ctx, data, { strategy: 'resident', model: spec([2, 32, 32, 1], 'bce') });
      if (residentMlpWorkgroupBytes(1185, 4) > memory) await expect(big).rejects.toThrow(/maxComputeWorkgroupStorageSize/);
      else (await big).destroy();
    });
  });
});
