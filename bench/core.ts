// The benchmark, shared by both runtimes. For each of the course's shapes and each strategy that
// supports it: µs per epoch (median of several runs after a warm-up), the loss after the same
// epochs every system trains, GPU time of the chunk passes, and a profiling pass that times each
// dispatch (one compute pass per dispatch with timestamp writes) and sums it per epoch by kernel.
// Then the lecture family's N × H grid, timed the same way without the profile.
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer } from '../src/gpu/timer';
import { generateLectureData } from '../src/data/generate';
import type { Dataset } from '../src/data/dataset';
import { isSingleHidden, paramLayout, singleHidden, type ModelSpec, type ParamLayout } from '../src/model/layout';
import { encodeSteps, type Step } from '../src/train/steps';
import type { TilePresetName } from '../src/gpu/gemm';
import { STRATEGY_NAMES, supportProblem, type RunFeatures, type StrategyName } from '../src/train/strategy';
import { STRATEGIES, Trainer } from '../src/train/trainer';
import { caseSpec, COURSE_CASES, courseCaseOf, goldenKey, loadData } from './cases';
import { COSTS, kernelName, stepCost, stepShape, type Cost, type StepShape } from './cost';
import { measurePeaks, type MeasuredPeaks } from './peaks';

export interface BenchPlan {
  quick: boolean;
  /** Course cases by id (cases.ts), in order. */
  caseIds: string[];
  /** Epochs every system trains from the same initial parameters before its loss is compared. */
  lossEpochs: number;
  /** Wall time aimed at for one measured run. */
  targetRunSeconds: number;
  runs: number;
  /** A case whose first epoch takes longer is reported from its first epochs alone (marked ~). */
  maxEpochSeconds: number;
  /** Epochs of the per-dispatch profile. */
  profileEpochs: number;
  grid: { sizes: number[]; widths: number[]; strategies: StrategyName[] };
  /** Grid cases above this N·H are skipped for resident (one workgroup) and for unfused (15 dispatches over (N,H)). */
  maxResidentWork: number;
  maxUnfusedWork: number;
  /** Cases not started by then (seconds from the start of runBench) are skipped: the device report's bound. */
  deadlineSeconds?: number;
}

export const QUICK_PLAN: BenchPlan = {
  quick: true,
  caseIds: COURSE_CASES.filter((c) => c.quick).map((c) => c.id),
  lossEpochs: 10,
  targetRunSeconds: 0.1,
  runs: 3,
  maxEpochSeconds: 0.5,
  profileEpochs: 1,
  grid: { sizes: [20000], widths: [2, 32], strategies: ['fused', 'resident', 'piecewise'] },
  maxResidentWork: 1 << 20,
  maxUnfusedWork: 1 << 20,
};

export const FULL_PLAN: BenchPlan = {
  quick: false,
  caseIds: COURSE_CASES.filter((c) => c.inFullPlan !== false).map((c) => c.id),
  lossEpochs: 20,
  targetRunSeconds: 0.3,
  runs: 5,
  maxEpochSeconds: 1,
  profileEpochs: 2,
  grid: { sizes: [2000, 20000, 200000], widths: [2, 32, 256], strategies: [...STRATEGY_NAMES] },
  maxResidentWork: 1 << 22,
  maxUnfusedWork: 1 << 23,
};

/** One kernel's share of an epoch: dispatches, GPU µs and what it must compute and move (bench/cost.ts). */
export interface KernelRow {
  name: string;
  dispatches: number;
  us: number;
  flops: number;
  bytes: number;
}

export interface Row {
  /** Course case id, or `grid` for the N × H grid. */
  case: string;
  n: number;
  layers: number[];
  strategy: StrategyName;
  workgroupSize: number;
  usPerEpoch: number;
  gpuUsPerEpoch?: number;
  dispatchesPerEpoch: number;
  epochsPerRun: number;
  runs: number;
  /** The loss of epoch `lossEpoch` (computed before its update), from the case's initial parameters. */
  finalLoss: number;
  lossEpoch: number;
  /** The loss of each optimizer step of those epochs (one per epoch in full batch), to hold another system's loss against. */
  losses: number[];
  /** Rows per optimizer step when the case trains on minibatches (absent: the full batch). */
  batchSize?: number;
  /** Optimizer steps per epoch (absent: 1, the full batch). */
  stepsPerEpoch?: number;
  /**
   * The per-dispatch profile: per epoch, or with minibatches per optimizer step of `batchSize`
   * rows (`kernelsPer: 'step'`; the batch gather is not in it).
   */
  kernels?: KernelRow[];
  kernelsPer?: 'epoch' | 'step';
  skipped?: string;
}

/** Another system's time on a course case, measured in the same run. */
export interface Baseline {
  system: string;
  case: string;
  /** Epochs of the loss run; finalLoss is the loss of its last optimizer step. */
  epochs: number;
  usPerEpoch: number;
  finalLoss: number;
  /** Every optimizer step's loss of those epochs, where the system reports them (PyTorch). */
  losses?: number[];
}

/** The CPU engine (src/cpu/model.ts cpuTrain, float64 JS) on the 05wk-1 shapes. */
export interface CpuEngineRow {
  case: string;
  epochsTimed: number;
  secondsPerEpoch: number;
}

export interface BenchReport {
  runtime: string;
  adapter: string;
  /** The plan class the run planned for (gpu/plan.ts): the adapter's own, or --device-class. */
  deviceClass?: string;
  /** Dawn's npm package version, or the browser's. */
  version: string;
  date: string;
  quick: boolean;
  lossEpochs: number;
  peaks: MeasuredPeaks;
  /** How the per-kernel times were taken. */
  profiling: string;
  rows: Row[];
  grid: Row[];
  baselines: Baseline[];
  /** Systems that could not run here, with why. */
  unavailable: Record<string, string>;
  cpuEngine: CpuEngineRow[];
  /** Where each course case's points came from (a random stand-in when ../shared was not there). */
  dataSources: Record<string, string>;
  /** Per course case with a golden: PyTorch 1.13's first steps, as long as the longest loss run here. */
  goldens?: Record<string, GoldenPrefix>;
}

/** The first steps of a golden (../shared/golden, make_golden_seq.py): loss[i] of optimizer step i+1 and its band tolerance[i]. */
export interface GoldenPrefix {
  file: string;
  stepsPerEpoch: number;
  loss: number[];
  tolerance: number[];
}

/** The golden's first `steps` steps from its JSON text, or why it cannot be read. */
export function goldenPrefix(file: string, text: string | undefined, steps: number): GoldenPrefix | { missing: string } {
  if (text === undefined) return { missing: `${file} not found in ../shared/golden` };
  const g = JSON.parse(text) as { loss?: number[]; tolerance?: number[]; config?: { steps_per_epoch?: number } };
  if (!Array.isArray(g.loss) || !Array.isArray(g.tolerance)) return { missing: `${file} has no loss and tolerance arrays` };
  return { file, stepsPerEpoch: g.config?.steps_per_epoch ?? 1, loss: g.loss.slice(0, steps), tolerance: g.tolerance.slice(0, steps) };
}

/** Epochs of the loss run for a case whose first epoch passes maxEpochSeconds. */
const SLOW_LOSS_EPOCHS = 3;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * The strategies that train this model with these features (those whose descriptor's support and
 * own check do not refuse it: strategy.ts supportProblem, then unsupported), in `auto`'s order.
 */
export function supportingStrategies(layout: ParamLayout, run: RunFeatures = { optimizer: 'adam', minibatches: false }): StrategyName[] {
  return STRATEGIES.filter((s) => !supportProblem(s, layout, run) && !s.unsupported(layout, { testSet: false })).map((s) => s.name);
}

export function profilingMethod(ctx: GpuContext): string {
  return ctx.hasTimestamps
    ? 'timestamp queries, one compute pass per dispatch'
    : 'no timestamp queries on this adapter: wall time of one pass of repeated dispatches of each kernel, submit included';
}


/** A dispatch's cost: the one its builder gave it (the conv and pool kernels), or cost.ts's formula for its kernel. */
export const dispatchCost = (shape: StepShape, layout: ParamLayout, n: number, piecewiseRuns = 0): Cost => stepCost(shape, layout, n, piecewiseRuns);

/** A dispatch's row name in the per-kernel table. */
export const dispatchName = (shape: Pick<StepShape, 'file' | 'label'>): string => kernelName(shape);

/**
 * The per-kernel profile of a per-epoch strategy: each step in its own pass, `epochs` times, timed
 * by timestamp queries (or, without them, by the wall time of a pass repeating one step), summed
 * per epoch by kernel name with the step's FLOPs and bytes.
 */
export async function profileSteps(ctx: GpuContext, steps: readonly Step[], layout: ParamLayout, n: number, epochs: number): Promise<KernelRow[]> {
  const { device } = ctx;
  const perStep: number[] = new Array(steps.length).fill(0);
  if (ctx.hasTimestamps) {
    const timer = GpuTimer.create(ctx, steps.length * epochs)!;
    try {
      const encoder = device.createCommandEncoder({ label: 'profile epochs' });
      for (let e = 0; e < epochs; e++) {
        for (const s of steps) {
          const pass = encoder.beginComputePass({ label: `profile ${s.group.label}`, timestampWrites: timer.next() });
          encodeSteps(pass, [s], 1);
          pass.end();
        }
      }
      device.queue.submit([encoder.finish()]);
      (await timer.passSeconds()).forEach((sec, i) => (perStep[i % steps.length] += sec / epochs));
    } finally {
      timer.destroy();
    }
  } else {
    for (const [i, s] of steps.entries()) {
      const encoder = device.createCommandEncoder({ label: `profile ${s.group.label}` });
      const pass = encoder.beginComputePass({ label: `profile ${s.group.label}` });
      for (let e = 0; e < epochs; e++) encodeSteps(pass, [s], 1);
      pass.end();
      const start = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      perStep[i] = (performance.now() - start) / 1000 / epochs;
    }
  }
  const points = steps.find((s) => s.kernel.spec.file === 'piecewise_points');
  const runs = points ? stepShape(points).workgroups.reduce((a, b) => a * b, 1) * points.kernel.workgroupSize : 0;
  const byName = new Map<string, KernelRow>();
  steps.forEach((s, i) => {
    const shape = stepShape(s);
    const name = dispatchName(shape);
    const cost = dispatchCost(shape, layout, n, runs);
    const row = byName.get(name) ?? { name, dispatches: 0, us: 0, flops: 0, bytes: 0 };
    row.dispatches += 1;
    row.us += perStep[i] * 1e6;
    row.flops += cost.flops;
    row.bytes += cost.bytes;
    byName.set(name, row);
  });
  return [...byName.values()];
}

export interface MeasureCase {
  caseId: string;
  data: Dataset;
  spec: ModelSpec;
  seed: bigint;
  lr: number;
  strategy: StrategyName;
  workgroupSize?: number;
  /** The GEMM tiling of fused and unfused (gpu/gemm.ts presets); the adapter kind's default when absent. */
  tiles?: TilePresetName;
  /** Rows per optimizer step (DataLoader's batch_size, file order); absent: the course case's own (cases.ts), else the full batch. */
  batchSize?: number;
  /** At most this many epochs in the loss run; absent: the course case's own cap, else the plan's lossEpochs. */
  maxLossEpochs?: number;
  profile: boolean;
  /** Asked between the phases of the measurement (each a short run); true stops it with a StoppedError. */
  shouldStop?: () => boolean;
}

/** A measurement stopped by its caller (MeasureCase.shouldStop). */
export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

const describe = (c: MeasureCase) => `${c.caseId.padEnd(20)} ${c.strategy.padEnd(9)} N=${String(c.data.n).padStart(7)}`;

/** One case and strategy: the loss run (lossEpochs epochs, also the warm-up), timed runs, the profile. */
export async function measure(ctx: GpuContext, c: MeasureCase, plan: BenchPlan, log: (s: string) => void = () => {}): Promise<Row> {
  const base = { case: c.caseId, n: c.data.n, layers: [...c.spec.layers], strategy: c.strategy };
  const own = courseCaseOf(c.caseId);
  const batchSize = c.batchSize ?? own?.batchSize;
  const maxLossEpochs = c.maxLossEpochs ?? own?.maxLossEpochs ?? Infinity;
  let trainer: Trainer;
  try {
    trainer = await Trainer.create(ctx, c.data, { model: c.spec, lr: c.lr, seed: c.seed, strategy: c.strategy, workgroupSize: c.workgroupSize, tiles: c.tiles, batchSize, chunkEpochs: 1000 });
  } catch (e) {
    log(`${describe(c)}: does not fit (${(e as Error).message.slice(0, 100)})`);
    return skipped(c, (e as Error).message);
  }
  const timer = GpuTimer.create(ctx, 64);
  const checkStop = () => {
    if (c.shouldStop?.()) throw new StoppedError();
  };
  try {
    const losses: number[] = [];
    const onLoss = (_: number, chunk: Float32Array) => losses.push(...chunk);
    const first = await trainer.train(1, { onLoss }); // pipelines, first touch of every buffer
    let perEpoch = first.seconds;
    let gpuPerEpoch: number | undefined;
    let finalLoss = first.lastLoss;
    let lossEpoch = 1;
    // The loss run: lossEpochs epochs in all, as every other system trains them; SLOW_LOSS_EPOCHS
    // when an epoch takes seconds (another system's loss is then held against ours where both exist).
    checkStop();
    if (plan.lossEpochs > 1) {
      const second = await trainer.train(1, { onLoss, timer }); // the first epoch's time is mostly compilation
      perEpoch = second.seconds;
      if (timer) gpuPerEpoch = await timer.seconds();
      finalLoss = second.lastLoss;
      lossEpoch = 2;
    }
    const slow = perEpoch > plan.maxEpochSeconds;
    const lossEpochs = Math.min(slow ? Math.min(plan.lossEpochs, SLOW_LOSS_EPOCHS) : plan.lossEpochs, maxLossEpochs);
    checkStop();
    if (lossEpochs > 2) {
      const run = await trainer.train(lossEpochs - 2, { onLoss, timer });
      finalLoss = run.lastLoss;
      lossEpoch += run.epochs;
      perEpoch = run.seconds / run.epochs;
      if (timer) gpuPerEpoch = (await timer.seconds()) / run.epochs;
    }
    const batches = trainer.batches;
    // Per optimizer step: the strategy's dispatches, and the gather of its batch when the plan gathers.
    const dispatchesPerEpoch = batches.stepsPerEpoch * (trainer.strategy.dispatchesPerEpoch + (batches.gathered ? 1 : 0));
    const minibatch = batches.stepsPerEpoch > 1 ? { batchSize: batches.batchSize, stepsPerEpoch: batches.stepsPerEpoch } : {};
    const row: Row = { ...base, ...minibatch, workgroupSize: trainer.strategy.workgroupSize, usPerEpoch: perEpoch * 1e6, gpuUsPerEpoch: gpuPerEpoch === undefined ? undefined : gpuPerEpoch * 1e6, dispatchesPerEpoch, epochsPerRun: Math.max(1, lossEpoch - 1), runs: 1, finalLoss, lossEpoch, losses };
    if (perEpoch <= plan.maxEpochSeconds) {
      // Short runs sized to the target; they also let Node's map pacing learn the rate (gpu/pacer.ts).
      for (let i = 0; i < 3; i++) {
        checkStop();
        const probe = await trainer.train(Math.max(1, Math.min(1000, Math.floor(plan.targetRunSeconds / Math.max(perEpoch, 1e-6) / 4))));
        perEpoch = probe.seconds / probe.epochs;
      }
      const epochs = Math.max(1, Math.min(20000, Math.round(plan.targetRunSeconds / perEpoch)));
      const wall: number[] = [];
      const gpu: number[] = [];
      for (let r = 0; r < plan.runs; r++) {
        checkStop();
        const result = await trainer.train(epochs, { timer });
        wall.push(result.seconds / epochs);
        if (timer) gpu.push((await timer.seconds()) / epochs);
      }
      Object.assign(row, { usPerEpoch: median(wall) * 1e6, gpuUsPerEpoch: timer ? median(gpu) * 1e6 : undefined, epochsPerRun: epochs, runs: plan.runs });
    }
    checkStop();
    if (c.profile) {
      const steps = trainer.strategy.epochSteps;
      if (steps) {
        // With minibatches the strategy's steps are one optimizer step on a batch of B rows.
        row.kernels = await profileSteps(ctx, steps, trainer.layout, batches.batchSize, slow ? 1 : plan.profileEpochs);
        row.kernelsPer = batches.stepsPerEpoch > 1 ? 'step' : 'epoch';
      }
      else if (c.strategy === 'resident' && row.gpuUsPerEpoch !== undefined) {
        const cost = isSingleHidden(trainer.layout) ? COSTS.residentEpoch(c.data.n, trainer.layout.layers[0].outDim) : COSTS.residentMlpEpoch(c.data.n, trainer.layout);
        row.kernels = [{ name: isSingleHidden(trainer.layout) ? 'resident_epochs' : 'resident_mlp', dispatches: row.dispatchesPerEpoch, us: row.gpuUsPerEpoch, ...cost }];
      }
    }
    log(`${describe(c)} wg=${String(row.workgroupSize).padStart(3)}: ${row.runs === 1 ? '~' : ''}${row.usPerEpoch.toFixed(1)} µs/epoch, loss ${finalLoss.toPrecision(5)} at epoch ${lossEpoch}`);
    return row;
  } finally {
    timer?.destroy();
    trainer.destroy();
  }
}

/** The course's shapes, per supporting strategy, then the grid. `csvTexts`: the shared CSVs by file name. */
export async function runBench(ctx: GpuContext, runtime: string, plan: BenchPlan, csvTexts: Record<string, string>, log: (s: string) => void = () => {}): Promise<BenchReport> {
  const deadline = performance.now() + (plan.deadlineSeconds ?? Infinity) * 1000;
  const late = () => performance.now() > deadline;
  const dataSources: Record<string, string> = {};
  const peaks = await measurePeaks(ctx);
  log(`peaks: ${peaks.gflops.toFixed(1)} GFLOP/s FMA, ${peaks.gbps.toFixed(1)} GB/s copy (${peaks.timing})`);
  const rows: Row[] = [];
  const goldens: Record<string, GoldenPrefix> = {};
  const unavailable: Record<string, string> = {};
  for (const id of plan.caseIds) {
    const cc = courseCaseOf(id);
    if (!cc) throw new RangeError(`no course case ${id}; cases: ${COURSE_CASES.map((x) => x.id).join(', ')}`);
    const data = loadData(cc.data, csvTexts, cc.head);
    dataSources[id] = data.source;
    const spec = caseSpec(cc);
    const run: RunFeatures = { optimizer: 'adam', minibatches: cc.batchSize !== undefined && cc.batchSize < data.n };
    for (const strategy of supportingStrategies(paramLayout(spec), run)) {
      const c: MeasureCase = { caseId: id, data, spec, seed: cc.seed, lr: cc.lr, strategy, profile: true };
      rows.push(late() ? skipped(c, OVER_TIME) : await measure(ctx, c, plan, log));
    }
    if (cc.golden) {
      const steps = Math.max(0, ...rows.filter((r) => r.case === id).map((r) => r.losses.length));
      const g = goldenPrefix(cc.golden, csvTexts[goldenKey(cc.golden)], steps);
      if ('missing' in g) unavailable[`golden of ${id}`] = g.missing;
      else goldens[id] = g;
    }
  }
  const grid: Row[] = [];
  for (const n of plan.grid.sizes) {
    const data = generateLectureData(1, n);
    for (const hidden of plan.grid.widths) {
      for (const strategy of plan.grid.strategies) {
        const c: MeasureCase = { caseId: 'grid', data, spec: singleHidden(hidden), seed: 43052n, lr: 0.001, strategy, profile: false };
        const work = n * hidden;
        if (late()) grid.push(skipped(c, OVER_TIME));
        else if (strategy === 'resident' && work > plan.maxResidentWork) grid.push(skipped(c, `N·H over ${plan.maxResidentWork}: one workgroup would take too long`));
        else if (strategy === 'unfused' && work > plan.maxUnfusedWork) grid.push(skipped(c, `N·H over ${plan.maxUnfusedWork}: too long per epoch here`));
        else grid.push(await measure(ctx, c, plan, log));
      }
    }
  }
  return { runtime, adapter: ctx.adapterName, deviceClass: ctx.plan.deviceClass, version: '', date: new Date().toISOString(), quick: plan.quick, lossEpochs: plan.lossEpochs, peaks, profiling: profilingMethod(ctx), rows, grid, baselines: [], unavailable, cpuEngine: [], dataSources, goldens };
}

const OVER_TIME = "not run: over the run's time budget";

function skipped(c: MeasureCase, why: string): Row {
  return { case: c.caseId, n: c.data.n, layers: [...c.spec.layers], strategy: c.strategy, workgroupSize: 0, usPerEpoch: NaN, dispatchesPerEpoch: NaN, epochsPerRun: 0, runs: 0, finalLoss: NaN, lossEpoch: 0, losses: [], skipped: why };
}
