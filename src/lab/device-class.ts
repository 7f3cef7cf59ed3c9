// The device class the lab plans for: the adapter's own ('adapter'), or one forced ('gpu' |
// 'software'), so a GPU plan (workgroup tiles, GPU-sized grids) can be run and compared on a software
// adapter and the other way round. Until GpuContext takes a `deviceClass` option itself (another
// branch adds it), the class is applied by a view of the context whose `isSoftware` says the class:
// every plan in src/train and bench/ reads the adapter's kind from there. Same device, same buffers.
import type { GpuContext } from '../gpu/context';

export const DEVICE_CLASSES = ['adapter', 'gpu', 'software'] as const;
export type LabDeviceClass = (typeof DEVICE_CLASSES)[number];

/** The class a context's plans follow: 'gpu' or 'software'. */
export const classOf = (ctx: Pick<GpuContext, 'isSoftware'>): 'gpu' | 'software' => (ctx.isSoftware ? 'software' : 'gpu');

/**
 * `ctx` planned as `cls`: the context itself for 'adapter' (or when it already is of that class),
 * else a copy of its fields with `isSoftware` (and `deviceClass`, for the option's later form) set.
 * Destroying either destroys the one device.
 */
export function withDeviceClass(ctx: GpuContext, cls: LabDeviceClass): GpuContext {
  if (cls === 'adapter' || classOf(ctx) === cls) return ctx;
  return { ...ctx, isSoftware: cls === 'software', deviceClass: cls } as GpuContext;
}

/** `ctx` as an adapter without timestamp queries would be (`?lab&labTimestamps=off`): how the lab runs where the browser offers none. */
export function withoutTimestamps(ctx: GpuContext): GpuContext {
  return ctx.hasTimestamps ? { ...ctx, hasTimestamps: false } : ctx;
}
