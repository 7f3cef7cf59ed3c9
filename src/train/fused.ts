// fused: two dispatches per epoch for any N and H. One kernel runs forward, loss and backward of
// every point and leaves per-workgroup partial sums; one kernel finishes the sums and applies Adam.
import type { GpuContext } from '../gpu/context';
import { grid2d, workgroupsFor } from '../gpu/grid';
import { EPOCH_INDEX_STRIDE, getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { TrainingBuffers } from './buffers';
import type { Strategy, StrategyOptions } from './strategy';

export const FUSED_DEFAULT_WG = 64;

export async function createFused(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions = {}): Promise<Strategy> {
  const wg = options.workgroupSize ?? FUSED_DEFAULT_WG;
  const { n, layout } = b;
  const chunks = workgroupsFor(n, wg);
  const rows = layout.count + 1; // every gradient, then the loss
  const [forwardBackward, reduceAdam] = await Promise.all([
    getKernel(ctx, KERNELS.fusedForwardBackward, { WG: wg }),
    getKernel(ctx, KERNELS.fusedReduceAdam, { WG: wg }),
  ]);
  const partials = b.storage('fused partials (P+1,chunks)', rows * chunks * 4);
  const fbDims = b.uniform('fused dims', new Uint32Array([n, layout.hidden, chunks, 0]));
  const updateDims = b.uniform('fused update dims', new Uint32Array([chunks, layout.count, n, 0]));
  const fbGroup = forwardBackward.bind('fused forward-backward', [partials, b.x, b.y, b.params, fbDims]);
  const updateGroup = reduceAdam.bind('fused reduce-adam', [b.params, b.m, b.v, b.lossHistory, partials, b.steps, b.hyper, updateDims, b.epochIndex]);
  const [gx, gy] = grid2d(chunks);

  return {
    name: 'fused',
    workgroupSize: wg,
    dispatchesPerEpoch: 2,
    encode(pass, epochs) {
      for (let e = 0; e < epochs; e++) {
        pass.setPipeline(forwardBackward.pipeline);
        pass.setBindGroup(0, fbGroup);
        pass.dispatchWorkgroups(gx, gy);
        pass.setPipeline(reduceAdam.pipeline);
        pass.setBindGroup(0, updateGroup, [e * EPOCH_INDEX_STRIDE]);
        pass.dispatchWorkgroups(rows);
      }
    },
  };
}
