// The previous runs, kept as faded ghosts across Restart and Reset (issue #20): comparing runs is
// the lesson (width 2 against 3, lr 0.001 against 0.01, no dropout against dropout), so the run on
// screen leaves its estimate and its loss curves (the baseline's or the test loss too) on the charts,
// named by what the next run changes. "Forget previous runs" clears them.
import type { TrainerConfig } from '../train/trainer';
import type { DataChart, LossChart } from './charts';

/**
 * The ghost's name: "before: hidden 2, lr 0.01" — the settings of the run on screen (`old`, after
 * `epochs` epochs) that the next model (`next`) changes; "before: the same settings" when none do.
 */
export function ghostLabel(old: TrainerConfig, next: TrainerConfig, epochs: number): string {
  const changes: string[] = [];
  if (old.model.layers.join() !== next.model.layers.join()) changes.push(`hidden ${old.model.layers.slice(1, -1).join('-')}`);
  if (old.model.dropout !== next.model.dropout) changes.push(old.model.dropout > 0 ? `dropout ${old.model.dropout}` : 'no dropout');
  if (old.lr !== next.lr) changes.push(`lr ${old.lr}`);
  if (old.seed !== next.seed) changes.push(`seed ${old.seed}`);
  return `before: ${changes.length > 0 ? changes.join(', ') : 'the same settings'} (${epochs} epochs)`;
}

/** The ghosts of both charts and their "Forget previous runs" button (shown while there are ghosts). */
export class Ghosts {
  constructor(
    private readonly button: HTMLButtonElement,
    private readonly loss: LossChart,
    private readonly data: DataChart,
    /** Where focus goes when the button hides under it. */
    private readonly focusAfter: HTMLElement,
    /** Whether the loss chart's second curve is kept too (a test loss: yes; the logistic baseline, the same each run: no), asked at each keep. */
    private readonly withSecond: () => boolean,
  ) {
    button.addEventListener('click', () => this.clear());
    this.sync();
  }

  /** Keeps the charts' curves as a ghost named `label`; `estimate` is the data chart's estimate (in the data's order). */
  keep(label: string, estimate: ArrayLike<number>): void {
    this.loss.keepAsGhost(label, this.withSecond());
    this.data.keepAsGhost(label, estimate);
    this.sync();
  }

  clear(): void {
    const focused = document.activeElement === this.button;
    this.loss.clearGhosts();
    this.data.clearGhosts();
    this.sync();
    if (focused) this.focusAfter.focus();
  }

  /** The ghosts' names, oldest first. */
  get labels(): string[] {
    return this.loss.ghostLabels;
  }

  private sync(): void {
    this.button.hidden = this.loss.ghostLabels.length === 0;
  }
}
