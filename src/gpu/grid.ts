import { isSoftwarePlan, type DevicePlan } from './plan';

/** WebGPU's guaranteed maximum of workgroups along one dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Spreads `workgroups` over x and y; kernels flatten them again with common/grid.wgsl. */
export function grid2d(workgroups: number): [number, number] {
  if (workgroups <= MAX_WORKGROUPS_PER_DIMENSION) return [Math.max(workgroups, 1), 1];
  const y = Math.ceil(workgroups / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(workgroups / y), y];
}

export function workgroupsFor(count: number, workgroupSize: number): number {
  return Math.ceil(count / workgroupSize);
}

/**
 * Workgroups of an element-wise kernel over `count` elements, whose invocations stride over the
 * elements (common/grid.wgsl's grid-stride loop). A software plan pays ~10 µs per workgroup, so
 * there the plan's handful of workgroups (plan.parallelWorkgroups) loop over many elements each; a
 * GPU plan gets one element per invocation.
 */
export function elementWorkgroups(count: number, workgroupSize: number, plan: Pick<DevicePlan, 'deviceClass' | 'parallelWorkgroups'>): [number, number] {
  const needed = Math.max(1, workgroupsFor(count, workgroupSize));
  return grid2d(isSoftwarePlan(plan) ? Math.min(needed, plan.parallelWorkgroups) : needed);
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * How a reduction over N points is cut into workgroups: each invocation sums `pointsPerThread`
 * points in order, a workgroup sums WG·pointsPerThread of them, giving `chunks` partial sums.
 * `multipleOf` rounds pointsPerThread up (4 where points are read as vec4s).
 * A software adapter runs workgroups on a few CPU threads, where every barrier costs microseconds:
 * there a handful of long workgroups wins. A GPU wants enough workgroups to fill its cores
 * (twice the plan's parallelism target, so a straggler does not idle an SM).
 */
export function chunking(
  n: number,
  workgroupSize: number,
  plan: Pick<DevicePlan, 'deviceClass' | 'parallelWorkgroups'>,
  pointsPerThread?: number,
  multipleOf = 1,
): { pointsPerThread: number; chunks: number } {
  const targetChunks = isSoftwarePlan(plan) ? plan.parallelWorkgroups : 2 * plan.parallelWorkgroups;
  const wanted = pointsPerThread ?? Math.max(1, Math.ceil(n / (workgroupSize * targetChunks)));
  const ppt = Math.ceil(wanted / multipleOf) * multipleOf;
  return { pointsPerThread: ppt, chunks: Math.ceil(n / (workgroupSize * ppt)) };
}
