// The benchmark's browser runtime: npm run bench opens this page in headless Chromium and calls
// window.runBench.
import { acquireGpu } from '../src/gpu/context';
import { FULL_PLAN, QUICK_PLAN, runBench, type BenchReport } from './core';
import { tfjsBaseline } from './tfjs';

const log = document.getElementById('log')!;

(window as unknown as { runBench: (quick: boolean) => Promise<BenchReport> }).runBench = async (quick) => {
  const ctx = await acquireGpu(navigator.gpu);
  const say = (line: string) => {
    log.textContent += `\n${line}`;
    console.log(line);
  };
  let report: BenchReport;
  try {
    report = await runBench(ctx, 'Chromium (WebGPU)', quick ? QUICK_PLAN : FULL_PLAN, say);
  } finally {
    ctx.destroy();
  }
  try {
    report.baseline = await tfjsBaseline(quick ? 20 : 100);
    say(`tfjs     N=   2000 H=  2: ${report.baseline.usPerEpoch.toFixed(0)} µs/epoch`);
  } catch (e) {
    say(`TensorFlow.js baseline not measured: ${(e as Error).message}`);
  }
  return report;
};
