// resident: one workgroup runs a whole chunk of epochs in one dispatch, keeping the parameters in
// workgroup memory. No dispatch overhead per epoch, but one workgroup's worth of parallelism:
// the winner for small N·H, the loser for large. Linear(1,H) -> ReLU -> Linear(H,1) with any head.
import type { GpuContext } from '../gpu/context';
import { getKernel } from '../gpu/kernel';
import { structBytes } from '../gpu/structs';
import { KERNELS } from '../gpu/kernels';
import { HEAD_CODE, isSingleHidden, type ParamLayout } from '../model/layout';
import { columnsWorkgroupBytes, dataProblem, invocationsProblem, largestFitting, singleHiddenWidth, workgroupProblem, workgroupVariablesBytes } from './columns';
import { piecewiseWorkgroupBytes } from './piecewise';
import type { StrategyDescriptor, StrategyQuery } from './strategy';

export const RESIDENT_DEFAULT_WG = 4;

/**
 * Up to this many point·units (N·H) per epoch, one workgroup running whole chunks of epochs
 * (resident) beats three dispatches per epoch (piecewise). Measured on a software adapter (the
 * benchmark in the README: ~45 µs per dispatch, resident ~12 ns per point·unit, piecewise ~200 µs
 * plus ~13 ns per point): they cross near 2^14. Not measured on a GPU, where dispatches are cheaper
 * and one workgroup leaves more cores idle, so the bound there is lower.
 */
export function residentMaxWork(ctx: GpuContext): number {
  return ctx.isSoftware ? 1 << 14 : 1 << 12;
}

/**
 * Workgroup memory of resident_epochs: two copies of θ (an epoch writes its update into the one it
 * did not read, so that the update can be refused whole), the columns, and the verdict flag.
 */
export function residentWorkgroupBytes(hidden: number, workgroupSize: number): number {
  return columnsWorkgroupBytes(hidden, workgroupSize, 2) + workgroupVariablesBytes(4);
}

function residentLimitProblem(q: StrategyQuery) {
  const { ctx, workgroupSize: wg } = q;
  if (!isSingleHidden(q.layout)) return undefined; // unsupported says why
  const hidden = singleHiddenWidth(q.layout);
  const invocations = invocationsProblem(ctx, 'resident', wg);
  if (invocations) return invocations;
  const memory = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const fits = (h: number, size: number) => residentWorkgroupBytes(h, size) <= memory;
  // What helps: a smaller workgroup (a power of two below wg), a narrower layer at this wg, or piecewise.
  let smallerWg = 0;
  for (let size = wg / 2; size >= 1 && smallerWg === 0; size /= 2) if (Number.isInteger(size) && fits(hidden, size)) smallerWg = size;
  const widest = largestFitting(hidden - 1, (h) => fits(h, wg));
  const remedies = [
    ...(smallerWg > 0 ? [`a workgroup size of at most ${smallerWg}`] : []),
    ...(widest > 0 ? [`a hidden width of at most ${widest}`] : []),
    piecewiseWorkgroupBytes(hidden) <= memory ? 'the piecewise strategy' : 'the unfused strategy',
  ];
  return (
    workgroupProblem(ctx, 'resident', residentWorkgroupBytes(hidden, wg), `hidden width ${hidden} at workgroup size ${wg}`, remedies) ??
    dataProblem(ctx, 'resident', q.n)
  );
}

export const RESIDENT: StrategyDescriptor = {
  name: 'resident',
  summary: 'one workgroup runs a whole chunk of epochs per dispatch, parameters in workgroup memory; Linear(1,H) -> ReLU -> Linear(H,1), any head, no dropout, no test set',

  unsupported(layout: ParamLayout, { testSet }) {
    if (!isSingleHidden(layout)) {
      return `resident trains one input and one hidden layer (layers 1,H,1), not layers ${layout.spec.layers.join(',')}: use the fused or unfused strategy`;
    }
    if (layout.spec.dropout > 0) return 'resident has no dropout (its kernel draws no masks): use the fused or unfused strategy, or dropout 0';
    if (testSet) {
      return 'resident runs a whole chunk of epochs in one dispatch, so the test set cannot be evaluated between its epochs: use the piecewise, fused or unfused strategy, or no test set';
    }
    return undefined;
  },

  defaultWorkgroupSize: () => RESIDENT_DEFAULT_WG,

  limitProblem: residentLimitProblem,

  preferredBy: (q) => isSingleHidden(q.layout) && q.n * singleHiddenWidth(q.layout) <= residentMaxWork(q.ctx),

  async create(ctx, b, _data, options) {
    const why = RESIDENT.unsupported(b.layout, { testSet: b.test !== undefined });
    if (why) throw new RangeError(why);
    const wg = options.workgroupSize; // the trainer has checked limitProblem
    const kernel = await getKernel(ctx, KERNELS.residentEpochs, {
      WG: wg,
      HIDDEN: singleHiddenWidth(b.layout),
      THETA_COPIES: 2,
      HEAD: HEAD_CODE[b.layout.spec.head],
      BINARY_LABELS: Number(b.binaryLabels),
    });
    const dimsOf = (epochs: number) => structBytes('kernels/resident_epochs', 'ResidentDims', { n: b.n, epochs });
    const dims = b.uniform('resident dims', dimsOf(0));
    const group = kernel.bind('resident epochs', [b.params, b.m, b.v, b.lossHistory, b.status, b.x, b.y, b.steps, b.hyper, dims]);
    let encodedEpochs = -1;
    return {
      name: 'resident',
      workgroupSize: wg,
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
  },
};
