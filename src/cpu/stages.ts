// The input stage on the CPU (the twin of src/train/stages.ts): the layers a model runs on the
// data's features before its Linear layers, today the CNN's Conv2d → ReLU → MaxPool2d → Flatten
// (src/cpu/conv.ts). The CPU model (src/cpu/model.ts) asks `cpuInputStage(layout)` instead of
// knowing the layer kind; a new kind is its twins' file and one line here. Double precision.
import type { ConvLayer, ParamLayout } from '../model/layout';
import { conv2dPoolBackwardWeights, conv2dPoolForward, convOut, type ConvDims } from './conv';

type Vec = Float32Array | Float64Array;

/** A stage's forward over n points, and its backward on the forward's own values. */
export interface CpuStageForward {
  /** (N, outFeatures): the first Linear layer's input. */
  readonly out: Float64Array;
  /** Writes the stage's parameters' gradient (from dout (N, outFeatures)) into grads at their offsets. */
  backward(dout: Float64Array, grads: Float64Array): void;
}

export interface CpuInputStage {
  /** The forward on x (N, inFeatures) with the flat parameters. */
  forward(params: Vec, x: Vec, n: number): CpuStageForward;
}

/** The conv stage's dims over n images (src/cpu/conv.ts). */
export function convDims(c: ConvLayer, n: number): ConvDims {
  return { n, c: c.c, h: c.h, w: c.width, o: c.o, k: c.k, wOffset: c.w };
}

/** Conv2d → ReLU → MaxPool2d, as the fused kernel computes it; Flatten is the (N, O·PH·PW) view. Its backward follows the pool's argmax and the ReLU (one split: the full sums). */
function convStage(c: ConvLayer): CpuInputStage {
  return {
    forward(params, x, n) {
      const d = convDims(c, n);
      const out = new Float64Array(n * c.outFeatures);
      const argmax = new Uint32Array(out.length);
      conv2dPoolForward(out, argmax, x, params, d, c.pool);
      return {
        out,
        backward(dout, grads) {
          const { oh, ow } = convOut(d);
          const g = new Float64Array(c.b - c.w + c.o);
          conv2dPoolBackwardWeights(g, dout, argmax, out, x, d, c.pool, { splitLen: n * oh * ow, splits: 1 });
          grads.set(g, c.w);
        },
      };
    },
  };
}

/** The model's input stage on the CPU, or undefined when its first layer is a Linear on the raw features. */
export function cpuInputStage(layout: ParamLayout): CpuInputStage | undefined {
  return layout.conv && convStage(layout.conv);
}
