// The CPU engine: src/cpu/trainer.ts's stepping core behind the Engine interface, in time slices
// that leave the page responsive, with the divergence rule of train/checks.ts. For browsers without
// WebGPU, and the CLI's --engine cpu. State in float32, as the GPU Trainer stores it.
import type { Dataset } from '../data/dataset';
import { cpuForward } from '../cpu/model';
import { DEFAULT_ADAM, type AdamHyper } from '../cpu/ops';
import { CpuTrainer } from '../cpu/trainer';
import { initParams } from '../model/init';
import { paramLayout, type ParamLayout } from '../model/layout';
import { generatorSeed } from '../model/seed';
import { batchPlan, EpochOrders } from './batches';
import { checkRun, divergenceAt } from './checks';
import type { Engine, ParamStore } from './engine';
import type { ForwardTrace } from './forward';
import { ConfigError, DEFAULT_CONFIG, describeDivergence, type Divergence, type TrainerConfig, type TrainerState, type TrainOptions, type TrainResult } from './trainer';

type Floats = Float32Array<ArrayBuffer>;

class CpuParamStore implements ParamStore {
  private readonly values: Floats;
  constructor(
    readonly slots: number,
    readonly count: number,
  ) {
    this.values = new Float32Array(slots * count);
  }
  write(slot: number, params: ArrayLike<number>): void {
    this.values.set(params, slot * this.count);
  }
  async read(slot: number): Promise<Floats> {
    return this.values.slice(slot * this.count, (slot + 1) * this.count);
  }
  destroy(): void {}
}

/** `slots` snapshots of `count` parameters in memory. */
export function cpuParamStore(slots: number, count: number): ParamStore {
  return new CpuParamStore(slots, count);
}

/** The forward pass of src/cpu's model over the layer table, every hidden layer kept (what ForwardPass reads back with `layers`). */
export function cpuTrace(params: Float32Array | Float64Array, layout: ParamLayout, x: Float32Array | Float64Array): ForwardTrace {
  const f = cpuForward(params, layout, x, undefined, true);
  const layers = f.hidden.map((hidden, i) => ({ preact: Float32Array.from(f.preact[i]), hidden: Float32Array.from(hidden) }));
  return { layers, logit: Float32Array.from(f.logit), prob: Float32Array.from(f.prob) };
}

/** Time a slice of CPU training may hold the main thread before it yields to the page. */
const CPU_SLICE_MS = 12;
const yieldToPage = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class CpuEngine implements Engine {
  readonly kind = 'cpu';
  readonly description = 'running on the CPU (slower)';
  readonly layout: ParamLayout;
  /** Time a slice of training may hold the main thread (the timing lesson raises it). */
  sliceMs = CPU_SLICE_MS;
  private readonly core: CpuTrainer;
  private readonly hyper: AdamHyper;
  private readonly base: TrainerConfig;
  private divergedAt: Divergence | undefined;

  /** Throws ConfigError (checkRun's problems) for an unusable configuration or data set. */
  constructor(
    data: Dataset,
    partial: Partial<TrainerConfig>,
    private readonly test?: Dataset,
  ) {
    const config: TrainerConfig = { ...DEFAULT_CONFIG, ...partial };
    const problems = checkRun(config, data, test);
    if (problems.length > 0) throw new ConfigError(problems);
    this.base = config;
    this.layout = paramLayout(config.model);
    this.hyper = { ...DEFAULT_ADAM, lr: config.lr };
    const shuffle = config.shuffle ?? false;
    const orders = shuffle ? new EpochOrders(config.seed, this.layout.count, batchPlan(data.n, config.batchSize, shuffle)) : undefined;
    this.core = new CpuTrainer(this.layout, data, initParams(config.seed, this.layout), {
      hyper: this.hyper,
      optimizer: config.optimizer,
      batchSize: config.batchSize,
      shuffle,
      order: orders && ((epoch) => orders.order(epoch)),
      targetColumns: data.targetColumns,
      dropoutSeed: generatorSeed(config.seed),
      storage: 'float32',
      streamed: true,
    });
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
  get stepsPerEpoch(): number {
    return this.core.stepsPerEpoch;
  }
  get stepsDone(): number {
    return this.core.step;
  }
  get epochsDone(): number {
    return this.core.epochsDone;
  }

  /**
   * Engine.train on the CPU: whole epochs per chunk (as many as fit in `sliceMs`, at least one),
   * yielding to the page between chunks and inside long epochs.
   */
  async train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`epochs must be a non-negative integer, got ${epochs}`);
    if (this.divergedAt) throw new RangeError(`${describeDivergence(this.divergedAt)}; reset or load parameters before training again`);
    const core = this.core;
    const perEpoch = core.stepsPerEpoch;
    const start = performance.now();
    let done = 0;
    let lastLoss = NaN;
    let lastTestLoss: number | undefined;
    let diverged: Divergence | undefined;
    let sliceStart = performance.now();
    while (done < epochs && !diverged && !(options.shouldStop?.() ?? false)) {
      const first = core.step;
      const losses: number[] = [];
      const testLosses: number[] = [];
      do {
        // The test loss of the parameters before this epoch's first update, evaluation mode (as the Trainer's).
        if (this.test) testLosses.push(core.loss(this.test.x, this.test.y));
        for (let j = 0; j < perEpoch && !diverged; j++) {
          const step = core.trainStep();
          losses.push(step.loss);
          if (step.faults) diverged = divergenceAt(core.step + 1, perEpoch, step.faults);
          else if (j < perEpoch - 1 && performance.now() - sliceStart >= this.sliceMs) {
            await yieldToPage();
            sliceStart = performance.now();
          }
        }
        if (!diverged) done++;
      } while (done < epochs && !diverged && performance.now() - sliceStart < this.sliceMs);
      const chunk = Float32Array.from(losses);
      const testChunk = this.test ? Float32Array.from(testLosses) : undefined;
      lastLoss = chunk[chunk.length - 1];
      lastTestLoss = testChunk?.[testChunk.length - 1];
      options.onLoss?.(first, chunk, testChunk);
      if (done < epochs && !diverged) {
        await yieldToPage();
        sliceStart = performance.now();
      }
    }
    this.divergedAt = diverged;
    return { epochs: done, diverged, seconds: (performance.now() - start) / 1000, lastLoss, lastTestLoss };
  }

  async forward(x: Floats): Promise<ForwardTrace> {
    return cpuTrace(this.core.params, this.layout, x);
  }
  async forwardWith(params: Floats, x: Floats): Promise<ForwardTrace> {
    return cpuTrace(params, this.layout, x);
  }
  async readParams(): Promise<Floats> {
    return Float32Array.from(this.core.params);
  }
  async snapshot(): Promise<TrainerState> {
    const { params, m, v, step } = this.core;
    return { params: Float32Array.from(params), m: Float32Array.from(m), v: Float32Array.from(v), step };
  }
  /** As Trainer.restore: the sizes must match and the step be whole epochs of this batch plan. */
  restore(state: TrainerState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`the state's step must be a non-negative integer, got ${state.step}`);
    const s = this.core.stepsPerEpoch;
    if (state.step % s !== 0) throw new RangeError(`the state is ${state.step} optimizer steps in, not a whole number of epochs of ${s} batches: it was trained with another batch size`);
    this.core.setState(state.params, state.m, state.v, state.step);
    this.divergedAt = undefined;
  }
  capture(store: ParamStore, slot: number): void {
    (store as CpuParamStore).write(slot, this.core.params);
  }
  destroy(): void {}
}
