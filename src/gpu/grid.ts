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
 * elements (common/grid.wgsl's grid-stride loop). A software adapter pays ~10 µs per workgroup,
 * so there a handful of workgroups loop over many elements each; a GPU gets one element per
 * invocation.
 */
export function elementWorkgroups(count: number, workgroupSize: number, software: boolean): [number, number] {
  const needed = Math.max(1, workgroupsFor(count, workgroupSize));
  return grid2d(software ? Math.min(needed, SOFTWARE_ELEMENT_WORKGROUPS) : needed);
}

/** Workgroups of an element-wise kernel on a software adapter: a few per core. */
const SOFTWARE_ELEMENT_WORKGROUPS = 8;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * How a reduction over N points is cut into workgroups: each invocation sums `pointsPerThread`
 * points in order, a workgroup sums WG·pointsPerThread of them, giving `chunks` partial sums.
 * `multipleOf` rounds pointsPerThread up (4 where points are read as vec4s).
 * A software adapter runs workgroups on a few CPU threads, where every barrier costs microseconds:
 * there a handful of long workgroups wins. A GPU wants enough workgroups to fill its cores.
 */
export function chunking(
  n: number,
  workgroupSize: number,
  software: boolean,
  pointsPerThread?: number,
  multipleOf = 1,
): { pointsPerThread: number; chunks: number } {
  const targetChunks = software ? 8 : 1024;
  const wanted = pointsPerThread ?? Math.max(1, Math.ceil(n / (workgroupSize * targetChunks)));
  const ppt = Math.ceil(wanted / multipleOf) * multipleOf;
  return { pointsPerThread: ppt, chunks: Math.ceil(n / (workgroupSize * ppt)) };
}
