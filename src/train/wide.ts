// wide: Linear(1,H) -> ReLU -> Linear(H,1) at large H, with the hidden units spread over many
// workgroups and the (N,H) activations never stored (issue #16). Per epoch:
//   wide_logits  grid (S, T) of WG_P   partials (S, N): slice s's sum, in unit order, of
//                                      v_j·relu(w_j·x_n + b_j), one point an invocation        1
//   wide_head    1 workgroup of WG_P   logit = b2 + Σ_s partials[s, n] in slice order, the
//                                      head's loss and dlogit (N), the mean loss into the
//                                      loss history (head_points + reduce_rows in one)         1
//   wide_grads   units over WG_G       per unit, the points in order: dW2, dW1, db1 (and db2
//                                      once) into grads at the layer table's offsets           1
//   adam_check, adam_step              the optimizer, all or nothing (layer-steps.ts)          2
// 5 dispatches per epoch (fused: 9). Buffers beyond TrainingBuffers: partials (S, N) floats,
// dlogit (N) floats zero-padded to a multiple of 4, and the WideDims uniform (common/wide.wgsl).
// T = ⌈N / WG_P⌉ point tiles; S slices of ⌈H/S⌉ units. Every sum in a fixed order, no atomics:
// reruns are bit-identical, and src/cpu/wide.ts does the same sums in the same order.
//
// Sizes from the plan (gpu/plan.ts): a software plan gets a handful of workgroups (S·T ≈ the
// plan's 8, 64 invocations, the units' kernel grid-striding over H in 8 workgroups); a GPU plan
// S ≈ √H slices (the logits' chain of ⌈H/S⌉ units against the head's chain of S slices), within
// one wave of the device, one unit an invocation in wide_grads: at H = 204 800 on 100 points,
// 453 slices × 128 invocations and 204 800 unit invocations.
import type { GpuContext } from '../gpu/context';
import { elementWorkgroups, MAX_WORKGROUPS_PER_DIMENSION } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import { isSoftwarePlan, waveInvocations } from '../gpu/plan';
import { structBytes } from '../gpu/structs';
import { HEAD_CODE, POINT_HEADS, isSingleHidden, type ParamLayout } from '../model/layout';
import type { TrainingBuffers } from './buffers';
import { bindingLimit, bindingProblem, dataProblem, invocationsProblem, singleHiddenWidth } from './columns';
import { adamSteps, ELEMENT_WG } from './layer-steps';
import { inputStage } from './stages';
import type { Step } from './steps';
import type { LimitProblem, Strategy, StrategyDescriptor, StrategyOptions, StrategyQuery, StrategySupport } from './strategy';

/** The units' kernel's default workgroup size (the trainer's --workgroup-size sets it). */
export const WIDE_DEFAULT_WG = ELEMENT_WG;
/** The points' kernels' workgroup on a software plan (a point tile of wide_logits, wide_head's one workgroup). */
export const WIDE_SOFTWARE_POINTS_WG = 64;
/** The smallest point tile on a GPU plan: a warp. */
const MIN_GPU_POINTS_WG = 32;

export const WIDE_SUPPORT: StrategySupport = { optimizers: ['adam', 'sgd'], minibatches: false, heads: POINT_HEADS, activations: ['relu'], inputStage: false };

/** How one epoch is cut, from the plan, N and H (and the units' kernel's workgroup size). */
export interface WidePlan {
  /** wide_logits' point tile and wide_head's workgroup (a power of two). */
  pointsWg: number;
  /** T: point tiles of wide_logits. */
  tiles: number;
  /** S: slices of the hidden units. */
  slices: number;
  /** Units per slice, ⌈H/S⌉ (the last slice may be shorter, none is empty). */
  sliceLen: number;
  /** wide_grads' workgroup size and grid. */
  gradsWg: number;
  gradsGrid: [number, number];
}

const nextPowerOfTwo = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(1, v)));

/**
 * The plan of an epoch. Software plan: 64-invocation point tiles and S = plan.parallelWorkgroups / T
 * slices (a few long workgroups: each costs microseconds there). GPU plan: point tiles of
 * nextPow2(N) invocations (32 to plan.maxWorkgroupSize), S = ⌈√H⌉, so that a slice's chain of units
 * in wide_logits and a point's chain of slices in wide_head are about equal, and no more than one
 * wave holds (gpu/plan.ts waveInvocations). Either way no more slices than units, than a grid
 * dimension holds, or than the (S, N) partials' binding holds.
 */
export function widePlan(ctx: Pick<GpuContext, 'plan'>, n: number, hidden: number, gradsWg = WIDE_DEFAULT_WG): WidePlan {
  const { plan } = ctx;
  const software = isSoftwarePlan(plan);
  const pointsWg = software ? WIDE_SOFTWARE_POINTS_WG : Math.min(plan.maxWorkgroupSize, Math.max(MIN_GPU_POINTS_WG, nextPowerOfTwo(n)));
  const tiles = Math.ceil(n / pointsWg);
  const wanted = software ? Math.floor(plan.parallelWorkgroups / tiles) : Math.min(Math.ceil(Math.sqrt(hidden)), Math.floor(waveInvocations(plan) / (tiles * pointsWg)));
  const bindable = Math.floor(Math.min(plan.limits.maxStorageBufferBindingSize, plan.limits.maxBufferSize) / (4 * n));
  const most = Math.max(1, Math.min(wanted, hidden, MAX_WORKGROUPS_PER_DIMENSION, bindable));
  const sliceLen = Math.ceil(hidden / most);
  return { pointsWg, tiles, slices: Math.ceil(hidden / sliceLen), sliceLen, gradsWg, gradsGrid: elementWorkgroups(hidden, gradsWg, plan) };
}

/** Why the wide strategy cannot train this model, by name, or undefined. */
function wideUnsupported(layout: ParamLayout): string | undefined {
  const layers = layout.spec.layers.join(',');
  const use = 'use the fused or unfused strategy';
  const stage = inputStage(layout);
  if (stage) return `wide trains Linear layers only, not a ${stage.name} stage: ${use}`;
  if (layout.inputs !== 1) return `wide needs one input (layers 1,H,1), not ${layout.inputs} inputs (layers ${layers}): ${use}`;
  if (layout.layers.length !== 2) return `wide needs one hidden layer (layers 1,H,1), not ${layout.layers.length - 1} (layers ${layers}): ${use}`;
  if (layout.outputs !== 1) return `wide needs one output (layers 1,H,1), not ${layout.outputs} (layers ${layers}): ${use}`;
  if (layout.spec.dropout > 0) return `wide has no dropout (it never stores the hidden units a mask would act on): ${use}, or dropout 0`;
  return undefined; // a test set is fine: the trainer evaluates it before each epoch's steps
}

function wideLimitProblem(q: StrategyQuery): LimitProblem | undefined {
  const { ctx, n } = q;
  if (!isSingleHidden(q.layout)) return undefined; // unsupported says why
  const hidden = singleHiddenWidth(q.layout);
  const p = widePlan(ctx, n, hidden, q.workgroupSize);
  const mostPoints = MAX_WORKGROUPS_PER_DIMENSION * p.pointsWg;
  if (p.tiles > MAX_WORKGROUPS_PER_DIMENSION) {
    return { limit: 'maxComputeWorkgroupsPerDimension', message: `wide cuts ${n} points into ${p.tiles} tiles of ${p.pointsWg}, over a dispatch's ${MAX_WORKGROUPS_PER_DIMENSION}; use at most ${mostPoints} points, or the fused strategy` };
  }
  return (
    invocationsProblem(ctx, 'wide', q.workgroupSize) ??
    invocationsProblem(ctx, 'wide', p.pointsWg) ??
    dataProblem(ctx, 'wide', n) ??
    bindingProblem(ctx, 'wide', 4 * p.slices * n, `the slices' partial logits, ${p.slices}×${n} floats`, `use at most ${Math.floor(bindingLimit(ctx) / 4)} points`)
  );
}

/**
 * Whether auto prefers wide (asked after resident, before piecewise and fused): while N < H, where
 * its O(N·H) epoch is below piecewise's O(N + H²), and on a GPU plan while N ≤ WIDE_GPU_MAX_POINTS.
 * Software plan, measured here (`npm run bench -- --node-only --case …`, µs/epoch, README): on
 * noise100's 100 points wide 1 978 against fused 4 442 and piecewise 9 000–28 000 at H = 512, 39 802
 * against fused 314 201 at H = 20 480 (piecewise does not fit); on 2000 points piecewise stays ahead
 * (the step's H = 256: 9 797 against 11 178; the curve's H = 1024: 43 275 against 48 873). GPU plan,
 * `bench --plan h200` (modeled): wide ahead of fused on 05wk-1's 100 points at every H (21 / 36 / 81
 * µs against 40 / 71 / 267 at H = 512 / 20 480 / 204 800), behind it on the curve's 2000 points
 * (182 against 59), where wide_grads' chain of N points per unit is the epoch.
 */
export function widePreferred(ctx: Pick<GpuContext, 'plan'>, n: number, hidden: number): boolean {
  return n < hidden && (isSoftwarePlan(ctx.plan) || n <= WIDE_GPU_MAX_POINTS);
}
/** The most points for which auto prefers wide on a GPU plan (wide_grads walks them all per unit). */
export const WIDE_GPU_MAX_POINTS = 512;

export const WIDE: StrategyDescriptor = {
  name: 'wide',
  supports: WIDE_SUPPORT,
  summary: 'Linear(1,H) -> ReLU -> Linear(H,1) at any width without an (N,H) buffer: slices of units per workgroup, the head with the mean loss, per-unit gradients, the optimizer (5 dispatches); full batch, Adam or SGD, the point heads, no dropout',
  unsupported: (layout) => wideUnsupported(layout),
  defaultWorkgroupSize: () => WIDE_DEFAULT_WG,
  limitProblem: wideLimitProblem,
  preferredBy: (q) => isSingleHidden(q.layout) && widePreferred(q.ctx, q.n, singleHiddenWidth(q.layout)),
  create: (ctx, b, _data, options) => createWide(ctx, b, options),
};

async function createWide(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions): Promise<Strategy> {
  const why = wideUnsupported(b.layout) ?? (isSingleHidden(b.layout) ? undefined : 'wide supports relu hidden layers only');
  if (why) throw new RangeError(why);
  const { n, layout } = b;
  const h = singleHiddenWidth(layout);
  const [first, second] = layout.layers;
  const p = widePlan(ctx, n, h, options.workgroupSize);
  const [logits, head, grads] = await Promise.all([
    getKernel(ctx, KERNELS.wideLogits, { WG: p.pointsWg }),
    getKernel(ctx, KERNELS.wideHead, { WG: p.pointsWg, HEAD: HEAD_CODE[layout.spec.head], BINARY_LABELS: Number(b.binaryLabels) }),
    getKernel(ctx, KERNELS.wideGrads, { WG: p.gradsWg }),
  ]);
  const partials = b.storage(`wide partials (${p.slices},${n})`, 4 * p.slices * n);
  const dlogit = b.storage('wide dlogit (N) padded to 4', 16 * Math.ceil(n / 4));
  const dims = b.uniform(
    'wide dims',
    structBytes('common/wide', 'WideDims', { n, hidden: h, slices: p.slices, slice_len: p.sliceLen, w1: first.w, b1: first.b, w2: second.w, b2: second.b, mean_over: n }),
  );
  const epochSteps: Step[] = [
    { kernel: logits, group: logits.bind(`wide logits ${p.slices} slices of ${p.sliceLen}`, [partials, b.params, b.x, dims]), workgroups: [p.slices, p.tiles] },
    { kernel: head, group: head.bind(`wide head ${p.slices} slices`, [b.lossHistory, dlogit, partials, b.y, b.params, dims, b.epochIndex]), workgroups: [1], perEpoch: true },
    { kernel: grads, group: grads.bind(`wide grads ${h} units`, [b.grads, b.params, b.x, dlogit, dims]), workgroups: p.gradsGrid },
    ...(await adamSteps(ctx, b, options.workgroupSize, options.optimizer)),
  ];
  return { name: 'wide', workgroupSize: options.workgroupSize, dispatchesPerEpoch: epochSteps.length, epochSteps };
}
