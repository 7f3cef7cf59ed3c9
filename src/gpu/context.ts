// The one place that acquires a device and turns every GPU failure into a GpuError the UI and the
// CLI can show: no WebGPU, no adapter, a lost device, validation and out-of-memory errors.
// It also fixes the device's plan target (gpu/plan.ts): the adapter's class unless forced.
import { planFor, planLimits, type DeviceClass, type DevicePlan } from './plan';

export type GpuErrorKind = 'no-webgpu' | 'no-adapter' | 'no-device' | 'device-lost' | 'validation' | 'out-of-memory' | 'limit';

export class GpuError extends Error {
  constructor(
    readonly kind: GpuErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GpuError';
  }
}

/** The limits this project may need beyond WebGPU's defaults; each is requested at the adapter's value. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxStorageBuffersPerShaderStage',
] as const;

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapterName: string;
  /** True for CPU adapters (SwiftShader, llvmpipe, WARP): correct, but slow. The adapter's fact, for messages; plans read `plan`. */
  readonly isSoftware: boolean;
  /**
   * What every plan decision reads: the plan class ('software' for a CPU adapter, 'gpu' otherwise,
   * unless forced with AcquireOptions.deviceClass), the device's limits and its parallelism target.
   */
  readonly plan: DevicePlan;
  readonly hasTimestamps: boolean;
  /**
   * The runtime polls the device in a busy loop while a map is pending (Dawn's Node binding does),
   * which takes a CPU core from a software adapter: readbacks are then paced (gpu/readback.ts).
   */
  readonly busyPolling: boolean;
  /** Resolves when the device is lost, for any reason but our own destroy(). */
  readonly lost: Promise<GpuError>;
  /** True once the device is lost or destroyed. */
  isLost(): boolean;
  /**
   * `error` as a device-lost GpuError when the device is lost, else `error` itself. A lost device
   * fails pending mapAsync calls (AbortError) sometimes before device.lost resolves, so an
   * AbortError waits a moment for it.
   */
  explain(error: unknown): Promise<unknown>;
  /** Creates a labelled buffer and counts it, so tests can prove that nothing leaks. */
  createBuffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer;
  destroyBuffer(buffer: GPUBuffer): void;
  readonly liveBuffers: () => number;
  /** Uncaptured GPU errors (validation, out of memory, internal) go to every listener. */
  onError(listener: (error: GpuError) => void): () => void;
  destroy(): void;
}

export function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  if (info.description) return info.description;
  const parts = [info.vendor, info.architecture, info.device].filter((s) => s && s.length > 0);
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

function looksSoftware(info: GPUAdapterInfo | undefined, name: string): boolean {
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  return fallback || /swiftshader|llvmpipe|lavapipe|software|warp|cpu/i.test(name);
}

export const ENABLE_WEBGPU_HELP =
  'Use a browser with WebGPU: Chrome or Edge 113+ (on Linux start it with --enable-unsafe-webgpu ' +
  '--enable-features=Vulkan), Safari 26+, or Firefox 141+ on Windows (elsewhere set dom.webgpu.enabled ' +
  'in about:config). The page must come from https:// or http://localhost.';

const busyPollingGpus = new WeakSet<GPU>();

/** Marks a GPU whose pending maps spin the CPU (see GpuContext.busyPolling). */
export function markBusyPolling(gpu: GPU): void {
  busyPollingGpus.add(gpu);
}

export interface AcquireOptions {
  powerPreference?: GPUPowerPreference;
  /** Forces one class's plans on any adapter (--device-class): 'gpu' plans run, slowly, on SwiftShader. */
  deviceClass?: DeviceClass;
  /** The GPU's SM (compute unit) count, which WebGPU does not expose; gpu/plan.ts DEFAULT_GPU_SMS when absent. */
  sms?: number;
}

/** The context with another plan target, on the same device (kernels are cached per device, so they are shared). */
export function withPlan(ctx: GpuContext, deviceClass: DeviceClass, sms?: number): GpuContext {
  return { ...ctx, plan: planFor(deviceClass, ctx.plan.limits, sms) };
}

export async function acquireGpu(gpu: GPU | undefined, options: AcquireOptions = {}): Promise<GpuContext> {
  const { powerPreference = 'high-performance' } = options;
  if (!gpu) throw new GpuError('no-webgpu', `WebGPU is not available here (no navigator.gpu). ${ENABLE_WEBGPU_HELP}`);
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    throw new GpuError('no-adapter', `WebGPU is present but found no GPU adapter. ${ENABLE_WEBGPU_HELP}`);
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const hasTimestamps = adapter.features.has('timestamp-query');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'trainer device',
      requiredLimits,
      requiredFeatures: hasTimestamps ? ['timestamp-query'] : [],
    });
  } catch (e) {
    throw new GpuError('no-device', `the adapter refused to create a device: ${(e as Error).message}`);
  }
  const adapterName = describeAdapter(adapter.info);

  let destroyedByUs = false;
  let isLost = false;
  const listeners = new Set<(error: GpuError) => void>();
  const emit = (error: GpuError) => listeners.forEach((l) => l(error));
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    const kind = error instanceof GPUOutOfMemoryError ? 'out-of-memory' : 'validation';
    emit(new GpuError(kind, `GPU ${kind === 'out-of-memory' ? 'out of memory' : 'error'}: ${error.message}`));
  });
  const lost = device.lost.then((info) => {
    isLost = true;
    const error = new GpuError('device-lost', `the GPU device was lost (${info.reason}): ${info.message || 'no details'}`);
    if (!destroyedByUs) emit(error);
    return error;
  });

  const live = new Set<GPUBuffer>();
  const isSoftware = looksSoftware(adapter.info, adapterName);
  return {
    device,
    adapterName,
    isSoftware,
    plan: planFor(options.deviceClass ?? (isSoftware ? 'software' : 'gpu'), planLimits(device.limits), options.sms),
    hasTimestamps,
    busyPolling: busyPollingGpus.has(gpu),
    lost,
    isLost: () => isLost,
    async explain(error) {
      if (error instanceof GpuError) return error;
      const aborted = (error as Error | undefined)?.name === 'AbortError';
      const lostError = isLost ? await lost : aborted ? await Promise.race([lost, new Promise<undefined>((r) => setTimeout(r, 2000))]) : undefined;
      if (!lostError) return error;
      const detail = (error as Error | undefined)?.message;
      return new GpuError('device-lost', `${lostError.message}${detail ? ` (${detail})` : ''}`);
    },
    createBuffer(label, size, usage) {
      // Round up to 4 bytes: copies and writeBuffer need it, and an empty data set is refused earlier.
      const buffer = device.createBuffer({ label, size: Math.max(4, Math.ceil(size / 4) * 4), usage });
      live.add(buffer);
      return buffer;
    },
    destroyBuffer(buffer) {
      if (live.delete(buffer)) buffer.destroy();
    },
    liveBuffers: () => live.size,
    onError(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy() {
      destroyedByUs = true;
      live.forEach((b) => b.destroy());
      live.clear();
      device.destroy();
    },
  };
}

/**
 * A context with no device, for the questions a plan asks before allocating (descriptors' support,
 * limits, preference, workgroup sizes, grids): `device` holds only the plan's limits, and anything
 * that would touch a GPU throws. For `bench --plan`, which plans a named profile without running it.
 */
export function planOnlyContext(plan: DevicePlan, adapterName = `plan only (${plan.deviceClass})`): GpuContext {
  const none = (): never => {
    throw new Error(`${adapterName}: no device to run on (a plan-only context)`);
  };
  return {
    device: { limits: plan.limits } as unknown as GPUDevice,
    adapterName,
    isSoftware: plan.deviceClass === 'software',
    plan,
    hasTimestamps: false,
    busyPolling: false,
    lost: new Promise<GpuError>(() => {}),
    isLost: () => false,
    explain: async (error) => error,
    createBuffer: none,
    destroyBuffer: none,
    liveBuffers: () => 0,
    onError: () => () => {},
    destroy: () => {},
  };
}
