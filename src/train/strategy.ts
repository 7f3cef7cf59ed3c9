// A training strategy: how the epochs of one model are dispatched. Every strategy trains on the same
// TrainingBuffers and must give the same numbers (within float32 summation order); they differ in
// how the work is cut into dispatches. Each one says which models it supports and what it needs,
// so the trainer asks them instead of switching on their names.
import type { GpuContext } from '../gpu/context';
import type { TilePresetName } from '../gpu/gemm';
import type { Dataset } from '../data/dataset';
import { ACTIVATIONS, HEADS, POINT_HEADS, type Activation, type Head, type ParamLayout } from '../model/layout';
import type { TrainingBuffers } from './buffers';
import { inputStage } from './stages';
import type { Step } from './steps';
import { OPTIMIZERS, type OptimizerName } from './optimizer';

export const STRATEGY_NAMES = ['unfused', 'fused', 'resident', 'piecewise', 'wide'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];
export type StrategyChoice = StrategyName | 'auto';

export interface Strategy {
  readonly name: StrategyName;
  readonly workgroupSize: number;
  /** Dispatches per epoch (for resident: per chunk, shared by the chunk's epochs). */
  readonly dispatchesPerEpoch: number;
  /**
   * One epoch's dispatches, for strategies that dispatch per epoch: the trainer encodes them after
   * the epoch's test evaluation (when there is a test set). Steps marked perEpoch bind epoch k.
   */
  readonly epochSteps?: readonly Step[];
  /**
   * Or a whole chunk at once (resident): `epochs` epochs (at most buffers.chunkEpochs); epoch k of
   * the chunk reads steps[k] and writes lossHistory[k]. May queue small uniform writes, which the
   * queue orders before the submit.
   */
  encodeChunk?(pass: GPUComputePassEncoder, epochs: number): void;
}

/**
 * What a strategy trains beyond the lecture's case (full batch, Adam, one output). Absent from a
 * descriptor: FULL_BATCH_ADAM. The trainer and `auto` ask this; nothing switches on a name.
 */
export interface StrategySupport {
  readonly optimizers: readonly OptimizerName[];
  /** Minibatches (batch size below N, or shuffle): the steps run on a gathered batch. */
  readonly minibatches: boolean;
  /** The loss heads (CrossEntropyLoss over C classes is `ce`). */
  readonly heads: readonly Head[];
  /** The hidden layers' activations (ReLU, Sigmoid, Tanh). */
  readonly activations: readonly Activation[];
  /** An input stage before the Linear layers (the CNN's conv stage; src/train/stages.ts): the strategy builds it through inputStage. */
  readonly inputStage: boolean;
}

export const FULL_BATCH_ADAM: StrategySupport = { optimizers: ['adam'], minibatches: false, heads: POINT_HEADS, activations: ['relu'], inputStage: false };
export const EVERYTHING: StrategySupport = { optimizers: OPTIMIZERS, minibatches: true, heads: HEADS, activations: ACTIVATIONS, inputStage: true };

/** What a run asks of a strategy beyond the model. */
export interface RunFeatures {
  readonly optimizer: OptimizerName;
  readonly minibatches: boolean;
}

/** Why `d` cannot run this model with these features, or undefined: the one check of StrategySupport. */
export function supportProblem(d: StrategyDescriptor, layout: ParamLayout, run: RunFeatures): string | undefined {
  const s = d.supports ?? FULL_BATCH_ADAM;
  if (!s.optimizers.includes(run.optimizer)) return `${d.name} runs ${s.optimizers.join(', ')} only, not ${run.optimizer}; use fused or unfused`;
  if (run.minibatches && !s.minibatches) return `${d.name} trains full batches only (no batch size below N, no shuffle); use fused or unfused`;
  const stage = inputStage(layout);
  if (stage && !s.inputStage) return `${d.name} trains Linear layers only, not a ${stage.name} stage; use fused or unfused`;
  if (!s.heads.includes(layout.spec.head)) return `${d.name} supports the ${s.heads.join(', ')} heads only, not ${layout.spec.head}; use fused or unfused`;
  const other = layout.layers.find((l) => l.activation !== 'identity' && !s.activations.includes(l.activation));
  if (other) return `${d.name} supports ${s.activations.join(', ')} hidden layers only, not ${other.activation} (layer ${other.index + 1}); use fused or unfused`;
  return undefined;
}

export interface StrategyOptions {
  workgroupSize: number;
  /** Points each invocation sums in order in the reductions over N (see gpu/grid.ts chunking). */
  pointsPerThread?: number;
  /** The GEMM tiling of the general strategies (gpu/gemm.ts presets); by adapter kind when absent. */
  tiles?: TilePresetName;
  /** Seeds the dropout masks (common/dropout.wgsl): the run's seed, low 32 bits. */
  dropoutSeed: number;
  /** The optimizer of the update steps (default adam). */
  optimizer?: OptimizerName;
}

/** What a strategy is asked about before anything is allocated. */
export interface StrategyQuery {
  readonly ctx: GpuContext;
  readonly layout: ParamLayout;
  /** Training points. */
  readonly n: number;
  /** Test points (0 without a test set). */
  readonly testN: number;
  readonly workgroupSize: number;
  readonly pointsPerThread?: number;
  readonly tiles?: TilePresetName;
}

/** A device limit a strategy would exceed: which limit, and a message naming the size that needs it and what to change. */
export interface LimitProblem {
  readonly limit: 'maxComputeWorkgroupStorageSize' | 'maxStorageBufferBindingSize' | 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupsPerDimension';
  readonly message: string;
}

export interface StrategyDescriptor {
  readonly name: StrategyName;
  /** What it trains beyond full-batch Adam with one output; absent: FULL_BATCH_ADAM. */
  readonly supports?: StrategySupport;
  /** One line for the README and --help: what it does and what it supports. */
  readonly summary: string;
  /** Why this strategy cannot train this model (e.g. "piecewise needs one input column"), or undefined. */
  unsupported(layout: ParamLayout, options: { testSet: boolean }): string | undefined;
  defaultWorkgroupSize(ctx: GpuContext, layout: ParamLayout): number;
  /** The first device limit the strategy would exceed for this query, or undefined. */
  limitProblem(q: StrategyQuery): LimitProblem | undefined;
  /** Whether `auto` picks it for this query (asked in STRATEGIES order, after support and limits). */
  preferredBy(q: StrategyQuery): boolean;
  create(ctx: GpuContext, buffers: TrainingBuffers, data: Dataset, options: StrategyOptions): Promise<Strategy>;
}
