// The conv stage of a CNN (Conv2d → ReLU → MaxPool2d → Flatten, model/layout.ts ConvLayer) as
// dispatches, for the strategies, the test evaluation and the forward pass: the pooled map it
// leaves is the first Linear layer's input (N, O·PH·PW), as torch's Flatten views it.
//   fused     conv2d_pool_forward: conv, bias, ReLU and the pool in one kernel, the (N, O, OH, OW)
//             map never stored; backward conv2d_pool_backward_weights from the pooled gradient,
//             then the ordered split sum into the conv's gradient block
//   unfused   conv2d_forward (bias, ReLU), maxpool_forward; backward maxpool_backward (the ReLU's
//             mask: the pooled value > 0), conv2d_backward_weights, the split sum
// The fused forward takes pools of 1 or 2 (FUSABLE_POOLS); other pools run the unfused pair.
// convStage is the stage as the builders ask for it (src/train/stages.ts InputStage).
import type { GpuContext } from '../gpu/context';
import { conv2dBackwardWeightsStep, conv2dForwardStep, conv2dPoolBackwardWeightsStep, conv2dPoolForwardStep, convBindingProblem, convGradientReduceStep, convWeightSplits, convWeightTiles, FUSABLE_POOLS, maxpoolBackwardStep, maxpoolForwardStep } from '../gpu/conv';
import type { TilePresetName } from '../gpu/gemm';
import { isSoftwarePlan } from '../gpu/plan';
import { convOut, convGradientRows, poolAfterConv, type ConvDims } from '../cpu/conv';
import { convDims } from '../cpu/stages';
import type { ConvLayer } from '../model/layout';
import type { BufferOwner } from './layer-steps';
import type { InputStage, StageForward } from './stages';
import type { Step } from './steps';
import type { LimitProblem } from './strategy';

/** The conv stage as an input stage: Conv2d → ReLU → MaxPool2d → Flatten on the data's C·H·W columns. */
export function convStage(conv: ConvLayer): InputStage {
  return {
    name: 'Conv2d',
    inFeatures: conv.inFeatures,
    outFeatures: conv.outFeatures,
    async forward(ctx, owner, a): Promise<StageForward> {
      const forward = await convForwardSteps(ctx, owner, { ...a, conv });
      return {
        steps: forward.steps,
        out: forward.pooled,
        backward: (b) => convBackwardSteps(ctx, owner, { forward, conv, x: a.x, dpooled: b.dout, grads: b.grads, epochIndex: b.epochIndex, tiles: a.tiles, label: a.label }),
      };
    },
    limitProblem: (ctx, strategy, n, tiles, fuse) => convLimitProblem(ctx, strategy, conv, n, tiles, fuse),
  };
}

/** The conv stage's forward over n images: its steps, and the pooled map with its argmax. */
export interface ConvForward {
  readonly steps: Step[];
  /** (N, O·PH·PW): the first Linear's input. */
  readonly pooled: GPUBuffer;
  /** (N, O·PH·PW) u32: each window's argmax in the conv output's plane. */
  readonly argmax: GPUBuffer;
  readonly dims: ConvDims;
  readonly fused: boolean;
}

/** Whether the stage runs the fused kernels: the strategy fuses, and the pool is one conv2d_pool_forward takes. */
const fusable = (c: ConvLayer, fuse: boolean) => fuse && FUSABLE_POOLS.includes(c.pool);

/** The forward of the conv stage over n images of x (N, C·H·W), reading the conv's weights from params. */
export async function convForwardSteps(
  ctx: GpuContext,
  owner: BufferOwner,
  a: { conv: ConvLayer; x: GPUBuffer; params: GPUBuffer; n: number; tiles: TilePresetName; fuse: boolean; label: string },
): Promise<ConvForward> {
  const { conv, n } = a;
  const dims = convDims(conv, n);
  const pooled = owner.storage(`${a.label} pooled (N,${conv.o},…) = (N,${conv.outFeatures})`, 4 * n * conv.outFeatures);
  const argmax = owner.storage(`${a.label} pool argmax (N,${conv.outFeatures})`, 4 * n * conv.outFeatures);
  if (fusable(conv, a.fuse)) {
    const step = await conv2dPoolForwardStep(ctx, owner, { pooled, argmax, x: a.x, params: a.params, dims, pool: conv.pool, tiles: a.tiles });
    return { steps: [step], pooled, argmax, dims, fused: true };
  }
  const { oh, ow } = convOut(dims);
  const y = owner.storage(`${a.label} conv out (N,${conv.o},${oh},${ow})`, 4 * n * conv.o * oh * ow);
  const forward = await conv2dForwardStep(ctx, owner, { y, x: a.x, params: a.params, dims, epilogue: 1, tiles: a.tiles });
  const pool = await maxpoolForwardStep(ctx, owner, { out: pooled, argmax, x: y, dims: poolAfterConv(dims, conv.pool) });
  return { steps: [forward, pool], pooled, argmax, dims, fused: false };
}

/**
 * The conv stage's backward: from dpooled (N, O·PH·PW), the gradient at the first Linear's input,
 * into the conv's block of `grads` (Wt then b), summed in a fixed order.
 */
export async function convBackwardSteps(
  ctx: GpuContext,
  owner: BufferOwner,
  a: { forward: ConvForward; conv: ConvLayer; x: GPUBuffer; dpooled: GPUBuffer; grads: GPUBuffer; epochIndex: GPUBuffer; tiles: TilePresetName; label: string },
): Promise<Step[]> {
  const { forward: f, conv } = a;
  const d = f.dims;
  const split = convWeightSplits(d, convWeightTiles(a.tiles, d), isSoftwarePlan(ctx.plan));
  const partials = owner.storage(`${a.label} conv partials (${convGradientRows(d)},${split.splits})`, 4 * convGradientRows(d) * split.splits);
  const reduce = await convGradientReduceStep(ctx, owner, { grads: a.grads, partials, epochIndex: a.epochIndex, dims: d, split });
  if (f.fused) {
    const weights = await conv2dPoolBackwardWeightsStep(ctx, owner, { partials, dpooled: a.dpooled, argmax: f.argmax, pooled: f.pooled, x: a.x, dims: d, pool: conv.pool, split, tiles: a.tiles });
    return [weights, reduce];
  }
  const { oh, ow } = convOut(d);
  const dconv = owner.storage(`${a.label} conv dz (N,${conv.o},${oh},${ow})`, 4 * d.n * conv.o * oh * ow);
  const pool = await maxpoolBackwardStep(ctx, owner, { dx: dconv, dout: a.dpooled, argmax: f.argmax, dims: poolAfterConv(d, conv.pool), mask: f.pooled });
  const weights = await conv2dBackwardWeightsStep(ctx, owner, { partials, dy: dconv, x: a.x, dims: d, split, tiles: a.tiles });
  return [pool, weights, reduce];
}

/** The first conv buffer over the device's binding limit for n images, as a strategy's LimitProblem. */
export function convLimitProblem(ctx: GpuContext, name: string, conv: ConvLayer, n: number, tiles: TilePresetName, fuse: boolean): LimitProblem | undefined {
  const d = convDims(conv, n);
  const split = convWeightSplits(d, convWeightTiles(tiles, d), isSoftwarePlan(ctx.plan));
  return convBindingProblem(name, ctx.device.limits, d, { pool: conv.pool, fused: fusable(conv, fuse), splits: split.splits });
}
