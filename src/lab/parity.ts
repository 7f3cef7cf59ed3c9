// Loss parity across strategies: every strategy trains the same data from the same initial
// parameters, so its losses must equal the first strategy's to float32 summation order. Pure, so
// the lab's table and its tests read the same numbers.
import type { Row } from '../../bench/core';

export interface ParityRow {
  strategy: Row['strategy'];
  /** Epochs compared (the shorter of the two loss runs). */
  epochs: number;
  /** The largest |loss − the first strategy's loss| over those epochs; NaN when nothing was compared. */
  maxAbsDelta: number;
  /** The epoch (1-based) where it is largest. */
  worstEpoch: number;
  /** Its last compared loss. */
  lastLoss: number;
}

/** Each measured row's losses against the first measured row's (which compares to itself: 0). Skipped rows are left out. */
export function lossParity(rows: readonly Row[]): ParityRow[] {
  const measured = rows.filter((r) => !r.skipped && r.losses.length > 0);
  if (measured.length === 0) return [];
  const reference = measured[0].losses;
  return measured.map((r) => {
    const epochs = Math.min(r.losses.length, reference.length);
    let maxAbsDelta = epochs > 0 ? 0 : NaN;
    let worstEpoch = 0;
    for (let i = 0; i < epochs; i++) {
      const d = Math.abs(r.losses[i] - reference[i]);
      // A NaN on either side is the worst difference there is.
      if (!(d <= maxAbsDelta)) {
        maxAbsDelta = Number.isNaN(d) ? Infinity : d;
        worstEpoch = i + 1;
      }
    }
    return { strategy: r.strategy, epochs, maxAbsDelta, worstEpoch, lastLoss: epochs > 0 ? r.losses[epochs - 1] : NaN };
  });
}
