// The forward pass alone (evaluation mode: no dropout), on any inputs: the model's curve on the
// page (redrawn while training), predictions and accuracy in the CLI and tests, and the lecture's
// bent-line panels (each hidden layer's pre-activation and activation come back when asked). A
// ForwardPass makes its buffers and bind groups once, for one set of inputs.
import type { GpuContext } from '../gpu/context';
import { defaultTilePreset, gemmForwardStep } from '../gpu/gemm';
import { EPILOGUE_BIAS, layerEpilogue } from '../cpu/gemm';
import type { ParamLayout } from '../model/layout';
import { readFloats } from '../gpu/readback';
import { EPOCH_INDEX_STRIDE } from '../gpu/kernel';
import { activationCode, headStep, layerDims } from './layer-steps';
import { encodeSteps, type Step } from './steps';
import { inputStage } from './stages';

export interface ForwardTrace {
  /** Per hidden layer, with `layers: true`: (N, H) input·Wᵀ + b, and (N, H) its activation (ReLU, Sigmoid, Tanh) of it. */
  layers: { preact: Float32Array; hidden: Float32Array }[];
  /** (N, C) the last Linear's output (C = 1 but for the ce head's classes). */
  logit: Float32Array;
  /** (N, C) sigmoid(logit) for the bce heads, softmax(logit) for ce; the logit itself for mse. */
  prob: Float32Array;
}

export class ForwardPass {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly steps: Step[],
    /** Each output, and where it lands in the trace buffer. */
    private readonly outputs: { buffer: GPUBuffer; floats: number }[],
    private readonly trace: GPUBuffer,
    private readonly hiddenLayers: number,
    private readonly owned: GPUBuffer[],
  ) {}

  /**
   * A forward pass of the parameters in `params` (flat layout) on the inputs xs (N, D) row-major.
   * With `layers`, each hidden layer's pre-activation and activation come back too.
   */
  static async create(ctx: GpuContext, params: GPUBuffer, layout: ParamLayout, xs: Float32Array<ArrayBuffer>, layers = false): Promise<ForwardPass> {
    const n = xs.length / layout.inputs;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`the inputs hold ${xs.length} numbers, not a whole number of points of ${layout.inputs} features`);
    const owned: GPUBuffer[] = [];
    const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = GPUBufferUsage;
    const buffer = (label: string, size: number, usage: GPUBufferUsageFlags, data?: Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>) => {
      const b = ctx.createBuffer(label, size, usage | (data ? COPY_DST : 0));
      if (data) ctx.device.queue.writeBuffer(b, 0, data);
      owned.push(b);
      return b;
    };
    const owner = {
      uniform: (label: string, words: Uint32Array<ArrayBuffer>) => buffer(label, words.byteLength, UNIFORM, words),
      storage: (label: string, bytes: number) => buffer(label, bytes, STORAGE),
    };
    const x = buffer('forward x (N,D)', xs.byteLength, STORAGE, xs);
    // gemm_forward binds the epoch's Adam step for dropout; evaluation never reads it.
    const noSteps = buffer('forward no adam steps', 16, STORAGE);
    const epochIndex = buffer('forward epoch index', EPOCH_INDEX_STRIDE, UNIFORM, new Uint32Array(EPOCH_INDEX_STRIDE / 4));
    const outputs: { buffer: GPUBuffer; floats: number }[] = [];
    const steps: Step[] = [];
    const tiles = defaultTilePreset(ctx);
    const stage = await inputStage(layout)?.forward(ctx, owner, { x, params, n, tiles, fuse: true, label: 'forward' });
    if (stage) steps.push(...stage.steps);
    let input = stage?.out ?? x;
    for (const l of layout.layers) {
      const dims = layerDims(l, n);
      const gemm = (y: GPUBuffer, epilogue: 0 | 1 | 2) => gemmForwardStep(ctx, owner, { y, x: input, params, steps: noSteps, epochIndex, dims, epilogue, activation: activationCode(l), tiles });
      if (!l.hidden) {
        const logit = buffer(`forward logit (N,${l.outDim})`, 4 * n * l.outDim, STORAGE | COPY_SRC);
        steps.push(await gemm(logit, EPILOGUE_BIAS));
        input = logit;
        break;
      }
      const hidden = buffer(`forward act${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim, STORAGE | COPY_SRC);
      if (layers) {
        // The pre-activation for the panels: the same sum as the activation's, without the activation.
        const preact = buffer(`forward preact${l.index + 1} (N,${l.outDim})`, 4 * n * l.outDim, STORAGE | COPY_SRC);
        steps.push(await gemm(preact, EPILOGUE_BIAS));
        outputs.push({ buffer: preact, floats: n * l.outDim }, { buffer: hidden, floats: n * l.outDim });
      }
      steps.push(await gemm(hidden, layerEpilogue(l.activation, false)));
      input = hidden;
    }
    const c = layout.outputs;
    const prob = buffer(`forward prob (N,${c})`, 4 * n * c, STORAGE | COPY_SRC);
    // y is never read when only prob is written: the logit stands in (and as class 0 for ce's index targets).
    const classZero = buffer('forward no targets', 4 * n, STORAGE);
    steps.push(await headStep(ctx, owner, layout, { logit: input, y: classZero, n, binaryLabels: false, out: { prob }, label: 'forward' }));
    outputs.push({ buffer: input, floats: n * c }, { buffer: prob, floats: n * c });
    const trace = buffer('forward trace', 4 * outputs.reduce((s, o) => s + o.floats, 0), COPY_DST | COPY_SRC);
    return new ForwardPass(ctx, steps, outputs, trace, layers ? layout.layers.length - 1 : 0, owned);
  }

  async run(): Promise<ForwardTrace> {
    const encoder = this.ctx.device.createCommandEncoder({ label: 'forward' });
    const pass = encoder.beginComputePass({ label: 'forward pass' });
    encodeSteps(pass, this.steps, 1);
    pass.end();
    let at = 0;
    for (const o of this.outputs) {
      encoder.copyBufferToBuffer(o.buffer, 0, this.trace, at, 4 * o.floats);
      at += 4 * o.floats;
    }
    this.ctx.device.queue.submit([encoder.finish()]);
    const all = await readFloats(this.ctx, this.trace);
    const views: Float32Array[] = [];
    at = 0;
    for (const o of this.outputs) {
      views.push(all.subarray(at, at + o.floats));
      at += o.floats;
    }
    const layers = Array.from({ length: this.hiddenLayers }, (_, i) => ({ preact: views[2 * i], hidden: views[2 * i + 1] }));
    return { layers, logit: views[views.length - 2], prob: views[views.length - 1] };
  }

  destroy(): void {
    this.owned.forEach((b) => this.ctx.destroyBuffer(b));
  }
}

/** The forward pass with parameters given on the host (the lecture's hand-built bent line), once, with every layer. */
export async function gpuForwardWith(ctx: GpuContext, flat: Float32Array<ArrayBuffer>, layout: ParamLayout, xs: Float32Array<ArrayBuffer>): Promise<ForwardTrace> {
  const params = ctx.createBuffer('forward params', flat.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(params, 0, flat);
  const pass = await ForwardPass.create(ctx, params, layout, xs, true);
  try {
    return await pass.run();
  } finally {
    pass.destroy();
    ctx.destroyBuffer(params);
  }
}
