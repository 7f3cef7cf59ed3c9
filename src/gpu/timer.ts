// GPU time of compute passes from timestamp queries, when the adapter offers them. Browsers may
// quantize timestamps, so only whole chunks of epochs are timed, never one tiny dispatch.
import type { GpuContext } from './context';

export class GpuTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly readBuffer: GPUBuffer;
  private used = 0;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly capacity: number,
  ) {
    this.querySet = ctx.device.createQuerySet({ label: 'pass timestamps', type: 'timestamp', count: 2 * capacity });
    this.resolveBuffer = ctx.createBuffer('timestamp resolve', 16 * capacity, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC);
    this.readBuffer = ctx.createBuffer('timestamp read', 16 * capacity, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  }

  /** A timer for up to `passes` passes, or undefined when the device has no timestamp queries. */
  static create(ctx: GpuContext, passes: number): GpuTimer | undefined {
    return ctx.hasTimestamps ? new GpuTimer(ctx, passes) : undefined;
  }

  /** Timestamp writes for the next pass; undefined once the timer is full (that pass goes untimed). */
  next(): GPUComputePassTimestampWrites | undefined {
    if (this.used >= this.capacity) return undefined;
    const i = this.used++;
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Total GPU seconds of the timed passes; resets the timer. */
  async seconds(): Promise<number> {
    return (await this.passSeconds()).reduce((a, b) => a + b, 0);
  }

  /** GPU seconds of each timed pass, in the order their writes were handed out; resets the timer. */
  async passSeconds(): Promise<number[]> {
    const n = this.used;
    if (n === 0) return [];
    const encoder = this.ctx.device.createCommandEncoder({ label: 'resolve timestamps' });
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, this.readBuffer, 0, 16 * n);
    this.ctx.device.queue.submit([encoder.finish()]);
    await this.readBuffer.mapAsync(GPUMapMode.READ, 0, 16 * n);
    const stamps = new BigUint64Array(this.readBuffer.getMappedRange(0, 16 * n).slice(0));
    this.readBuffer.unmap();
    this.used = 0;
    // A pass whose end precedes its beginning (a reset counter) counts as zero.
    return Array.from({ length: n }, (_, i) => (stamps[2 * i + 1] > stamps[2 * i] ? Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e9 : 0));
  }

  destroy(): void {
    this.querySet.destroy();
    this.ctx.destroyBuffer(this.resolveBuffer);
    this.ctx.destroyBuffer(this.readBuffer);
  }
}
