// The test fixture: a real WebGPU device (Dawn in Node, Chromium's in the browser project), a
// validation error scope around each test body, and every buffer and the device destroyed after.
import { acquireGpu, type GpuContext } from '../src/gpu/context';

export const inBrowser = typeof window !== 'undefined' && typeof navigator !== 'undefined';

export async function gpuEntry(): Promise<GPU | undefined> {
  if (inBrowser) return navigator.gpu;
  const { nodeGpu } = await import('../src/node/gpu');
  return nodeGpu();
}

export async function withDevice<T>(body: (ctx: GpuContext) => Promise<T>): Promise<T> {
  const ctx = await acquireGpu(await gpuEntry());
  const errors: string[] = [];
  const off = ctx.onError((e) => errors.push(e.message));
  ctx.device.pushErrorScope('validation');
  try {
    const result = await body(ctx);
    const scoped = await ctx.device.popErrorScope();
    if (scoped) errors.push(scoped.message);
    if (errors.length > 0) throw new Error(`GPU errors during the test:\n${errors.join('\n')}`);
    return result;
  } finally {
    off();
    ctx.destroy();
  }
}

/** llm.c's check: |a - b| <= atol + rtol·|b| everywhere; the message shows the first mismatches and the max error. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  let maxErr = 0;
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= atol + rtol * Math.abs(expected[i]))) {
      if (bad.length < 5) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
      maxErr = Math.max(maxErr, Number.isNaN(err) ? Infinity : err);
    } else maxErr = Math.max(maxErr, err);
  }
  if (bad.length > 0) throw new Error(`${what}: mismatches (atol ${atol}, rtol ${rtol}), max |err| ${maxErr}:\n${bad.join('\n')}`);
}

/** Live JS heap after a full collection (both projects start their runtime with gc exposed). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('gc is not exposed: run through vitest.config.ts');
  gc();
  if (inBrowser) return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
  return process.memoryUsage().heapUsed;
}
