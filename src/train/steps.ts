// The dispatches of one epoch as data, and the one loop that encodes them: the strategies that
// dispatch per epoch (unfused, fused, piecewise) list their steps and share this encoder.
import { EPOCH_INDEX_STRIDE, type Kernel } from '../gpu/kernel';

export interface Step {
  kernel: Kernel;
  group: GPUBindGroup;
  workgroups: [number, number?, number?];
  /** Binds the epoch index at k · 256 bytes (kernels that read the epoch's Adam step or write its loss). */
  perEpoch?: boolean;
  /**
   * FLOPs and compulsory bytes of the dispatch, from the builder that knows its shapes (the conv and
   * pool kernels, src/gpu/conv.ts CONV_COSTS): what the benchmark and the plan model price it at.
   * Absent: bench/cost.ts prices it by kernel file.
   */
  cost?: { readonly flops: number; readonly bytes: number };
}

/** Encodes `epochs` epochs of `steps`, in order, epoch e at slot e. */
export function encodeSteps(pass: GPUComputePassEncoder, steps: readonly Step[], epochs: number): void {
  for (let e = 0; e < epochs; e++) encodeStepsAt(pass, steps, e);
}

/**
 * Encodes `steps` once, those marked perEpoch at slot `slot` of the chunk: the epoch index they
 * bind picks their loss slot and schedule entry (an optimizer step's, or an epoch's test loss).
 */
export function encodeStepsAt(pass: GPUComputePassEncoder, steps: readonly Step[], slot: number): void {
  for (const s of steps) {
    pass.setPipeline(s.kernel.pipeline);
    const dynamic = s.kernel.spec.bindings.includes('dynamic-uniform');
    pass.setBindGroup(0, s.group, dynamic ? [s.perEpoch ? slot * EPOCH_INDEX_STRIDE : 0] : []);
    pass.dispatchWorkgroups(s.workgroups[0], s.workgroups[1] ?? 1, s.workgroups[2] ?? 1);
  }
}
