// fused: two dispatches per epoch. One kernel runs forward, loss and backward of every point and
// leaves per-workgroup partial sums; one kernel finishes the sums and applies Adam.
import type { GpuContext } from '../gpu/context';
import { chunking, grid2d } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { TrainingBuffers } from './buffers';
import { largestFittingWorkgroup } from './columns';
import { encodeSteps, type Step } from './steps';
import type { Strategy, StrategyOptions } from './strategy';

/**
 * 64 on a GPU, 8 on a software adapter (its barriers cost per invocation: the benchmark's sweep
 * finds 4 to 8 fastest there), or the largest power of two below that whose per-invocation columns
 * fit (wide layers).
 */
export function fusedDefaultWorkgroup(ctx: GpuContext, hidden: number): number {
  return Math.max(1, largestFittingWorkgroup(ctx, hidden, ctx.isSoftware ? 8 : 64));
}

export async function createFused(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions = {}): Promise<Strategy> {
  const { n, layout } = b;
  const wg = options.workgroupSize ?? fusedDefaultWorkgroup(ctx, layout.hidden); // the trainer has checked that its columns fit
  const { chunks, pointsPerThread } = chunking(n, wg, ctx.isSoftware, options.pointsPerThread, 4);
  const rows = layout.count + 1; // every gradient, then the loss
  const [forwardBackward, reduceAdam] = await Promise.all([
    getKernel(ctx, KERNELS.fusedForwardBackward, { WG: wg, HIDDEN: layout.hidden, BINARY_LABELS: Number(b.binaryLabels) }),
    getKernel(ctx, KERNELS.fusedReduceAdam, { WG: 64 }),
  ]);
  const partials = b.storage('fused partials (P+1,chunks)', rows * chunks * 4);
  const fbDims = b.uniform('fused dims', new Uint32Array([n, chunks, pointsPerThread, 0]));
  const updateDims = b.uniform('fused update dims', new Uint32Array([chunks, layout.count, n, 0]));
  const fbGroup = forwardBackward.bind('fused forward-backward', [partials, b.x, b.y, b.params, fbDims]);
  const updateGroup = reduceAdam.bind('fused reduce-adam', [b.params, b.m, b.v, b.lossHistory, b.status, partials, b.steps, b.hyper, updateDims, b.epochIndex]);
  const steps: Step[] = [
    { kernel: forwardBackward, group: fbGroup, workgroups: grid2d(chunks) },
    { kernel: reduceAdam, group: updateGroup, workgroups: [rows], perEpoch: true },
  ];

  return {
    name: 'fused',
    workgroupSize: wg,
    dispatchesPerEpoch: steps.length,
    encode: (pass, epochs) => encodeSteps(pass, steps, epochs),
  };
}
