// The status line's words for the page's states (issue #20): what it says while a run trains.

/** "Training: epoch 1234 of 3000", shown under Play while a run trains (epochs done, the run's end). */
export function trainingStatus(epoch: number, target: number): string {
  return `Training: epoch ${epoch} of ${target}`;
}

/**
 * What the lecture's data chart shows, said beside its size (issue #20): the built-in set is the
 * lecture's formula with this page's own draws, so its numbers are near the notebook's, not equal.
 */
export function lectureDataNote(source: string): string {
  if (source.startsWith('generated')) {
    return " The lecture's formula with this page's own Bernoulli draws, not the notebook's 2000 (dnnex.csv): the losses come out near the notebook's, not equal (0.2798 against 0.2670 at 6000 epochs). For the notebook's numbers, load dnnex.csv.";
  }
  if (source.startsWith('dnnex.csv')) return " The lecture's own data (dnnex.csv): the notebook's numbers.";
  return '';
}

/** The message for a data set that could not be fetched (offline, blocked): what to do instead. */
export function fetchFailedMessage(url: string, error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return `${url} could not be fetched (${why}): the page may be offline. Download dnnex.csv once, then choose “A CSV file of mine…” and press Load, or drop the file on the page`;
}
