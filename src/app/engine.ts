// The one interface the page trains through, with two implementations: the WebGPU Trainer, and the
// CPU model of src/cpu for browsers without WebGPU. Both train the same network the same way (full
// batch, BCE, Adam in torch's formula, parameters and moments stored in float32); the page never
// asks which one it holds except to say so.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { readFloats } from '../gpu/readback';
import * as k from '../cpu/kernels';
import { DEFAULT_ADAM, type AdamHyper } from '../cpu/ops';
import { cpuLossAndGrads } from '../cpu/model';
import { initParams } from '../model/init';
import { paramLayout, type ParamLayout } from '../model/layout';
import { gpuForwardWith, type ForwardTrace } from '../train/forward';
import type { TrainingBuffers } from '../train/buffers';
import { Trainer, validateConfig, type Divergence, type TrainerConfig, type TrainerState, type TrainResult, type TrainOptions } from '../train/trainer';

export type { ForwardTrace, TrainerConfig as EngineConfig, TrainerState as EngineState, TrainResult as EngineResult };
type Floats = Float32Array<ArrayBuffer>;

export interface Engine {
  readonly kind: 'gpu' | 'cpu';
  /** What runs the math, in words for the page ("running on the CPU (slower)"). */
  readonly description: string;
  readonly config: TrainerConfig;
  readonly layout: ParamLayout;
  readonly epochsDone: number;
  /**
   * Trains up to `epochs` epochs from the current state. `onLoss` gets every epoch's loss, in order,
   * one chunk at a time; `shouldStop` is checked between chunks. A diverged run keeps the state of
   * the last good epoch, and refuses to train again until `restore`.
   */
  train(epochs: number, options?: Pick<TrainOptions, 'onLoss' | 'shouldStop'>): Promise<TrainResult>;
  /** The current model on any inputs, every intermediate included. */
  forward(x: Floats): Promise<ForwardTrace>;
  /** Another set of parameters (a snapshot, the sliders) on any inputs. */
  forwardWith(params: Floats, x: Floats): Promise<ForwardTrace>;
  readParams(): Promise<Floats>;
  /** Parameters, Adam moments and step: what a file, a device loss or a new learning rate carries over. */
  snapshot(): Promise<TrainerState>;
  restore(state: TrainerState): void;
  /** Copies the current parameters into slot `slot` of `store` without waiting for them. */
  capture(store: ParamStore, slot: number): void;
  destroy(): void;
}

/** Parameter snapshots by slot: on the GPU one buffer filled by copyBufferToBuffer, read back lazily. */
export interface ParamStore {
  readonly slots: number;
  read(slot: number): Promise<Floats>;
  destroy(): void;
}

// ---- the WebGPU engine: the Trainer, as is

/** The Trainer keeps its buffers private; snapshots need its parameter buffer on the GPU side only. */
const paramsBufferOf = (trainer: Trainer): GPUBuffer => (trainer as unknown as { buffers: TrainingBuffers }).buffers.params;

class GpuParamStore implements ParamStore {
  readonly buffer: GPUBuffer;
  constructor(
    private readonly ctx: GpuContext,
    readonly slots: number,
    readonly count: number,
  ) {
    this.buffer = ctx.createBuffer('param snapshots', slots * count * 4, GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC);
  }
  read(slot: number): Promise<Floats> {
    return readFloats(this.ctx, this.buffer, slot * this.count * 4, this.count * 4);
  }
  destroy(): void {
    this.ctx.destroyBuffer(this.buffer);
  }
}

export class GpuEngine implements Engine {
  readonly kind = 'gpu';
  private constructor(
    readonly ctx: GpuContext,
    private readonly trainer: Trainer,
  ) {}

  static async create(ctx: GpuContext, data: Dataset, config: TrainerConfig): Promise<GpuEngine> {
    return new GpuEngine(ctx, await Trainer.create(ctx, data, config));
  }

  get description(): string {
    return `${this.ctx.adapterName}, ${this.trainer.strategy.name} strategy`;
  }
  get config(): TrainerConfig {
    return this.trainer.config;
  }
  get layout(): ParamLayout {
    return this.trainer.layout;
  }
  get epochsDone(): number {
    return this.trainer.epochsDone;
  }
  train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    return this.trainer.train(epochs, options);
  }
  forward(x: Floats): Promise<ForwardTrace> {
    return this.trainer.forward(x);
  }
  forwardWith(params: Floats, x: Floats): Promise<ForwardTrace> {
    return gpuForwardWith(this.ctx, params, this.layout, x);
  }
  readParams(): Promise<Floats> {
    return this.trainer.readParams();
  }
  snapshot(): Promise<TrainerState> {
    return this.trainer.snapshot();
  }
  restore(state: TrainerState): void {
    this.trainer.restore(state);
  }
  capture(store: ParamStore, slot: number): void {
    const gpuStore = store as GpuParamStore;
    const bytes = this.layout.count * 4;
    const encoder = this.ctx.device.createCommandEncoder({ label: `snapshot of epoch ${this.epochsDone}` });
    encoder.copyBufferToBuffer(paramsBufferOf(this.trainer), 0, gpuStore.buffer, slot * bytes, bytes);
    this.ctx.device.queue.submit([encoder.finish()]);
  }
  destroy(): void {
    this.trainer.destroy();
  }
}

export function gpuParamStore(ctx: GpuContext, slots: number, count: number): ParamStore {
  return new GpuParamStore(ctx, slots, count);
}

// ---- the CPU engine: src/cpu's model, in slices that leave the page responsive

class CpuParamStore implements ParamStore {
  private readonly values: Floats;
  constructor(
    readonly slots: number,
    readonly count: number,
  ) {
    this.values = new Float32Array(slots * count);
  }
  write(slot: number, params: Floats): void {
    this.values.set(params, slot * this.count);
  }
  async read(slot: number): Promise<Floats> {
    return this.values.slice(slot * this.count, (slot + 1) * this.count);
  }
  destroy(): void {}
}

export function cpuParamStore(slots: number, count: number): ParamStore {
  return new CpuParamStore(slots, count);
}

/** The forward pass of src/cpu's kernels, every intermediate kept (what ForwardPass reads back). */
// API: model spec — loop over paramLayout(spec).layers (ReLU between, the head last) instead of W1/W2.
export function cpuTrace(params: ArrayLike<number> & Floats, layout: ParamLayout, x: Floats): ForwardTrace {
  const n = x.length;
  const h = layout.hidden;
  const preact = new Float32Array(n * h);
  k.linearForward(preact, x, params, { n, inDim: 1, outDim: h, wOffset: layout.W1 });
  const hidden = preact.slice();
  k.reluForwardInplace(hidden);
  const logit = new Float32Array(n);
  k.linearForward(logit, hidden, params, { n, inDim: h, outDim: 1, wOffset: layout.W2 });
  const prob = logit.slice();
  k.sigmoidForwardInplace(prob);
  return { preact, hidden, logit, prob };
}

/** Time a slice of CPU training may hold the main thread before it yields to the page. */
const CPU_SLICE_MS = 12;
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class CpuEngine implements Engine {
  readonly kind = 'cpu';
  readonly description = 'running on the CPU (slower)';
  readonly layout: ParamLayout;
  private state: TrainerState;
  private divergedAt: Divergence | undefined;
  private readonly hyper: AdamHyper;

  constructor(
    private readonly data: Dataset,
    readonly config: TrainerConfig,
  ) {
    const problems = validateConfig(config);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    this.layout = paramLayout(config.hidden); // API: model spec
    const count = this.layout.count;
    this.state = { params: initParams(config.seed, config.hidden), m: new Float32Array(count), v: new Float32Array(count), step: 0 }; // API: model spec
    this.hyper = { ...DEFAULT_ADAM, lr: config.lr };
  }

  get epochsDone(): number {
    return this.state.step;
  }

  async train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    if (this.divergedAt) throw new RangeError('training diverged; reset or load parameters before training again');
    const { x, y } = this.data;
    const { params, m, v } = this.state;
    const start = performance.now();
    const trial = { params: new Float32Array(params.length), m: new Float32Array(m.length), v: new Float32Array(v.length) };
    let done = 0;
    let lastLoss = NaN;
    let diverged: Divergence | undefined;
    while (done < epochs && !diverged && !(options.shouldStop?.() ?? false)) {
      const sliceStart = performance.now();
      const first = this.state.step;
      const losses: number[] = [];
      while (done < epochs && performance.now() - sliceStart < CPU_SLICE_MS) {
        const { loss, grads } = cpuLossAndGrads(params, this.layout, x, y);
        const epoch = this.state.step + 1;
        trial.params.set(params);
        trial.m.set(m);
        trial.v.set(v);
        k.adamStep(trial.params, trial.m, trial.v, grads, this.hyper, epoch);
        const badLoss = !Number.isFinite(loss);
        const badUpdate = !trial.params.every(Number.isFinite);
        if (badLoss || badUpdate) {
          diverged = { epoch, loss: badLoss, update: badUpdate };
          break;
        }
        params.set(trial.params);
        m.set(trial.m);
        v.set(trial.v);
        losses.push(loss);
        lastLoss = loss;
        this.state.step = epoch;
        done++;
      }
      if (losses.length > 0) options.onLoss?.(first, Float32Array.from(losses));
      if (done < epochs && !diverged) await yieldToPage();
    }
    this.divergedAt = diverged;
    return { epochs: done, diverged, seconds: (performance.now() - start) / 1000, lastLoss };
  }

  async forward(x: Floats): Promise<ForwardTrace> {
    return cpuTrace(this.state.params, this.layout, x);
  }
  async forwardWith(params: Floats, x: Floats): Promise<ForwardTrace> {
    return cpuTrace(params, this.layout, x);
  }
  async readParams(): Promise<Floats> {
    return this.state.params.slice();
  }
  async snapshot(): Promise<TrainerState> {
    const { params, m, v, step } = this.state;
    return { params: params.slice(), m: m.slice(), v: v.slice(), step };
  }
  restore(state: TrainerState): void {
    const p = this.layout.count;
    if (state.params.length !== p || state.m.length !== p || state.v.length !== p) {
      throw new RangeError(`the state holds ${state.params.length} parameters, this model has ${p}`);
    }
    this.state = { params: state.params.slice(), m: state.m.slice(), v: state.v.slice(), step: state.step };
    this.divergedAt = undefined;
  }
  capture(store: ParamStore, slot: number): void {
    (store as CpuParamStore).write(slot, this.state.params);
  }
  destroy(): void {}
}
