// The adapter's peaks, measured by the benchmark itself: FMA throughput (kernels/peak_fma.wgsl) and
// copy bandwidth (kernels/peak_copy.wgsl), each the best of a few timed dispatches sized to take a
// few milliseconds at least. GPU time from timestamp queries where the adapter has them, else the
// wall time to onSubmittedWorkDone.
import type { GpuContext } from '../src/gpu/context';
import { grid2d } from '../src/gpu/grid';
import { GpuTimer } from '../src/gpu/timer';
import { copyKernelBytes, fmaKernelFlops, type Peaks } from './cost';
import fmaSource from './kernels/peak_fma.wgsl?raw';
import copySource from './kernels/peak_copy.wgsl?raw';

const FMA_ITERATIONS = 1024;

export interface MeasuredPeaks extends Peaks {
  /** GFLOP/s of fma() and of `a * b + c`; `gflops` is the larger. */
  fusedGflops: number;
  mulAddGflops: number;
  /** How they were timed. */
  timing: 'timestamp queries' | 'wall time';
  fmaInvocations: number;
  copyBytes: number;
}

async function pipeline(ctx: GpuContext, name: string, code: string, constants: Record<string, number>): Promise<GPUComputePipeline> {
  const module = ctx.device.createShaderModule({ label: `${name}.wgsl`, code });
  return ctx.device.createComputePipelineAsync({ label: `${name} pipeline`, layout: 'auto', compute: { module, entryPoint: name, constants } });
}

/** Seconds of one dispatch of `pipeline` over `workgroups`, the best of `repeats`. */
async function timeDispatch(ctx: GpuContext, pipe: GPUComputePipeline, group: GPUBindGroup, workgroups: number, repeats: number): Promise<number> {
  const timer = GpuTimer.create(ctx, repeats);
  const [x, y] = grid2d(workgroups);
  let best = Infinity;
  try {
    for (let r = 0; r < repeats; r++) {
      const encoder = ctx.device.createCommandEncoder({ label: `${pipe.label} run ${r}` });
      const pass = encoder.beginComputePass({ label: `${pipe.label} pass`, timestampWrites: timer?.next() });
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y);
      pass.end();
      const start = performance.now();
      ctx.device.queue.submit([encoder.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
      if (!timer) best = Math.min(best, (performance.now() - start) / 1000);
    }
    if (timer) best = Math.min(...(await timer.passSeconds()).filter((s) => s > 0));
  } finally {
    timer?.destroy();
  }
  return best;
}

/** Measures both peaks; `targetSeconds` is the least time one timed dispatch should take. */
export async function measurePeaks(ctx: GpuContext, targetSeconds = ctx.isSoftware ? 0.02 : 0.002): Promise<MeasuredPeaks> {
  const wg = ctx.isSoftware ? 16 : 256;
  const { device } = ctx;
  const made: GPUBuffer[] = [];
  const buffer = (label: string, size: number, usage: GPUBufferUsageFlags) => {
    const b = ctx.createBuffer(label, size, usage);
    made.push(b);
    return b;
  };
  try {
    // FMA: double the workgroups until one dispatch takes targetSeconds; fma() and a * b + c.
    const seed = buffer('peak_fma seed', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    device.queue.writeBuffer(seed, 0, new Float32Array([1, 0.5, 0.25, 0.125]));
    const maxWorkgroups = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, 1 << 28) / (16 * wg));
    const fmaRate = async (fused: boolean) => {
      const fma = await pipeline(ctx, 'peak_fma', fmaSource, { WG: wg, ITERATIONS: FMA_ITERATIONS, FUSED: fused ? 1 : 0 });
      let workgroups = ctx.isSoftware ? 8 : 1024;
      for (;;) {
        const out = buffer(`peak_fma out (${workgroups * wg} vec4)`, 16 * workgroups * wg, GPUBufferUsage.STORAGE);
        const group = device.createBindGroup({ label: 'peak_fma', layout: fma.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: out } }, { binding: 1, resource: { buffer: seed } }] });
        const s = await timeDispatch(ctx, fma, group, workgroups, 3);
        if (s >= targetSeconds || workgroups * 2 > maxWorkgroups) return { gflops: fmaKernelFlops(workgroups * wg, FMA_ITERATIONS) / s / 1e9, invocations: workgroups * wg };
        workgroups *= 2;
      }
    };
    const fused = await fmaRate(true);
    const mulAdd = await fmaRate(false);
    const best = fused.gflops >= mulAdd.gflops ? fused : mulAdd;

    // Copy: a buffer well past any cache (32 MiB, 512 MiB on a GPU, within the binding limit).
    const copy = await pipeline(ctx, 'peak_copy', copySource, { WG: wg });
    const bytes = Math.min(ctx.isSoftware ? 32 << 20 : 512 << 20, Math.floor(device.limits.maxStorageBufferBindingSize / 16) * 16);
    const src = buffer(`peak_copy src (${bytes} bytes)`, bytes, GPUBufferUsage.STORAGE);
    const dst = buffer(`peak_copy dst (${bytes} bytes)`, bytes, GPUBufferUsage.STORAGE);
    const group = device.createBindGroup({ label: 'peak_copy', layout: copy.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: dst } }, { binding: 1, resource: { buffer: src } }] });
    // The best of a few grid sizes: a software adapter wants few long workgroups, a GPU many.
    let copySeconds = Infinity;
    for (const workgroups of ctx.isSoftware ? [8, 64, 512] : [1024, 8192, 65535]) copySeconds = Math.min(copySeconds, await timeDispatch(ctx, copy, group, workgroups, 3));
    const gbps = copyKernelBytes(bytes) / copySeconds / 1e9;
    return { gflops: best.gflops, fusedGflops: fused.gflops, mulAddGflops: mulAdd.gflops, gbps, timing: ctx.hasTimestamps ? 'timestamp queries' : 'wall time', fmaInvocations: best.invocations, copyBytes: bytes };
  } finally {
    made.forEach((b) => ctx.destroyBuffer(b));
  }
}
