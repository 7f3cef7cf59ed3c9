// The forward pass alone, on any inputs: the model's curve on the page (redrawn while training),
// predictions in the CLI and tests, and the lecture's bent-line panels (every intermediate of the
// chain comes back). A ForwardPass makes its buffers and bind groups once, for one set of inputs.
import type { GpuContext } from '../gpu/context';
import { grid2d, workgroupsFor } from '../gpu/grid';
import { getKernel, type Kernel } from '../gpu/kernel';
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

interface Step {
  kernel: Kernel;
  group: GPUBindGroup;
  count: number;
  /** Where the step's output goes in the trace buffer, after the step ran. */
  copy: { from: GPUBuffer; at: number; bytes: number };
}

export class ForwardPass {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly n: number,
    private readonly h: number,
    private readonly steps: Step[],
    private readonly trace: GPUBuffer,
    private readonly owned: GPUBuffer[],
  ) {}

  /** A forward pass of the parameters in `params` (flat layout) on the inputs `xs`. */
  static async create(ctx: GpuContext, params: GPUBuffer, layout: ParamLayout, xs: Float32Array<ArrayBuffer>): Promise<ForwardPass> {
    const n = xs.length;
    const h = layout.hidden;
    const [linear, relu, sigmoid] = await Promise.all([
      getKernel(ctx, KERNELS.linearForward, { WG }),
      getKernel(ctx, KERNELS.reluForward, { WG }),
      getKernel(ctx, KERNELS.sigmoidForward, { WG }),
    ]);
    const owned: GPUBuffer[] = [];
    const buffer = (label: string, size: number, usage: GPUBufferUsageFlags, data?: Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>) => {
      const b = ctx.createBuffer(label, size, usage | (data ? GPUBufferUsage.COPY_DST : 0));
      if (data) ctx.device.queue.writeBuffer(b, 0, data);
      owned.push(b);
      return b;
    };
    const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = GPUBufferUsage;
    const x = buffer('forward x', n * 4, STORAGE, xs);
    const act = buffer('forward act (N,H)', n * h * 4, STORAGE | COPY_SRC);
    const out = buffer('forward out (N)', n * 4, STORAGE | COPY_SRC);
    // trace: preact (N·H), hidden (N·H), logit (N), prob (N)
    const trace = buffer('forward trace', (2 * n * h + 2 * n) * 4, COPY_DST | COPY_SRC);
    const dims1 = buffer('forward linear1 dims', 16, UNIFORM, new Uint32Array([n, 1, h, layout.W1]));
    const dims2 = buffer('forward linear2 dims', 16, UNIFORM, new Uint32Array([n, h, 1, layout.W2]));
    const countNH = buffer('forward count N·H', 16, UNIFORM, new Uint32Array([n * h, 0, 0, 0]));
    const countN = buffer('forward count N', 16, UNIFORM, new Uint32Array([n, 0, 0, 0]));
    const steps: Step[] = [
      { kernel: linear, group: linear.bind('forward linear1', [act, x, params, dims1]), count: n * h, copy: { from: act, at: 0, bytes: n * h * 4 } },
      { kernel: relu, group: relu.bind('forward relu', [act, countNH]), count: n * h, copy: { from: act, at: n * h * 4, bytes: n * h * 4 } },
      { kernel: linear, group: linear.bind('forward linear2', [out, act, params, dims2]), count: n, copy: { from: out, at: 2 * n * h * 4, bytes: n * 4 } },
      { kernel: sigmoid, group: sigmoid.bind('forward sigmoid', [out, countN]), count: n, copy: { from: out, at: (2 * n * h + n) * 4, bytes: n * 4 } },
    ];
    return new ForwardPass(ctx, n, h, steps, trace, owned);
  }

  async run(): Promise<ForwardTrace> {
    const { n, h } = this;
    const encoder = this.ctx.device.createCommandEncoder({ label: 'forward' });
    for (const s of this.steps) {
      const pass = encoder.beginComputePass({ label: `forward ${s.kernel.spec.file}` });
      pass.setPipeline(s.kernel.pipeline);
      pass.setBindGroup(0, s.group);
      pass.dispatchWorkgroups(...grid2d(workgroupsFor(s.count, WG)));
      pass.end();
      encoder.copyBufferToBuffer(s.copy.from, 0, this.trace, s.copy.at, s.copy.bytes);
    }
    this.ctx.device.queue.submit([encoder.finish()]);
    const all = await readFloats(this.ctx, this.trace);
    return {
      preact: all.subarray(0, n * h),
      hidden: all.subarray(n * h, 2 * n * h),
      logit: all.subarray(2 * n * h, 2 * n * h + n),
      prob: all.subarray(2 * n * h + n),
    };
  }

  destroy(): void {
    this.owned.forEach((b) => this.ctx.destroyBuffer(b));
  }
}

/** The forward pass with parameters given on the host (the lecture's hand-built bent line), once. */
export async function gpuForwardWith(ctx: GpuContext, flat: Float32Array<ArrayBuffer>, layout: ParamLayout, xs: Float32Array<ArrayBuffer>): Promise<ForwardTrace> {
  const params = ctx.createBuffer('forward params', flat.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(params, 0, flat);
  const pass = await ForwardPass.create(ctx, params, layout, xs);
  try {
    return await pass.run();
  } finally {
    pass.destroy();
    ctx.destroyBuffer(params);
  }
}
