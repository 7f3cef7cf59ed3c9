// resident: one workgroup runs a whole chunk of epochs in one dispatch, keeping the parameters in
// workgroup memory. No dispatch overhead per epoch, but one workgroup's worth of parallelism:
// the winner for small N·H, the loser for large.
import type { GpuContext } from '../gpu/context';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { TrainingBuffers } from './buffers';
import type { FitCheck, Strategy, StrategyOptions } from './strategy';

export const RESIDENT_DEFAULT_WG = 4;

/** Workgroup memory the kernel declares: theta (P) and one column of P+1 sums per invocation. */
export function residentWorkgroupBytes(hidden: number, workgroupSize: number): number {
  const p = 3 * hidden + 1;
  return 4 * (p + workgroupSize * (p + 1));
}

export const residentFits: FitCheck = (ctx, _n, hidden, workgroupSize) => {
  const need = residentWorkgroupBytes(hidden, workgroupSize);
  const have = ctx.device.limits.maxComputeWorkgroupStorageSize;
  return need > have
    ? `resident needs ${need} bytes of workgroup memory for hidden width ${hidden} at workgroup size ${workgroupSize}, ` +
        `but this device's maxComputeWorkgroupStorageSize is ${have}; use a smaller width or workgroup size, or the fused strategy`
    : undefined;
};

export async function createResident(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions = {}): Promise<Strategy> {
  const wg = options.workgroupSize ?? RESIDENT_DEFAULT_WG;
  const problem = residentFits(ctx, b.n, b.layout.hidden, wg);
  if (problem) throw new RangeError(problem);
  const kernel = await getKernel(ctx, KERNELS.residentEpochs, { WG: wg, HIDDEN: b.layout.hidden });
  const dimsWords = new Uint32Array([b.n, 0]);
  const dims = b.uniform('resident dims', dimsWords);
  const group = kernel.bind('resident epochs', [b.params, b.m, b.v, b.lossHistory, b.x, b.y, b.steps, b.hyper, dims]);
  let encodedEpochs = -1;

  return {
    name: 'resident',
    workgroupSize: wg,
    dispatchesPerEpoch: 1 / b.chunkEpochs,
    encode(pass, epochs) {
      if (epochs !== encodedEpochs) {
        // The queue orders this write before the submit that carries the dispatch.
        dimsWords[1] = epochs;
        ctx.device.queue.writeBuffer(dims, 0, dimsWords);
        encodedEpochs = epochs;
      }
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(1);
    },
  };
}
