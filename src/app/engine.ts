// The one interface the page trains through, with two implementations: the WebGPU Trainer, and the
// CPU model of src/cpu for browsers without WebGPU. Both train the same network the same way (full
// batch, BCE, Adam in torch's formula, parameters and moments stored in float32); the page never
// asks which one it holds except to say so.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { readFloats } from '../gpu/readback';
import * as k from '../cpu/kernels';
import { DEFAULT_ADAM, headDlogit, headLoss, type AdamHyper } from '../cpu/ops';
import { dropoutKeep, dropoutStream, dropThreshold, keepScale } from '../cpu/gemm';
import { cpuForward, cpuLoss, cpuLossAndGrads, type DropoutMask } from '../cpu/model';
import { initParams } from '../model/init';
import { isSingleHidden, paramLayout, type ParamLayout } from '../model/layout';
import { generatorSeed } from '../model/seed';
import { gpuForwardWith, type ForwardTrace } from '../train/forward';
import { ConfigError, dataProblem, Trainer, validateConfig, type Divergence, type TrainerConfig, type TrainerState, type TrainResult, type TrainOptions } from '../train/trainer';

export type { ForwardTrace, TrainerConfig as EngineConfig, TrainerState as EngineState, TrainResult as EngineResult };
type Floats = Float32Array<ArrayBuffer>;

export interface Engine {
  readonly kind: 'gpu' | 'cpu';
  /** What runs the math, in words for the page ("running on the CPU (slower)"). */
  readonly description: string;
  /** The model's configuration; `lr` is the learning rate of the next epochs. */
  readonly config: TrainerConfig;
  readonly layout: ParamLayout;
  readonly epochsDone: number;
  /** The learning rate of the next epochs: settable between runs (torch's param_groups), the state carries over. */
  learningRate: number;
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

  static async create(ctx: GpuContext, data: Dataset, config: TrainerConfig, test?: Dataset): Promise<GpuEngine> {
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

/** The forward pass of src/cpu's model over the layer table, every hidden layer kept (what ForwardPass reads back with `layers`). */
export function cpuTrace(params: Floats, layout: ParamLayout, x: Floats): ForwardTrace {
  const f = cpuForward(params, layout, x, undefined, true);
  const layers = f.hidden.map((hidden, i) => ({ preact: Float32Array.from(f.preact[i]), hidden: Float32Array.from(hidden) }));
  return { layers, logit: Float32Array.from(f.logit), prob: Float32Array.from(f.prob) };
}

/** Time a slice of CPU training may hold the main thread before it yields to the page. */
const CPU_SLICE_MS = 12;
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * One input, one hidden layer, no dropout: loss and gradients streamed point by point and unit by
 * unit, never holding the (N, H) activations (H = 204800 in the CPU-against-GPU lesson), in double
 * as src/cpu's model. Writes `grads`; returns the mean loss.
 */
function singleHiddenLossAndGrads(params: Floats, layout: ParamLayout, x: Floats, y: Floats, grads: Float64Array): number {
  const [first, last] = layout.layers;
  const { head } = layout.spec;
  const h = first.outDim;
  const n = y.length;
  const logit = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let acc = 0;
    for (let j = 0; j < h; j++) {
      const z = params[first.w + j] * xi + params[first.b + j];
      if (z > 0) acc += params[last.w + j] * z;
    }
    logit[i] = acc + params[last.b];
  }
  let loss = 0;
  let dBias = 0;
  const dz = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    loss += headLoss(head, logit[i], y[i]);
    dz[i] = headDlogit(head, logit[i], y[i], n);
    dBias += dz[i];
  }
  for (let j = 0; j < h; j++) {
    const w = params[first.w + j];
    const b = params[first.b + j];
    const v = params[last.w + j];
    let gw = 0;
    let gb = 0;
    let gv = 0;
    for (let i = 0; i < n; i++) {
      const z = w * x[i] + b;
      if (z > 0) {
        gv += dz[i] * z;
        const d = dz[i] * v;
        gw += d * x[i];
        gb += d;
      }
    }
    grads[first.w + j] = gw;
    grads[first.b + j] = gb;
    grads[last.w + j] = gv;
  }
  grads[last.b] = dBias;
  return loss / n;
}

/** The training-mode dropout mask of one epoch: the GPU's hash (common/dropout.wgsl), so both engines drop the same units. */
function dropoutMask(layout: ParamLayout, seed: number, epoch: number): DropoutMask | undefined {
  const p = layout.spec.dropout;
  if (p === 0) return undefined;
  const threshold = dropThreshold(p);
  const scale = keepScale(p);
  const streams = layout.layers.map((l) => dropoutStream(seed, epoch, l.index));
  return (layer, index) => (dropoutKeep(streams[layer], index >>> 0, threshold) ? scale : 0);
}

export class CpuEngine implements Engine {
  readonly kind = 'cpu';
  readonly description = 'running on the CPU (slower)';
  readonly layout: ParamLayout;
  /** Time a slice of training may hold the main thread (the timing lesson raises it). */
  sliceMs = CPU_SLICE_MS;
  private state: TrainerState;
  private divergedAt: Divergence | undefined;
  private readonly hyper: AdamHyper;
  private readonly streamed: boolean;

  constructor(
    private readonly data: Dataset,
    private readonly base: TrainerConfig,
    private readonly test?: Dataset,
  ) {
    const problems = validateConfig(base);
    if (problems.length > 0) throw new ConfigError(problems);
    const issue = dataProblem(data, base.model) ?? (test && dataProblem(test, base.model, 'the test set'));
    if (issue) throw new ConfigError([{ field: dataProblem(data, base.model) ? 'data' : 'test', message: issue }]);
    this.layout = paramLayout(base.model);
    const count = this.layout.count;
    this.state = { params: initParams(base.seed, this.layout), m: new Float32Array(count), v: new Float32Array(count), step: 0 };
    this.hyper = { ...DEFAULT_ADAM, lr: base.lr };
    this.streamed = isSingleHidden(this.layout) && base.model.dropout === 0;
  }

  get config(): TrainerConfig {
    return { ...this.base, lr: this.hyper.lr };
  }
  get learningRate(): number {
    return this.hyper.lr;
  }
  set learningRate(lr: number) {
    if (!Number.isFinite(lr) || lr < 0) throw new ConfigError([{ field: 'lr', message: `learning rate must be a number >= 0, got ${lr}` }]);
    this.hyper.lr = lr;
  }

  get epochsDone(): number {
    return this.state.step;
  }

  async train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    if (this.divergedAt) throw new RangeError('training diverged; reset or load parameters before training again');
    const { x, y } = this.data;
    const { params, m, v } = this.state;
    const layout = this.layout;
    const seed = generatorSeed(this.base.seed);
    const start = performance.now();
    const trial = { params: new Float32Array(params.length), m: new Float32Array(m.length), v: new Float32Array(v.length) };
    const streamedGrads = this.streamed ? new Float64Array(layout.count) : undefined;
    let done = 0;
    let lastLoss = NaN;
    let lastTestLoss: number | undefined;
    let diverged: Divergence | undefined;
    while (done < epochs && !diverged && !(options.shouldStop?.() ?? false)) {
      const sliceStart = performance.now();
      const first = this.state.step;
      const losses: number[] = [];
      const testLosses: number[] = [];
      while (done < epochs && performance.now() - sliceStart < this.sliceMs) {
        const epoch = this.state.step + 1;
        // The test loss of the parameters before this epoch's update, evaluation mode (as the Trainer's).
        const testLoss = this.test ? cpuLoss(cpuForward(params, layout, this.test.x).logit, this.test.y, layout) : undefined;
        let loss: number;
        let grads: Float64Array;
        if (streamedGrads) {
          loss = singleHiddenLossAndGrads(params, layout, x, y, streamedGrads);
          grads = streamedGrads;
        } else {
          ({ loss, grads } = cpuLossAndGrads(params, layout, x, y, dropoutMask(layout, seed, epoch)));
        }
        trial.params.set(params);
        trial.m.set(m);
        trial.v.set(v);
        k.adamStep(trial.params, trial.m, trial.v, grads, this.hyper, epoch);
        const badLoss = !Number.isFinite(loss);
        const badUpdate = !trial.params.every(Number.isFinite);
        if (badLoss || badUpdate) {
          diverged = { epoch, step: epoch, loss: badLoss, update: badUpdate };
          break;
        }
        params.set(trial.params);
        m.set(trial.m);
        v.set(trial.v);
        losses.push(loss);
        if (testLoss !== undefined) testLosses.push(testLoss);
        lastLoss = loss;
        lastTestLoss = testLoss;
        this.state.step = epoch;
        done++;
      }
      if (losses.length > 0) options.onLoss?.(first, Float32Array.from(losses), this.test ? Float32Array.from(testLosses) : undefined);
      if (done < epochs && !diverged) await yieldToPage();
    }
    this.divergedAt = diverged;
    return { epochs: done, diverged, seconds: (performance.now() - start) / 1000, lastLoss, lastTestLoss };
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
