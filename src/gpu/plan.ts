// The device class and the plan target every plan decision reads: workgroup sizes, tile presets,
// split counts, grid shapes and auto's choice come from here, never from a constant tuned on one
// adapter. A plan target is plain data (a class, a few limits, a parallelism target), so a plan can
// be built for a named profile without any device (bench --plan) and a GPU's plan can be forced on
// a software adapter (--device-class gpu), where CI runs and tests it.

/** 'software': a CPU adapter (SwiftShader, llvmpipe, WARP); 'gpu': anything with many cores. */
export type DeviceClass = 'gpu' | 'software';
export const DEVICE_CLASSES: readonly DeviceClass[] = ['gpu', 'software'];

/** The device limits that size kernels (WebGPU's names, the adapter's values). */
export interface PlanLimits {
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
}

/** What a plan is made for: the class, the limits, and how many workgroups fill the device. */
export interface DevicePlan {
  readonly deviceClass: DeviceClass;
  readonly limits: PlanLimits;
  /**
   * Workgroups that keep every core busy: a few per CPU thread on a software adapter (8); on a
   * GPU, SMs × 4. WebGPU does not expose the SM (compute unit) count, so a GPU adapter gets the
   * profile default DEFAULT_GPU_SMS × 4 = 512 unless a profile names its own.
   */
  readonly parallelWorkgroups: number;
  /** The largest workgroup a plan asks for where more invocations help (resident's, the reductions'). */
  readonly maxWorkgroupSize: number;
  /**
   * The GPU plan's refinements for a real GPU (gpu/gemm.ts): split-K forward GEMMs, split counts
   * balanced against their reduce, warp-sized skinny tiles, fused's one gradient_reduce. False only to rebuild the GPU plans from
   * before them, on which the benchmark's model is calibrated (bench/plan.ts).
   */
  readonly deviceTuned: boolean;
}

/** SMs assumed for a GPU adapter when no profile says (a discrete GPU of the H100/RTX 4090 size). */
export const DEFAULT_GPU_SMS = 128;
/** Workgroups per SM a GPU plan aims for: enough resident warps to hide memory latency. */
export const WORKGROUPS_PER_SM = 4;
/** Invocations an SM holds at once (NVIDIA since Volta: 64 warps of 32; an AMD CU holds more). */
export const INVOCATIONS_PER_SM = 2048;

/**
 * Invocations a GPU plan's device holds at once, one wave: its SMs (parallelWorkgroups /
 * WORKGROUPS_PER_SM) × INVOCATIONS_PER_SM. A latency-bound split-K product gets shorter chains from
 * every split while its splits fit in one wave (gpu/gemm.ts).
 */
export function waveInvocations(plan: Pick<DevicePlan, 'parallelWorkgroups'>): number {
  return (plan.parallelWorkgroups / WORKGROUPS_PER_SM) * INVOCATIONS_PER_SM;
}

/** Workgroups of a software adapter's plan: a few per CPU thread (each costs ~10 µs there). */
export const SOFTWARE_WORKGROUPS = 8;

/** The plan target of a class on a device with these limits; `sms` sets a GPU's parallelism. */
export function planFor(deviceClass: DeviceClass, limits: PlanLimits, sms = DEFAULT_GPU_SMS): DevicePlan {
  const gpu = deviceClass === 'gpu';
  return {
    deviceClass,
    limits,
    parallelWorkgroups: gpu ? sms * WORKGROUPS_PER_SM : SOFTWARE_WORKGROUPS,
    maxWorkgroupSize: Math.min(256, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX),
    deviceTuned: gpu,
  };
}

/** The plan limits of a device (or an adapter's limits object). */
export function planLimits(limits: PlanLimits): PlanLimits {
  const { maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupSizeX, maxStorageBufferBindingSize, maxBufferSize } = limits;
  return { maxComputeWorkgroupStorageSize, maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupSizeX, maxStorageBufferBindingSize, maxBufferSize };
}

export function isSoftwarePlan(plan: Pick<DevicePlan, 'deviceClass'>): boolean {
  return plan.deviceClass === 'software';
}

/** Why `value` is not a device class, or undefined. */
export function deviceClassProblem(value: string): string | undefined {
  return (DEVICE_CLASSES as readonly string[]).includes(value) ? undefined : `device class must be one of ${DEVICE_CLASSES.join(', ')}, got ${value}`;
}
