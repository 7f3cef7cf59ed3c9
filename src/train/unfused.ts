// unfused: any model, one dispatch per op and pass, the shape of a framework's eager execution and
// the baseline the fusions are held against. Per epoch, for L Linear layers and D dropout layers:
//   forward   per layer gemm_forward (bias only); per hidden layer its activation,     L + (L-1) + D
//             and dropout
//   head      per-point loss, its mean, then per-point dlogit                         3
//   backward  per layer gemm_backward_weights and its reduce; per hidden layer        2L
//             gemm_backward_input (no epilogue), dropout, activation backward         2(L-1) + D
//   update    adam_check, adam_step                                                   2
// 6L + 2 + 2D dispatches (14 for one hidden layer without dropout; fused: 3L + 3).
import type { GpuContext } from '../gpu/context';
import { defaultTilePreset, gemmBackwardInputStep, gemmBackwardWeightsStep, gemmForwardSteps, gradientRows, splitKReduceStep, weightSplits, weightTiles } from '../gpu/gemm';
import { getKernel } from '../gpu/kernel';
import { dimsUniform, structBytes } from '../gpu/structs';
import { KERNELS } from '../gpu/kernels';
import { dropThreshold, EPILOGUE_BIAS, keepScale } from '../cpu/gemm';
import type { TrainingBuffers } from './buffers';
import { inputStage, stageBackwardSteps } from './stages';
import { gemmBindingProblem } from './fused';
import { activationCode, adamSteps, ELEMENT_WG, elementGrid, headStep, layerDims, meanLossStep } from './layer-steps';
import type { Step } from './steps';
import { EVERYTHING, type Strategy, type StrategyDescriptor, type StrategyOptions } from './strategy';

export async function createUnfused(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions): Promise<Strategy> {
  const { n, layout } = b;
  const wg = options.workgroupSize;
  const tiles = options.tiles ?? defaultTilePreset(ctx);
  const p = layout.spec.dropout;
  // Per hidden layer, its activation's kernels (ACTIVATION from the layer table); the last layer's are never dispatched.
  const [activations, activationBackwards, dropout] = await Promise.all([
    Promise.all(layout.layers.map((l) => getKernel(ctx, KERNELS.activationForward, { WG: wg, ACTIVATION: activationCode(l) }))),
    Promise.all(layout.layers.map((l) => getKernel(ctx, KERNELS.activationBackward, { WG: wg, ACTIVATION: activationCode(l) }))),
    getKernel(ctx, KERNELS.dropoutInplace, { WG: wg }),
  ]);
  const acts = layout.layers.map((l) => b.storage(`unfused act${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim)); // z, then activation(z) (and dropout) in place
  const dz = layout.layers.map((l) => b.storage(`unfused dz${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim));
  const pointLoss = b.storage('unfused point loss (N)', 4 * n);
  // An input stage (a CNN's conv: conv with bias and ReLU, then the pool, each its own dispatch).
  const stage = await inputStage(layout)?.forward(ctx, b, { x: b.x, params: b.params, n, tiles, fuse: false, label: 'unfused' });
  const input = (i: number) => (i === 0 ? (stage?.out ?? b.x) : acts[i - 1]);
  const last = layout.layers.length - 1;
  const count = (i: number) => b.uniform(`unfused count layer ${i + 1}`, structBytes('common/grid', 'Count', { count: n * layout.layers[i].outDim }));
  const dropoutStep = (i: number, values: GPUBuffer, label: string): Step => {
    const l = layout.layers[i];
    const dims = b.uniform(`${label} dims`, dimsUniform(KERNELS.dropoutInplace, { count: n * l.outDim, seed: options.dropoutSeed >>> 0, layer: l.index, drop_threshold: dropThreshold(p), keep_scale: keepScale(p) }));
    return { kernel: dropout, group: dropout.bind(label, [values, b.steps, dims, b.epochIndex]), workgroups: elementGrid(ctx, n * l.outDim, wg), perEpoch: true };
  };

  const steps: Step[] = [...(stage?.steps ?? [])];
  for (const [i, l] of layout.layers.entries()) {
    steps.push(...(await gemmForwardSteps(ctx, b, { y: acts[i], x: input(i), params: b.params, steps: b.steps, epochIndex: b.epochIndex, dims: layerDims(l, n), epilogue: EPILOGUE_BIAS, tiles })));
    if (!l.hidden) continue;
    const act = activations[i];
    steps.push({ kernel: act, group: act.bind(`unfused activation ${i + 1}`, [acts[i], count(i)]), workgroups: elementGrid(ctx, n * l.outDim, wg) });
    if (p > 0) steps.push(dropoutStep(i, acts[i], `unfused dropout ${i + 1}`));
  }
  const head = { logit: acts[last], y: b.y, n, binaryLabels: b.binaryLabels, targetRows: b.targetColumns > 1, wg };
  steps.push(await headStep(ctx, b, layout, { ...head, out: { loss: pointLoss }, label: 'unfused loss' }));
  steps.push(await meanLossStep(ctx, b, { history: b.lossHistory, pointLoss, n, epochIndex: b.epochIndex, label: 'unfused loss', wg }));
  steps.push(await headStep(ctx, b, layout, { ...head, out: { dlogit: dz[last] }, label: 'unfused dlogit' }));
  for (let i = last; i >= 0; i--) {
    const l = layout.layers[i];
    const split = weightSplits(n, l.inDim, l.outDim, weightTiles(tiles, l.inDim, l.outDim), ctx.plan, options.pointsPerThread);
    const rows = gradientRows(l.inDim, l.outDim);
    const partials = b.storage(`unfused partials layer ${i + 1} (${rows},${split.splits})`, 4 * rows * split.splits);
    steps.push(await gemmBackwardWeightsStep(ctx, b, { partials, dy: dz[i], x: input(i), dims: layerDims(l, n), split, tiles }));
    steps.push(await splitKReduceStep(ctx, b, { out: b.grads, partials, epochIndex: b.epochIndex, rows, splits: split.splits, outOffset: l.w }));
    if (i === 0) {
      if (stage) steps.push(...(await stageBackwardSteps(ctx, b, { stage, first: l, dz: dz[0], params: b.params, grads: b.grads, epochIndex: b.epochIndex, n, tiles, label: 'unfused' })));
      continue;
    }
    steps.push(await gemmBackwardInputStep(ctx, b, { dx: dz[i - 1], dy: dz[i], params: b.params, dims: layerDims(l, n), tiles }));
    if (p > 0) steps.push(dropoutStep(i - 1, dz[i - 1], `unfused dropout backward ${i}`));
    const back = activationBackwards[i - 1];
    steps.push({ kernel: back, group: back.bind(`unfused activation backward ${i}`, [dz[i - 1], acts[i - 1], count(i - 1)]), workgroups: elementGrid(ctx, n * layout.layers[i - 1].outDim, wg) });
  }
  steps.push(...(await adamSteps(ctx, b, wg, options.optimizer)));
  return { name: 'unfused', workgroupSize: wg, dispatchesPerEpoch: steps.length, epochSteps: steps };
}

export const UNFUSED: StrategyDescriptor = {
  name: 'unfused',
  summary: 'any model: one dispatch per op and pass, as eager execution (6L + 2 dispatches, 2 more per dropout layer)',
  supports: EVERYTHING,
  unsupported: () => undefined,
  defaultWorkgroupSize: () => ELEMENT_WG,
  limitProblem: (q) => gemmBindingProblem('unfused', q),
  // Never picked by auto: fused runs every model it runs, in fewer dispatches.
  preferredBy: () => false,
  create: (ctx, b, _, options) => createUnfused(ctx, b, options),
};
