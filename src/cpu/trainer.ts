// The one CPU stepping core: a resumable trainer holding params, m, v and Adam's t, that takes one
// optimizer step per batch exactly as the GPU Trainer does: Adam (torch's formula, cpu/ops.ts) or
// SGD, the full batch or minibatches in the order train/batches.ts gives (torch 1.13's DataLoader),
// every head, dropout with the GPU's hash mask (common/dropout.wgsl, seeded by the step), conv models
// (cpu/model.ts's forward and backward). cpuTrain (the tests' reference) and the CPU engine (the
// page's, the CLI's --engine cpu) are thin loops over it.
//
// A step is all or nothing, as adam_check.wgsl makes it on the GPU: the update is computed into
// trial arrays and taken only when train/checks.ts's rule finds the loss and the update finite.
import type { ParamLayout } from '../model/layout';
import { isSingleHidden } from '../model/layout';
import { stepScalars, type OptimizerName } from '../train/optimizer';
import { batchPlan, type BatchPlan } from '../train/batches';
import { stepFaults, type StepFaults } from '../train/checks';
import * as k from './kernels';
import { dropoutKeep, dropoutStream, dropThreshold, keepScale } from './gemm';
import { cpuForward, cpuLoss, cpuLossAndGrads, type DropoutMask } from './model';
import { headDlogit, headLoss, type AdamHyper } from './ops';

type Vec = Float32Array | Float64Array;

/** How the state is stored: float32 as the GPU stores it (the engines), float64 (the reference). */
export type StateStorage = 'float32' | 'float64';

export interface CpuTrainerOptions {
  /** Adam's hyperparameters; SGD uses `lr` only. The object is kept: a new `lr` applies to the next step. */
  hyper: AdamHyper;
  /** adam (default) or sgd (momentum 0). */
  optimizer?: OptimizerName;
  /** Rows per batch, as DataLoader's batch_size (absent: the full batch). */
  batchSize?: number;
  /** Whether the plan shuffles (the order itself comes from `order`). */
  shuffle?: boolean;
  /** Epoch e's (1-based) row order, N indices (absent: file order). */
  order?: (epoch: number) => ArrayLike<number>;
  /** Targets per point (1, or C for probability rows). */
  targetColumns?: number;
  /** With a dropout model: the mask's seed (model/seed.ts generatorSeed); absent: dropout off (evaluation mode). */
  dropoutSeed?: number;
  /** float64 (default) or float32 params, m and v. */
  storage?: StateStorage;
  /** Stream one input, one hidden layer, one output without holding the (N, H) activations (the page's H = 204800 lesson). */
  streamed?: boolean;
}

/** One optimizer step's outcome: its batch's mean loss and, when it was refused (nothing changed), what was not finite. */
export interface CpuStep {
  loss: number;
  faults?: StepFaults;
}

/** The training data of a CPU trainer: x (N, D) and y (N, T), row-major. */
export interface CpuData {
  x: Vec;
  y: Vec;
}

export class CpuTrainer {
  params: Vec;
  m: Vec;
  v: Vec;
  /** Optimizer steps taken (Adam's t). */
  step = 0;
  readonly plan: BatchPlan;
  private readonly trial: { params: Vec; m: Vec; v: Vec };
  private readonly batchX: Float64Array;
  private readonly batchY: Float64Array;
  private readonly targets: number;
  private readonly streamedGrads: Float64Array | undefined;
  private order: ArrayLike<number> | undefined;
  private orderEpoch = 0;

  /**
   * A trainer at step 0 from `init` (P, the flat layout), moments zero.
   * Throws a RangeError when `init` does not have the layout's P values.
   */
  constructor(
    readonly layout: ParamLayout,
    private readonly data: CpuData,
    init: ArrayLike<number>,
    private readonly options: CpuTrainerOptions,
  ) {
    if (init.length !== layout.count) throw new RangeError(`init holds ${init.length} parameters, the model has ${layout.count}`);
    const make = (values?: ArrayLike<number>): Vec => {
      const a = options.storage === 'float32' ? new Float32Array(layout.count) : new Float64Array(layout.count);
      if (values) a.set(values);
      return a;
    };
    this.params = make(init);
    this.m = make();
    this.v = make();
    this.trial = { params: make(), m: make(), v: make() };
    this.targets = options.targetColumns ?? 1;
    const n = data.x.length / layout.inputs;
    this.plan = batchPlan(n, options.batchSize, options.shuffle ?? false);
    this.batchX = new Float64Array(this.plan.gathered ? this.plan.batchSize * layout.inputs : 0);
    this.batchY = new Float64Array(this.plan.gathered ? this.plan.batchSize * this.targets : 0);
    const streamable = isSingleHidden(layout) && layout.outputs === 1 && (layout.spec.dropout === 0 || options.dropoutSeed === undefined);
    this.streamedGrads = options.streamed && streamable ? new Float64Array(layout.count) : undefined;
  }

  get stepsPerEpoch(): number {
    return this.plan.stepsPerEpoch;
  }

  /** Whole epochs trained. */
  get epochsDone(): number {
    return Math.floor(this.step / this.plan.stepsPerEpoch);
  }

  /** The mean loss of the current parameters on x (M, D) against y, evaluation mode (what test_loss is). */
  loss(x: Vec, y: Vec): number {
    return cpuLoss(cpuForward(this.params, this.layout, x).logit, y, this.layout);
  }

  /**
   * The next optimizer step (t = step + 1) on the next batch of the epoch. When the loss or the
   * update is not finite (train/checks.ts stepFaults), nothing changes and `step` stays.
   */
  trainStep(): CpuStep {
    const t = this.step + 1;
    const { x, y } = this.batch(this.step);
    const mask = this.options.dropoutSeed === undefined ? undefined : dropoutMask(this.layout, this.options.dropoutSeed, t);
    let loss: number;
    let grads: Float64Array;
    if (this.streamedGrads && !mask) {
      loss = singleHiddenLossAndGrads(this.params, this.layout, x, y, this.streamedGrads);
      grads = this.streamedGrads;
    } else {
      ({ loss, grads } = cpuLossAndGrads(this.params, this.layout, x, y, mask));
    }
    const trial = this.trial;
    trial.params.set(this.params);
    trial.m.set(this.m);
    trial.v.set(this.v);
    if (this.options.optimizer === 'sgd') k.sgdStep(trial.params, grads, this.options.hyper.lr);
    else k.adamStep(trial.params, trial.m, trial.v, grads, this.options.hyper, t);
    const rows = x.length / this.layout.inputs;
    const { stepSize } = stepScalars(this.options.optimizer ?? 'adam', this.options.hyper, t);
    const faults = stepFaults({ meanLoss: loss, rows, stepSize, grads, params: trial.params, m: trial.m, v: trial.v });
    // A refused loss is reported as the GPU's: the float32 sum (not finite) over the rows.
    if (faults.loss) return { loss: Math.fround(loss * rows) / rows, faults };
    if (faults.update) return { loss, faults };
    [this.params, trial.params] = [trial.params, this.params];
    [this.m, trial.m] = [trial.m, this.m];
    [this.v, trial.v] = [trial.v, this.v];
    this.step = t;
    return { loss };
  }

  /** Replaces params, m, v and the step (copies); throws a RangeError, changing nothing, on a size mismatch. */
  setState(params: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, step: number): void {
    const p = this.layout.count;
    if (params.length !== p || m.length !== p || v.length !== p) throw new RangeError(`the state holds ${params.length} parameters, this model has ${p}`);
    this.params.set(params);
    this.m.set(m);
    this.v.set(v);
    this.step = step;
  }

  /** The rows of the batch of step `done` + 1: the data itself for the full batch in file order. */
  private batch(done: number): CpuData {
    const plan = this.plan;
    if (!plan.gathered) return this.data;
    const epoch = Math.floor(done / plan.stepsPerEpoch) + 1;
    if (this.orderEpoch !== epoch || !this.order) {
      this.order = this.options.order?.(epoch) ?? Uint32Array.from({ length: plan.n }, (_, i) => i);
      this.orderEpoch = epoch;
    }
    const d = this.layout.inputs;
    const t = this.targets;
    const rows = k.gatherRows(this.batchX, this.batchY, this.data.x, this.data.y, this.order, { n: plan.n, d, t, batch: plan.batchSize, j: done % plan.stepsPerEpoch });
    return { x: this.batchX.subarray(0, rows * d), y: this.batchY.subarray(0, rows * t) };
  }
}

/** The training-mode dropout mask of optimizer step t: the GPU's hash (common/dropout.wgsl), so both engines drop the same units. */
export function dropoutMask(layout: ParamLayout, seed: number, t: number): DropoutMask | undefined {
  const p = layout.spec.dropout;
  if (p === 0) return undefined;
  const threshold = dropThreshold(p);
  const scale = keepScale(p);
  const streams = layout.layers.map((l) => dropoutStream(seed, t, l.index));
  return (layer, index) => (dropoutKeep(streams[layer], index >>> 0, threshold) ? scale : 0);
}

/**
 * One input, one hidden ReLU layer, one output, no dropout: loss and gradients streamed point by
 * point and unit by unit, never holding the (N, H) activations, in double as src/cpu's model.
 * Writes `grads`; returns the mean loss.
 */
export function singleHiddenLossAndGrads(params: Vec, layout: ParamLayout, x: Vec, y: Vec, grads: Float64Array): number {
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
