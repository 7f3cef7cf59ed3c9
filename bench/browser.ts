// The benchmark's browser runtime: npm run bench opens this page in headless Chromium and calls
// window.runBench with the plan and the shared CSVs' text; TensorFlow.js runs the same cases after.
import { acquireGpu } from '../src/gpu/context';
import type { DeviceClass } from '../src/gpu/plan';
import { caseSpec, courseCaseOf, loadData } from './cases';
import { runBench, type BenchPlan, type BenchReport } from './core';
import { TFJS_SYSTEM, tfjsBaseline } from './tfjs';

const log = document.getElementById('log')!;

/** Runs the plan on this browser's adapter; `deviceClass` (the bench's --device-class) forces that class's plans. */
(window as unknown as { runBench: (plan: BenchPlan, csvs: Record<string, string>, deviceClass: DeviceClass | null) => Promise<BenchReport> }).runBench = async (plan, csvs, deviceClass) => {
  const say = (line: string) => {
    log.textContent += `\n${line}`;
    console.log(line);
  };
  const ctx = await acquireGpu(navigator.gpu, { deviceClass: deviceClass ?? undefined });
  say(`Chromium: ${ctx.adapterName}, ${ctx.plan.deviceClass} plans`);
  let report: BenchReport;
  try {
    report = await runBench(ctx, 'Chromium (WebGPU)', plan, csvs, say);
  } finally {
    ctx.destroy();
  }
  for (const id of plan.caseIds) {
    const c = courseCaseOf(id)!;
    try {
      const b = await tfjsBaseline(id, loadData(c.data, csvs, c.head), caseSpec(c), c.seed, c.lr, plan.lossEpochs, plan.quick ? 2 : 20);
      report.baselines.push(b);
      say(`tfjs     ${id}: ${b.usPerEpoch.toFixed(0)} µs/epoch, loss ${b.finalLoss.toPrecision(5)} at epoch ${b.epochs}`);
    } catch (e) {
      report.unavailable[TFJS_SYSTEM] = (e as Error).message;
      say(`TensorFlow.js not measured on ${id}: ${(e as Error).message}`);
    }
  }
  return report;
};
