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

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}
