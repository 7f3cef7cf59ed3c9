// The status line's words for the page's states (issue #20): what it says while a run trains.

/** "Training: epoch 1234 of 3000", shown under Play while a run trains (epochs done, the run's end). */
export function trainingStatus(epoch: number, target: number): string {
  return `Training: epoch ${epoch} of ${target}`;
}
