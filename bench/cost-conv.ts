// FLOPs and bytes of the kernels bench/cost.ts does not know yet: the CNN's convolution and pooling
// kernels (shaders/kernels/conv2d_*.wgsl, maxpool_*.wgsl) and CrossEntropyLoss's ce_points. The
// conv and pool formulas are written once, in src/gpu/conv.ts CONV_COSTS (compulsory traffic, a
// multiply-add two FLOPs, as cost.ts counts); this file reads a dispatch's ConvDims off the layer
// table and N, and its epilogue, mask, pool and splits off the step's pipeline label and grid.
// Meant to be folded into bench/cost.ts's stepCost by its owner; until then bench/core.ts asks
// this file first and cost.ts for everything else.
import { CONV_COSTS } from '../src/gpu/conv';
import { poolAfterConv, type ConvDims } from '../src/cpu/conv';
import type { ParamLayout } from '../src/model/layout';
import type { Cost, StepShape } from './cost';

/** The kernel files this file prices. */
export const CONV_COST_FILES = ['conv2d_forward', 'conv2d_pool_forward', 'conv2d_backward_input', 'conv2d_backward_weights', 'conv2d_pool_backward_weights', 'maxpool_forward', 'maxpool_backward', 'ce_points'] as const;

/** FLOPs per logit of ce_points: max, exp(z - max), the sum, then softmax - onehot and the 1/N scale (8 steps), plus the log and the loss per point. */
export const CE_FLOPS_PER_LOGIT = 8;
const CE_FLOPS_PER_POINT = 2;

const F = 4;
const constant = (pipelineLabel: string, name: string): number | undefined => {
  const m = new RegExp(`"${name}":(\\d+|true|false)`).exec(pipelineLabel);
  return m ? (m[1] === 'true' ? 1 : m[1] === 'false' ? 0 : Number(m[1])) : undefined;
};

/** The conv stage's dims over n images, from the layer table. Throws when the model has no conv stage. */
function dimsOf(layout: ParamLayout, n: number, file: string): ConvDims {
  const c = layout.conv;
  if (!c) throw new Error(`${file} dispatched for a model without a conv stage`);
  return { n, c: c.c, h: c.h, w: c.width, o: c.o, k: c.k, wOffset: c.w };
}

/**
 * CrossEntropyLoss per point over C logits: reads the logits (N, C) and the targets (N indices, or
 * (N, C) rows with TARGET_ROWS), writes what the pipeline asks: the loss (N), dlogit (N, C), prob (N, C).
 */
export function cePointsCost(n: number, classes: number, pipelineLabel: string): Cost {
  const rows = constant(pipelineLabel, 'TARGET_ROWS') === 1;
  const writes = (constant(pipelineLabel, 'WRITE_LOSS') ?? 1) + ((constant(pipelineLabel, 'WRITE_DLOGIT') ?? 1) + (constant(pipelineLabel, 'WRITE_PROB') ?? 0)) * classes;
  return { flops: n * (CE_FLOPS_PER_LOGIT * classes + CE_FLOPS_PER_POINT), bytes: F * n * (classes + (rows ? classes : 1) + writes) };
}

/**
 * FLOPs and bytes of one dispatch of a conv, pool or cross-entropy kernel over n points (images)
 * of `layout`, or undefined for a kernel that is not one of CONV_COST_FILES (bench/cost.ts prices those).
 */
export function convStepCost(s: StepShape, layout: ParamLayout, n: number): Cost | undefined {
  const pool = () => layout.conv!.pool;
  switch (s.file) {
    case 'conv2d_forward':
      return CONV_COSTS.conv2dForward(dimsOf(layout, n, s.file), constant(s.pipelineLabel, 'EPILOGUE') === 1 ? 1 : 0);
    case 'conv2d_pool_forward':
      return CONV_COSTS.conv2dPoolForward(dimsOf(layout, n, s.file), pool());
    case 'conv2d_backward_input':
      return CONV_COSTS.conv2dBackwardInput(dimsOf(layout, n, s.file));
    case 'conv2d_backward_weights':
      return CONV_COSTS.conv2dBackwardWeights(dimsOf(layout, n, s.file), s.workgroups[2] ?? 1);
    case 'conv2d_pool_backward_weights':
      return CONV_COSTS.conv2dPoolBackwardWeights(dimsOf(layout, n, s.file), pool(), s.workgroups[2] ?? 1);
    case 'maxpool_forward':
      return CONV_COSTS.maxpoolForward(poolAfterConv(dimsOf(layout, n, s.file), pool()));
    case 'maxpool_backward':
      return CONV_COSTS.maxpoolBackward(poolAfterConv(dimsOf(layout, n, s.file), pool()), constant(s.pipelineLabel, 'MASK') === 1);
    case 'ce_points':
      return cePointsCost(n, layout.outputs, s.pipelineLabel);
    default:
      return undefined;
  }
}

/** A conv kernel's table name: the file and the conv (`conv2d_pool_forward 1×28×28→16 k5`); undefined for other kernels. */
export function convKernelName(s: Pick<StepShape, 'file' | 'label'>): string | undefined {
  if (!s.file.startsWith('conv2d_')) return undefined;
  const m = /(\d+×\d+×\d+→\d+ k\d+)/.exec(s.label);
  return m ? `${s.file} ${m[1]}` : s.file;
}
