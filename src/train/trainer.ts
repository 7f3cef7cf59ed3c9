// The trainer: owns the training buffers and one strategy, runs chunks of epochs, and streams the
// loss of every epoch (and the test loss, with a test set) back without waiting on the GPU per epoch.
import type { GpuContext } from '../gpu/context';
import { GpuError } from '../gpu/context';
import { isPowerOfTwo } from '../gpu/grid';
import { ReadbackPool, readFloats } from '../gpu/readback';
import type { GpuTimer } from '../gpu/timer';
import { structView } from '../gpu/structs';
import { DEFAULT_ADAM, type AdamHyper } from '../cpu/ops';
import { accuracy } from '../cpu/model';
import { targetProblem, type Dataset } from '../data/dataset';
import { initParams } from '../model/init';
import { inputShape, isClassifier, modelInputs, paramLayout, singleHidden, specProblems, type ModelSpec, type ParamLayout } from '../model/layout';
import { generatorSeed, isSeed } from '../model/seed';
import { TILE_PRESET_NAMES, type TilePresetName } from '../gpu/gemm';
import { adamStepBytes, createTrainingBuffers, STATUS_BYTES, type TrainingBuffers } from './buffers';
import { createTestEvaluation } from './evaluate';
import { ForwardPass, type ForwardTrace } from './forward';
import { FUSED } from './fused';
import { PIECEWISE } from './piecewise';
import { RESIDENT } from './resident';
import { STRATEGY_NAMES, supportProblem, type RunFeatures, type Strategy, type StrategyChoice, type StrategyDescriptor, type StrategyName, type StrategyQuery } from './strategy';
import { OPTIMIZERS, stepScalars, type OptimizerName } from './optimizer';
import { batchPlan, EpochOrders, type BatchPlan } from './batches';
import { EpochProgram } from './minibatch';
import { checkRun, divergenceAt } from './checks';

const FULL_BATCH_RUN: RunFeatures = { optimizer: 'adam', minibatches: false };
import { UNFUSED } from './unfused';
import { WIDE } from './wide';

export interface TrainerConfig {
  model: ModelSpec;
  lr: number;
  /** torch.manual_seed's seed: any integer in [-2^63, 2^64 - 1] (model/seed.ts). */
  seed: bigint;
  strategy: StrategyChoice;
  /** Workgroup size of the strategy's kernels; its own default when absent. */
  workgroupSize?: number;
  /** Epochs per submit: the granularity of loss streaming and of pausing. */
  chunkEpochs: number;
  /** Points each invocation sums in order in the reductions over N; by adapter kind when absent. */
  pointsPerThread?: number;
  /** The GEMM tiling of the fused and unfused strategies (gpu/gemm.ts TILE_PRESETS); by adapter kind when absent. */
  tiles?: TilePresetName;
  /** adam (default) or sgd (train/optimizer.ts). */
  optimizer?: OptimizerName;
  /** Rows per minibatch, as DataLoader's batch_size (one optimizer step per batch); absent: the full batch. */
  batchSize?: number;
  /** A new row order every epoch, as DataLoader(shuffle=True) draws it (train/batches.ts). */
  shuffle?: boolean;
}

export const DEFAULT_CONFIG: TrainerConfig = { model: singleHidden(2), lr: 0.001, seed: 43052n, strategy: 'auto', chunkEpochs: 250, optimizer: 'adam', shuffle: false };

/** At most this many optimizer steps go into one chunk (a submit), unless one epoch has more. */
export const MAX_CHUNK_STEPS = 4096;

/** The strategies, in the order `auto` asks them. */
export const STRATEGIES: readonly StrategyDescriptor[] = [RESIDENT, WIDE, PIECEWISE, FUSED, UNFUSED];

export function strategyDescriptor(name: StrategyName): StrategyDescriptor {
  return STRATEGIES.find((s) => s.name === name)!;
}

/** A setting that is wrong, as data: which field (the front ends place it) and why. */
export interface ConfigProblem {
  field: Exclude<keyof TrainerConfig, 'model'> | 'layers' | 'head' | 'dropout' | 'data' | 'test';
  message: string;
}

/** Every problem with a configuration; empty when it is valid. */
export function validateConfig(c: TrainerConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [...specProblems(c.model)];
  // No upper bound: a rate that diverges is caught on the GPU and reported with its epoch. Zero is
  // allowed, as torch allows it: the loss stays constant.
  if (!Number.isFinite(c.lr) || c.lr < 0) problems.push({ field: 'lr', message: `learning rate must be a number >= 0, got ${c.lr}` });
  if (typeof c.seed !== 'bigint' || !isSeed(c.seed)) problems.push({ field: 'seed', message: `seed must be an integer from -2^63 to 2^64 - 1, got ${c.seed}` });
  if (c.strategy !== 'auto' && !STRATEGY_NAMES.includes(c.strategy)) problems.push({ field: 'strategy', message: `strategy must be one of auto, ${STRATEGY_NAMES.join(', ')}, got ${c.strategy}` });
  if (c.workgroupSize !== undefined && (!isPowerOfTwo(c.workgroupSize) || c.workgroupSize > 256)) {
    problems.push({ field: 'workgroupSize', message: `workgroup size must be a power of two from 1 to 256, got ${c.workgroupSize}` });
  }
  if (!Number.isInteger(c.chunkEpochs) || c.chunkEpochs < 1 || c.chunkEpochs > 4096) problems.push({ field: 'chunkEpochs', message: `epochs per chunk must be an integer from 1 to 4096, got ${c.chunkEpochs}` });
  if (c.pointsPerThread !== undefined && (!Number.isInteger(c.pointsPerThread) || c.pointsPerThread < 1 || c.pointsPerThread > 65536)) {
    problems.push({ field: 'pointsPerThread', message: `points per thread must be an integer from 1 to 65536, got ${c.pointsPerThread}` });
  }
  if (c.tiles !== undefined && !TILE_PRESET_NAMES.includes(c.tiles)) problems.push({ field: 'tiles', message: `tiles must be one of ${TILE_PRESET_NAMES.join(', ')}, got ${c.tiles}` });
  if (c.optimizer !== undefined && !OPTIMIZERS.includes(c.optimizer)) problems.push({ field: 'optimizer', message: `optimizer must be one of ${OPTIMIZERS.join(', ')}, got ${c.optimizer}` });
  if (c.batchSize !== undefined && (!Number.isInteger(c.batchSize) || c.batchSize < 1 || c.batchSize > 2 ** 31)) {
    problems.push({ field: 'batchSize', message: `batch size must be a whole number of rows from 1 to 2^31, got ${c.batchSize}` });
  }
  if (c.shuffle !== undefined && typeof c.shuffle !== 'boolean') problems.push({ field: 'shuffle', message: `shuffle must be true or false, got ${String(c.shuffle)}` });
  return problems;
}

/** What is wrong with a data set for a model: feature count, targets for the head; undefined when fine. */
export function dataProblem(data: Dataset, spec: ModelSpec, what = 'the data set'): string | undefined {
  if (data.n < 1 || data.y.length !== data.n * (data.targetColumns ?? 1) || data.x.length !== data.n * data.d) {
    return `${what} needs at least one point and a target per point (points: ${data.n}, features: ${data.x.length}, targets: ${data.y.length})`;
  }
  const inputs = modelInputs(spec);
  if (data.d !== inputs) {
    const shape = inputShape(spec);
    const what2 = shape ? `the images ${shape.join('×')} are ${inputs} features` : `layers start with ${inputs} input${inputs === 1 ? '' : 's'}`;
    return `${what2}, but ${what} has ${data.d} feature${data.d === 1 ? '' : 's'} (${data.features.slice(0, 5).join(', ')}${data.d > 5 ? ', …' : ''}); ${shape ? 'give the input shape C,H,W of those features' : `set layers[0] to ${data.d} or choose the features`}`;
  }
  const target = targetProblem(data, spec.head, spec.layers[spec.layers.length - 1]);
  if (target) return `${what}: ${target}`;
  return undefined;
}

/**
 * auto: the first strategy, in STRATEGIES order, that supports the model, fits the device and is
 * preferred for this size (resident for small N·H, wide for 1-H-1 on fewer points than units,
 * piecewise for one input and one hidden layer, then fused); unfused runs anything that fits.
 */
export function chooseStrategy(q: Omit<StrategyQuery, 'workgroupSize'>, testSet: boolean, run: RunFeatures = FULL_BATCH_RUN): StrategyName {
  for (const s of STRATEGIES) {
    if (supportProblem(s, q.layout, run) || s.unsupported(q.layout, { testSet })) continue;
    const query = { ...q, workgroupSize: s.defaultWorkgroupSize(q.ctx, q.layout) };
    if (!s.limitProblem(query) && s.preferredBy(query)) return s.name;
  }
  return 'unfused';
}

/** Error thrown for an unusable configuration or data set; `field` says which setting. */
export class ConfigError extends RangeError {
  override name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

export interface TrainOptions {
  /**
   * Called once per chunk, in order, with the mean training loss of optimizer steps first+1 ..
   * first+losses.length (one per minibatch; the epochs themselves in full batch) and, with a test
   * set, the test loss of the chunk's epochs (first / stepsPerEpoch + 1 ..), each with the
   * parameters before the epoch's first update.
   */
  onLoss?: (firstStep: number, losses: Float32Array, testLosses?: Float32Array) => void;
  /** Checked between chunks; training stops early when it returns true. */
  shouldStop?: () => boolean;
  /** Times each chunk's compute pass on the GPU (the benchmark). */
  timer?: GpuTimer;
}

/** Where and why training stopped on a non-finite loss, gradient or update (common/status.wgsl). */
export interface Divergence {
  /** The epoch (1-based) of the first bad optimizer step. */
  epoch: number;
  /** The first bad optimizer step (1-based; the epoch in full batch): no parameter took its update, so the state is that of step - 1. */
  step: number;
  loss: boolean;
  update: boolean;
}

export function describeDivergence(d: Divergence): string {
  const what = [d.loss ? 'the loss was not finite' : '', d.update ? 'a gradient or the Adam update was not finite' : ''].filter(Boolean).join(' and ');
  if (d.step !== d.epoch) return `training stopped at optimizer step ${d.step} (epoch ${d.epoch}): ${what} (learning rate too large, or extreme data?); the parameters after step ${d.step - 1} are kept`;
  return `training stopped at epoch ${d.epoch}: ${what} (learning rate too large, or extreme data?); the parameters after epoch ${d.epoch - 1} are kept`;
}

export interface TrainResult {
  /** Epochs run by this call that count: up to the last good one when training diverged. */
  epochs: number;
  diverged?: Divergence;
  /** From the first submit to the last loss read back. */
  seconds: number;
  lastLoss: number;
  /** The last epoch's test loss, with a test set. */
  lastTestLoss?: number;
}

/** Everything needed to continue training elsewhere: after a lost device, or from a saved file. */
export interface TrainerState {
  params: Float32Array<ArrayBuffer>;
  m: Float32Array<ArrayBuffer>;
  v: Float32Array<ArrayBuffer>;
  /** Optimizer steps taken so far (Adam's t; the epochs trained, in full batch). */
  step: number;
}

export class Trainer {
  /** Optimizer steps taken (Adam's t); epochs are whole multiples of the plan's steps per epoch. */
  private step = 0;
  private divergedAt: Divergence | undefined;
  private readonly forwardPasses = new Map<Float32Array, { layers: boolean; pass: Promise<ForwardPass>; ready?: ForwardPass }>();
  private readonly readback: ReadbackPool;
  private readonly hyper: AdamHyper;
  readonly strategy: Strategy;
  /** How an epoch is cut into minibatches (one step per batch; the full batch is one). */
  readonly batches: BatchPlan;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: TrainerConfig,
    readonly layout: ParamLayout,
    private readonly program: EpochProgram,
    private readonly buffers: TrainingBuffers,
    readonly data: Dataset,
    readonly testData: Dataset | undefined,
  ) {
    this.hyper = { ...DEFAULT_ADAM, lr: config.lr };
    this.strategy = program.strategy;
    this.batches = program.plan;
    // Each chunk's losses (one per step), its test losses (one per epoch), then the divergence status.
    this.readback = new ReadbackPool(ctx, 'loss readback', (buffers.chunkSteps + buffers.chunkEpochs) * 4 + STATUS_BYTES);
  }

  /**
   * A trainer for `data` (and `test`, evaluated every epoch). Every setting, the data against the
   * model, and the device's limits are checked before anything is allocated.
   * Throws ConfigError (a setting or the data; `problems` say which), GpuError 'limit' (the device).
   */
  static async create(ctx: GpuContext, data: Dataset, partial: Partial<TrainerConfig> = {}, test?: Dataset): Promise<Trainer> {
    const config: TrainerConfig = { ...DEFAULT_CONFIG, ...partial };
    const problems = checkRun(config, data, test);
    if (problems.length > 0) throw new ConfigError(problems);
    const layout = paramLayout(config.model);
    const plan = batchPlan(data.n, config.batchSize, config.shuffle ?? false);
    const run: RunFeatures = { optimizer: config.optimizer ?? 'adam', minibatches: plan.gathered };
    // The strategy is asked about the rows it trains on at once: a batch.
    const base = { ctx, layout, n: plan.batchSize, testN: test?.n ?? 0, pointsPerThread: config.pointsPerThread, tiles: config.tiles };
    const name = config.strategy === 'auto' ? chooseStrategy(base, test !== undefined, run) : config.strategy;
    const descriptor = strategyDescriptor(name);
    const unsupported = supportProblem(descriptor, layout, run) ?? descriptor.unsupported(layout, { testSet: test !== undefined });
    if (unsupported) throw new ConfigError([{ field: 'strategy', message: unsupported }]);
    const wg = config.workgroupSize ?? descriptor.defaultWorkgroupSize(ctx, layout);
    if (wg > ctx.device.limits.maxComputeInvocationsPerWorkgroup) {
      throw new GpuError('limit', `workgroup size ${wg} exceeds this device's maxComputeInvocationsPerWorkgroup (${ctx.device.limits.maxComputeInvocationsPerWorkgroup}); choose ${ctx.device.limits.maxComputeInvocationsPerWorkgroup} or less`);
    }
    // The one check of the device's limits, before any allocation; the strategies rely on it.
    const limit = descriptor.limitProblem({ ...base, workgroupSize: wg });
    if (limit) throw new GpuError('limit', limit.message);
    // Whole epochs per chunk, at most MAX_CHUNK_STEPS optimizer steps unless one epoch has more.
    const chunkEpochs = Math.max(1, Math.min(config.chunkEpochs, Math.floor(MAX_CHUNK_STEPS / plan.stepsPerEpoch)));
    const buffers = createTrainingBuffers(ctx, data, test, layout, { ...DEFAULT_ADAM, lr: config.lr }, chunkEpochs, chunkEpochs * plan.stepsPerEpoch);
    try {
      const options = { workgroupSize: wg, pointsPerThread: config.pointsPerThread, tiles: config.tiles, dropoutSeed: generatorSeed(config.seed), optimizer: run.optimizer };
      const evaluation = buffers.test ? (await createTestEvaluation(ctx, buffers, buffers.test, config.tiles)).steps : [];
      const orders = new EpochOrders(config.seed, layout.count, plan);
      const program = await EpochProgram.create(ctx, buffers, data, descriptor, options, plan, orders, evaluation);
      const trainer = new Trainer(ctx, { ...config, strategy: name, workgroupSize: wg }, layout, program, buffers, data, test);
      trainer.setParams(initParams(config.seed, layout));
      return trainer;
    } catch (e) {
      buffers.destroy();
      throw e;
    }
  }

  /** Whole epochs trained. */
  get epochsDone(): number {
    return Math.floor(this.step / this.batches.stepsPerEpoch);
  }

  /** Optimizer steps taken (Adam's t): epochs × steps per epoch. */
  get stepsDone(): number {
    return this.step;
  }

  /** The optimizer of this run. */
  get optimizer(): OptimizerName {
    return this.config.optimizer ?? 'adam';
  }

  /** The parameters on the GPU, read-only: the page copies them into its snapshot buffer (copyBufferToBuffer). */
  get paramsBuffer(): GPUBuffer {
    return this.buffers.params;
  }

  /** The learning rate of the next epochs (torch's param_groups allow changing it between steps). */
  get learningRate(): number {
    return this.hyper.lr;
  }

  set learningRate(lr: number) {
    if (!Number.isFinite(lr) || lr < 0) throw new ConfigError([{ field: 'lr', message: `learning rate must be a number >= 0, got ${lr}` }]);
    this.hyper.lr = lr;
  }

  /** Replaces the parameters and restarts Adam (moments zero, step 0). */
  setParams(flat: Float32Array<ArrayBuffer>): void {
    this.restore({ params: flat, m: new Float32Array(this.layout.count), v: new Float32Array(this.layout.count), step: 0 });
  }

  /** Restores parameters and Adam state; throws a RangeError (nothing changed) when the sizes do not match. */
  restore(state: TrainerState): void {
    const p = this.layout.count;
    if (state.params.length !== p || state.m.length !== p || state.v.length !== p) {
      throw new RangeError(`the state holds ${state.params.length} parameters, this model has ${p}`);
    }
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`the state's step must be a non-negative integer, got ${state.step}`);
    const s = this.batches.stepsPerEpoch;
    if (state.step % s !== 0) throw new RangeError(`the state is ${state.step} optimizer steps in, not a whole number of epochs of ${s} batches: it was trained with another batch size`);
    const q = this.ctx.device.queue;
    q.writeBuffer(this.buffers.params, 0, state.params);
    q.writeBuffer(this.buffers.m, 0, state.m);
    q.writeBuffer(this.buffers.v, 0, state.v);
    q.writeBuffer(this.buffers.status, 0, new Uint32Array(STATUS_BYTES / 4));
    this.step = state.step;
    this.divergedAt = undefined;
  }

  async readParams(): Promise<Float32Array<ArrayBuffer>> {
    return readFloats(this.ctx, this.buffers.params);
  }

  async snapshot(): Promise<TrainerState> {
    const step = this.step;
    const [params, m, v] = await Promise.all([this.buffers.params, this.buffers.m, this.buffers.v].map((b) => readFloats(this.ctx, b)));
    return { params, m, v, step };
  }

  /**
   * The current model's forward pass (evaluation mode) on any inputs x (N, D). The pass for each
   * input array seen is kept, buffers and bind groups included: the page redraws the curve of the
   * same x after every chunk. With `layers`, each hidden layer's pre-activation and activation come
   * back too (the page's panels).
   */
  async forward(xs: Float32Array<ArrayBuffer>, layers = false): Promise<ForwardTrace> {
    let entry = this.forwardPasses.get(xs);
    if (!entry || entry.layers !== layers) {
      if (entry || this.forwardPasses.size >= 4) this.dropForwardPasses();
      const created: { layers: boolean; pass: Promise<ForwardPass>; ready?: ForwardPass } = { layers, pass: ForwardPass.create(this.ctx, this.buffers.params, this.layout, xs, layers) };
      void created.pass.then((p) => (created.ready = p), () => undefined);
      this.forwardPasses.set(xs, (entry = created));
    }
    return (await entry.pass).run();
  }

  /** Train and test accuracy (probability > 0.5, or the argmax for ce, against the target), for classification heads. */
  async accuracy(): Promise<{ train: number; test?: number } | undefined> {
    if (!isClassifier(this.layout.spec.head)) return undefined;
    const c = this.layout.outputs;
    const train = accuracy((await this.forward(this.data.x)).prob, this.data.y, c);
    const test = this.testData && accuracy((await this.forward(this.testData.x)).prob, this.testData.y, c);
    return { train, test };
  }

  /** Frees the cached forward passes: now if built, else as soon as they are. */
  private dropForwardPasses(): void {
    for (const { pass, ready } of this.forwardPasses.values()) {
      if (ready) ready.destroy();
      else void pass.then((p) => p.destroy(), () => undefined);
    }
    this.forwardPasses.clear();
  }

  /**
   * Trains `epochs` more epochs (each one optimizer step per minibatch), in chunks of whole epochs,
   * streaming every step's loss (and every epoch's test loss) back through onLoss.
   */
  async train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`epochs must be a non-negative integer, got ${epochs}`);
    if (this.divergedAt) throw new RangeError(`${describeDivergence(this.divergedAt)}; reset or load parameters before training again`);
    if (this.ctx.isLost()) throw new GpuError('device-lost', 'the GPU device was lost; training needs a new device');
    const { device } = this.ctx;
    const chunk = this.buffers.chunkEpochs;
    const perEpoch = this.batches.stepsPerEpoch;
    const stride = adamStepBytes();
    const stepsBytes = new ArrayBuffer(this.buffers.chunkSteps * stride);
    const stepViews = Array.from({ length: this.buffers.chunkSteps }, (_, k) => structView('ops/adam', 'AdamStep', stepsBytes, k * stride));
    const test = this.buffers.test;
    let delivered: Promise<void> = Promise.resolve();
    let lastLoss = NaN;
    let lastTestLoss: number | undefined;
    let diverged: Divergence | undefined;
    let done = 0;
    const start = performance.now();
    while (done < epochs && !diverged && !this.ctx.isLost() && !(options.shouldStop?.() ?? false)) {
      const count = Math.min(chunk, epochs - done);
      const slots = count * perEpoch;
      for (let k = 0; k < slots; k++) {
        const t = this.step + k + 1;
        const { stepSize, bc2Sqrt } = stepScalars(this.optimizer, this.hyper, t);
        stepViews[k].set({ step_size: stepSize, bc2_sqrt: bc2Sqrt, epoch: t });
      }
      device.queue.writeBuffer(this.buffers.steps, 0, stepsBytes, 0, slots * stride);
      this.program.writeOrders(device.queue, this.epochsDone, count);
      const staging = await this.readback.acquire();
      if (diverged) break; // learnt while waiting for a staging buffer
      const encoder = device.createCommandEncoder({ label: `steps ${this.step + 1}..${this.step + slots}` });
      const pass = encoder.beginComputePass({ label: `${this.strategy.name} chunk`, timestampWrites: options.timer?.next() });
      this.program.encode(pass, count);
      pass.end();
      // staging: losses (slots), test losses (count, with a test set), status
      const testAt = slots * 4;
      const statusAt = test ? testAt + count * 4 : testAt;
      encoder.copyBufferToBuffer(this.buffers.lossHistory, 0, staging, 0, slots * 4);
      if (test) encoder.copyBufferToBuffer(test.lossHistory, 0, staging, testAt, count * 4);
      encoder.copyBufferToBuffer(this.buffers.status, 0, staging, statusAt, STATUS_BYTES);
      device.queue.submit([encoder.finish()]);

      const first = this.step;
      const bytes = this.readback.read(staging, statusAt + STATUS_BYTES, count);
      delivered = Promise.all([delivered, bytes]).then(([, data]) => {
        if (diverged) return; // chunks queued behind the bad step carry nothing new
        let chunkLosses = new Float32Array(data, 0, slots);
        let testLosses = test ? new Float32Array(data, testAt, count) : undefined;
        const [badStep, why] = new Uint32Array(data, statusAt, 2);
        if (badStep !== 0) {
          diverged = divergenceAt(badStep, perEpoch, { loss: (why & 1) !== 0, update: (why & 2) !== 0 });
          // The bad step's own loss is delivered: it is the loss that stopped training; and the
          // test loss of every epoch that began.
          const keep = Math.max(0, badStep - first);
          chunkLosses = chunkLosses.subarray(0, keep);
          testLosses = testLosses?.subarray(0, Math.ceil(keep / perEpoch));
        }
        if (chunkLosses.length > 0) {
          lastLoss = chunkLosses[chunkLosses.length - 1];
          lastTestLoss = testLosses?.[testLosses.length - 1];
          options.onLoss?.(first, chunkLosses, testLosses);
        }
      });
      this.step += slots;
      done += count;
    }
    try {
      await delivered;
    } catch (e) {
      throw await this.ctx.explain(e); // "the GPU device was lost", rather than "mapAsync aborted"
    }
    if (this.ctx.isLost()) throw new GpuError('device-lost', 'the GPU device was lost during training');
    let counted = done;
    if (diverged) {
      this.divergedAt = diverged;
      // No update from the bad step on took place: the state is that of the step before.
      counted = done - (this.epochsDone - Math.floor((diverged.step - 1) / perEpoch));
      this.step = diverged.step - 1;
    }
    return { epochs: counted, diverged, seconds: (performance.now() - start) / 1000, lastLoss, lastTestLoss };
  }

  destroy(): void {
    this.dropForwardPasses();
    this.readback.destroy();
    this.buffers.destroy();
  }
}
