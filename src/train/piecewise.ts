// piecewise: three dispatches per epoch whose cost grows with N + H² rather than N·H. It relies on
// the input being one number: with the points sorted by x, every hidden unit is on for a prefix or
// a suffix of them, so the model is one line per segment between switch points and each unit's
// gradients are sums over whole segments (common/piecewise.wgsl). Same model, same loss, same
// gradients as the other strategies, summed in another order. Any head: it acts on the logit,
// which is still one line per segment. No dropout: a mask per point would break the segments.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { chunking, grid2d } from '../gpu/grid';
import { isSoftwarePlan } from '../gpu/plan';
import { getKernel } from '../gpu/kernel';
import { structBytes } from '../gpu/structs';
import { KERNELS } from '../gpu/kernels';
import { HEAD_CODE, isSingleHidden, type ParamLayout } from '../model/layout';
import type { TrainingBuffers } from './buffers';
import { bindingLimit, bindingProblem, dataProblem, invocationsProblem, largestFitting, singleHiddenWidth, workgroupProblem, workgroupVariablesBytes } from './columns';
import type { Step } from './steps';
import type { LimitProblem, Strategy, StrategyDescriptor, StrategyOptions, StrategyQuery } from './strategy';

/** Workgroup size of the points kernel; the other two run one workgroup of piecewiseSmallWorkgroup. */
export const PIECEWISE_DEFAULT_WG = 64;
const SMALL_WG = 64;

/**
 * The workgroup size of the two one-workgroup kernels (segments, reduce-adam), whose loops over
 * units and segments (O(H²) in all) are shared by its invocations: 64 on a software plan; on a GPU
 * plan plan.maxWorkgroupSize (256), a quarter of the serial steps for the same work.
 */
export function piecewiseSmallWorkgroup(ctx: Pick<GpuContext, 'plan'>): number {
  return isSoftwarePlan(ctx.plan) ? SMALL_WG : Math.max(SMALL_WG, ctx.plan.maxWorkgroupSize);
}

/**
 * Workgroup memory of the largest of the three kernels, piecewise_reduce_adam: the segment sums,
 * the gradients, workgroup_sum's scratch (4 bytes an invocation of `smallWg`) and the verdict flag.
 * Independent of the points kernel's workgroup size.
 */
export function piecewiseWorkgroupBytes(hidden: number, smallWg = SMALL_WG): number {
  return workgroupVariablesBytes(8 * (hidden + 1), 4 * (3 * hidden + 1), 4 * smallWg, 4);
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

/** The most runs whose (H+2)·runs pairs of partial sums fit one binding. */
const maxRunsFor = (ctx: GpuContext, hidden: number): number => Math.floor(bindingLimit(ctx) / (8 * (hidden + 2)));

/**
 * How the points are cut into runs, one per invocation of piecewise_points: as gpu/grid.ts cuts
 * reductions, unless `pointsPerThread` says otherwise, with no more runs than MAX_RUNS or than
 * the (H+2)·runs partial sums can hold within the device's binding limit.
 */
export function piecewiseRuns(ctx: GpuContext, n: number, hidden: number, wg: number, pointsPerThread?: number): { runLen: number; runs: number; workgroups: number } {
  const maxRuns = Math.max(1, Math.min(MAX_RUNS, maxRunsFor(ctx, hidden)));
  const runLen = pointsPerThread ?? Math.max(chunking(n, wg, ctx.plan).pointsPerThread, Math.ceil(n / maxRuns));
  const runs = Math.ceil(n / runLen);
  return { runLen, runs, workgroups: Math.ceil(runs / wg) };
}

/**
 * Whether auto prefers piecewise for width `hidden`: always on a software plan (its N + H² beats
 * N·H there at every course width, measured); on a GPU plan while the one-workgroup kernels' share
 * of the O(H²) loops, H²/WG, stays within 2^8 steps (H ≤ 256 at 256 invocations): the model of
 * `bench --plan h200` puts it ahead of fused up to there and 2-4× behind it at H = 512 and 1024.
 */
export function piecewisePreferred(ctx: Pick<GpuContext, 'plan'>, hidden: number): boolean {
  return isSoftwarePlan(ctx.plan) || (hidden * hidden) / piecewiseSmallWorkgroup(ctx) <= 1 << 8;
}

function piecewiseLimitProblem(q: StrategyQuery): LimitProblem | undefined {
  const { ctx, n } = q;
  if (!isSingleHidden(q.layout)) return undefined; // unsupported says why
  const hidden = singleHiddenWidth(q.layout);
  const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const small = piecewiseSmallWorkgroup(ctx);
  const widest = largestFitting(hidden - 1, (h) => piecewiseWorkgroupBytes(h, small) <= memory);
  const { runs } = piecewiseRuns(ctx, n, hidden, q.workgroupSize, q.pointsPerThread); // as create cuts them
  const fewestPerRun = Math.ceil(n / Math.max(1, maxRunsFor(ctx, hidden)));
  return (
    invocationsProblem(ctx, 'piecewise', q.workgroupSize) ??
    // The workgroup size sets only the points kernel's, which uses no workgroup memory.
    workgroupProblem(ctx, 'piecewise', piecewiseWorkgroupBytes(hidden, small), `hidden width ${hidden}`, [
      ...(widest > 0 ? [`a hidden width of at most ${widest}`] : []),
      'the unfused strategy',
    ]) ??
    dataProblem(ctx, 'piecewise', n, 'the sorted data') ??
    bindingProblem(ctx, 'piecewise', 8 * (hidden + 2) * runs, `the segment sums, ${hidden + 2}×${runs} pairs of floats`, `use at least ${fewestPerRun} points per thread`)
  );
}

export const PIECEWISE: StrategyDescriptor = {
  name: 'piecewise',
  summary: 'an epoch in O(N + H²): points sorted by x, one line per segment between the units\' switch points; Linear(1,H) -> ReLU -> Linear(H,1), any head, no dropout',

  unsupported(layout: ParamLayout) {
    if (!isSingleHidden(layout)) {
      return `piecewise needs one input and one hidden layer (layers 1,H,1), not layers ${layout.spec.layers.join(',')}: use the fused or unfused strategy`;
    }
    if (layout.spec.dropout > 0) {
      return 'piecewise has no dropout (a mask per point would break its segments into one per point): use the fused or unfused strategy, or dropout 0';
    }
    return undefined; // a test set is fine: the trainer evaluates it before each epoch's steps
  },

  defaultWorkgroupSize: () => PIECEWISE_DEFAULT_WG,

  limitProblem: piecewiseLimitProblem,

  preferredBy: (q) => isSingleHidden(q.layout) && piecewisePreferred(q.ctx, singleHiddenWidth(q.layout)),

  create: createPiecewise,
};

async function createPiecewise(ctx: GpuContext, b: TrainingBuffers, data: Pick<Dataset, 'x' | 'y'>, options: StrategyOptions): Promise<Strategy> {
  const why = PIECEWISE.unsupported(b.layout, { testSet: b.test !== undefined });
  if (why) throw new RangeError(why);
  const { n } = b;
  const h = singleHiddenWidth(b.layout);
  const wg = options.workgroupSize;
  const { runLen, runs, workgroups } = piecewiseRuns(ctx, n, h, wg, options.pointsPerThread);
  const [segments, points, reduceAdam] = await Promise.all([
    getKernel(ctx, KERNELS.piecewiseSegments, { WG: piecewiseSmallWorkgroup(ctx), HIDDEN: h }),
    getKernel(ctx, KERNELS.piecewisePoints, { WG: wg, HIDDEN: h, HEAD: HEAD_CODE[b.layout.spec.head], BINARY_LABELS: Number(b.binaryLabels) }),
    getKernel(ctx, KERNELS.piecewiseReduceAdam, { WG: piecewiseSmallWorkgroup(ctx), HIDDEN: h }),
  ]);
  const sorted = sortByInput(data);
  const xs = b.data('piecewise x sorted (N)', sorted.x);
  const ys = b.data('piecewise y by sorted x (N)', sorted.y);
  const segs = b.storage('piecewise bounds (H+2), units (H) and overflow flag', 4 * (2 * h + 3));
  const lines = b.storage('piecewise lines (H+1)', 8 * (h + 1));
  const partials = b.storage('piecewise sums (H+1,runs) and run losses (runs)', 8 * (h + 2) * runs);
  const dims = b.uniform('piecewise dims', structBytes('common/piecewise', 'PiecewiseDims', { n, run_len: runLen, runs }));
  const segmentsGroup = segments.bind('piecewise segments', [segs, lines, b.params, xs, dims]);
  const pointsGroup = points.bind('piecewise points', [partials, segs, lines, xs, ys, dims]);
  const updateGroup = reduceAdam.bind('piecewise reduce-adam', [b.params, b.m, b.v, b.lossHistory, b.status, partials, segs, b.steps, b.hyper, dims, b.epochIndex]);
  const epochSteps: Step[] = [
    { kernel: segments, group: segmentsGroup, workgroups: [1] },
    { kernel: points, group: pointsGroup, workgroups: grid2d(workgroups) },
    { kernel: reduceAdam, group: updateGroup, workgroups: [1], perEpoch: true },
  ];
  return { name: 'piecewise', workgroupSize: wg, dispatchesPerEpoch: epochSteps.length, epochSteps };
}
