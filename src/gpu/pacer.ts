// Pacing of buffer maps on runtimes where waiting on one spins a CPU core. Dawn's Node binding
// polls the device in a busy loop while a map is pending; on a software adapter that core is one
// the adapter would otherwise compute on (half of a 2-core machine). So each map waits, off the
// CPU, until the work before it should be nearly done, and only then is requested.
//
// Maps run one after another, each held back from when the previous completed (the GPU runs the
// submits in order) for 90% of the time its work should take at the measured rate. A map that
// completes well after its hold measures the rate, only its tail having spun; one that completes
// at once may have waited on the hold rather than on the work, so the rate is probed 40% lower.
// The first map of a pacer pays for first use (shader compilation, first touch of memory) and
// measures nothing; the next, unheld, measures a spinning wait, which the probing soon corrects.

const HOLD_SHARE = 0.9;
const PROBE_DOWN = 0.6;

export class MapPacer {
  /** Milliseconds per unit of work (0 until measured). */
  private msPerUnit = 0;
  private completed = 0;
  private lastCompleted = 0;
  private previous: Promise<unknown> = Promise.resolve();

  /** Calls `map` for a submit of `work` units (any unit: epochs) just made, no earlier than worth it. */
  pace<T>(work: number, map: () => Promise<T>): Promise<T> {
    const submitted = performance.now();
    const run = this.previous.then(async () => {
      const start = Math.max(submitted, this.lastCompleted);
      const expected = work * this.msPerUnit;
      const holdEnd = start + HOLD_SHARE * expected;
      const hold = holdEnd - performance.now();
      if (hold > 1) await new Promise<void>((resolve) => setTimeout(resolve, hold));
      const result = await map();
      const now = performance.now();
      const measured = (now - start) / work;
      const heldBack = hold > 1 && now - holdEnd < 1 + 0.02 * expected;
      if (this.completed++ > 0) this.msPerUnit = heldBack ? PROBE_DOWN * measured : measured;
      this.lastCompleted = now;
      return result;
    });
    this.previous = run.catch(() => undefined);
    return run;
  }
}
