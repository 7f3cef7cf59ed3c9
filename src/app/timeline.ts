// The training timeline: which epochs have a parameter snapshot, and in which slot of the store.
// A few hundred slots cover any run: a snapshot is due `interval` epochs after the last one; when the
// slots run out, the interval doubles and every other snapshot is freed. Pinned snapshots (the end of
// every run: the lecture's 3000 and 6000) are never freed.

export interface TimelineEntry {
  epoch: number;
  slot: number;
  pinned: boolean;
}

export class Timeline {
  private entries: TimelineEntry[] = [];
  private free: number[];
  interval: number;

  constructor(
    readonly slots: number,
    private readonly firstInterval = 10,
  ) {
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
    this.interval = firstInterval;
  }

  clear(): void {
    this.entries = [];
    this.free = Array.from({ length: this.slots }, (_, i) => this.slots - 1 - i);
    this.interval = this.firstInterval;
  }

  /** Snapshots by epoch, oldest first. */
  get all(): readonly TimelineEntry[] {
    return this.entries;
  }

  private get lastEpoch(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1].epoch : -Infinity;
  }

  /** The epoch after `epoch` at which the next snapshot is due. */
  nextDue(epoch: number): number {
    if (this.slots === 0) return Infinity; // the timeline is off: no snapshot is ever due
    return Math.max(epoch + 1, this.lastEpoch + this.interval);
  }

  isDue(epoch: number): boolean {
    return this.slots > 0 && epoch >= this.lastEpoch + this.interval;
  }

  /** The slot to write the snapshot of `epoch` into; pins an existing one. Undefined: no room. */
  record(epoch: number, pinned = false): number | undefined {
    const existing = this.entries.find((e) => e.epoch === epoch);
    if (existing) {
      existing.pinned ||= pinned;
      return undefined;
    }
    if (this.free.length === 0) this.thin();
    const slot = this.free.pop();
    if (slot === undefined) return undefined; // every slot pinned
    this.entries.push({ epoch, slot, pinned });
    this.entries.sort((a, b) => a.epoch - b.epoch);
    return slot;
  }

  /** Forgets the snapshots after `epoch` (a run that diverged, a device restored to an earlier state). */
  truncate(epoch: number): void {
    for (const e of this.entries) if (e.epoch > epoch) this.free.push(e.slot);
    this.entries = this.entries.filter((e) => e.epoch <= epoch);
  }

  /** The snapshot nearest to `epoch`. */
  nearest(epoch: number): TimelineEntry | undefined {
    let best: TimelineEntry | undefined;
    for (const e of this.entries) if (!best || Math.abs(e.epoch - epoch) < Math.abs(best.epoch - epoch)) best = e;
    return best;
  }

  private thin(): void {
    while (this.free.length === 0 && this.interval < 1 << 30) {
      this.interval *= 2;
      let odd = false;
      const keep: TimelineEntry[] = [];
      for (const e of this.entries) {
        if (e.pinned || (odd = !odd)) keep.push(e);
        else this.free.push(e.slot);
      }
      this.entries = keep;
    }
  }
}

/** Bytes the page lets the timeline's snapshots take, whatever the device allows: a few hundred MB at most. */
export const SNAPSHOT_MEMORY_BYTES = 256 * 1024 * 1024;
/** Fewer snapshots than this make no timeline worth scrubbing: it is turned off instead. */
export const MIN_SNAPSHOT_SLOTS = 8;

/** How many snapshots of a model fit, or why the timeline is off. */
export interface SnapshotPlan {
  slots: number;
  /** Why there is no timeline (slots is 0), in words for the page. */
  off?: string;
}

/**
 * The snapshot slots for a model of `count` float32 parameters: up to `wanted`, as many as fit in
 * one buffer of at most `maxBufferSize` bytes (the device's limit; Infinity on the CPU) and in
 * SNAPSHOT_MEMORY_BYTES. Fewer than MIN_SNAPSHOT_SLOTS: none, with the reason. The timeline thins
 * itself to the slots it has (the interval doubles), so fewer slots mean coarser snapshots, never
 * made-up ones.
 */
export function snapshotPlan(count: number, wanted: number, maxBufferSize: number, memoryBytes = SNAPSHOT_MEMORY_BYTES): SnapshotPlan {
  const bytes = count * 4;
  const limit = Math.min(maxBufferSize, memoryBytes);
  const slots = Math.min(wanted, Math.floor(limit / bytes));
  if (slots >= MIN_SNAPSHOT_SLOTS) return { slots };
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(b < 1024 * 1024 ? 2 : 0)} MB`;
  const which = maxBufferSize <= memoryBytes ? `this device's largest buffer (maxBufferSize, ${mb(maxBufferSize)})` : `the ${mb(memoryBytes)} the page gives the timeline`;
  return { slots: 0, off: `timeline off: one snapshot of this model's ${count} parameters takes ${mb(bytes)}, and ${which} holds fewer than ${MIN_SNAPSHOT_SLOTS}` };
}
