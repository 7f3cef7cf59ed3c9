// A GpuContext with no GPU behind it, for `bench --plan`: the strategies build their real steps
// (kernels with their override constants, bind groups with their labels, grids) against a device
// object that records labels and sizes and runs nothing. So the modeled plan is the one the
// trainer would dispatch on a device of the profile's class and limits, not a copy of it.
import { planOnlyContext, type GpuContext } from '../src/gpu/context';
import type { DevicePlan } from '../src/gpu/plan';

/** WebGPU's flag constants, which exist in Node only once Dawn is loaded (values from the spec). */
function defineWebGpuConstants(): void {
  const g = globalThis as Record<string, unknown>;
  g.GPUShaderStage ??= { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 };
  g.GPUBufferUsage ??= { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, INDEX: 16, VERTEX: 32, UNIFORM: 64, STORAGE: 128, INDIRECT: 256, QUERY_RESOLVE: 512 };
  g.GPUMapMode ??= { READ: 1, WRITE: 2 };
}

const labelled = (d: { label?: string }) => ({ label: d.label ?? '' });

/** A device that builds labelled stand-ins for every object the strategies create and runs nothing. */
function recordingDevice(plan: DevicePlan): GPUDevice {
  const buffer = (d: GPUBufferDescriptor) => ({ label: d.label ?? '', size: d.size, usage: d.usage, destroy() {}, unmap() {} });
  const device = {
    label: 'plan only',
    limits: plan.limits,
    features: new Set<string>(),
    queue: { writeBuffer() {}, submit() {}, onSubmittedWorkDone: async () => {} },
    createShaderModule: (d: GPUShaderModuleDescriptor) => ({ ...labelled(d), getCompilationInfo: async () => ({ messages: [] }) }),
    createBindGroupLayout: labelled,
    createPipelineLayout: labelled,
    createComputePipelineAsync: async (d: GPUComputePipelineDescriptor) => labelled(d),
    createBindGroup: labelled,
    createBuffer: buffer,
    createCommandEncoder: labelled,
    addEventListener() {},
    pushErrorScope() {},
    popErrorScope: async () => null,
    destroy() {},
    lost: new Promise(() => {}),
  };
  return device as unknown as GPUDevice;
}

/** A context for `plan` whose device records and runs nothing (see the file's header). */
export function recordingContext(plan: DevicePlan, name: string): GpuContext {
  defineWebGpuConstants();
  const device = recordingDevice(plan);
  return {
    ...planOnlyContext(plan, name),
    device,
    createBuffer: (label, size, usage) => device.createBuffer({ label, size: Math.max(4, Math.ceil(size / 4) * 4), usage }),
    destroyBuffer: () => {},
  };
}
