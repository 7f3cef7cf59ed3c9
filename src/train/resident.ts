// resident: one workgroup runs a whole chunk of epochs in one dispatch, keeping the parameters in
// workgroup memory. No dispatch overhead per epoch, but one workgroup's worth of parallelism:
// the winner for small N·H, the loser for large.
import type { GpuContext } from '../gpu/context';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { TrainingBuffers } from './buffers';
import type { Strategy, StrategyOptions } from './strategy';

export const RESIDENT_DEFAULT_WG = 4;

export async function createResident(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions = {}): Promise<Strategy> {
  const wg = options.workgroupSize ?? RESIDENT_DEFAULT_WG; // the trainer has checked that its columns fit
  const kernel = await getKernel(ctx, KERNELS.residentEpochs, { WG: wg, HIDDEN: b.layout.hidden, BINARY_LABELS: Number(b.binaryLabels) });
  const dimsWords = new Uint32Array([b.n, 0]);
  const dims = b.uniform('resident dims', dimsWords);
  const group = kernel.bind('resident epochs', [b.params, b.m, b.v, b.lossHistory, b.status, b.x, b.y, b.steps, b.hyper, dims]);
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

// TEMP stub until the port lands
export const RESIDENT: import('./strategy').StrategyDescriptor = { name: 'resident', summary: '', unsupported: () => 'not yet', defaultWorkgroupSize: () => 1, limitProblem: () => undefined, preferredBy: () => false, create: () => { throw new Error('stub'); } };
