// Sizes of the kernels specialised to one input and one hidden layer: the workgroup memory of
// those built on common/model_columns.wgsl (fused and resident), the flat W1 | b1 | W2 | b2 block
// they index by hand, and the helpers that turn a size over a device limit into a LimitProblem
// naming what to change.
import type { GpuContext } from '../gpu/context';
import { workgroupMemoryProblem } from '../gpu/workgroup-memory';
import { isSingleHidden, type ParamLayout } from '../model/layout';
import type { LimitProblem } from './strategy';

/** Workgroup memory as WebGPU counts it: each variable's size rounded up to 16 bytes. */
export function workgroupVariablesBytes(...bytes: number[]): number {
  return bytes.reduce((total, b) => total + 16 * Math.ceil(b / 16), 0);
}

/** theta (`thetaCopies` copies of P floats) and one column of P + 1 partial sums per invocation. */
export function columnsWorkgroupBytes(hidden: number, workgroupSize: number, thetaCopies = 1): number {
  const p = 3 * hidden + 1;
  return workgroupVariablesBytes(4 * thetaCopies * p, 4 * workgroupSize * (p + 1));
}

/** Why `strategy` cannot run width `hidden` at this workgroup size on this device, or undefined. */
export function columnsFit(ctx: GpuContext, strategy: string, hidden: number, workgroupSize: number): string | undefined {
  return workgroupMemoryProblem(
    ctx,
    strategy,
    columnsWorkgroupBytes(hidden, workgroupSize),
    `hidden width ${hidden} at workgroup size ${workgroupSize}`,
    'use a smaller workgroup size or width, or the unfused strategy',
  );
}

/** The largest power-of-two workgroup size up to `max` whose columns fit, or 0 if none does. */
export function largestFittingWorkgroup(ctx: GpuContext, hidden: number, max: number): number {
  for (let wg = max; wg >= 1; wg /= 2) if (columnsWorkgroupBytes(hidden, wg) <= ctx.device.limits.maxComputeWorkgroupStorageSize) return wg;
  return 0;
}

/**
 * The hidden width of a Linear(1,H) -> ReLU -> Linear(H,1) model, after checking that its layer
 * table is the block W1 (H,1) | b1 (H) | W2 (1,H) | b2 at offsets 0, H, 2H, 3H that
 * model_columns.wgsl and piecewise*.wgsl index by hand.
 */
export function singleHiddenWidth(layout: ParamLayout): number {
  const [first, second] = layout.layers;
  const h = first.outDim;
  if (!isSingleHidden(layout) || first.w !== 0 || first.b !== h || second.w !== 2 * h || second.b !== 3 * h) {
    throw new RangeError(`layers ${layout.spec.layers.join(',')} are not one input and one hidden layer (1,H,1) in the flat W1 | b1 | W2 | b2 block`);
  }
  return h;
}

/** The largest n in 1..max for which `fits(n)` holds (it holds up to some n, then never), or 0. */
export function largestFitting(max: number, fits: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** "a, b or c" */
export function oneOf(options: readonly string[]): string {
  return options.length <= 1 ? (options[0] ?? '') : `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`;
}

/** The device's limit on one storage binding (a buffer must also fit maxBufferSize). */
export function bindingLimit(ctx: GpuContext): number {
  return Math.min(ctx.device.limits.maxStorageBufferBindingSize, ctx.device.limits.maxBufferSize);
}

/** The problem when `strategy` needs a `bytes` binding (for `what`) over the device's limit, naming `remedy`. */
export function bindingProblem(ctx: GpuContext, strategy: string, bytes: number, what: string, remedy: string): LimitProblem | undefined {
  const limit = bindingLimit(ctx);
  if (bytes <= limit) return undefined;
  return {
    limit: 'maxStorageBufferBindingSize',
    message: `${strategy} needs a ${bytes}-byte buffer for ${what}, over this device's maxStorageBufferBindingSize/maxBufferSize of ${limit} bytes; ${remedy}`,
  };
}

/** The problem when the workgroup size is over the device's maxComputeInvocationsPerWorkgroup. */
export function invocationsProblem(ctx: GpuContext, strategy: string, workgroupSize: number): LimitProblem | undefined {
  const max = ctx.device.limits.maxComputeInvocationsPerWorkgroup;
  if (workgroupSize <= max) return undefined;
  return {
    limit: 'maxComputeInvocationsPerWorkgroup',
    message: `${strategy}: workgroup size ${workgroupSize} exceeds this device's maxComputeInvocationsPerWorkgroup (${max}); use a workgroup size of at most ${max}`,
  };
}

/**
 * The problem when the (N) inputs, as the kernels bind them (zero-padded to a multiple of 4
 * floats: buffers.ts padToVec4), are over the binding limit: every strategy binds them whole, so
 * only fewer points help.
 */
export function dataProblem(ctx: GpuContext, strategy: string, n: number, what = 'the data'): LimitProblem | undefined {
  const maxPoints = Math.floor(bindingLimit(ctx) / 16) * 4;
  return bindingProblem(ctx, strategy, 16 * Math.ceil(n / 4), `${what}, ${n} floats`, `use at most ${maxPoints} points`);
}

/** The problem when `need` bytes of workgroup memory (for `purpose`) do not fit, naming `remedies` (what to use instead). */
export function workgroupProblem(ctx: GpuContext, strategy: string, need: number, purpose: string, remedies: readonly string[]): LimitProblem | undefined {
  const message = workgroupMemoryProblem(ctx, strategy, need, purpose, `use ${oneOf(remedies)}`);
  return message === undefined ? undefined : { limit: 'maxComputeWorkgroupStorageSize', message };
}
