// unfused: one dispatch per op and pass, 15 per epoch. The baseline the fused strategies are held
// against, and the shape of a framework's eager execution.
//
//   forward   linear(1→H) · relu · linear(H→1) · sigmoid · bce · mean
//   backward  bce · sigmoid · linear(H→1) input and params · reduce · relu · linear(1→H) params · reduce
//   update    adam over the flat block
import type { GpuContext } from '../gpu/context';
import { chunking, grid2d, workgroupsFor } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { TrainingBuffers } from './buffers';
import { encodeSteps, type Step } from './steps';
import type { Strategy, StrategyOptions } from './strategy';

export const UNFUSED_DEFAULT_WG = 64;

export async function createUnfused(ctx: GpuContext, b: TrainingBuffers, options: StrategyOptions = {}): Promise<Strategy> {
  const wg = options.workgroupSize ?? UNFUSED_DEFAULT_WG;
  const { n, layout } = b;
  const h = layout.hidden;
  const { chunks, pointsPerThread } = chunking(n, wg, ctx.isSoftware, options.pointsPerThread);
  const k = async (spec: (typeof KERNELS)[keyof typeof KERNELS]) => getKernel(ctx, spec, { WG: wg });
  const [linearForward, reluForward, sigmoidForward, bceForward, reduceRows, bceBackward, sigmoidBackward, linearBackwardInput, linearBackwardParams, reluBackward, adamStep] =
    await Promise.all([
      k(KERNELS.linearForward),
      k(KERNELS.reluForward),
      k(KERNELS.sigmoidForward),
      getKernel(ctx, KERNELS.bceForward, { WG: wg, BINARY_LABELS: Number(b.binaryLabels) }),
      k(KERNELS.reduceRows),
      k(KERNELS.bceBackward),
      k(KERNELS.sigmoidBackward),
      k(KERNELS.linearBackwardInput),
      k(KERNELS.linearBackwardParams),
      k(KERNELS.reluBackward),
      k(KERNELS.adamStep),
    ]);

  const act1 = b.storage('unfused act1 (N,H)', n * h * 4); // z1, then relu(z1) in place
  const grad1 = b.storage('unfused grad1 (N,H)', n * h * 4); // dH1, then dZ1 in place
  const out2 = b.storage('unfused out2 (N)', n * 4); // z2, then sigmoid(z2) in place
  const grad2 = b.storage('unfused grad2 (N)', n * 4); // dP, then dZ2 in place
  const pointLoss = b.storage('unfused point loss (N)', n * 4);
  const partials1 = b.storage('unfused partials layer1 (2H,chunks)', 2 * h * chunks * 4);
  const partials2 = b.storage('unfused partials layer2 (H+1,chunks)', (h + 1) * chunks * 4);

  const u32 = (label: string, ...words: number[]) => b.uniform(label, Uint32Array.from({ length: Math.ceil(words.length / 4) * 4 }, (_, i) => words[i] ?? 0));
  const linear1 = u32('linear1 dims', n, 1, h, layout.W1);
  const linear2 = u32('linear2 dims', n, h, 1, layout.W2);
  const grads1Dims = u32('linear1 param-grad dims', n, 1, h, chunks, pointsPerThread);
  const grads2Dims = u32('linear2 param-grad dims', n, h, 1, chunks, pointsPerThread);
  const countNH = u32('count N·H', n * h);
  const countN = u32('count N', n);
  const countP = u32('count P', layout.count);
  const reduceDims = (label: string, len: number, outOffset: number, epochStride: number, divisor: number) => {
    const words = new Uint32Array([len, outOffset, epochStride, 0]);
    new Float32Array(words.buffer)[3] = divisor;
    return b.uniform(label, words);
  };
  const lossReduce = reduceDims('mean loss dims', n, 0, 1, n);
  const grads1Reduce = reduceDims('layer1 grad reduce dims', chunks, layout.W1, 0, 1);
  const grads2Reduce = reduceDims('layer2 grad reduce dims', chunks, layout.W2, 0, 1);

  const elements = (count: number): [number, number, number] => [...grid2d(workgroupsFor(count, wg)), 1];
  const chunkGrid = (rows: number): [number, number, number] => [...grid2d(chunks), rows];
  const steps: Step[] = [
    { kernel: linearForward, group: linearForward.bind('linear1 forward', [act1, b.x, b.params, linear1]), workgroups: elements(n * h) },
    { kernel: reluForward, group: reluForward.bind('relu forward', [act1, countNH]), workgroups: elements(n * h) },
    { kernel: linearForward, group: linearForward.bind('linear2 forward', [out2, act1, b.params, linear2]), workgroups: elements(n) },
    { kernel: sigmoidForward, group: sigmoidForward.bind('sigmoid forward', [out2, countN]), workgroups: elements(n) },
    { kernel: bceForward, group: bceForward.bind('bce forward', [pointLoss, out2, b.y, countN]), workgroups: elements(n) },
    { kernel: reduceRows, group: reduceRows.bind('mean loss', [b.lossHistory, pointLoss, lossReduce, b.epochIndex]), workgroups: [1, 1, 1], perEpoch: true },
    { kernel: bceBackward, group: bceBackward.bind('bce backward', [grad2, out2, b.y, countN]), workgroups: elements(n) },
    { kernel: sigmoidBackward, group: sigmoidBackward.bind('sigmoid backward', [grad2, out2, countN]), workgroups: elements(n) },
    { kernel: linearBackwardInput, group: linearBackwardInput.bind('linear2 backward input', [grad1, grad2, b.params, linear2]), workgroups: elements(n * h) },
    { kernel: linearBackwardParams, group: linearBackwardParams.bind('linear2 backward params', [partials2, grad2, act1, grads2Dims]), workgroups: chunkGrid(h + 1) },
    { kernel: reduceRows, group: reduceRows.bind('linear2 grads', [b.grads, partials2, grads2Reduce, b.epochIndex]), workgroups: [h + 1, 1, 1] },
    { kernel: reluBackward, group: reluBackward.bind('relu backward', [grad1, act1, countNH]), workgroups: elements(n * h) },
    { kernel: linearBackwardParams, group: linearBackwardParams.bind('linear1 backward params', [partials1, grad1, b.x, grads1Dims]), workgroups: chunkGrid(2 * h) },
    { kernel: reduceRows, group: reduceRows.bind('linear1 grads', [b.grads, partials1, grads1Reduce, b.epochIndex]), workgroups: [2 * h, 1, 1] },
    { kernel: adamStep, group: adamStep.bind('adam step', [b.params, b.m, b.v, b.status, b.grads, b.lossHistory, b.steps, b.hyper, countP, b.epochIndex]), workgroups: elements(layout.count), perEpoch: true },
  ];

  return {
    name: 'unfused',
    workgroupSize: wg,
    dispatchesPerEpoch: steps.length,
    encode: (pass, epochs) => encodeSteps(pass, steps, epochs),
  };
}
