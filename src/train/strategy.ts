// A fusion strategy: how one chunk of epochs is encoded. All strategies train on the same
// TrainingBuffers and must give the same numbers; they differ only in how the work is dispatched.
import type { GpuContext } from '../gpu/context';

export const STRATEGY_NAMES = ['unfused', 'fused', 'resident'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export type StrategyChoice = StrategyName | 'auto';

export interface Strategy {
  readonly name: StrategyName;
  readonly workgroupSize: number;
  /** Dispatches per epoch (for resident: per chunk, shared by the chunk's epochs). */
  readonly dispatchesPerEpoch: number;
  /**
   * Encodes `epochs` epochs (at most buffers.chunkEpochs). Epoch k of the chunk reads steps[k] and
   * writes lossHistory[k]. May queue small uniform writes, which the queue orders before the submit.
   */
  encode(pass: GPUComputePassEncoder, epochs: number): void;
}

export interface StrategyOptions {
  workgroupSize?: number;
}

/** Why a strategy cannot run a configuration on this device, or undefined when it can. */
export type FitCheck = (ctx: GpuContext, n: number, hidden: number, workgroupSize: number) => string | undefined;
