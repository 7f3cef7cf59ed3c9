// Workgroup memory a kernel needs against the device's maxComputeWorkgroupStorageSize, as one
// message for every strategy; the trainer checks it before allocating anything.
import type { GpuContext } from './context';

/** Why `strategy`'s `need` bytes (for `purpose`) do not fit this device, with the `remedy`; undefined when they do. */
export function workgroupMemoryProblem(ctx: GpuContext, strategy: string, need: number, purpose: string, remedy: string): string | undefined {
  const have = ctx.device.limits.maxComputeWorkgroupStorageSize;
  if (need <= have) return undefined;
  return `${strategy} needs ${need} bytes of workgroup memory for ${purpose}, but this device's maxComputeWorkgroupStorageSize is ${have}; ${remedy}`;
}
