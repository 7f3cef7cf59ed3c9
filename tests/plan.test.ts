// Plans from the device class and limits, without a GPU: the plan target (gpu/plan.ts), the GEMM
// plan decisions (warp-sized skinny tiles, split-K forward, balanced weight splits), resident's and
// piecewise's GPU workgroups, and `bench --plan`: each course case's plan built against a device
// that runs nothing, and the model calibrated on the committed H200 timings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { planOnlyContext } from '../src/gpu/context';
import { fitTiles, forwardSplits, planTiles, TILE_PRESETS, tileWorkgroupSize, weightSplits, weightTiles, MIN_FORWARD_SPLIT } from '../src/gpu/gemm';
import { elementWorkgroups } from '../src/gpu/grid';
import { deviceClassProblem, planFor } from '../src/gpu/plan';
import { paramLayout, singleHidden } from '../src/model/layout';
import { modelFromText } from '../src/model/ops';
import { PIECEWISE, piecewiseSmallWorkgroup } from '../src/train/piecewise';
import { RESIDENT } from '../src/train/resident';
import { chooseStrategy } from '../src/train/trainer';
import { fitLatency, H200, H200_TARGETS, modelErrors, observations, planCases, profilePlan } from '../bench/plan';
import type { BenchReport } from '../bench/core';

const root = join(__dirname, '..');
const limits = H200.limits;

describe('the plan target', () => {
  test('a class, the limits, SMs × 4 workgroups on a GPU, 8 on a software adapter', () => {
    expect(planFor('gpu', limits, 132)).toMatchObject({ deviceClass: 'gpu', parallelWorkgroups: 528, maxWorkgroupSize: 256, deviceTuned: true });
    expect(planFor('gpu', limits).parallelWorkgroups).toBe(512); // the profile default: 128 SMs
    expect(planFor('software', limits)).toMatchObject({ parallelWorkgroups: 8, deviceTuned: false });
    expect(planFor('gpu', { ...limits, maxComputeInvocationsPerWorkgroup: 128 }).maxWorkgroupSize).toBe(128);
    expect(deviceClassProblem('gpu')).toBeUndefined();
    expect(deviceClassProblem('cpu')).toMatch(/one of gpu, software/);
  });

  test('element-wise grids: one element per invocation on a GPU plan, the plan\'s few workgroups on a software one', () => {
    expect(elementWorkgroups(1_000_000, 64, planFor('gpu', limits))).toEqual([15625, 1]);
    expect(elementWorkgroups(1_000_000, 64, planFor('software', limits))).toEqual([8, 1]);
  });
});

describe('GEMM plans', () => {
  const gpu = planFor('gpu', limits, 132);
  const software = planFor('software', limits);

  test('a skinny tile keeps a warp of invocations on a GPU plan, with the same tile (so the same sums)', () => {
    const fitted = fitTiles(TILE_PRESETS.medium, 1000, 1); // 32 × 1 tiles, 4 rows each: 8 invocations
    expect(tileWorkgroupSize(fitted)).toBe(8);
    const planned = planTiles(fitted, gpu);
    expect(tileWorkgroupSize(planned)).toBe(32);
    expect([planned.tileM, planned.tileN, planned.tileK]).toEqual([fitted.tileM, fitted.tileN, fitted.tileK]);
    expect(planTiles(fitted, software)).toEqual(fitted);
    expect(planTiles(fitTiles(TILE_PRESETS.medium, 1600, 32), gpu)).toEqual(fitTiles(TILE_PRESETS.medium, 1600, 32)); // already 64
  });

  test('split-K forward: MNIST 1600×784→32 and 05wk-1\'s 100×204800→1 split on a GPU plan, never on a software one', () => {
    for (const [n, inDim, outDim] of [[1600, 784, 32], [100, 204800, 1], [2000, 1024, 1]]) {
      const t = fitTiles(TILE_PRESETS.medium, n, outDim);
      const cut = forwardSplits(n, inDim, outDim, t, gpu);
      expect(cut.splits, `${n}×${inDim}→${outDim}`).toBeGreaterThan(1);
      expect(cut.splitLen % t.tileK).toBe(0);
      expect(cut.splitLen).toBeGreaterThanOrEqual(MIN_FORWARD_SPLIT);
      expect(cut.splitLen * cut.splits).toBeGreaterThanOrEqual(inDim);
      expect(cut.splitLen * (cut.splits - 1)).toBeLessThan(inDim);
      expect(forwardSplits(n, inDim, outDim, t, software).splits).toBe(1);
      expect(forwardSplits(n, inDim, outDim, t, { ...gpu, deviceTuned: false }).splits).toBe(1);
    }
    // MNIST's 784 inputs: √(4 · 49 steps · 16 loads) = 56 balanced, at most 49 of one tileK (16 = MIN_FORWARD_SPLIT)
    expect(forwardSplits(1600, 784, 32, fitTiles(TILE_PRESETS.medium, 1600, 32), gpu)).toEqual({ splitLen: 16, splits: 49 });
    // An output with enough tiles is not split; the partials never pass one binding.
    expect(forwardSplits(100_000, 784, 32, fitTiles(TILE_PRESETS.medium, 100_000, 32), gpu).splits).toBe(1);
    const tight = { ...gpu, limits: { ...limits, maxStorageBufferBindingSize: 4 * 1600 * 32 * 3 } };
    expect(forwardSplits(1600, 784, 32, fitTiles(TILE_PRESETS.medium, 1600, 32), tight).splits).toBeLessThanOrEqual(3);
  });

  test('weight splits: as many as fill the device on the old plans; on a GPU plan the balanced count, within one wave, at the nearest whole tileK steps', () => {
    const t = weightTiles('medium', 32, 1); // MNIST's 32→1: two tiles of 1 × 32 over its 1 × 33 output
    const filling = weightSplits(1600, 32, 1, t, { ...gpu, deviceTuned: false });
    expect(filling.splits).toBe(100); // 528 splits wanted, cut to splits of one tileK, 16 points
    // balancedSplits √(4 · 100 steps · 17 loads) = 82: 20 points a split, to the nearest tileK (16, not 32)
    expect(weightSplits(1600, 32, 1, t, gpu)).toEqual({ splitLen: 16, splits: 100 });
    // MNIST's 784→32: 25 tiles of 64 invocations, √(4 · 100 · 16) = 80 balanced, 168 in one wave
    const wide = weightTiles('medium', 784, 32);
    expect(weightSplits(1600, 784, 32, wide, gpu)).toEqual({ splitLen: 16, splits: 100 });
    // One wave caps them: 2 SMs hold 4096 invocations, two splits of the 25 tiles
    expect(weightSplits(1600, 784, 32, wide, planFor('gpu', limits, 2))).toEqual({ splitLen: 800, splits: 2 });
    expect(weightSplits(1600, 32, 1, t, software).splits).toBe(4); // 8 workgroups over 2 tiles
    expect(weightSplits(1600, 784, 32, wide, software).splits).toBe(1); // 8 workgroups wanted, 25 tiles
  });
});

describe('one-workgroup kernels and auto on a GPU plan', () => {
  const gpu = planOnlyContext(planFor('gpu', limits, 132));
  const software = planOnlyContext(planFor('software', limits));

  test('resident: 256 invocations for the lecture; piecewise: 256 in its one-workgroup kernels', () => {
    expect(RESIDENT.defaultWorkgroupSize(gpu, paramLayout(singleHidden(2)))).toBe(256);
    expect(RESIDENT.defaultWorkgroupSize(software, paramLayout(singleHidden(2)))).toBe(4);
    expect(piecewiseSmallWorkgroup(gpu)).toBe(256);
    expect(piecewiseSmallWorkgroup(software)).toBe(64);
    expect(PIECEWISE.limitProblem({ ctx: gpu, layout: paramLayout(singleHidden(256)), n: 2000, testN: 0, workgroupSize: 64 })).toBeUndefined();
  });

  test("auto's choices: the lecture resident, the step piecewise, the curve fused and 05wk-1 wide on a GPU plan; piecewise on a software plan", () => {
    const pick = (ctx: typeof gpu, h: number, n: number) => chooseStrategy({ ctx, layout: paramLayout(singleHidden(h)), n, testN: 0 }, false);
    expect([pick(gpu, 2, 2000), pick(gpu, 256, 2000), pick(gpu, 1024, 2000), pick(gpu, 512, 100), pick(gpu, 20480, 100)]).toEqual(['resident', 'piecewise', 'fused', 'wide', 'wide']);
    expect([pick(software, 2, 2000), pick(software, 256, 2000), pick(software, 1024, 2000)]).toEqual(['resident', 'piecewise', 'piecewise']);
  });

  test("auto's choice for the CNN: fused (conv + ReLU + pool in one kernel) on a GPU plan, unfused on a software one (measured 1.2–1.3× faster there)", () => {
    const built = modelFromText('Conv2d(1,16,(5,5)), ReLU(), MaxPool2d((2,2)), Flatten(), Linear(2304,1), Sigmoid()', 'BCELoss', [1, 28, 28]);
    if ('problems' in built) throw new Error(built.problems.map((p) => p.message).join('; '));
    const pick = (ctx: typeof gpu) => chooseStrategy({ ctx, layout: paramLayout(built.spec), n: 1600, testN: 528 }, true);
    expect([pick(gpu), pick(software)]).toEqual(['fused', 'unfused']);
  });
});

describe('bench --plan (modeled)', () => {
  test('the model, fitted on the committed H200 timings of the old plans, is within 2× on most of them', async () => {
    const report = JSON.parse(readFileSync(join(root, 'bench-results', 'device', 'node.json'), 'utf8')) as BenchReport;
    const obs = await observations([...report.rows, ...report.grid]);
    expect(obs.length).toBeGreaterThan(100);
    const latency = fitLatency(obs);
    const errors = modelErrors(obs, latency).filter((e) => e.what.endsWith('(epoch)'));
    const abs = errors.map((e) => Math.abs(e.error)).sort((a, b) => a - b);
    expect(abs[Math.floor(abs.length / 2)]).toBeLessThan(0.25);
    expect(errors.filter((e) => Math.abs(Math.log(e.modeled_us / e.measured_us)) <= Math.log(2)).length / errors.length).toBeGreaterThan(0.8);

    // Every course case gets a plan with every dispatch described; auto's choice is the one listed.
    const cases = await planCases(H200, latency);
    expect(cases.map((c) => c.id)).toContain('noise100-1-204800-1');
    for (const c of cases) {
      expect(c.modeled_us_per_epoch).toBeGreaterThan(0);
      expect(c.alternatives[0].strategy).toBe(c.strategy);
      for (const d of c.dispatches) {
        expect(Object.keys(d)).toEqual(expect.arrayContaining(['kernel', 'workgroups', 'invocations_per_workgroup', 'serial_iterations', 'flops', 'bytes']));
        expect(d.workgroups * d.invocations_per_workgroup).toBeGreaterThan(0);
      }
    }
    const lecture = cases.find((c) => c.id === 'lecture-1-2-1')!;
    expect(lecture.dispatches).toMatchObject([{ kernel: 'resident_epochs', invocations_per_workgroup: 256 }]);
    expect(cases.find((c) => c.id === 'mnist37-784-32-1')!.dispatches.map((d) => d.kernel)).toContain('gemm_forward 784→32 split-K');
    // The committed plan says the same: the modeled 05wk-1 and curve targets are met.
    const committed = JSON.parse(readFileSync(join(root, 'bench-results', 'plan', 'h200.json'), 'utf8')) as { note: string; cases: { id: string; strategy: string; target_met?: boolean }[] };
    expect(committed.note).toMatch(/^MODELED, not measured/);
    expect(committed.cases.map((c) => [c.id, c.strategy])).toEqual(cases.map((c) => [c.id, c.strategy]));
    for (const id of ['noise100-1-512-1', 'noise100-1-20480-1', 'noise100-1-204800-1', 'curve2000-1-1024-1']) {
      expect(H200_TARGETS[id]).toBeDefined();
      expect(committed.cases.find((c) => c.id === id)?.target_met, id).toBe(true);
    }
    expect(profilePlan(H200, true)).toMatchObject({ deviceTuned: false, parallelWorkgroups: 512, maxWorkgroupSize: 64 });
  });
});
