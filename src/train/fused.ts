// fused: any model, with every fusion the GEMM tiling allows. Per epoch, for L Linear layers:
//   forward   L × gemm_forward, bias, activation and dropout in the epilogue    L dispatches
//   head      head_points: loss and dlogit of every point together              1
//   loss      the mean into the loss history                                    1
//   backward  per layer: gemm_backward_weights (split-K) and its reduce,        2L
//             and for all but the first, gemm_backward_input with the
//             previous layer's activation/dropout backward in the epilogue      L - 1
//   update    adam_check, adam_step over the whole flat block                   2
// 4L + 3 dispatches (11 for one hidden layer), against unfused's 7L + 4 + 2·(dropout layers).
import type { GpuContext } from '../gpu/context';
import { defaultTilePreset, gemmBackwardInputStep, gemmBackwardWeightsStep, gemmForwardSteps, gradientRows, splitKReduceStep, tilesOf, weightSplits, weightTiles } from '../gpu/gemm';
import { keepScale, layerEpilogue } from '../cpu/gemm';
import type { TrainingBuffers } from './buffers';
import { inputStage, stageBackwardSteps } from './stages';
import { activationCode, adamSteps, ELEMENT_WG, headStep, layerDims, meanLossStep } from './layer-steps';
import type { Step } from './steps';
import { EVERYTHING, type LimitProblem, type Strategy, type StrategyDescriptor, type StrategyOptions, type StrategyQuery } from './strategy';

/** The largest buffer a GEMM strategy binds for this query, and the limit problem if it is too large. */
export function gemmBindingProblem(name: string, q: StrategyQuery): LimitProblem | undefined {
  const { ctx, layout, n } = q;
  const limit = Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
  const tiles = tilesOf(q.tiles ?? defaultTilePreset(ctx));
  const rows = Math.max(n, q.testN);
  const stage = inputStage(layout)?.limitProblem(ctx, name, rows, q.tiles ?? defaultTilePreset(ctx), name === 'fused');
  if (stage) return stage;
  for (const l of layout.layers) {
    const split = weightSplits(n, l.inDim, l.outDim, weightTiles(tiles, l.inDim, l.outDim), ctx.plan, q.pointsPerThread);
    const needs: [number, string][] = [
      [4 * rows * l.outDim, `layer ${l.index + 1}'s activations, ${rows}×${l.outDim} floats`],
      [4 * rows * l.inDim, `layer ${l.index + 1}'s input, ${rows}×${l.inDim} floats`],
      [4 * gradientRows(l.inDim, l.outDim) * split.splits, `layer ${l.index + 1}'s split-K partial sums, ${gradientRows(l.inDim, l.outDim)}×${split.splits} floats`],
    ];
    for (const [bytes, what] of needs) {
      if (bytes > limit) {
        return {
          limit: 'maxStorageBufferBindingSize',
          message: `${name} needs a ${bytes}-byte buffer for ${what}, over this device's maxStorageBufferBindingSize/maxBufferSize of ${limit} bytes; use fewer points or narrower layers`,
        };
      }
    }
  }
  return undefined;
}

export async function createFused(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions): Promise<Strategy> {
  const { n, layout } = b;
  const tiles = options.tiles ?? defaultTilePreset(ctx);
  const p = layout.spec.dropout;
  const acts = layout.layers.map((l) => b.storage(`fused act${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim));
  const dz = layout.layers.map((l) => b.storage(`fused dz${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim));
  const pointLoss = b.storage('fused point loss (N)', 4 * n);
  // An input stage (a CNN's conv, fused with its ReLU and pool) feeds the first Linear layer.
  const stage = await inputStage(layout)?.forward(ctx, b, { x: b.x, params: b.params, n, tiles, fuse: true, label: 'fused' });
  const input = (i: number) => (i === 0 ? (stage?.out ?? b.x) : acts[i - 1]);
  const last = layout.layers.length - 1;

  const forward = await Promise.all(
    layout.layers.map((l, i) =>
      gemmForwardSteps(ctx, b, {
        y: acts[i],
        x: input(i),
        params: b.params,
        steps: b.steps,
        epochIndex: b.epochIndex,
        dims: layerDims(l, n),
        epilogue: layerEpilogue(l.activation, p > 0),
        activation: activationCode(l),
        dropout: l.hidden && p > 0 ? { p, seed: options.dropoutSeed, layer: l.index } : undefined,
        tiles,
      }),
    ),
  );
  const head = await headStep(ctx, b, layout, { logit: acts[last], y: b.y, n, binaryLabels: b.binaryLabels, targetRows: b.targetColumns > 1, out: { loss: pointLoss, dlogit: dz[last] }, label: 'fused', wg: options.workgroupSize });
  const mean = await meanLossStep(ctx, b, { history: b.lossHistory, pointLoss, n, epochIndex: b.epochIndex, label: 'fused loss', wg: options.workgroupSize });
  const backward: Step[] = [];
  for (let i = last; i >= 0; i--) {
    const l = layout.layers[i];
    const split = weightSplits(n, l.inDim, l.outDim, weightTiles(tiles, l.inDim, l.outDim), ctx.plan, options.pointsPerThread);
    const rows = gradientRows(l.inDim, l.outDim);
    const partials = b.storage(`fused partials layer ${i + 1} (${rows},${split.splits})`, 4 * rows * split.splits);
    backward.push(await gemmBackwardWeightsStep(ctx, b, { partials, dy: dz[i], x: input(i), dims: layerDims(l, n), split, tiles }));
    backward.push(await splitKReduceStep(ctx, b, { out: b.grads, partials, epochIndex: b.epochIndex, rows, splits: split.splits, outOffset: l.w }));
    if (i > 0) {
      const mask = { act: acts[i - 1], scale: p > 0 ? keepScale(p) : 1, activation: activationCode(layout.layers[i - 1]) };
      backward.push(await gemmBackwardInputStep(ctx, b, { dx: dz[i - 1], dy: dz[i], params: b.params, dims: layerDims(l, n), mask, tiles }));
    } else if (stage) {
      backward.push(...(await stageBackwardSteps(ctx, b, { stage, first: l, dz: dz[0], params: b.params, grads: b.grads, epochIndex: b.epochIndex, n, tiles, label: 'fused' })));
    }
  }
  const epochSteps = [...(stage?.steps ?? []), ...forward.flat(), head, mean, ...backward, ...(await adamSteps(ctx, b, options.workgroupSize, options.optimizer))];
  return { name: 'fused', workgroupSize: options.workgroupSize, dispatchesPerEpoch: epochSteps.length, epochSteps };
}

export const FUSED: StrategyDescriptor = {
  name: 'fused',
  summary: 'any model: tiled GEMMs with bias, activation and dropout in the epilogue, the head with its gradient, Adam once for all layers (4L + 3 dispatches)',
  supports: EVERYTHING,
  unsupported: () => undefined,
  // The element-wise kernels' size; the GEMMs' comes from the tiling.
  defaultWorkgroupSize: () => ELEMENT_WG,
  limitProblem: (q) => gemmBindingProblem('fused', q),
  // The CNN's conv + ReLU + pool fusion pays on a GPU, not on a software adapter: there the unfused
  // conv and pool kernels train the 05wk-2 CNN 1.2–1.3× faster (bench-results/cases, Node and Chromium).
  preferredBy: (q) => !(inputStage(q.layout) && q.ctx.plan.deviceClass === 'software'),
  create: (ctx, b, _, options) => createFused(ctx, b, options),
};
