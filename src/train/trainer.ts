// The trainer: owns the training buffers and one strategy, runs chunks of epochs, and streams the
// loss of every epoch back without waiting on the GPU per epoch.
import type { GpuContext } from '../gpu/context';
import { GpuError } from '../gpu/context';
import { chunking, isPowerOfTwo } from '../gpu/grid';
import { ReadbackPool, readFloats } from '../gpu/readback';
import type { GpuTimer } from '../gpu/timer';
import { DEFAULT_ADAM, adamStepScalars, type AdamHyper } from '../cpu/ops';
import type { Dataset } from '../data/dataset';
import { initParams } from '../model/init';
import { MAX_HIDDEN, paramLayout, type ParamLayout } from '../model/layout';
import { ADAM_STEP_BYTES, createTrainingBuffers, STATUS_BYTES, type TrainingBuffers } from './buffers';
import { ForwardPass, type ForwardTrace } from './forward';
import { createFused, fusedDefaultWorkgroup } from './fused';
import { columnsFit } from './columns';
import { createPiecewise, PIECEWISE_DEFAULT_WG, piecewiseFit, piecewiseRuns } from './piecewise';
import { createResident, RESIDENT_DEFAULT_WG } from './resident';
import { STRATEGY_NAMES, type Strategy, type StrategyChoice, type StrategyName, type StrategyOptions } from './strategy';
import { createUnfused, UNFUSED_DEFAULT_WG } from './unfused';

export interface TrainerConfig {
  hidden: number;
  lr: number;
  seed: number;
  strategy: StrategyChoice;
  /** Workgroup size of the strategy's kernels; its own default when absent. */
  workgroupSize?: number;
  /** Epochs per submit: the granularity of loss streaming and of pausing. */
  chunkEpochs: number;
  /** Points each invocation sums in order in the reductions over N (unfused, fused); by adapter kind when absent. */
  pointsPerThread?: number;
}

export const DEFAULT_CONFIG: TrainerConfig = { hidden: 2, lr: 0.001, seed: 43052, strategy: 'auto', chunkEpochs: 250 };

export function defaultWorkgroupSize(ctx: GpuContext, strategy: StrategyName, hidden: number): number {
  switch (strategy) {
    case 'unfused':
      return UNFUSED_DEFAULT_WG;
    case 'fused':
      return fusedDefaultWorkgroup(ctx, hidden);
    case 'resident':
      return RESIDENT_DEFAULT_WG;
    case 'piecewise':
      return PIECEWISE_DEFAULT_WG;
  }
}

/**
 * Up to this many point·units (N·H) per epoch, one workgroup running whole chunks of epochs
 * (resident) beats three dispatches per epoch (piecewise). Measured on a software adapter (the
 * benchmark in the README: ~45 µs per dispatch, resident ~12 ns per point·unit, piecewise ~200 µs
 * plus ~13 ns per point): they cross near 2^14. Not measured on a GPU, where dispatches are cheaper
 * and one workgroup leaves more cores idle, so the bound there is lower.
 */
export function residentMaxWork(ctx: GpuContext): number {
  return ctx.isSoftware ? 1 << 14 : 1 << 12;
}

/**
 * auto: resident while N·H is small enough that one workgroup beats dispatch overhead and it fits
 * in workgroup memory; otherwise piecewise, whose epoch costs O(N + H²) rather than O(N·H), while
 * its sums fit in workgroup memory; otherwise fused while its columns fit; otherwise unfused,
 * which runs any size.
 */
export function chooseStrategy(ctx: GpuContext, n: number, hidden: number): StrategyName {
  if (n * hidden <= residentMaxWork(ctx) && columnsFit(ctx, 'resident', hidden, RESIDENT_DEFAULT_WG) === undefined) return 'resident';
  if (piecewiseFit(ctx, hidden) === undefined) return 'piecewise';
  return columnsFit(ctx, 'fused', hidden, 1) === undefined ? 'fused' : 'unfused';
}

/** Every problem with a configuration, as messages naming the setting; empty when it is valid. */
export function validateConfig(c: TrainerConfig): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(c.hidden) || c.hidden < 1 || c.hidden > MAX_HIDDEN) problems.push(`hidden width must be an integer from 1 to ${MAX_HIDDEN}, got ${c.hidden}`);
  // No upper bound: a rate that diverges is caught on the GPU and reported with its epoch.
  if (!Number.isFinite(c.lr) || c.lr <= 0) problems.push(`learning rate must be a positive number, got ${c.lr}`);
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed > 0xffffffff) problems.push(`seed must be an integer from 0 to ${0xffffffff}, got ${c.seed}`);
  if (c.strategy !== 'auto' && !STRATEGY_NAMES.includes(c.strategy)) problems.push(`strategy must be one of auto, ${STRATEGY_NAMES.join(', ')}, got ${c.strategy}`);
  if (c.workgroupSize !== undefined && (!isPowerOfTwo(c.workgroupSize) || c.workgroupSize > 256)) {
    problems.push(`workgroup size must be a power of two from 1 to 256, got ${c.workgroupSize}`);
  }
  if (!Number.isInteger(c.chunkEpochs) || c.chunkEpochs < 1 || c.chunkEpochs > 4096) problems.push(`epochs per chunk must be an integer from 1 to 4096, got ${c.chunkEpochs}`);
  if (c.pointsPerThread !== undefined && (!Number.isInteger(c.pointsPerThread) || c.pointsPerThread < 1 || c.pointsPerThread > 65536)) {
    problems.push(`points per thread must be an integer from 1 to 65536, got ${c.pointsPerThread}`);
  }
  return problems;
}

/** The largest single buffer each strategy binds, to check against the device before allocating. */
function largestBinding(ctx: GpuContext, strategy: StrategyName, n: number, config: TrainerConfig, wg: number): { bytes: number; what: string } {
  const hidden = config.hidden;
  switch (strategy) {
    case 'unfused':
      return { bytes: 4 * n * hidden, what: `the (N, H) activations, ${n}×${hidden} floats` };
    case 'fused': {
      const { chunks } = chunking(n, wg, ctx.isSoftware, config.pointsPerThread, 4); // as createFused cuts them
      return { bytes: 4 * Math.max(n, (3 * hidden + 2) * chunks), what: `the partial sums, ${3 * hidden + 2}×${chunks} floats` };
    }
    case 'resident':
      return { bytes: 4 * n, what: `the data, ${n} floats` };
    case 'piecewise': {
      const { runs } = piecewiseRuns(ctx, n, hidden, wg, config.pointsPerThread); // as createPiecewise cuts them
      return { bytes: Math.max(4 * n, 8 * (hidden + 2) * runs), what: `the segment sums, ${hidden + 2}×${runs} pairs of floats` };
    }
  }
}

const STRATEGIES: Record<StrategyName, (ctx: GpuContext, b: TrainingBuffers, data: Dataset, options: StrategyOptions) => Promise<Strategy>> = {
  unfused: (ctx, b, _, options) => createUnfused(ctx, b, options),
  fused: (ctx, b, _, options) => createFused(ctx, b, options),
  resident: (ctx, b, _, options) => createResident(ctx, b, options),
  piecewise: createPiecewise,
};

export interface TrainOptions {
  /** Called once per chunk, in order, with the mean loss of epochs first+1 .. first+losses.length. */
  onLoss?: (firstEpoch: number, losses: Float32Array) => void;
  /** Checked between chunks; training stops early when it returns true. */
  shouldStop?: () => boolean;
  /** Times each chunk's compute pass on the GPU (the benchmark). */
  timer?: GpuTimer;
}

/** Where and why training stopped on a non-finite loss or update (common/status.wgsl). */
export interface Divergence {
  /** The first bad epoch (1-based); its update was refused, so the state is that of epoch - 1. */
  epoch: number;
  loss: boolean;
  update: boolean;
}

export function describeDivergence(d: Divergence): string {
  const what = [d.loss ? 'the loss was not finite' : '', d.update ? 'the Adam update would make parameters non-finite' : ''].filter(Boolean).join(' and ');
  return `training stopped at epoch ${d.epoch}: ${what} (learning rate too large, or extreme data?); the parameters after epoch ${d.epoch - 1} are kept`;
}

export interface TrainResult {
  /** Epochs run by this call that count: up to the last good one when training diverged. */
  epochs: number;
  diverged?: Divergence;
  /** From the first submit to the last loss read back. */
  seconds: number;
  lastLoss: number;
}

/** Everything needed to continue training elsewhere: after a lost device, or from a saved file. */
export interface TrainerState {
  params: Float32Array<ArrayBuffer>;
  m: Float32Array<ArrayBuffer>;
  v: Float32Array<ArrayBuffer>;
  /** Adam steps taken so far (epochs trained). */
  step: number;
}

export class Trainer {
  private step = 0;
  private divergedAt: Divergence | undefined;
  private forwardPass: { inputs: Float32Array; pass: Promise<ForwardPass>; ready?: ForwardPass } | undefined;
  private readonly readback: ReadbackPool;

  private constructor(
    readonly ctx: GpuContext,
    readonly config: TrainerConfig,
    readonly layout: ParamLayout,
    readonly strategy: Strategy,
    private readonly buffers: TrainingBuffers,
    private readonly hyper: AdamHyper,
  ) {
    // Each chunk's losses, then the divergence status right after them.
    this.readback = new ReadbackPool(ctx, 'loss readback', config.chunkEpochs * 4 + STATUS_BYTES);
  }

  static async create(ctx: GpuContext, data: Dataset, partial: Partial<TrainerConfig> = {}): Promise<Trainer> {
    const config: TrainerConfig = { ...DEFAULT_CONFIG, ...partial };
    const problems = validateConfig(config);
    if (problems.length > 0) throw new RangeError(problems.join('; '));
    const n = data.x.length;
    if (n < 1 || data.y.length !== n) throw new RangeError(`the data set needs as many labels as inputs, and at least one point (x: ${n}, y: ${data.y.length})`);
    const layout = paramLayout(config.hidden);
    const name = config.strategy === 'auto' ? chooseStrategy(ctx, n, config.hidden) : config.strategy;
    const wg = config.workgroupSize ?? defaultWorkgroupSize(ctx, name, config.hidden);
    if (wg > ctx.device.limits.maxComputeInvocationsPerWorkgroup) {
      throw new GpuError('limit', `workgroup size ${wg} exceeds this device's maxComputeInvocationsPerWorkgroup (${ctx.device.limits.maxComputeInvocationsPerWorkgroup})`);
    }
    const largest = largestBinding(ctx, name, n, config, wg);
    const limit = Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
    if (largest.bytes > limit) {
      throw new GpuError(
        'limit',
        `N=${n}, hidden=${config.hidden} with strategy ${name} needs a ${largest.bytes}-byte buffer for ${largest.what}, ` +
          `over this device's maxStorageBufferBindingSize/maxBufferSize of ${limit} bytes`,
      );
    }
    if (name !== 'unfused') {
      // The one check of workgroup memory, before any allocation; the strategies rely on it.
      const problem = name === 'piecewise' ? piecewiseFit(ctx, config.hidden) : columnsFit(ctx, name, config.hidden, wg);
      if (problem) throw new GpuError('limit', problem);
    }
    const hyper: AdamHyper = { ...DEFAULT_ADAM, lr: config.lr };
    const buffers = createTrainingBuffers(ctx, data, layout, hyper, config.chunkEpochs);
    try {
      const options = { workgroupSize: wg, pointsPerThread: config.pointsPerThread };
      const strategy = await STRATEGIES[name](ctx, buffers, data, options);
      const trainer = new Trainer(ctx, { ...config, workgroupSize: wg }, layout, strategy, buffers, hyper);
      trainer.setParams(initParams(config.seed, config.hidden));
      return trainer;
    } catch (e) {
      buffers.destroy();
      throw e;
    }
  }

  get epochsDone(): number {
    return this.step;
  }

  /** Replaces the parameters and restarts Adam (moments zero, step 0). */
  setParams(flat: Float32Array<ArrayBuffer>): void {
    this.restore({ params: flat, m: new Float32Array(this.layout.count), v: new Float32Array(this.layout.count), step: 0 });
  }

  restore(state: TrainerState): void {
    const p = this.layout.count;
    if (state.params.length !== p || state.m.length !== p || state.v.length !== p) {
      throw new RangeError(`the state holds ${state.params.length} parameters, this model has ${p}`);
    }
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
   * The current model's forward pass on any inputs. The pass for the last inputs seen is kept,
   * buffers and bind groups included: the page redraws the curve of the same x after every chunk.
   */
  async forward(xs: Float32Array<ArrayBuffer>): Promise<ForwardTrace> {
    if (this.forwardPass?.inputs !== xs) {
      this.dropForwardPass();
      const entry: { inputs: Float32Array; pass: Promise<ForwardPass>; ready?: ForwardPass } = {
        inputs: xs,
        pass: ForwardPass.create(this.ctx, this.buffers.params, this.layout, xs),
      };
      void entry.pass.then((p) => (entry.ready = p), () => undefined);
      this.forwardPass = entry;
    }
    return (await this.forwardPass.pass).run();
  }

  /** Frees the cached forward pass: now if it is built, else as soon as it is. */
  private dropForwardPass(): void {
    const entry = this.forwardPass;
    this.forwardPass = undefined;
    if (entry?.ready) entry.ready.destroy();
    else void entry?.pass.then((p) => p.destroy(), () => undefined);
  }

  async train(epochs: number, options: TrainOptions = {}): Promise<TrainResult> {
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`epochs must be a non-negative integer, got ${epochs}`);
    if (this.divergedAt) throw new RangeError(`${describeDivergence(this.divergedAt)}; reset or load parameters before training again`);
    if (this.ctx.isLost()) throw new GpuError('device-lost', 'the GPU device was lost; training needs a new device');
    const { device } = this.ctx;
    const chunk = this.config.chunkEpochs;
    const stepsBytes = new ArrayBuffer(chunk * ADAM_STEP_BYTES);
    const stepsF32 = new Float32Array(stepsBytes);
    const stepsU32 = new Uint32Array(stepsBytes);
    const words = ADAM_STEP_BYTES / 4;
    let delivered: Promise<void> = Promise.resolve();
    let lastLoss = NaN;
    let diverged: Divergence | undefined;
    let done = 0;
    const start = performance.now();
    while (done < epochs && !diverged && !this.ctx.isLost() && !(options.shouldStop?.() ?? false)) {
      const count = Math.min(chunk, epochs - done);
      for (let k = 0; k < count; k++) {
        const t = this.step + k + 1;
        const { stepSize, bc2Sqrt } = adamStepScalars(this.hyper, t);
        stepsF32[words * k] = stepSize;
        stepsF32[words * k + 1] = bc2Sqrt;
        stepsU32[words * k + 2] = t;
      }
      device.queue.writeBuffer(this.buffers.steps, 0, stepsBytes, 0, count * ADAM_STEP_BYTES);
      const staging = await this.readback.acquire();
      if (diverged) break; // learnt while waiting for a staging buffer
      const encoder = device.createCommandEncoder({ label: `epochs ${this.step + 1}..${this.step + count}` });
      const pass = encoder.beginComputePass({ label: `${this.strategy.name} chunk`, timestampWrites: options.timer?.next() });
      this.strategy.encode(pass, count);
      pass.end();
      encoder.copyBufferToBuffer(this.buffers.lossHistory, 0, staging, 0, count * 4);
      encoder.copyBufferToBuffer(this.buffers.status, 0, staging, count * 4, STATUS_BYTES);
      device.queue.submit([encoder.finish()]);

      const first = this.step;
      const bytes = this.readback.read(staging, count * 4 + STATUS_BYTES, count);
      delivered = Promise.all([delivered, bytes]).then(([, data]) => {
        if (diverged) return; // chunks queued behind the bad epoch carry nothing new
        let chunkLosses = new Float32Array(data, 0, count);
        const [badEpoch, why] = new Uint32Array(data, count * 4, 2);
        if (badEpoch !== 0) {
          diverged = { epoch: badEpoch, loss: (why & 1) !== 0, update: (why & 2) !== 0 };
          chunkLosses = chunkLosses.subarray(0, Math.max(0, badEpoch - first));
        }
        if (chunkLosses.length > 0) {
          lastLoss = chunkLosses[chunkLosses.length - 1];
          options.onLoss?.(first, chunkLosses);
        }
      });
      this.step += count;
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
      // Every update from the bad epoch on was refused: the state is that of the epoch before.
      counted = done - (this.step - (diverged.epoch - 1));
      this.step = diverged.epoch - 1;
    }
    return { epochs: counted, diverged, seconds: (performance.now() - start) / 1000, lastLoss };
  }

  destroy(): void {
    this.dropForwardPass();
    this.readback.destroy();
    this.buffers.destroy();
  }
}
