// The benchmark's browser runtime: npm run bench opens this page in headless Chromium and calls
// window.runBench.
import { acquireGpu } from '../src/gpu/context';
import { runBench, type BenchPlan, type BenchReport } from './core';
import { tfjsBaseline } from './tfjs';

const log = document.getElementById('log')!;

(window as unknown as { runBench: (plan: BenchPlan, baselineEpochs: number) => Promise<BenchReport> }).runBench = async (plan, baselineEpochs) => {
  const ctx = await acquireGpu(navigator.gpu);
  const say = (line: string) => {
    log.textContent += `\n${line}`;
    console.log(line);
  };
  let report: BenchReport;
  try {
    report = await runBench(ctx, 'Chromium (WebGPU)', plan, say);
  } finally {
    ctx.destroy();
  }
  if (baselineEpochs === 0) return report;
  try {
    report.baseline = await tfjsBaseline(baselineEpochs);
    say(`tfjs     N=   2000 H=  2: ${report.baseline.usPerEpoch.toFixed(0)} µs/epoch`);
  } catch (e) {
    say(`TensorFlow.js baseline not measured: ${(e as Error).message}`);
  }
  return report;
};
