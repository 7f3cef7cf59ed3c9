// The input stage: the layers a model runs on the data's features before its Linear layers (today
// the CNN's Conv2d → ReLU → MaxPool2d → Flatten, src/train/conv-steps.ts), as the GPU builders see
// them. fused, unfused, the test evaluation and the forward pass ask `inputStage(layout)` for its
// forward and backward dispatches instead of knowing the layer kind, so a new kind of input stage
// is its own file and one line in `inputStage`; the Linear layers, the head and the optimizer are
// built as before on the stage's output (N, outFeatures), the first Linear's input.
//
// Per epoch, with a stage:
//   forward    stage.forward              x (N, inFeatures) → out (N, outFeatures)
//   backward   gemm_backward_input        dout (N, outFeatures) = dz₁ (N, H₁) · W₁ (no mask: the stage
//                                         applies its own activation's backward)
//              the stage's backward       dout → the stage's block of the gradient
import type { GpuContext } from '../gpu/context';
import { gemmBackwardInputStep, type TilePresetName } from '../gpu/gemm';
import type { LinearLayer, ParamLayout } from '../model/layout';
import { convStage } from './conv-steps';
import { layerDims, type BufferOwner } from './layer-steps';
import type { Step } from './steps';
import type { LimitProblem } from './strategy';

/** What a stage's forward is built on: the inputs (N, inFeatures) and the flat parameter block. */
export interface StageForwardArgs {
  readonly x: GPUBuffer;
  readonly params: GPUBuffer;
  /** Points (images) in x. */
  readonly n: number;
  readonly tiles: TilePresetName;
  /** Whether the strategy fuses (fused, and the evaluation passes) or dispatches one op at a time (unfused). */
  readonly fuse: boolean;
  /** The strategy's label, first in every buffer's. */
  readonly label: string;
}

/** The stage's backward inputs: the gradient at its output, and where its parameters' gradient goes. */
export interface StageBackwardArgs {
  /** (N, outFeatures): d(mean loss)/d(stage output). */
  readonly dout: GPUBuffer;
  /** The flat gradient block: the stage writes its own parameters' part (layout.params). */
  readonly grads: GPUBuffer;
  /** The per-epoch uniform of perEpoch steps. */
  readonly epochIndex: GPUBuffer;
}

/** A stage's forward, built once for one set of buffers. */
export interface StageForward {
  readonly steps: readonly Step[];
  /** (N, outFeatures): the first Linear layer's input. */
  readonly out: GPUBuffer;
  /** Its backward from the gradient at `out`, on the forward's own buffers (its input's gradient is not needed: it reads the data). */
  backward(a: StageBackwardArgs): Promise<Step[]>;
}

export interface InputStage {
  /** Its first module, as torch names it (messages say "not a Conv2d stage"). */
  readonly name: string;
  /** Features of one point it reads (the data's columns) and writes (the first Linear's inputs). */
  readonly inFeatures: number;
  readonly outFeatures: number;
  forward(ctx: GpuContext, owner: BufferOwner, a: StageForwardArgs): Promise<StageForward>;
  /** The first of its buffers over the device's binding limit for n points, or undefined. */
  limitProblem(ctx: GpuContext, strategy: string, n: number, tiles: TilePresetName, fuse: boolean): LimitProblem | undefined;
}

/** The model's input stage, or undefined when its first layer is a Linear on the raw features. */
export function inputStage(layout: ParamLayout): InputStage | undefined {
  return layout.conv && convStage(layout.conv);
}

/**
 * The backward through the first Linear layer into the stage: its input gradient (N, inDim) from
 * dz (N, outDim), then the stage's own backward. The first Linear's weight gradient is the caller's.
 */
export async function stageBackwardSteps(
  ctx: GpuContext,
  owner: BufferOwner,
  a: { stage: StageForward; first: LinearLayer; dz: GPUBuffer; params: GPUBuffer; grads: GPUBuffer; epochIndex: GPUBuffer; n: number; tiles: TilePresetName; label: string },
): Promise<Step[]> {
  const { first: l, n } = a;
  const dout = owner.storage(`${a.label} d input stage (N,${l.inDim})`, 4 * n * l.inDim);
  const input = await gemmBackwardInputStep(ctx, owner, { dx: dout, dy: a.dz, params: a.params, dims: layerDims(l, n), tiles: a.tiles });
  return [input, ...(await a.stage.backward({ dout, grads: a.grads, epochIndex: a.epochIndex }))];
}
