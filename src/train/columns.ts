// Workgroup memory of the kernels built on common/model_columns.wgsl (fused and resident):
// theta (P floats) and one column of P + 1 partial sums per invocation.
import type { GpuContext } from '../gpu/context';
import { workgroupMemoryProblem } from '../gpu/workgroup-memory';

export function columnsWorkgroupBytes(hidden: number, workgroupSize: number): number {
  const p = 3 * hidden + 1;
  return 4 * (p + workgroupSize * (p + 1));
}

/** Why `strategy` cannot run width `hidden` at this workgroup size on this device, or undefined. */
export function columnsFit(ctx: GpuContext, strategy: string, hidden: number, workgroupSize: number): string | undefined {
  return workgroupMemoryProblem(
    ctx,
    strategy,
    columnsWorkgroupBytes(hidden, workgroupSize),
    `hidden width ${hidden} at workgroup size ${workgroupSize}`,
    'use a smaller workgroup size or width, or the unfused strategy',
  );
}

/** The largest power-of-two workgroup size up to `max` whose columns fit, or 0 if none does. */
export function largestFittingWorkgroup(ctx: GpuContext, hidden: number, max: number): number {
  for (let wg = max; wg >= 1; wg /= 2) if (columnsWorkgroupBytes(hidden, wg) <= ctx.device.limits.maxComputeWorkgroupStorageSize) return wg;
  return 0;
}
