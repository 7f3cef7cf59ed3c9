// Runs one kernel on host arrays and reads its outputs back: the kernel-versus-twin tests' bench.
import type { GpuContext } from '../src/gpu/context';
import { getKernel, type KernelSpec } from '../src/gpu/kernel';
import { readFloats } from '../src/gpu/readback';

export type Arg = Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;

/** A seeded uniform generator for test inputs (mulberry32). */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  let a = seed >>> 0;
  return (lo = 0, hi = 1) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  };
}

export function randomArray(n: number, next: () => number): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, next);
}

/**
 * Binds `args` in binding order (storage arrays and uniforms from the spec), dispatches
 * `workgroups`, and returns every binding's contents afterwards. Dynamic uniforms get offset 0.
 */
export async function runKernel(
  ctx: GpuContext,
  spec: KernelSpec,
  constants: Record<string, number>,
  args: Arg[],
  workgroups: [number, number?, number?],
): Promise<Float32Array<ArrayBuffer>[]> {
  const kernel = await getKernel(ctx, spec, constants);
  const { STORAGE, UNIFORM, COPY_DST, COPY_SRC } = GPUBufferUsage;
  const buffers = args.map((a, i) => {
    const kind = spec.bindings[i];
    const uniform = kind === 'uniform' || kind === 'dynamic-uniform';
    const size = uniform ? Math.max(16, a.byteLength) : a.byteLength;
    const b = ctx.createBuffer(`arg ${i}`, size, (uniform ? UNIFORM : STORAGE) | COPY_DST | COPY_SRC);
    ctx.device.queue.writeBuffer(b, 0, a);
    return b;
  });
  const encoder = ctx.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(kernel.pipeline);
  const dynamicCount = spec.bindings.filter((k) => k === 'dynamic-uniform').length;
  pass.setBindGroup(0, kernel.bind(spec.file, buffers), new Array<number>(dynamicCount).fill(0));
  pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
  pass.end();
  ctx.device.queue.submit([encoder.finish()]);
  const out = await Promise.all(buffers.map((b) => readFloats(ctx, b)));
  buffers.forEach((b) => ctx.destroyBuffer(b));
  return out;
}

/** A uniform struct of u32 words with f32 words at the given positions. */
export function words(values: number[], floatsAt: number[] = []): Uint32Array<ArrayBuffer> {
  const w = new Uint32Array(Math.max(4, Math.ceil(values.length / 4) * 4));
  const f = new Float32Array(w.buffer);
  values.forEach((v, i) => (floatsAt.includes(i) ? (f[i] = v) : (w[i] = v)));
  return w;
}

/** The steps buffer of Adam kernels: per epoch t, step_size, bc2_sqrt and t itself (ADAM_STEP_BYTES each). */
export function adamSteps(scalars: (t: number) => { stepSize: number; bc2Sqrt: number }, first: number, count: number): Float32Array<ArrayBuffer> {
  const f = new Float32Array(4 * count);
  const u = new Uint32Array(f.buffer);
  for (let k = 0; k < count; k++) {
    const { stepSize, bc2Sqrt } = scalars(first + k);
    f[4 * k] = stepSize;
    f[4 * k + 1] = bc2Sqrt;
    u[4 * k + 2] = first + k;
  }
  return f;
}
