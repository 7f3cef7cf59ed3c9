// The test evaluation of every epoch: the forward pass over the test set with the parameters
// before the epoch's update, dropout off (evaluation mode), the head's per-point loss and its mean
// into the test loss history. The trainer encodes these steps in front of each epoch's training
// steps, so the test loss streams back with the training loss: no per-epoch readback.
import type { GpuContext } from '../gpu/context';
import { defaultTilePreset, gemmForwardStep, type TilePresetName } from '../gpu/gemm';
import { layerEpilogue } from '../cpu/gemm';
import type { TestBuffers, TrainingBuffers } from './buffers';
import { activationCode, headStep, layerDims, meanLossStep } from './layer-steps';
import type { Step } from './steps';
import { inputStage } from './stages';

export interface TestEvaluation {
  /** One epoch's evaluation: L forward GEMMs, the head's loss, the mean. */
  readonly steps: readonly Step[];
}

export async function createTestEvaluation(ctx: GpuContext, b: TrainingBuffers, test: TestBuffers, tiles?: TilePresetName): Promise<TestEvaluation> {
  const { layout } = b;
  const n = test.n;
  const acts = layout.layers.map((l) => b.storage(`test act${l.index + 1} (N_test,${l.outDim})`, 4 * n * l.outDim));
  const pointLoss = b.storage('test point loss (N_test)', 4 * n);
  const preset = tiles ?? defaultTilePreset(ctx);
  const stage = await inputStage(layout)?.forward(ctx, b, { x: test.x, params: b.params, n, tiles: preset, fuse: true, label: 'test' });
  const steps: Step[] = [...(stage?.steps ?? [])];
  for (const [i, l] of layout.layers.entries()) {
    steps.push(
      await gemmForwardStep(ctx, b, {
        y: acts[i],
        x: i === 0 ? (stage?.out ?? test.x) : acts[i - 1],
        params: b.params,
        steps: b.steps,
        epochIndex: b.epochIndex,
        dims: layerDims(l, n),
        epilogue: layerEpilogue(l.activation, false),
        activation: activationCode(l),
        tiles: preset,
      }),
    );
  }
  const logit = acts[acts.length - 1];
  steps.push(await headStep(ctx, b, layout, { logit, y: test.y, n, binaryLabels: test.binaryLabels, targetRows: b.targetColumns > 1, out: { loss: pointLoss }, label: 'test' }));
  steps.push(await meanLossStep(ctx, b, { history: test.lossHistory, pointLoss, n, epochIndex: b.epochIndex, label: 'test loss' }));
  return { steps };
}
