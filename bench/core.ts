// The benchmark, shared by both runtimes: for each strategy and size, µs per epoch (median of
// several runs after a warm-up), dispatches per epoch, points·epochs per second, and GPU time
// from timestamp queries where the adapter offers them.
import type { GpuContext } from '../src/gpu/context';
import { GpuTimer } from '../src/gpu/timer';
import { generateLectureData } from '../src/data/generate';
import { STRATEGY_NAMES, type StrategyName } from '../src/train/strategy';
import { Trainer } from '../src/train/trainer';

export interface BenchCase {
  strategy: StrategyName;
  n: number;
  hidden: number;
  workgroupSize?: number;
}

export interface BenchRow extends BenchCase {
  workgroupSize: number;
  epochsPerRun: number;
  runs: number;
  usPerEpoch: number;
  dispatchesPerEpoch: number;
  pointEpochsPerSecond: number;
  gpuUsPerEpoch?: number;
  skipped?: string;
}

export interface BenchPlan {
  sizes: number[];
  widths: number[];
  strategies: StrategyName[];
  /** Wall time aimed at for one measured run. */
  targetRunSeconds: number;
  runs: number;
  /** Resident cases above this N·H are skipped: one workgroup would take minutes per epoch. */
  maxResidentWork: number;
  /** Any case above this N·H is skipped: a minute per epoch even with all workgroups. */
  maxWork: number;
  /** A case whose first epoch takes longer is reported from that epoch alone (marked ~). */
  maxEpochSeconds: number;
  /** Workgroup sweeps: strategy, N, H, sizes. */
  sweeps: { strategy: StrategyName; n: number; hidden: number; sizes: number[] }[];
  /** When present, exactly these cases instead of sizes × widths × strategies (npm run bench -- --cases). */
  cases?: BenchCase[];
}

/** `strategy:N:H[:wg]` items, comma-separated, as --cases takes them. */
export function parseCases(spec: string): BenchCase[] {
  return spec.split(',').map((item) => {
    const [strategy, n, hidden, wg] = item.split(':');
    const c: BenchCase = { strategy: strategy as StrategyName, n: Number(n), hidden: Number(hidden), workgroupSize: wg ? Number(wg) : undefined };
    if (!STRATEGY_NAMES.includes(c.strategy) || !(c.n >= 1) || !(c.hidden >= 1)) {
      throw new RangeError(`--cases wants strategy:N:H[:wg] items (strategy one of ${STRATEGY_NAMES.join(', ')}), got ${item}`);
    }
    return c;
  });
}

export const FULL_PLAN: BenchPlan = {
  sizes: [2000, 20000, 200000, 1000000],
  widths: [2, 32, 256],
  strategies: [...STRATEGY_NAMES],
  targetRunSeconds: 0.4,
  runs: 5,
  maxResidentWork: 1 << 23,
  maxWork: 1 << 27,
  maxEpochSeconds: 2,
  sweeps: [
    { strategy: 'resident', n: 2000, hidden: 2, sizes: [1, 2, 4, 8, 16, 32, 64, 128, 256] },
    { strategy: 'fused', n: 2000, hidden: 2, sizes: [1, 2, 4, 8, 16, 32, 64, 128, 256] },
    { strategy: 'fused', n: 200000, hidden: 32, sizes: [8, 16, 32, 64, 128, 256] },
    { strategy: 'piecewise', n: 200000, hidden: 32, sizes: [8, 16, 32, 64, 128, 256] },
  ],
};

export const QUICK_PLAN: BenchPlan = {
  sizes: [2000, 20000],
  widths: [2, 32],
  strategies: [...STRATEGY_NAMES],
  targetRunSeconds: 0.1,
  runs: 3,
  maxResidentWork: 1 << 20,
  maxWork: 1 << 20,
  maxEpochSeconds: 1,
  sweeps: [{ strategy: 'resident', n: 2000, hidden: 2, sizes: [2, 4, 8] }],
};

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** One case: warm up, size the run to the target time, then the median of `runs` runs. */
export async function benchCase(ctx: GpuContext, c: BenchCase, plan: BenchPlan, log: (s: string) => void = () => {}): Promise<BenchRow> {
  const skip = (why: string): BenchRow => ({ ...c, workgroupSize: c.workgroupSize ?? 0, epochsPerRun: 0, runs: 0, usPerEpoch: NaN, dispatchesPerEpoch: NaN, pointEpochsPerSecond: NaN, skipped: why });
  if (c.strategy === 'resident' && c.n * c.hidden > plan.maxResidentWork) return skip(`N·H over ${plan.maxResidentWork}: one workgroup would take too long`);
  if (c.strategy === 'unfused' && c.n * c.hidden > plan.maxWork) return skip(`N·H over ${plan.maxWork}: over a minute per epoch here`);
  const data = generateLectureData(1, c.n);
  let trainer: Trainer;
  try {
    trainer = await Trainer.create(ctx, data, { strategy: c.strategy, hidden: c.hidden, workgroupSize: c.workgroupSize, chunkEpochs: 1000 });
  } catch (e) {
    return skip((e as Error).message);
  }
  const timer = GpuTimer.create(ctx, 64);
  try {
    const warm = await trainer.train(1); // pipelines, first-touch of buffers
    let perEpoch = warm.seconds;
    if (perEpoch > plan.maxEpochSeconds) {
      // Seconds per epoch on a software adapter: the warm-up epoch is the measurement (its
      // pipeline compilation is milliseconds against seconds).
      const row: BenchRow = {
        ...c,
        workgroupSize: trainer.strategy.workgroupSize,
        epochsPerRun: 1,
        runs: 1,
        usPerEpoch: perEpoch * 1e6,
        dispatchesPerEpoch: trainer.strategy.dispatchesPerEpoch,
        pointEpochsPerSecond: c.n / perEpoch,
      };
      log(`${c.strategy.padEnd(8)} N=${String(c.n).padStart(7)} H=${String(c.hidden).padStart(3)}: ${row.usPerEpoch.toFixed(0)} µs/epoch (one epoch)`);
      return row;
    }
    // A few short runs, timed to size the measured ones; they also let the host's map pacing in
    // Node learn the rate (gpu/pacer.ts), which takes a handful of readbacks.
    for (let i = 0; i < 4; i++) {
      const probe = await trainer.train(Math.max(1, Math.min(1000, Math.floor(plan.targetRunSeconds / Math.max(perEpoch, 1e-6) / 4))));
      perEpoch = probe.seconds / probe.epochs;
    }
    const epochs = Math.max(1, Math.min(20000, Math.round(plan.targetRunSeconds / perEpoch)));
    const runs = plan.runs;
    const times: number[] = [];
    const gpu: number[] = [];
    for (let r = 0; r < runs; r++) {
      const result = await trainer.train(epochs, { timer });
      times.push(result.seconds / epochs);
      if (timer) gpu.push((await timer.seconds()) / epochs);
    }
    const s = median(times);
    const row: BenchRow = {
      ...c,
      workgroupSize: trainer.strategy.workgroupSize,
      epochsPerRun: epochs,
      runs,
      usPerEpoch: s * 1e6,
      dispatchesPerEpoch: trainer.strategy.dispatchesPerEpoch,
      pointEpochsPerSecond: c.n / s,
      gpuUsPerEpoch: timer ? median(gpu) * 1e6 : undefined,
    };
    log(`${c.strategy.padEnd(8)} N=${String(c.n).padStart(7)} H=${String(c.hidden).padStart(3)} wg=${String(row.workgroupSize).padStart(3)}: ${row.usPerEpoch.toFixed(1)} µs/epoch`);
    return row;
  } finally {
    timer?.destroy();
    trainer.destroy();
  }
}

export interface BenchReport {
  runtime: string;
  adapter: string;
  date: string;
  rows: BenchRow[];
  sweeps: BenchRow[];
  /** Another framework's time for the lecture case, measured in the same run. */
  baseline?: { name: string; n: number; hidden: number; epochs: number; usPerEpoch: number; finalLoss: number };
}

export async function runBench(ctx: GpuContext, runtime: string, plan: BenchPlan, log: (s: string) => void = () => {}): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  const cases = plan.cases ?? plan.sizes.flatMap((n) => plan.widths.flatMap((hidden) => plan.strategies.map((strategy) => ({ strategy, n, hidden }))));
  for (const c of cases) rows.push(await benchCase(ctx, c, plan, log));
  const sweeps: BenchRow[] = [];
  for (const s of plan.sweeps) for (const wg of s.sizes) sweeps.push(await benchCase(ctx, { strategy: s.strategy, n: s.n, hidden: s.hidden, workgroupSize: wg }, plan, log));
  return { runtime, adapter: ctx.adapterName, date: new Date().toISOString(), rows, sweeps };
}

const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? '–' : v >= 1000 ? v.toFixed(0) : v.toFixed(digits));
const rate = (v: number) => (Number.isNaN(v) ? '–' : v >= 1e6 ? `${(v / 1e6).toFixed(1)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0));

export function markdown(report: BenchReport): string {
  const lines = [
    `### ${report.runtime} — ${report.adapter} (${report.date.slice(0, 10)})`,
    '',
    'µs/epoch: wall time from the first submit to the last loss read back, median of runs after a warm-up (~: a single epoch, for cases of seconds per epoch); GPU µs/epoch: timestamp queries around each chunk pass; **bold**: fastest for that N and H.',
    '',
    '| N | H | strategy | wg | µs/epoch | GPU µs/epoch | dispatches/epoch | points·epochs/s |',
    '|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  const best = new Map<string, number>();
  for (const r of report.rows) {
    const key = `${r.n}/${r.hidden}`;
    if (!r.skipped && !(r.usPerEpoch >= (best.get(key) ?? Infinity))) best.set(key, r.usPerEpoch);
  }
  for (const r of report.rows) {
    const win = !r.skipped && best.get(`${r.n}/${r.hidden}`) === r.usPerEpoch;
    const us = r.skipped ? (r.skipped.startsWith('N·H over') ? 'skipped (time)' : 'does not fit') : `${win ? '**' : ''}${fmt(r.usPerEpoch)}${win ? '**' : ''}`;
    lines.push(`| ${r.n} | ${r.hidden} | ${r.strategy} | ${r.workgroupSize || '–'} | ${r.runs === 1 && !r.skipped ? '~' : ''}${us} | ${fmt(r.gpuUsPerEpoch)} | ${r.skipped ? '–' : fmt(r.dispatchesPerEpoch, 3)} | ${rate(r.pointEpochsPerSecond)} |`);
  }
  if (report.baseline) {
    const b = report.baseline;
    const ours = report.rows.filter((r) => r.n === b.n && r.hidden === b.hidden && !r.skipped).sort((p, q) => p.usPerEpoch - q.usPerEpoch)[0];
    lines.push(
      '',
      `Side by side, N=${b.n}, H=${b.hidden}: ${b.name}: ${fmt(b.usPerEpoch)} µs/epoch over ${b.epochs} epochs (loss ${b.finalLoss.toFixed(4)} after them)` +
        (ours ? `; ${ours.strategy} here: ${fmt(ours.usPerEpoch)} µs/epoch, ${(b.usPerEpoch / ours.usPerEpoch).toFixed(0)}× faster.` : '.'),
    );
  }
  lines.push('', 'Workgroup-size sweeps:', '', '| strategy | N | H | wg | µs/epoch | GPU µs/epoch |', '|---|---:|---:|---:|---:|---:|');
  for (const r of report.sweeps) lines.push(`| ${r.strategy} | ${r.n} | ${r.hidden} | ${r.workgroupSize} | ${r.skipped ? 'does not fit' : fmt(r.usPerEpoch)} | ${fmt(r.gpuUsPerEpoch)} |`);
  return lines.join('\n') + '\n';
}
