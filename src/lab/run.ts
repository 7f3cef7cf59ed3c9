// One lab run in the visitor's browser: the adapter's peaks (measured once per device), then
// each chosen strategy on the chosen case through the benchmark's own measure() (bench/core.ts),
// one strategy at a time with the page given the event loop between them and Stop asked between
// every short phase; the result is a BenchReport, the JSON `npm run bench` writes.
import type { GpuContext } from '../gpu/context';
import type { TilePresetName } from '../gpu/gemm';
import { paramLayout } from '../model/layout';
import type { StrategyName } from '../train/strategy';
import { caseSpec, courseCaseOf, COURSE_CASES } from '../../bench/cases';
import { measure, profilingMethod, StoppedError, supportingStrategies, type BenchPlan, type BenchReport, type Row } from '../../bench/core';
import { measurePeaks, type MeasuredPeaks } from '../../bench/peaks';
import { classOf, withDeviceClass, type LabDeviceClass } from './device-class';
import { labData } from './data';

export interface LabConfig {
  /** A course case id (bench/cases.ts). */
  caseId: string;
  /** In the order they run; the first is parity's reference. */
  strategies: StrategyName[];
  /** The GEMM tiling of fused and unfused; 'default': the device class's. */
  tiles: TilePresetName | 'default';
  deviceClass: LabDeviceClass;
  /** Epochs every strategy trains from the same initial parameters (the loss run, and parity's). */
  lossEpochs: number;
  /** Timed runs per strategy (their median is reported). */
  runs: number;
  /** Wall time aimed at per timed run, seconds. */
  runSeconds: number;
}

export const DEFAULT_LAB_CONFIG: LabConfig = { caseId: 'lecture-1-2-1', strategies: [], tiles: 'default', deviceClass: 'adapter', lossEpochs: 10, runs: 3, runSeconds: 0.1 };

/** A problem with a config, as the form shows it next to the field. */
export interface LabProblem {
  field: keyof LabConfig;
  message: string;
}

/** What is wrong with a config, field by field (empty when it can run). */
export function labProblems(c: LabConfig): LabProblem[] {
  const problems: LabProblem[] = [];
  const cc = courseCaseOf(c.caseId);
  if (!cc) problems.push({ field: 'caseId', message: `no case ${c.caseId}; cases: ${COURSE_CASES.map((x) => x.id).join(', ')}` });
  else {
    const supported = supportingStrategies(paramLayout(caseSpec(cc)));
    const bad = c.strategies.filter((s) => !supported.includes(s));
    if (c.strategies.length === 0) problems.push({ field: 'strategies', message: 'choose at least one strategy' });
    else if (bad.length) problems.push({ field: 'strategies', message: `${bad.join(', ')} cannot train ${cc.layers.join('-')}; these can: ${supported.join(', ')}` });
  }
  if (!Number.isInteger(c.lossEpochs) || c.lossEpochs < 1 || c.lossEpochs > 1000) problems.push({ field: 'lossEpochs', message: 'a whole number of epochs from 1 to 1000' });
  if (!Number.isInteger(c.runs) || c.runs < 1 || c.runs > 20) problems.push({ field: 'runs', message: 'a whole number of runs from 1 to 20' });
  if (!(c.runSeconds >= 0.01 && c.runSeconds <= 1)) problems.push({ field: 'runSeconds', message: 'seconds from 0.01 to 1 (Stop acts between runs)' });
  return problems;
}

/** The benchmark plan of a lab config: its one case, short phases (so Stop is quick), no grid. */
export function labPlan(c: LabConfig): BenchPlan {
  return {
    quick: true,
    caseIds: [c.caseId],
    lossEpochs: c.lossEpochs,
    targetRunSeconds: c.runSeconds,
    runs: c.runs,
    maxEpochSeconds: 0.5,
    profileEpochs: 1,
    grid: { sizes: [], widths: [], strategies: [] },
    maxResidentWork: 1 << 22,
    maxUnfusedWork: 1 << 23,
  };
}

export interface LabProgress {
  /** Steps done of `total`: the peaks, then one per strategy. */
  done: number;
  total: number;
  /** What runs now, in words. */
  now: string;
}

export interface LabHooks {
  onProgress(p: LabProgress): void;
  /** Asked between phases; true ends the run with a StoppedError. */
  shouldStop(): boolean;
  /** The benchmark's log lines. */
  log?(line: string): void;
  /** Each strategy's row as soon as it is measured. */
  onRow?(row: Row, partial: BenchReport): void;
}

/** Gives the page a turn: a frame to paint, then a task, so input and Stop are handled between phases. */
export const yieldToPage = (): Promise<void> =>
  new Promise((resolve) => {
    // requestAnimationFrame does not fire in a hidden tab; the timeout does.
    const timer = setTimeout(resolve, 50);
    requestAnimationFrame(() => {
      clearTimeout(timer);
      setTimeout(resolve, 0);
    });
  });

/** Peaks by device: measured once, at the first run, as the benchmark does at the start of its run. */
const peaksCache = new WeakMap<GPUDevice, MeasuredPeaks>();

/** The runtime's name in the report: the browser, the lab, and what was forced. */
export function labRuntime(browser: string, c: LabConfig, ctx: GpuContext): string {
  return `${browser} (WebGPU), fusion lab: ${classOf(ctx)} class${c.deviceClass === 'adapter' ? " (the adapter's)" : ' (forced)'}, tiles ${c.tiles}`;
}

/**
 * Runs a lab config on `base` (the page's device): peaks, then each strategy. Resolves with the
 * report (the shape of bench-results/browser.json); rejects with StoppedError when stopped and with
 * the benchmark's or the GPU's error otherwise. `csvTexts`: the course's CSVs the visitor gave.
 */
export async function runLab(base: GpuContext, c: LabConfig, csvTexts: Readonly<Record<string, string>>, browser: string, hooks: LabHooks): Promise<BenchReport> {
  const problems = labProblems(c);
  if (problems.length) throw new RangeError(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  const ctx = withDeviceClass(base, c.deviceClass);
  const cc = courseCaseOf(c.caseId)!;
  const plan = labPlan(c);
  const total = 1 + c.strategies.length;
  const stop = () => {
    if (hooks.shouldStop()) throw new StoppedError();
  };

  hooks.onProgress({ done: 0, total, now: "measuring this GPU's peaks" });
  await yieldToPage();
  stop();
  // The adapter's ceilings, sized for what it is: a forced class changes the plans, not the hardware.
  const peaks = peaksCache.get(base.device) ?? (await measurePeaks(base));
  peaksCache.set(base.device, peaks);
  hooks.log?.(`peaks: ${peaks.gflops.toFixed(1)} GFLOP/s FMA, ${peaks.gbps.toFixed(1)} GB/s copy (${peaks.timing})`);

  hooks.onProgress({ done: 0, total, now: `loading ${cc.title}` });
  await yieldToPage();
  stop();
  const data = await labData(cc, csvTexts);
  const report: BenchReport = {
    runtime: labRuntime(browser, c, ctx),
    adapter: base.adapterName,
    version: browser,
    date: new Date().toISOString(),
    quick: true,
    lossEpochs: c.lossEpochs,
    peaks,
    profiling: profilingMethod(ctx),
    rows: [],
    grid: [],
    baselines: [],
    unavailable: {},
    cpuEngine: [],
    dataSources: { [c.caseId]: data.source },
  };
  for (const [i, strategy] of c.strategies.entries()) {
    hooks.onProgress({ done: 1 + i, total, now: `${strategy} on ${cc.title} (${i + 1} of ${c.strategies.length})` });
    await yieldToPage();
    stop();
    const row = await measure(ctx, { caseId: c.caseId, data, spec: caseSpec(cc), seed: cc.seed, lr: cc.lr, strategy, tiles: c.tiles === 'default' ? undefined : c.tiles, profile: true, shouldStop: hooks.shouldStop }, plan, hooks.log);
    report.rows.push(row);
    hooks.onRow?.(row, report);
  }
  hooks.onProgress({ done: total, total, now: 'done' });
  return report;
}
