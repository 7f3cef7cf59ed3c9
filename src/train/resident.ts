// resident: one workgroup runs a whole chunk of epochs in one dispatch, keeping the parameters in
// workgroup memory. No dispatch overhead per epoch, but one workgroup's worth of parallelism:
// the winner for small models on few points, the loser for large. Two kernels: resident_epochs for
// Linear(1,H) -> ReLU -> Linear(H,1) (the lecture's family, registers and blocks of points), and
// resident_mlp for any [D, H1, ..., Hk, 1] whose widths fit its private arrays; any head.
import type { GpuContext } from '../gpu/context';
import { getKernel, type Kernel } from '../gpu/kernel';
import { isSoftwarePlan } from '../gpu/plan';
import { shaderFile } from '../gpu/shaders';
import { structBytes } from '../gpu/structs';
import { KERNELS } from '../gpu/kernels';
import { HEAD_CODE, isSingleHidden, type ParamLayout } from '../model/layout';
import { bindingLimit, bindingProblem, columnsWorkgroupBytes, dataProblem, invocationsProblem, largestFitting, singleHiddenWidth, workgroupProblem, workgroupVariablesBytes } from './columns';
import { piecewiseSmallWorkgroup, piecewiseWorkgroupBytes } from './piecewise';
import type { TrainingBuffers } from './buffers';
import type { Strategy, StrategyDescriptor, StrategyQuery } from './strategy';

/** Resident's workgroup size on a software plan: a few invocations (each barrier costs all of them ~0.15 µs there). */
export const RESIDENT_DEFAULT_WG = 4;

/**
 * Up to this much work per epoch, one workgroup running whole chunks of epochs (resident) beats
 * dispatching every epoch. Software plan: N·H point·units (N·P for a general model) ≤ 2^14,
 * measured (the benchmark in the README: ~45 µs per dispatch, resident ~12 ns per point·unit,
 * piecewise ~200 µs plus ~13 ns per point: they cross near 2^14). GPU plan: the work of one
 * invocation, ⌈N/WG⌉·(H + RESIDENT_HEAD_UNITS), ≤ 2^9: on the H200 (bench-results/device/) a
 * serial point·unit took ~47 ns in resident and a dispatch ~7 µs, so 2^9 of them (~24 µs) is about
 * the three dispatches of piecewise, the cheapest per-epoch alternative (bench --plan models it).
 */
export function residentMaxWork(ctx: Pick<GpuContext, 'plan'>): number {
  return isSoftwarePlan(ctx.plan) ? 1 << 14 : 1 << 9;
}

/** The head's serial work per point counted in point·units (an exp, a log, a division ≈ 8 multiply-adds). */
export const RESIDENT_HEAD_UNITS = 8;

/** The widths resident's work is counted in: H for 1-H-1, P for a general model. */
function residentUnits(layout: ParamLayout): number {
  return isSingleHidden(layout) ? singleHiddenWidth(layout) : layout.count;
}

/** Workgroup memory resident needs for this model at workgroup size `wg`. */
export function residentBytesFor(layout: ParamLayout, wg: number): number {
  return isSingleHidden(layout) ? residentWorkgroupBytes(singleHiddenWidth(layout), wg) : residentMlpWorkgroupBytes(layout.count, wg);
}

/**
 * Resident's workgroup size for the plan: RESIDENT_DEFAULT_WG on a software plan; on a GPU plan
 * the largest power of two up to plan.maxWorkgroupSize (256) whose columns fit the workgroup
 * memory, so every point of a small set has its own invocation and the columns' tree sums them in
 * log₂ WG steps. RESIDENT_DEFAULT_WG when nothing larger fits (limitProblem then says what does).
 */
export function residentWorkgroupSize(ctx: Pick<GpuContext, 'plan'>, layout: ParamLayout): number {
  if (isSoftwarePlan(ctx.plan)) return RESIDENT_DEFAULT_WG;
  const memory = ctx.plan.limits.maxComputeWorkgroupStorageSize;
  for (let wg = ctx.plan.maxWorkgroupSize; wg > RESIDENT_DEFAULT_WG; wg /= 2) if (residentBytesFor(layout, wg) <= memory) return wg;
  return RESIDENT_DEFAULT_WG;
}

/** Whether auto prefers resident (see residentMaxWork): the epoch's serial work against the plan's bound. */
export function residentPreferred(ctx: Pick<GpuContext, 'plan'>, layout: ParamLayout, n: number, wg: number): boolean {
  const units = residentUnits(layout);
  if (isSoftwarePlan(ctx.plan)) return n * units <= residentMaxWork(ctx);
  return Math.ceil(n / wg) * (units + RESIDENT_HEAD_UNITS) <= residentMaxWork(ctx);
}

/**
 * Workgroup memory of resident_epochs: two copies of θ (an epoch writes its update into the one it
 * did not read, so that the update can be refused whole), the columns, and the verdict flag.
 */
export function residentWorkgroupBytes(hidden: number, workgroupSize: number): number {
  return columnsWorkgroupBytes(hidden, workgroupSize, 2) + workgroupVariablesBytes(4);
}

/** A `const NAME: u32 = Vu;` of a shader file: the WGSL defines the sizes once, the host reads them. */
function wgslConstant(file: string, name: string): number {
  const found = new RegExp(`const ${name}: u32 = (\\d+)u;`).exec(shaderFile(file));
  if (!found) throw new Error(`shaders/${file}.wgsl defines no const ${name}: u32`);
  return Number(found[1]);
}

/**
 * What resident_mlp holds of one point in private arrays: up to `maxWidth` units per layer (the
 * inputs included) and `maxLayers` Linear layers (its layer table's length).
 */
export const RESIDENT_MLP_LIMITS = {
  maxWidth: wgslConstant('kernels/resident_mlp', 'MAX_WIDTH'),
  maxLayers: wgslConstant('kernels/resident_mlp', 'MAX_LAYERS'),
} as const;

/**
 * Workgroup memory of resident_mlp, by the same rule as residentWorkgroupBytes: two copies of θ
 * (P floats each), WG columns of P + 1 partial sums, and the verdict flag, each variable rounded
 * up to 16 bytes.
 */
export function residentMlpWorkgroupBytes(params: number, workgroupSize: number): number {
  return workgroupVariablesBytes(4 * 2 * params, 4 * workgroupSize * (params + 1)) + workgroupVariablesBytes(4);
}

/** The largest power of two below `wg` for which `fits` holds, or 0. */
function smallerWorkgroup(wg: number, fits: (size: number) => boolean): number {
  for (let size = wg / 2; size >= 1; size /= 2) if (Number.isInteger(size) && fits(size)) return size;
  return 0;
}

function residentMlpLimitProblem(q: StrategyQuery) {
  const { ctx, workgroupSize: wg, layout } = q;
  const invocations = invocationsProblem(ctx, 'resident', wg);
  if (invocations) return invocations;
  const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const p = layout.count;
  const fits = (params: number, size: number) => residentMlpWorkgroupBytes(params, size) <= memory;
  const smallerWg = smallerWorkgroup(wg, (size) => fits(p, size));
  const most = largestFitting(p - 1, (params) => fits(params, wg));
  const remedies = [
    ...(smallerWg > 0 ? [`a workgroup size of at most ${smallerWg}`] : []),
    ...(most > 0 ? [`a model of at most ${most} parameters`] : []),
    'the fused or unfused strategy',
  ];
  const layers = layout.spec.layers.join(',');
  const d = layout.inputs;
  const maxPoints = Math.floor(bindingLimit(ctx) / (4 * d) / 4) * 4;
  return (
    workgroupProblem(ctx, 'resident', residentMlpWorkgroupBytes(p, wg), `layers ${layers} (${p} parameters) at workgroup size ${wg}`, remedies) ??
    bindingProblem(ctx, 'resident', 16 * Math.ceil((q.n * d) / 4), `the data, ${q.n}×${d} floats`, `use at most ${maxPoints} points`)
  );
}

function residentLimitProblem(q: StrategyQuery) {
  const { ctx, workgroupSize: wg } = q;
  if (!isSingleHidden(q.layout)) return residentMlpLimitProblem(q); // unsupported has said whether it fits at all
  const hidden = singleHiddenWidth(q.layout);
  const invocations = invocationsProblem(ctx, 'resident', wg);
  if (invocations) return invocations;
  const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const fits = (h: number, size: number) => residentWorkgroupBytes(h, size) <= memory;
  // What helps: a smaller workgroup (a power of two below wg), a narrower layer at this wg, or piecewise.
  const smallerWg = smallerWorkgroup(wg, (size) => fits(hidden, size));
  const widest = largestFitting(hidden - 1, (h) => fits(h, wg));
  const remedies = [
    ...(smallerWg > 0 ? [`a workgroup size of at most ${smallerWg}`] : []),
    ...(widest > 0 ? [`a hidden width of at most ${widest}`] : []),
    piecewiseWorkgroupBytes(hidden, piecewiseSmallWorkgroup(ctx)) <= memory ? 'the piecewise strategy' : 'the unfused strategy',
  ];
  return (
    workgroupProblem(ctx, 'resident', residentWorkgroupBytes(hidden, wg), `hidden width ${hidden} at workgroup size ${wg}`, remedies) ??
    dataProblem(ctx, 'resident', q.n)
  );
}

export const RESIDENT: StrategyDescriptor = {
  name: 'resident',
  summary: `one workgroup runs a whole chunk of epochs per dispatch, parameters in workgroup memory; any MLP with widths up to ${RESIDENT_MLP_LIMITS.maxWidth} and up to ${RESIDENT_MLP_LIMITS.maxLayers} Linear layers (1,H,1 of any width), any head, no dropout, no test set`,

  unsupported(layout: ParamLayout, { testSet }) {
    const { maxWidth, maxLayers } = RESIDENT_MLP_LIMITS;
    if (!isSingleHidden(layout) && (layout.maxWidth > maxWidth || layout.layers.length > maxLayers)) {
      return `resident holds one point's units in arrays of at most ${maxWidth} per layer and ${maxLayers} Linear layers (or trains layers 1,H,1 of any width), not layers ${layout.spec.layers.join(',')}: use the fused or unfused strategy`;
    }
    if (layout.spec.dropout > 0) return 'resident has no dropout (its kernel draws no masks): use the fused or unfused strategy, or dropout 0';
    if (testSet) {
      return 'resident runs a whole chunk of epochs in one dispatch, so the test set cannot be evaluated between its epochs: use the piecewise, fused or unfused strategy, or no test set';
    }
    return undefined;
  },

  defaultWorkgroupSize: residentWorkgroupSize,

  limitProblem: residentLimitProblem,

  // The work of an epoch: N·H point·units for 1,H,1 (as measured), N·P for a general model; per invocation on a GPU plan.
  preferredBy: (q) => residentPreferred(q.ctx, q.layout, q.n, q.workgroupSize),

  async create(ctx, b, _data, options) {
    const why = RESIDENT.unsupported(b.layout, { testSet: b.test !== undefined });
    if (why) throw new RangeError(why);
    const wg = options.workgroupSize; // the trainer has checked limitProblem
    if (!isSingleHidden(b.layout)) return createResidentMlp(ctx, b, wg);
    const kernel = await getKernel(ctx, KERNELS.residentEpochs, {
      WG: wg,
      HIDDEN: singleHiddenWidth(b.layout),
      THETA_COPIES: 2,
      HEAD: HEAD_CODE[b.layout.spec.head],
      BINARY_LABELS: Number(b.binaryLabels),
    });
    const dimsOf = (epochs: number) => structBytes('kernels/resident_epochs', 'ResidentDims', { n: b.n, epochs });
    return residentChunks(ctx, b, kernel, dimsOf, 'resident epochs');
  },
};

/** resident_mlp for a general model: its layer table in the dims uniform, one dispatch per chunk. */
async function createResidentMlp(ctx: GpuContext, b: TrainingBuffers, wg: number): Promise<Strategy> {
  const kernel = await getKernel(ctx, KERNELS.residentMlp, {
    WG: wg,
    PARAMS: b.layout.count,
    HEAD: HEAD_CODE[b.layout.spec.head],
    BINARY_LABELS: Number(b.binaryLabels),
  });
  const table = b.layout.layers.map((l) => ({ in_dim: l.inDim, out_dim: l.outDim, w: l.w, b: l.b }));
  const dimsOf = (epochs: number) => structBytes('kernels/resident_mlp', 'ResidentMlpDims', { n: b.n, epochs, layers: table.length, table });
  return residentChunks(ctx, b, kernel, dimsOf, 'resident mlp');
}

/**
 * Either resident kernel as a strategy: one dispatch of one workgroup per chunk, its dims uniform
 * (`dimsOf(epochs)`) rewritten only when a chunk's epoch count changes.
 */
function residentChunks(ctx: GpuContext, b: TrainingBuffers, kernel: Kernel, dimsOf: (epochs: number) => Uint32Array<ArrayBuffer>, label: string): Strategy {
  const dims = b.uniform(`${label} dims`, dimsOf(0));
  const group = kernel.bind(label, [b.params, b.m, b.v, b.lossHistory, b.status, b.x, b.y, b.steps, b.hyper, dims]);
  let encodedEpochs = -1;
  return {
    name: 'resident',
    workgroupSize: kernel.workgroupSize,
    dispatchesPerEpoch: 1 / b.chunkEpochs,
    encodeChunk(pass, epochs) {
      if (epochs !== encodedEpochs) {
        // The queue orders this write before the submit that carries the dispatch.
        ctx.device.queue.writeBuffer(dims, 0, dimsOf(epochs));
        encodedEpochs = epochs;
      }
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
    },
  };
}
