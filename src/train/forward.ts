// The forward pass alone, on any inputs: the model's curve on the page, predictions in the CLI
// and tests, and the lecture's bent-line panels (every intermediate of the chain comes back).
import type { GpuContext } from '../gpu/context';
import { grid2d, workgroupsFor } from '../gpu/grid';
import { getKernel } from '../gpu/kernel';
import { KERNELS } from '../gpu/kernels';
import type { ParamLayout } from '../model/layout';
import { readFloats } from '../gpu/readback';

export interface ForwardTrace {
  /** (N, H) x·W1ᵀ + b1 */
  preact: Float32Array;
  /** (N, H) relu(preact) */
  hidden: Float32Array;
  /** (N) hidden·W2ᵀ + b2 */
  logit: Float32Array;
  /** (N) sigmoid(logit) */
  prob: Float32Array;
}

const WG = 64;

export async function gpuForward(ctx: GpuContext, params: GPUBuffer, layout: ParamLayout, xs: Float32Array<ArrayBuffer>): Promise<ForwardTrace> {
  const n = xs.length;
  const h = layout.hidden;
  const [linear, relu, sigmoid] = await Promise.all([
    getKernel(ctx, KERNELS.linearForward, { WG }),
    getKernel(ctx, KERNELS.reluForward, { WG }),
    getKernel(ctx, KERNELS.sigmoidForward, { WG }),
  ]);
  const { device } = ctx;
  const made: GPUBuffer[] = [];
  const buffer = (label: string, size: number, usage: GPUBufferUsageFlags, data?: ArrayBufferView<ArrayBuffer>) => {
    const b = ctx.createBuffer(label, size, usage | (data ? GPUBufferUsage.COPY_DST : 0));
    if (data) device.queue.writeBuffer(b, 0, data);
    made.push(b);
    return b;
  };
  const S = GPUBufferUsage.STORAGE;
  const C = GPUBufferUsage.COPY_SRC;
  const U = GPUBufferUsage.UNIFORM;
  try {
    const x = buffer('forward x', n * 4, S, xs);
    const act = buffer('forward act (N,H)', n * h * 4, S | C);
    const out = buffer('forward out (N)', n * 4, S | C);
    // trace: preact (N·H), hidden (N·H), logit (N), prob (N)
    const trace = buffer('forward trace', (2 * n * h + 2 * n) * 4, GPUBufferUsage.COPY_DST | C);
    const dims1 = buffer('forward linear1 dims', 16, U, new Uint32Array([n, 1, h, layout.W1]));
    const dims2 = buffer('forward linear2 dims', 16, U, new Uint32Array([n, h, 1, layout.W2]));
    const countNH = buffer('forward count N·H', 4, U, new Uint32Array([n * h]));
    const countN = buffer('forward count N', 4, U, new Uint32Array([n]));

    const encoder = device.createCommandEncoder({ label: 'forward' });
    const dispatch = (kernel: typeof linear, group: GPUBindGroup, count: number) => {
      const pass = encoder.beginComputePass({ label: `forward ${kernel.spec.file}` });
      pass.setPipeline(kernel.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...grid2d(workgroupsFor(count, WG)));
      pass.end();
    };
    dispatch(linear, linear.bind('forward linear1', [act, x, params, dims1]), n * h);
    encoder.copyBufferToBuffer(act, 0, trace, 0, n * h * 4);
    dispatch(relu, relu.bind('forward relu', [act, countNH]), n * h);
    encoder.copyBufferToBuffer(act, 0, trace, n * h * 4, n * h * 4);
    dispatch(linear, linear.bind('forward linear2', [out, act, params, dims2]), n);
    encoder.copyBufferToBuffer(out, 0, trace, 2 * n * h * 4, n * 4);
    dispatch(sigmoid, sigmoid.bind('forward sigmoid', [out, countN]), n);
    encoder.copyBufferToBuffer(out, 0, trace, (2 * n * h + n) * 4, n * 4);
    device.queue.submit([encoder.finish()]);

    const all = await readFloats(ctx, trace);
    return {
      preact: all.subarray(0, n * h),
      hidden: all.subarray(n * h, 2 * n * h),
      logit: all.subarray(2 * n * h, 2 * n * h + n),
      prob: all.subarray(2 * n * h + n),
    };
  } finally {
    made.forEach((b) => ctx.destroyBuffer(b));
  }
}

/** The forward pass with parameters given on the host (the lecture's hand-built bent line). */
export async function gpuForwardWith(ctx: GpuContext, flat: Float32Array<ArrayBuffer>, layout: ParamLayout, xs: Float32Array<ArrayBuffer>): Promise<ForwardTrace> {
  const params = ctx.createBuffer('forward params', flat.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  try {
    ctx.device.queue.writeBuffer(params, 0, flat);
    return await gpuForward(ctx, params, layout, xs);
  } finally {
    ctx.destroyBuffer(params);
  }
}
