// The device class the lab plans for: the adapter's own ('adapter'), or one forced ('gpu' |
// 'software'), so a GPU plan (workgroup tiles, GPU-sized grids) can be run and compared on a software
// adapter and the other way round: the same device with another plan (gpu/context.ts withPlan),
// which every plan decision in src/train and bench/ reads. Same device, same buffers.
import { withPlan, type GpuContext } from '../gpu/context';

export const DEVICE_CLASSES = ['adapter', 'gpu', 'software'] as const;
export type LabDeviceClass = (typeof DEVICE_CLASSES)[number];

/** The class a context's plans follow: 'gpu' or 'software'. */
export const classOf = (ctx: Pick<GpuContext, 'plan'>): 'gpu' | 'software' => ctx.plan.deviceClass;

/** `ctx` planned as `cls`: the context itself for 'adapter' (or when it already is of that class), else withPlan's view. Destroying either destroys the one device. */
export function withDeviceClass(ctx: GpuContext, cls: LabDeviceClass): GpuContext {
  if (cls === 'adapter' || classOf(ctx) === cls) return ctx;
  return withPlan(ctx, cls);
}

/** `ctx` as an adapter without timestamp queries would be (`?lab&labTimestamps=off`): how the lab runs where the browser offers none. */
export function withoutTimestamps(ctx: GpuContext): GpuContext {
  return ctx.hasTimestamps ? { ...ctx, hasTimestamps: false } : ctx;
}
