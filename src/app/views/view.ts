// A lesson's own view beside the loss chart (issue #17: main.ts is the run controller, each kind of
// view its own module). main.ts hands a view the data when they change and the model at the moment
// shown (live or a timeline snapshot) when it redraws; the view draws, and returns what the page
// says about it: views/curve.ts (the lecture, the fits, overfitting), views/digits.ts (MNIST),
// views/plane.ts (2-D data); the 05wk lessons' minibatch lab and the timing table mount in their place.
import type { Dataset } from '../../data/dataset';
import type { ParamLayout } from '../../model/layout';
import type { ForwardTrace } from '../../train/engine';

/** The model at the moment a redraw shows. */
export interface ViewMoment {
  /** "Epoch 120" live, "Snapshot at epoch 40" scrubbed. */
  at: string;
  /** The model at that moment on any inputs (N, D), evaluation mode. */
  traceOf(x: Float32Array<ArrayBuffer>): Promise<Pick<ForwardTrace, 'logit' | 'prob'>>;
  /** Its parameters (the flat block of `layout`) and the epochs trained to reach them. */
  params: Float32Array<ArrayBuffer>;
  layout: ParamLayout;
  epoch: number;
  /** Whether the moment is a timeline snapshot rather than the live model. */
  scrubbed: boolean;
}

export interface LessonView {
  /** Draws new data (and its held-out part); returns the data line's text. */
  showData(train: Dataset, test: Dataset | undefined): string;
  /**
   * Redraws the model at `m`; returns the summary the page shows under the data, and the estimate
   * the timeline pins and the ghosts keep (one value per point drawn).
   */
  refresh(m: ViewMoment, train: Dataset, test: Dataset | undefined): Promise<{ summary: string; estimate: Float32Array }>;
}
