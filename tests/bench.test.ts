// The benchmark's arithmetic, without a GPU and without timing: the FLOP and byte formulas per
// kernel, the step-label parsing that feeds them, the roofline's ceilings, and the table formatting.
import { describe, expect, test } from 'vitest';
import { paramLayout, singleHidden } from '../src/model/layout';
import { attainableGflops, COSTS, copyKernelBytes, fmaKernelFlops, kernelName, ridgeIntensity, stepCost, type StepShape } from '../bench/cost';
import { generateRings, standIn, tileRows, COURSE_CASES } from '../bench/cases';
import type { BenchReport, Row } from '../bench/core';
import { courseTable, fastest, gemmShareOfPeak, targetsTable, wk05Table } from '../bench/markdown';
import { rooflineSvg } from '../bench/chart';
import { loss, markdownTable, num, percent, times } from '../bench/table';
import { cLoopBaseline } from '../bench/cloop';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { initParams } from '../src/model/init';
import { parseCsv } from '../src/data/csv';
import { DNNEX_CSV } from './shared';

const step = (file: string, label: string, extra: Partial<StepShape> = {}): StepShape => ({ file, label, pipelineLabel: '', workgroups: [1], workgroupSize: 64, ...extra });

describe('FLOPs and bytes per kernel', () => {
  const mnist = paramLayout({ layers: [784, 32, 1], head: 'bce', dropout: 0 });
  const n = 1600;

  test('GEMM forward: 2·N·IN·OUT FLOPs, X, W and Y once', () => {
    expect(stepCost(step('gemm_forward', 'gemm_forward 784→32'), mnist, n)).toEqual({ flops: 2 * 1600 * 784 * 32, bytes: 4 * (1600 * 784 + 784 * 32 + 1600 * 32) });
  });

  test('GEMM forward split-K: the product with S partial blocks written, then S·N·OUT additions reading them', () => {
    const partial = step('gemm_forward', 'gemm_forward 784→32 split-K 13', { pipelineLabel: 'gemm_forward pipeline {"EPILOGUE":1,"SPLIT":1}' });
    const reduce = step('gemm_forward', 'gemm_forward 784→32 split-K reduce 13', { pipelineLabel: 'gemm_forward pipeline {"EPILOGUE":1,"SPLIT":2}' });
    expect(stepCost(partial, mnist, n)).toEqual({ flops: 2 * 1600 * 784 * 32, bytes: 4 * (1600 * 784 + 784 * 32 + 13 * 1600 * 32) });
    expect(stepCost(reduce, mnist, n)).toEqual({ flops: 13 * 1600 * 32, bytes: 4 * (13 * 1600 * 32 + 1600 * 32 + 32) });
    expect(kernelName(partial)).toBe('gemm_forward 784→32 split-K');
    expect(kernelName(reduce)).toBe('gemm_forward 784→32 split-K reduce');
  });

  test('GEMM backward input: the mask adds the activations when the pipeline is masked', () => {
    const plain = stepCost(step('gemm_backward_input', 'gemm_backward_input 32→1'), mnist, n);
    const masked = stepCost(step('gemm_backward_input', 'gemm_backward_input 32→1', { pipelineLabel: 'gemm_backward_input pipeline {"MASK":1,"WG":16}' }), mnist, n);
    expect(plain).toEqual({ flops: 2 * n * 32, bytes: 4 * (n * 32 + 32 + n) });
    expect(masked.bytes - plain.bytes).toBe(4 * n * 32);
  });

  test('GEMM backward weights: the splits (grid z) multiply the partials written', () => {
    const c = stepCost(step('gemm_backward_weights', 'gemm_backward_weights 784→32', { workgroups: [2, 1, 5] }), mnist, n);
    expect(c).toEqual({ flops: 2 * n * 784 * 32 + n * 32, bytes: 4 * (n * 32 + n * 784 + (32 * 784 + 32) * 5) });
  });

  test('split-K reduce, element-wise kernels by their 1-based hidden layer, head outputs from the pipeline constants', () => {
    expect(stepCost(step('split_k_reduce', 'split_k_reduce 25120×5'), mnist, n)).toEqual(COSTS.splitKReduce(25120, 5));
    expect(stepCost(step('activation_forward', 'unfused activation 1'), mnist, n)).toEqual({ flops: n * 32, bytes: 8 * n * 32 });
    expect(stepCost(step('activation_backward', 'unfused activation backward 1'), mnist, n)).toEqual({ flops: n * 32, bytes: 12 * n * 32 });
    const head = stepCost(step('head_points', 'fused head', { pipelineLabel: 'head_points pipeline {"WG":64,"WRITE_LOSS":1,"WRITE_DLOGIT":1,"WRITE_PROB":0}' }), mnist, n);
    expect(head.bytes).toBe(4 * n * 4);
    expect(stepCost(step('adam_step', 'adam step'), mnist, n)).toEqual({ flops: 12 * mnist.count, bytes: 28 * mnist.count });
  });

  test('piecewise and resident scale with N + H and N·H', () => {
    const lecture = paramLayout(singleHidden(2));
    expect(stepCost(step('piecewise_points', 'piecewise points', { workgroups: [2], workgroupSize: 64 }), lecture, 2000).bytes).toBe(8 * 2000 + 8 * 3 + 8 * (128 + 3) + 8 * 128);
    expect(stepCost(step('resident_epochs', 'resident epochs'), lecture, 2000).bytes).toBe(8 * 2000);
    expect(COSTS.residentEpoch(2000, 4).flops - COSTS.residentEpoch(2000, 2).flops).toBe(10 * 2000 * 2 + 12 * 6);
  });

  test('an unknown kernel or a label without dims is an error, not a zero', () => {
    expect(() => stepCost(step('new_kernel', 'x'), mnist, n)).toThrow(/no cost formula/);
    expect(() => stepCost(step('gemm_forward', 'gemm_forward'), mnist, n)).toThrow(/IN→OUT/);
  });

  test('kernel names keep the GEMMs per layer and sum the rest by file', () => {
    expect(kernelName({ file: 'gemm_forward', label: 'gemm_forward 784→32' })).toBe('gemm_forward 784→32');
    expect(kernelName({ file: 'activation_forward', label: 'unfused activation 2' })).toBe('activation_forward');
  });

  test('peak kernels: 64 FLOPs per round per invocation; a copy moves its bytes twice', () => {
    expect(fmaKernelFlops(10, 1024)).toBe(10 * 1024 * 64);
    expect(copyKernelBytes(100)).toBe(200);
  });
});

describe('the roofline', () => {
  const peaks = { gflops: 100, gbps: 20 };
  test('bandwidth-bound below the ridge, compute-bound above, continuous at it', () => {
    expect(ridgeIntensity(peaks)).toBe(5);
    expect(attainableGflops(peaks, 1)).toBe(20);
    expect(attainableGflops(peaks, 5)).toBe(100);
    expect(attainableGflops(peaks, 50)).toBe(100);
  });
});

describe('tables', () => {
  test('numbers, ratios, percentages and losses', () => {
    expect([num(0.012345), num(12.345), num(1234.5), num(NaN), num(undefined), num(100)]).toEqual(['0.01235', '12.35', '1235', '–', '–', '100.0']);
    expect([times(1.234), times(1081.4), times(undefined)]).toEqual(['1.23×', '1081×', '–']);
    expect(percent(0.4567)).toBe('45.7%');
    expect(loss(0.662164)).toBe('0.6622');
  });

  test('markdown tables align numbers right, escape pipes and refuse ragged rows', () => {
    expect(markdownTable([['a', 'left'], ['b', 'right']], [['x|y', '1']])).toBe('| a | b |\n|---|---:|\n| x\\|y | 1 |');
    expect(() => markdownTable([['a', 'left']], [['1', '2']])).toThrow(/2 cells/);
  });

  const row = (strategy: Row['strategy'], us: number, extra: Partial<Row> = {}): Row => ({
    case: 'lecture-1-2-1', n: 2000, layers: [1, 2, 1], strategy, workgroupSize: 4, usPerEpoch: us, dispatchesPerEpoch: 1, epochsPerRun: 100, runs: 3, finalLoss: 0.66, lossEpoch: 10, losses: Array(10).fill(0.66), ...extra,
  });
  const report: BenchReport = {
    runtime: 'Node (Dawn)', adapter: 'test', version: 'v', date: '2026-01-01T00:00:00Z', quick: true, lossEpochs: 10,
    peaks: { gflops: 10, gbps: 2, fusedGflops: 10, mulAddGflops: 8, timing: 'timestamp queries', fmaInvocations: 1, copyBytes: 1 << 20 },
    profiling: 'test',
    rows: [
      row('resident', 50),
      row('fused', 500),
      row('fused', 1000, { case: 'mnist37-784-32-1', n: 1600, layers: [784, 32, 1], kernels: [{ name: 'gemm_forward 784→32', dispatches: 1, us: 1000, flops: 6e6, bytes: 1e6 }, { name: 'adam_step', dispatches: 1, us: 10, flops: 1, bytes: 1 }] }),
    ],
    grid: [], baselines: [{ system: 'TensorFlow.js x (WebGPU)', case: 'mnist37-784-32-1', epochs: 10, usPerEpoch: 8000, finalLoss: 0.7 }], unavailable: {}, cpuEngine: [{ case: 'noise100-1-512-1', epochsTimed: 100, secondsPerEpoch: 0.002 }], dataSources: {},
  };

  test('the fastest strategy, the GEMMs against the peak; a reference figure never decides a target when torch is absent', () => {
    expect(fastest(report.rows, 'lecture-1-2-1')?.strategy).toBe('resident');
    expect(gemmShareOfPeak(report, report.rows[2])).toBeCloseTo(0.6); // 6e6 FLOPs in 1000 µs = 6 GFLOP/s of 10
    const targets = targetsTable(report);
    expect(targets).toContain('against 200.0 (reference figure from another machine, not measured here): 4.00× | not decided: no PyTorch in this run');
    expect(targets).not.toMatch(/reference figure[^\n]*\| (met|missed)/);
    const measured = targetsTable({ ...report, baselines: [...report.baselines, { system: 'PyTorch 2.1 (CPU)', case: 'lecture-1-2-1', epochs: 10, usPerEpoch: 300, finalLoss: 0.69 }] });
    expect(measured).toContain('against 300.0 (measured in this run): 6.00× | met');
    expect(targets).toContain('60.0% of 10.0 GFLOP/s | met');
    expect(targets).toContain('against 8000: 8.00× | met');
    expect(courseTable(report)).toContain('PyTorch CPU (reference figure, not measured here)');
  });

  test('the C loop decides the lecture\'s "≤ 1.2× the C loop" in the same run, and nothing without it', () => {
    expect(targetsTable(report)).not.toContain('the C loop');
    const cLoop = { system: 'C loop (cc -O2, float32, 1 thread)', case: 'lecture-1-2-1', epochs: 10, usPerEpoch: 45, finalLoss: 0.66 };
    expect(targetsTable({ ...report, baselines: [...report.baselines, cLoop] })).toContain("resident 50.0 µs/epoch against C loop (cc -O2, float32, 1 thread)'s 45.0: 1.11× | met");
    expect(targetsTable({ ...report, baselines: [...report.baselines, { ...cLoop, usPerEpoch: 40 }] })).toContain(': 1.25× | missed');
  });

  test('the C loop trains the lecture as the CPU model does (float32 against float64, 20 epochs of 2000 points)', () => {
    const data = parseCsv(DNNEX_CSV, 'dnnex.csv');
    expect(data.d).toBe(1);
    const layout = paramLayout(singleHidden(2, 'bce'));
    const init = initParams(43052n, layout);
    const got = cLoopBaseline({ caseId: 'lecture-1-2-1', data, init, hidden: 2, lr: 0.001, lossEpochs: 20, targetSeconds: 0.05 });
    if ('missing' in got) throw new Error(`the C loop needs the machine's C compiler (gcc is one of its facts): ${got.missing}`);
    const want = cpuTrain(init, layout, data.x, data.y, { ...DEFAULT_ADAM, lr: 0.001 }, 20);
    expect(got.baseline.losses).toHaveLength(20);
    got.baseline.losses!.forEach((l, i) => expect(Math.abs(l - want.losses[i])).toBeLessThan(2e-6));
    expect(got.baseline.usPerEpoch).toBeGreaterThan(0);
  });

  test('the 05wk-1 table keeps the lecture\'s Colab rows and says how the CPU engine was timed', () => {
    const t = wk05Table(report);
    expect(t).toContain('| 204800 | 85.7 | 1.40 | 61.2× | the lecture on Colab (reference) |');
    expect(t).toContain('100 epochs timed and scaled to 1000');
  });

  test('the roofline draws both ceilings and a dot per kernel', () => {
    const svg = rooflineSvg(report);
    expect(svg).toContain('FMA peak 10.0 GFLOP/s');
    expect(svg).toContain('copy 2.0 GB/s');
    expect(svg.match(/<circle [^>]*fill-opacity/g)).toHaveLength(2);
  });
});

describe('data of the course\'s shapes', () => {
  test('tiled rows repeat in order; stand-ins and generated rings have the shape asked for', () => {
    const rings = generateRings(10, 2024);
    expect(rings.x.length).toBe(20);
    const tiled = tileRows(rings, 25);
    expect(tiled.n).toBe(25);
    expect(Array.from(tiled.x.subarray(20, 22))).toEqual(Array.from(rings.x.subarray(0, 2)));
    const mnist = COURSE_CASES.find((c) => c.id === 'mnist37-784-32-1')!;
    if (!('csv' in mnist.data)) throw new Error('mnist reads a CSV');
    const s = standIn(mnist.data, 'bce');
    expect([s.n, s.d, s.x.length]).toEqual([1600, 784, 1600 * 784]);
  });
});
