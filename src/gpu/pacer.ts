// Pacing of buffer maps on runtimes where waiting on one spins a CPU core. Dawn's Node binding
// polls the device in a busy loop while a map is pending; on a software adapter that core is one
// the adapter would otherwise compute on (half of a 2-core machine). So each map waits, off the
// CPU, until the work before it should be nearly done, and only then is requested.
//
// Maps run one after another (the GPU runs the submits in order), each held back from when the
// previous one completed. The hold comes from a bracket on the time per unit of work, searched
// like a bisection: every map's wait is an upper bound (spinning only slows the work), and a map
// that completes clearly after its hold proves a lower one (the work was not done by then). The
// hold aims at the middle, so the bracket halves with each map, and both ends drift outwards a
// little each time so that a changing rate is followed. The first map of a pacer pays for first
// use (shader compilation, first touch of memory) and sets nothing; the second, unheld, gives
// the first upper bound.

/** Each map widens the bracket by this much on both sides, to follow a rate that changes. */
const DRIFT = 0.02;

export class MapPacer {
  /** Milliseconds per unit of work: known to be at least `lo` and at most `hi`. */
  private lo = 0;
  private hi = Infinity;
  private completed = 0;
  private lastCompleted = 0;
  private previous: Promise<unknown> = Promise.resolve();

  /** Calls `map` for a submit of `work` units (any unit: epochs) just made, no earlier than worth it. */
  pace<T>(work: number, map: () => Promise<T>): Promise<T> {
    const submitted = performance.now();
    const run = this.previous.then(async () => {
      const start = Math.max(submitted, this.lastCompleted);
      const holdEnd = start + (Number.isFinite(this.hi) ? (work * (this.lo + this.hi)) / 2 : 0);
      const hold = holdEnd - performance.now();
      if (hold > 1) await new Promise<void>((resolve) => setTimeout(resolve, hold));
      const result = await map();
      const now = performance.now();
      if (this.completed++ > 0) this.learn(work, start, holdEnd, hold > 1, now);
      this.lastCompleted = now;
      return result;
    });
    this.previous = run.catch(() => undefined);
    return run;
  }

  private learn(work: number, start: number, holdEnd: number, held: boolean, now: number): void {
    this.hi = Math.min(this.hi, (now - start) / work);
    const late = held && now - holdEnd > 0.5 + 0.01 * (now - start);
    if (late) this.lo = Math.max(this.lo, (holdEnd - start) / work);
    if (this.lo >= this.hi) this.lo = 0.8 * this.hi; // the rate fell below the bracket: reopen it
    this.lo *= 1 - DRIFT;
    this.hi *= 1 + DRIFT;
  }
}
