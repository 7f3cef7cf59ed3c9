// piecewise: three dispatches per epoch whose cost grows with N + H² rather than N·H. It relies on
// the input being one number: with the points sorted by x, every hidden unit is on for a prefix or
// a suffix of them, so the model is one line per segment between switch points and each unit's
// gradients are sums over whole segments (common/piecewise.wgsl). Same model, same loss, same
// gradients as the other strategies, summed in another order.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { chunking, grid2d } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import { workgroupMemoryProblem } from '../gpu/workgroup-memory';
import type { TrainingBuffers } from './buffers';
import { encodeSteps, type Step } from './steps';
import type { Strategy, StrategyOptions } from './strategy';

/** Workgroup size of the points kernel; the other two run one workgroup of SMALL_WG. */
export const PIECEWISE_DEFAULT_WG = 64;
const SMALL_WG = 64;

/** Workgroup memory of the largest of the three kernels, piecewise_reduce_adam. */
export function piecewiseWorkgroupBytes(hidden: number): number {
  return 8 * (hidden + 1) + 4 * (3 * hidden + 1) + 4 * SMALL_WG;
}

/** Why width `hidden` does not fit this device's workgroup memory, or undefined. */
export function piecewiseFit(ctx: GpuContext, hidden: number): string | undefined {
  return workgroupMemoryProblem(ctx, 'piecewise', piecewiseWorkgroupBytes(hidden), `hidden width ${hidden}`, 'use a smaller width, or the fused or unfused strategy');
}

/** The inputs sorted ascending with their labels (a stable sort: ties keep the file's order). */
export function sortByInput(data: Pick<Dataset, 'x' | 'y'>): { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer> } {
  const order = Uint32Array.from({ length: data.x.length }, (_, i) => i).sort((a, b) => data.x[a] - data.x[b] || a - b);
  return { x: Float32Array.from(order, (i) => data.x[i]), y: Float32Array.from(order, (i) => data.y[i]) };
}

/**
 * At most this many runs. Each costs the one-workgroup reduction a load per segment it overlaps,
 * so a few thousand keep that kernel short; on a software adapter chunking() asks for ~512.
 */
const MAX_RUNS = 16384;

/**
 * How the points are cut into runs, one per invocation of piecewise_points: as gpu/grid.ts cuts
 * reductions, unless `pointsPerThread` says otherwise, with no more runs than MAX_RUNS or than
 * the (H+2)·runs partial sums can hold within the device's binding limit.
 */
export function piecewiseRuns(ctx: GpuContext, n: number, hidden: number, wg: number, pointsPerThread?: number): { runLen: number; runs: number; workgroups: number } {
  const limits = ctx.device.limits;
  const maxRuns = Math.max(1, Math.min(MAX_RUNS, Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / (8 * (hidden + 2)))));
  const runLen = pointsPerThread ?? Math.max(chunking(n, wg, ctx.isSoftware).pointsPerThread, Math.ceil(n / maxRuns));
  const runs = Math.ceil(n / runLen);
  return { runLen, runs, workgroups: Math.ceil(runs / wg) };
}

export async function createPiecewise(ctx: GpuContext, b: TrainingBuffers, data: Pick<Dataset, 'x' | 'y'>, options: StrategyOptions = {}): Promise<Strategy> {
  const { n, layout } = b;
  const h = layout.hidden;
  const wg = options.workgroupSize ?? PIECEWISE_DEFAULT_WG;
  const { runLen, runs, workgroups } = piecewiseRuns(ctx, n, h, wg, options.pointsPerThread);
  const [segments, points, reduceAdam] = await Promise.all([
    getKernel(ctx, KERNELS.piecewiseSegments, { WG: SMALL_WG, HIDDEN: h }),
    getKernel(ctx, KERNELS.piecewisePoints, { WG: wg, HIDDEN: h, BINARY_LABELS: Number(b.binaryLabels) }),
    getKernel(ctx, KERNELS.piecewiseReduceAdam, { WG: SMALL_WG, HIDDEN: h }),
  ]);
  const sorted = sortByInput(data);
  const xs = b.data('piecewise x sorted (N)', sorted.x);
  const ys = b.data('piecewise y by sorted x (N)', sorted.y);
  const segs = b.storage('piecewise bounds (H+2) and units (H)', 4 * (2 * h + 2));
  const lines = b.storage('piecewise lines (H+1)', 8 * (h + 1));
  const partials = b.storage('piecewise sums (H+1,runs) and run losses (runs)', 8 * (h + 2) * runs);
  const dims = b.uniform('piecewise dims', new Uint32Array([n, runLen, runs, 0]));
  const segmentsGroup = segments.bind('piecewise segments', [segs, lines, b.params, xs, dims]);
  const pointsGroup = points.bind('piecewise points', [partials, segs, lines, xs, ys, dims]);
  const updateGroup = reduceAdam.bind('piecewise reduce-adam', [b.params, b.m, b.v, b.lossHistory, b.status, partials, segs, b.steps, b.hyper, dims, b.epochIndex]);
  const steps: Step[] = [
    { kernel: segments, group: segmentsGroup, workgroups: [1] },
    { kernel: points, group: pointsGroup, workgroups: grid2d(workgroups) },
    { kernel: reduceAdam, group: updateGroup, workgroups: [1], perEpoch: true },
  ];

  return {
    name: 'piecewise',
    workgroupSize: wg,
    dispatchesPerEpoch: steps.length,
    encode: (pass, epochs) => encodeSteps(pass, steps, epochs),
  };
}

// TEMP stub until the port lands
export const PIECEWISE: import('./strategy').StrategyDescriptor = { name: 'piecewise', summary: '', unsupported: () => 'not yet', defaultWorkgroupSize: () => 1, limitProblem: () => undefined, preferredBy: () => false, create: () => { throw new Error('stub'); } };
