// A compute kernel: its WGSL (library files joined in front), an explicit bind-group layout in the
// kernel's binding order (outputs, inputs, uniforms), and a pipeline with its override constants.
// Pipelines are cached per device by file and constants, so every strategy and every trainer on a
// device shares them.
import type { GpuContext } from './context';
import { GpuError } from './context';
import { kernelSource } from './shaders';

export type BindingKind = 'storage' | 'read-only-storage' | 'uniform' | 'dynamic-uniform';

export interface KernelSpec {
  /** File under shaders/kernels/ without ".wgsl"; also the entry point's name unless `entryPoint` says otherwise. */
  readonly file: string;
  readonly entryPoint?: string;
  /** Library files joined before the kernel, in order. */
  readonly uses: readonly string[];
  readonly bindings: readonly BindingKind[];
}

export interface Kernel {
  readonly spec: KernelSpec;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly workgroupSize: number;
  /** A bind group with one resource per binding, in binding order. */
  bind(label: string, resources: readonly (GPUBuffer | GPUBufferBinding)[]): GPUBindGroup;
}

/** Size of one entry of the constant epoch-index buffer (WebGPU's minUniformBufferOffsetAlignment). */
export const EPOCH_INDEX_STRIDE = 256;

const caches = new WeakMap<GPUDevice, Map<string, Promise<Kernel>>>();

export function getKernel(ctx: GpuContext, spec: KernelSpec, constants: Record<string, number>): Promise<Kernel> {
  let cache = caches.get(ctx.device);
  if (!cache) caches.set(ctx.device, (cache = new Map()));
  const key = `${spec.file}:${JSON.stringify(constants)}`;
  let kernel = cache.get(key);
  if (!kernel) {
    kernel = buildKernel(ctx, spec, constants);
    cache.set(key, kernel);
    kernel.catch(() => cache.delete(key));
  }
  return kernel;
}

function layoutEntry(kind: BindingKind, binding: number): GPUBindGroupLayoutEntry {
  const visibility = GPUShaderStage.COMPUTE;
  switch (kind) {
    case 'storage':
      return { binding, visibility, buffer: { type: 'storage' } };
    case 'read-only-storage':
      return { binding, visibility, buffer: { type: 'read-only-storage' } };
    case 'uniform':
      return { binding, visibility, buffer: { type: 'uniform' } };
    case 'dynamic-uniform':
      return { binding, visibility, buffer: { type: 'uniform', hasDynamicOffset: true } };
  }
}

async function buildKernel(ctx: GpuContext, spec: KernelSpec, constants: Record<string, number>): Promise<Kernel> {
  const { device } = ctx;
  const entryPoint = spec.entryPoint ?? spec.file;
  const module = device.createShaderModule({ label: `${spec.file}.wgsl`, code: kernelSource(spec.file, spec.uses) });
  const layout = device.createBindGroupLayout({
    label: `${spec.file} layout`,
    entries: spec.bindings.map((kind, i) => layoutEntry(kind, i)),
  });
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: `${spec.file} pipeline ${JSON.stringify(constants)}`,
      layout: device.createPipelineLayout({ label: `${spec.file} pipeline layout`, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants },
    });
  } catch (e) {
    const info = await module.getCompilationInfo();
    const messages = info.messages.map((m) => `${m.type} at ${m.lineNum}:${m.linePos}: ${m.message}`).join('\n');
    throw new GpuError('validation', `cannot build kernel ${spec.file}: ${(e as Error).message}${messages ? `\n${messages}` : ''}`);
  }
  return {
    spec,
    pipeline,
    layout,
    workgroupSize: constants.WG ?? 64,
    bind(label, resources) {
      if (resources.length !== spec.bindings.length) {
        throw new Error(`${spec.file}: ${resources.length} resources for ${spec.bindings.length} bindings`);
      }
      return device.createBindGroup({
        label,
        layout,
        entries: resources.map((r, binding) => {
          if (spec.bindings[binding] === 'dynamic-uniform') {
            const buffer = 'buffer' in r ? r.buffer : (r as GPUBuffer);
            return { binding, resource: { buffer, size: 16 } };
          }
          return { binding, resource: 'buffer' in r ? r : { buffer: r as GPUBuffer } };
        }),
      });
    },
  };
}
