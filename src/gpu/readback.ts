// Reading GPU buffers back: a one-off read for cold paths, and a pool of MAP_READ buffers that lets
// training run ahead while earlier loss chunks are still on their way back.
import type { GpuContext } from './context';
import { MapPacer } from './pacer';

/** Copies `size` bytes of `src` at `offset` into fresh memory. For cold paths (params, predictions). */
export async function readFloats(ctx: GpuContext, src: GPUBuffer, offset = 0, size = src.size - offset): Promise<Float32Array<ArrayBuffer>> {
  const staging = ctx.createBuffer(`read ${src.label}`, size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  try {
    const encoder = ctx.device.createCommandEncoder({ label: `read ${src.label}` });
    encoder.copyBufferToBuffer(src, offset, staging, 0, size);
    ctx.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0));
  } catch (e) {
    throw await ctx.explain(e);
  } finally {
    ctx.destroyBuffer(staging);
  }
}

/**
 * Staging buffers for chunks of the loss history. `acquire` waits only when every buffer is still
 * in flight, which bounds how far the CPU runs ahead of the GPU without ever waiting per epoch.
 *
 * Where waiting on a map spins a CPU core (GpuContext.busyPolling: Dawn in Node), maps are paced
 * (gpu/pacer.ts).
 */
export class ReadbackPool {
  private readonly free: GPUBuffer[] = [];
  private readonly all: GPUBuffer[] = [];
  private inFlight: Promise<unknown>[] = [];
  private readonly pacer: MapPacer | undefined;

  constructor(
    private readonly ctx: GpuContext,
    private readonly label: string,
    private readonly bytes: number,
    private readonly depth = 3,
  ) {
    this.pacer = ctx.busyPolling ? new MapPacer() : undefined;
  }

  async acquire(): Promise<GPUBuffer> {
    while (this.free.length === 0 && this.all.length >= this.depth) await Promise.race(this.inFlight);
    const buffer =
      this.free.pop() ??
      this.ctx.createBuffer(`${this.label} ${this.all.length}`, this.bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    if (!this.all.includes(buffer)) this.all.push(buffer);
    return buffer;
  }

  /**
   * Maps `buffer` after the submit that filled it, copies out `bytes`, and returns it to the pool.
   * `work` is that submit's size in any unit (epochs), for pacing.
   */
  read(buffer: GPUBuffer, bytes: number, work = 1): Promise<ArrayBuffer> {
    const map = () => buffer.mapAsync(GPUMapMode.READ, 0, bytes);
    const done = (this.pacer ? this.pacer.pace(work, map) : map()).then(() => {
      const copy = buffer.getMappedRange(0, bytes).slice(0);
      buffer.unmap();
      return copy;
    });
    const tracked: Promise<unknown> = done
      .catch(() => undefined)
      .then(() => {
        this.inFlight = this.inFlight.filter((p) => p !== tracked);
        this.free.push(buffer);
      });
    this.inFlight.push(tracked);
    return done;
  }

  destroy(): void {
    this.all.forEach((b) => this.ctx.destroyBuffer(b));
    this.all.length = 0;
    this.free.length = 0;
  }
}
