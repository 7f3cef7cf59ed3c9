// A fusion strategy: how one chunk of epochs is encoded. All strategies train on the same
// TrainingBuffers and must give the same numbers; they differ only in how the work is dispatched.

export const STRATEGY_NAMES = ['unfused', 'fused', 'resident', 'piecewise'] as const;
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
  /** Points each invocation sums in order in the reductions over N (see gpu/grid.ts chunking). */
  pointsPerThread?: number;
}
