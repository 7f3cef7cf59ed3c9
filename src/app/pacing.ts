// Pieces of training sized by time, not by count (issue #20): a wide model's 250-epoch chunk can
// take a minute, during which Pause and Stop wait and the epoch counter sits at 0. Each piece is
// sized from the rate of the one before so that it takes about half a second.

/** Seconds one piece aims to take: Pause and Stop act within about this long. */
export const PIECE_SECONDS = 0.5;

/**
 * Epochs for the next piece: the last piece's rate (`epochs` in `seconds`) times PIECE_SECONDS,
 * from 1 to `most` (the engine's chunk). The first piece (no rate yet, epochs 0) is 1 epoch.
 */
export function nextPiece(epochs: number, seconds: number, most = 250): number {
  if (!(epochs > 0)) return 1;
  if (!(seconds > 0)) return most;
  return Math.max(1, Math.min(most, Math.floor((epochs / seconds) * PIECE_SECONDS)));
}
