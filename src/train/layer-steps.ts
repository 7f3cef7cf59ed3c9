// The dispatches that the general strategies (fused, unfused), the test evaluation and the forward
// pass share, built from the layer table: per-point head, mean loss, and the all-or-nothing Adam
// step. Each returns Steps (src/train/steps.ts) over buffers the caller owns.
import type { GpuContext } from '../gpu/context';
import { elementWorkgroups } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import { dimsUniform, structBytes } from '../gpu/structs';
import { ACTIVATION_CODE, HEAD_CODE, type LinearLayer, type ParamLayout } from '../model/layout';
import type { GemmLayerDims } from '../cpu/gemm';
import type { TrainingBuffers } from './buffers';
import type { Step } from './steps';
import { OPTIMIZER_CODE, type OptimizerName } from './optimizer';

/** Default workgroup size of the element-wise kernels (head, mean, Adam, ReLU, dropout). */
export const ELEMENT_WG = 64;

/** Workgroups of an element-wise kernel over `count` elements (gpu/grid.ts elementWorkgroups). */
export const elementGrid = (ctx: GpuContext, count: number, wg: number): [number, number] => elementWorkgroups(count, wg, ctx.plan);

/** A layer's GEMM shapes over n points, straight from the layer table. */
export function layerDims(l: LinearLayer, n: number): GemmLayerDims {
  return { n, inDim: l.inDim, outDim: l.outDim, wOffset: l.w, bOffset: l.b };
}

/** A layer's ACTIVATION override (ops/activation.wgsl) from the layer table: its activation's code (0 for the last layer, where no epilogue reads it). */
export function activationCode(l: LinearLayer): number {
  return l.activation === 'identity' ? 0 : ACTIVATION_CODE[l.activation];
}

/** Makes labelled buffers owned by someone (TrainingBuffers, or a forward pass's own list). */
export interface BufferOwner {
  uniform(label: string, words: Uint32Array<ArrayBuffer>): GPUBuffer;
  storage(label: string, bytes: number): GPUBuffer;
}

/** With C outputs (the ce head's classes; 1 otherwise): */
export interface HeadOutputs {
  loss?: GPUBuffer; // (N) per-point loss
  dlogit?: GPUBuffer; // (N, C) d(mean loss)/dz
  prob?: GPUBuffer; // (N, C) head_prob, or softmax for ce
}

/**
 * One head_points (or, for ce, ce_points) dispatch writing the outputs given (ops/head.wgsl,
 * ops/cross_entropy.wgsl); `targetRows`: y holds (N, C) probability rows, not class indices. An output not written binds a
 * one-float stand-in (writable bindings may not alias), and y binds the logit when only the
 * prediction is wanted.
 */
export async function headStep(
  ctx: GpuContext,
  owner: BufferOwner,
  layout: ParamLayout,
  a: { logit: GPUBuffer; y?: GPUBuffer; n: number; binaryLabels: boolean; targetRows?: boolean; out: HeadOutputs; label: string; wg?: number },
): Promise<Step> {
  const wg = a.wg ?? ELEMENT_WG;
  const writes = { WRITE_LOSS: Number(a.out.loss !== undefined), WRITE_DLOGIT: Number(a.out.dlogit !== undefined), WRITE_PROB: Number(a.out.prob !== undefined) };
  // CrossEntropyLoss has its own kernel, with the same bindings (kernels/ce_points.wgsl).
  const ce = layout.spec.head === 'ce';
  const spec = ce ? KERNELS.cePoints : KERNELS.headPoints;
  const kernel = await getKernel(
    ctx,
    spec,
    ce ? { WG: wg, ...writes, TARGET_ROWS: Number(a.targetRows ?? false) } : { WG: wg, HEAD: HEAD_CODE[layout.spec.head], BINARY_LABELS: Number(a.binaryLabels), ...writes },
  );
  const dims = owner.uniform(`${a.label} head dims`, dimsUniform(spec, ce ? { count: a.n, classes: layout.outputs, mean_over: a.n } : { count: a.n, mean_over: a.n }));
  if (!a.out.loss && !a.out.dlogit && !a.out.prob) throw new Error(`${a.label}: the head step writes nothing`);
  const unused = (what: string) => owner.storage(`${a.label} head: no ${what}`, 4);
  const group = kernel.bind(`${a.label} head`, [a.out.loss ?? unused('loss'), a.out.dlogit ?? unused('dlogit'), a.out.prob ?? unused('prob'), a.logit, a.y ?? a.logit, dims]);
  return { kernel, group, workgroups: elementGrid(ctx, a.n, wg) };
}

/** The mean of n per-point losses into history[k] for epoch k of the chunk (reduce_rows' fixed-order tree). */
export async function meanLossStep(ctx: GpuContext, owner: BufferOwner, a: { history: GPUBuffer; pointLoss: GPUBuffer; n: number; epochIndex: GPUBuffer; label: string; wg?: number }): Promise<Step> {
  const kernel = await getKernel(ctx, KERNELS.reduceRows, { WG: a.wg ?? ELEMENT_WG });
  const dims = owner.uniform(`${a.label} mean dims`, dimsUniform(KERNELS.reduceRows, { len: a.n, out_offset: 0, epoch_stride: 1, divisor: a.n }));
  return { kernel, group: kernel.bind(`${a.label} mean`, [a.history, a.pointLoss, dims, a.epochIndex]), workgroups: [1], perEpoch: true };
}

/**
 * The optimizer (Adam, or SGD) over the whole flat block, all or nothing: adam_check flags the step when the loss, a
 * gradient or any update would not be finite; adam_step then writes every update, or none.
 */
export async function adamSteps(ctx: GpuContext, b: TrainingBuffers, wg = ELEMENT_WG, optimizer: OptimizerName = 'adam'): Promise<Step[]> {
  const constants = { WG: wg, OPTIMIZER: OPTIMIZER_CODE[optimizer] };
  const [check, step] = await Promise.all([getKernel(ctx, KERNELS.adamCheck, constants), getKernel(ctx, KERNELS.adamStep, constants)]);
  const count = b.uniform('adam count P', structBytes('common/grid', 'Count', { count: b.layout.count }));
  const grid = elementGrid(ctx, b.layout.count, wg);
  return [
    { kernel: check, group: check.bind('adam check', [b.status, b.params, b.m, b.v, b.grads, b.lossHistory, b.steps, b.hyper, count, b.epochIndex]), workgroups: grid, perEpoch: true },
    { kernel: step, group: step.bind('adam step', [b.params, b.m, b.v, b.status, b.grads, b.steps, b.hyper, count, b.epochIndex]), workgroups: grid, perEpoch: true },
  ];
}
