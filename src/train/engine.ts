// The one interface every front end trains through (the page, the CLI, the recovery wrapper), with
// two implementations: GpuEngine (the WebGPU Trainer, here) and CpuEngine (src/cpu's stepping core,
// train/cpu-engine.ts). Both train the same network the same way: one optimizer step per batch
// (Adam in torch's formula or SGD; full batch or torch's DataLoader orders), parameters and moments
// stored in float32, the same divergence rule (train/checks.ts); the caller never asks which one it
// holds except to say so.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { readFloats } from '../gpu/readback';
import type { ParamLayout } from '../model/layout';
import { gpuForwardWith, type ForwardTrace } from './forward';
import { Trainer, type TrainerConfig, type TrainerState, type TrainOptions, type TrainResult } from './trainer';

export type { ForwardTrace, TrainerConfig as EngineConfig, TrainerState as EngineState, TrainResult as EngineResult };
type Floats = Float32Array<ArrayBuffer>;

export interface Engine {
  readonly kind: 'gpu' | 'cpu';
  /** What runs the math, in words for the page ("running on the CPU (slower)"). */
  readonly description: string;
  /** The model's configuration; `lr` is the learning rate of the next epochs. */
  readonly config: TrainerConfig;
  readonly layout: ParamLayout;
  /** Optimizer steps of one epoch: ceil(N / batch size), 1 in full batch. */
  readonly stepsPerEpoch: number;
  /** Optimizer steps taken (Adam's t). */
  readonly stepsDone: number;
  /** Whole epochs trained: floor(stepsDone / stepsPerEpoch). */
  readonly epochsDone: number;
  /** The learning rate of the next epochs: settable between runs (torch's param_groups), the state carries over. */
  learningRate: number;
  /**
   * Trains up to `epochs` epochs from the current state. `onLoss` gets one loss per optimizer step
   * and, with a test set, one test loss per epoch (the parameters before the epoch's first update),
   * in order, one chunk of whole epochs at a time (TrainOptions.onLoss); `shouldStop` is checked
   * between chunks. A diverged run keeps the state of the last good step, delivers the bad step's
   * loss last, and refuses to train again until `restore`.
   * Throws GpuError 'device-lost' (GPU) when the device goes; RangeError when diverged before.
   */
  train(epochs: number, options?: Pick<TrainOptions, 'onLoss' | 'shouldStop'>): Promise<TrainResult>;
  /** The current model on any inputs x (M, D), evaluation mode. */
  forward(x: Floats): Promise<ForwardTrace>;
  /** Another set of parameters (a snapshot, the sliders) on any inputs, every intermediate included. */
  forwardWith(params: Floats, x: Floats): Promise<ForwardTrace>;
  readParams(): Promise<Floats>;
  /** Parameters, Adam moments and step: what a file, a device loss or a new learning rate carries over. */
  snapshot(): Promise<TrainerState>;
  /** Restores a snapshot; throws a RangeError, changing nothing, when it does not fit the model or the batch plan. */
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

/** `slots` snapshots of `count` parameters in one GPU buffer. */
export function gpuParamStore(ctx: GpuContext, slots: number, count: number): ParamStore {
  return new GpuParamStore(ctx, slots, count);
}

/** The WebGPU engine: the Trainer, as is. */
export class GpuEngine implements Engine {
  readonly kind = 'gpu';
  private constructor(
    readonly ctx: GpuContext,
    /** The Trainer itself: its strategy and batch plan (what the CLI reports). */
    readonly trainer: Trainer,
  ) {}

  /** Trainer.create's checks and errors (ConfigError, GpuError 'limit'). */
  static async create(ctx: GpuContext, data: Dataset, config: Partial<TrainerConfig>, test?: Dataset): Promise<GpuEngine> {
    return new GpuEngine(ctx, await Trainer.create(ctx, data, config, test));
  }

  get description(): string {
    return `${this.ctx.adapterName}, ${this.trainer.strategy.name} strategy`;
  }
  get config(): TrainerConfig {
    return { ...this.trainer.config, lr: this.trainer.learningRate };
  }
  get learningRate(): number {
    return this.trainer.learningRate;
  }
  set learningRate(lr: number) {
    this.trainer.learningRate = lr;
  }
  get layout(): ParamLayout {
    return this.trainer.layout;
  }
  get stepsPerEpoch(): number {
    return this.trainer.batches.stepsPerEpoch;
  }
  get stepsDone(): number {
    return this.trainer.stepsDone;
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
    encoder.copyBufferToBuffer(this.trainer.paramsBuffer, 0, gpuStore.buffer, slot * bytes, bytes);
    this.ctx.device.queue.submit([encoder.finish()]);
  }
  destroy(): void {
    this.trainer.destroy();
  }
}

export { CpuEngine, cpuParamStore, cpuTrace } from './cpu-engine';
