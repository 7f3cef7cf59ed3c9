// fused: any model, with every fusion the GEMM tiling allows. Per epoch, for L Linear layers:
//   forward   L × gemm_forward, bias, activation and dropout in the epilogue    L dispatches
//   head      head_points: loss and dlogit of every point together              1
//   backward  per layer: gemm_backward_weights (split-K partials),              L
//             and for all but the first, gemm_backward_input with the
//             previous layer's activation/dropout backward in the epilogue      L - 1
//   reduce    gradient_reduce: every layer's partials and the mean loss         1
//   update    adam_check, adam_step over the whole flat block                   2
// 3L + 3 dispatches (9 for one hidden layer), against unfused's 6L + 2 + 2·(dropout layers). The
// layers' partials share one buffer so that one dispatch sums them all. Each layer's split_k_reduce
// and the mean's reduce_rows run apart instead (4L + 3, the same bits) where that buffer would pass
// the device's binding limit, past 17 Linear layers (the segment table), and on the legacy GPU plan
// (deviceTuned false: what ran on the H200, which bench/plan.ts calibrates on).
import type { GpuContext } from '../gpu/context';
import { isSoftwarePlan } from '../gpu/plan';
import { defaultTilePreset, gemmBackwardInputStep, gemmBackwardWeightsStep, gemmForwardSteps, gradientReduceStep, gradientRows, MAX_REDUCE_SEGMENTS, splitKReduceStep, tilesOf, weightSplits, weightTiles, type ReduceSegment } from '../gpu/gemm';
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

/**
 * One buffer for every layer's split-K partials (rows × splits each), each layer's range at an
 * offset the device can bind (minStorageBufferOffsetAlignment), so that gradient_reduce sums them
 * all in one dispatch; undefined when it would pass the binding limit or the segment table, and on
 * the legacy GPU plan and software plans (below).
 */
function sharedPartials(ctx: GpuContext, b: TrainingBuffers, layers: readonly { rows: number; splits: number }[]): { buffer: GPUBuffer; segments: ReduceSegment[] } | undefined {
  const limits = ctx.device.limits;
  // A plan-only device (the benchmark's --plan) carries the plan's limits, without this one: WebGPU's default, 256.
  const align = (limits.minStorageBufferOffsetAlignment ?? 256) / 4;
  const segments: ReduceSegment[] = [];
  let at = 0;
  for (const [i, l] of layers.entries()) {
    segments.push({ rows: l.rows, splits: l.splits, partialOffset: at, outOffset: b.layout.layers[i].w });
    at = Math.ceil((at + l.rows * l.splits) / align) * align;
  }
  // The GPU plan from before the merge (deviceTuned false: what ran on the H200, bench/plan.ts's calibration) keeps them apart.
  // So does a software plan: gradient_reduce's one barrier-using workgroup (the mean) makes SwiftShader
  // run every workgroup of the dispatch as coroutines, 18 ms for MNIST's 25 121 rows against 1.5 ms
  // for split_k_reduce and reduce_rows apart (npm run bench -- --case mnist37-784-32-1 --node-only).
  const apart = (ctx.plan.deviceClass === 'gpu' && !ctx.plan.deviceTuned) || isSoftwarePlan(ctx.plan);
  if (!Number.isFinite(at)) throw new Error(`fused: the shared partials' size is not a number (offset alignment ${limits.minStorageBufferOffsetAlignment})`);
  if (apart || layers.length > MAX_REDUCE_SEGMENTS || 4 * at > Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize)) return undefined;
  return { buffer: b.storage(`fused partials, every layer (${segments.map((s) => `${s.rows}×${s.splits}`).join(' + ')})`, 4 * at), segments };
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
  const partials = sharedPartials(ctx, b, layout.layers.map((l) => ({ rows: gradientRows(l.inDim, l.outDim), splits: weightSplits(n, l.inDim, l.outDim, weightTiles(tiles, l.inDim, l.outDim), ctx.plan, options.pointsPerThread).splits })));
  const backward: Step[] = [];
  const reduces: Step[] = [];
  for (let i = last; i >= 0; i--) {
    const l = layout.layers[i];
    const split = weightSplits(n, l.inDim, l.outDim, weightTiles(tiles, l.inDim, l.outDim), ctx.plan, options.pointsPerThread);
    const rows = gradientRows(l.inDim, l.outDim);
    const own = partials ? undefined : b.storage(`fused partials layer ${i + 1} (${rows},${split.splits})`, 4 * rows * split.splits);
    const range = partials ? { buffer: partials.buffer, offset: 4 * partials.segments[i].partialOffset, size: 4 * rows * split.splits } : own!;
    backward.push(await gemmBackwardWeightsStep(ctx, b, { partials: range, dy: dz[i], x: input(i), dims: layerDims(l, n), split, tiles }));
    if (own) reduces.push(await splitKReduceStep(ctx, b, { out: b.grads, partials: own, epochIndex: b.epochIndex, rows, splits: split.splits, outOffset: l.w }));
    if (i > 0) {
      const mask = { act: acts[i - 1], scale: p > 0 ? keepScale(p) : 1, activation: activationCode(layout.layers[i - 1]) };
      backward.push(await gemmBackwardInputStep(ctx, b, { dx: dz[i - 1], dy: dz[i], params: b.params, dims: layerDims(l, n), mask, tiles }));
    } else if (stage) {
      backward.push(...(await stageBackwardSteps(ctx, b, { stage, first: l, dz: dz[0], params: b.params, grads: b.grads, epochIndex: b.epochIndex, n, tiles, label: 'fused' })));
    }
  }
  if (partials) {
    reduces.push(await gradientReduceStep(ctx, b, { grads: b.grads, history: b.lossHistory, partials: partials.buffer, losses: pointLoss, epochIndex: b.epochIndex, segments: partials.segments, n, wg: options.workgroupSize }));
  } else {
    reduces.unshift(await meanLossStep(ctx, b, { history: b.lossHistory, pointLoss, n, epochIndex: b.epochIndex, label: 'fused loss', wg: options.workgroupSize }));
  }
  const epochSteps = [...(stage?.steps ?? []), ...forward.flat(), head, ...backward, ...reduces, ...(await adamSteps(ctx, b, options.workgroupSize, options.optimizer))];
  return { name: 'fused', workgroupSize: options.workgroupSize, dispatchesPerEpoch: epochSteps.length, epochSteps };
}

export const FUSED: StrategyDescriptor = {
  name: 'fused',
  summary: 'any model: tiled GEMMs with bias, activation and dropout in the epilogue, the head with its gradient, one reduce for every layer and the loss, Adam once for all layers (3L + 3 dispatches)',
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
