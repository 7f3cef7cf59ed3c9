// The benchmark's browser runtime: npm run bench opens this page in headless Chromium and calls
// window.runBench.
import { acquireGpu } from '../src/gpu/context';
import { FULL_PLAN, QUICK_PLAN, runBench, type BenchReport } from './core';

const log = document.getElementById('log')!;

(window as unknown as { runBench: (quick: boolean) => Promise<BenchReport> }).runBench = async (quick) => {
  const ctx = await acquireGpu(navigator.gpu);
  try {
    return await runBench(ctx, 'Chromium (WebGPU)', quick ? QUICK_PLAN : FULL_PLAN, (line) => {
      log.textContent += `\n${line}`;
      console.log(line);
    });
  } finally {
    ctx.destroy();
  }
};
