// The curve views of one-input lessons (the lecture, 04wk-1's fits, 04wk-2's overfitting): the data
// and the model's estimate over x, each hidden unit's panel, the logit chart of BCEWithLogitsLoss
// lessons, and the lecture's extras (logistic regression beside the network, the by-hand bent line,
// the held-out points). main.ts hands it the data and the model at the moment shown; it draws and
// returns what the page says under the data (src/app/views/view.ts).
import type { Dataset } from '../../data/dataset';
import type { Head } from '../../model/layout';
import type { ByHand } from '../byhand';
import type { DataChart, Panels } from '../charts';
import { accuracyText, curveSummary, fmt, scoreOf, unitPanels } from '../inside';
import { stepLogit } from '../lessons/data';
import { lectureDataNote } from '../status';
import type { UnitFocus } from '../unitfocus';
import type { LessonView, ViewMoment } from './view';

/** Over this many points the lecture's logistic regression is not trained beside the network (it runs on the page's thread). */
export const BASELINE_MAX_POINTS = 200_000;

/** Logistic regression at an epoch of the run (src/app/baseline.ts), or undefined before its first epoch / past its last. */
export interface BaselineAt {
  (x: Float32Array, epoch: number): { prob: Float32Array; logit: Float32Array } | undefined;
}

export interface CurveViewParts {
  readonly kind: 'lecture' | 'fit' | 'overfit';
  readonly lessonId: string;
  readonly head: Head;
  readonly dataChart: DataChart;
  readonly unitCharts: Panels;
  readonly unitFocus: UnitFocus;
  readonly logitChart: Panels;
  readonly unitsSummary: HTMLElement;
  readonly logitSummary: HTMLElement;
  /** The lecture's: the by-hand bent line and logistic regression beside the network. */
  readonly lecture?: { byHand: ByHand; baselineAt: BaselineAt };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const concat = (a: ArrayLike<number>, b: ArrayLike<number>): Float32Array<ArrayBuffer> => {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const variance = (v: ArrayLike<number>) => {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i] / v.length;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] - mean) ** 2;
  return sum / v.length;
};

export class CurveView implements LessonView {
  /** The x of every point drawn: the training points, then the held-out ones. */
  private x: Float32Array<ArrayBuffer> = new Float32Array(0);

  constructor(private readonly parts: CurveViewParts) {}

  showData(d: Dataset, test: Dataset | undefined): string {
    const { kind, dataChart, lecture } = this.parts;
    const split = (kind === 'overfit' || kind === 'lecture') && test !== undefined;
    const all = split ? { x: concat(d.x, test.x), y: concat(d.y, test.y), curve: d.truth && test.truth ? concat(d.truth, test.truth) : undefined } : { x: d.x, y: d.y, curve: d.prob ?? d.truth };
    this.x = all.x;
    dataChart.setData(all.x, all.y, all.curve, split ? d.n : undefined);
    lecture?.byHand.setData(d);
    return (
      `${d.source}: ${count(d.n, 'point')}${d.prob ? ', with the true probability' : d.truth ? ', with the true curve' : ''}${test ? `; held out: ${count(test.n, 'point')}` : ''}.` +
      (lecture && d.n > BASELINE_MAX_POINTS ? ` Logistic regression is not trained beside it (over ${BASELINE_MAX_POINTS} points it would hold the page).` : '') +
      (lecture && test ? ' With a test set held out, the loss chart’s second curve is its test loss (evaluation mode, before each update), and logistic regression is not trained.' : '') +
      (lecture ? lectureDataNote(d.source) : '') // issue #20: which data is shown
    );
  }

  async refresh(m: ViewMoment, data: Dataset, test: Dataset | undefined): Promise<{ summary: string; estimate: Float32Array }> {
    const { kind, head, dataChart, lecture } = this.parts;
    const trace = await m.traceOf(this.x);
    dataChart.setEstimate(trace.prob);
    dataChart.setEstimateLabel(m.scrubbed ? `estimated (epoch ${m.epoch})` : 'estimated (now)'); // issue #20
    const sortedX = Float32Array.from(dataChart.sortedX);
    const inside = unitPanels(m.params, m.layout, sortedX);
    this.parts.unitCharts.update(sortedX, inside.panels);
    this.parts.unitFocus.setUnits(inside.panels[0].series?.length ?? 0);
    this.parts.unitsSummary.textContent = `At epoch ${m.epoch}: ${inside.summary}`;
    const train = data.n;
    const score = scoreOf({ logit: trace.logit.subarray(0, train), prob: trace.prob.subarray(0, train) }, data.y, head);
    // The held-out points are drawn (and scored) by the lecture and the overfitting lesson only.
    const heldOut = test && kind !== 'fit' && scoreOf({ logit: trace.logit.subarray(train), prob: trace.prob.subarray(train) }, test.y, head);
    lecture?.byHand.setAdam(trace.prob.subarray(0, train), score.loss, m.epoch);
    const estimate = Float32Array.from(trace.prob);
    if (kind === 'overfit' && test && heldOut) {
      const summary =
        `${m.at}: MSE ${fmt(score.loss, 3)} on the ${train} training points, ${fmt(heldOut.loss, 3)} on the ${test.n} held-out ones ` +
        `(the noise itself has variance ${fmt(variance(test.y), 3)}).${m.layout.spec.dropout > 0 ? ` Dropout p = ${m.layout.spec.dropout} while training; the curve is drawn in evaluation mode.` : ''}`;
      return { summary, estimate };
    }
    const logits = Array.from(inside.panels.find((p) => p.title.startsWith('Σ'))?.values ?? []);
    // The baseline at the epoch shown, live or scrubbed (issue #20: one time on screen).
    const base = lecture && m.epoch > 0 ? lecture.baselineAt(data.x, m.epoch) : undefined;
    dataChart.setBaseline(base?.prob);
    const baseScore = base ? scoreOf(base, data.y, 'bce') : undefined;
    const summary =
      `${m.at}: ${curveSummary(sortedX, head === 'mse' ? logits : inside.panels[inside.panels.length - 1].values ?? [])} ` +
      `Loss ${fmt(score.loss, 4)}${accuracyText(score.accuracy)}${test ? ` on the ${train} training points` : ''}.` +
      (kind === 'lecture' && test && heldOut ? ` On the ${test.n} held-out points: loss ${fmt(heldOut.loss, 4)}${accuracyText(heldOut.accuracy)}.` : '') +
      (baseScore ? ` Logistic regression (no hidden layer), same epochs: loss ${fmt(baseScore.loss, 4)}${accuracyText(baseScore.accuracy)}, a curve that can only rise or fall.` : '');
    if (head === 'bce-logits') this.drawLogits(m.at, sortedX, logits);
    return { summary, estimate };
  }

  /** BCEWithLogitsLoss lessons: the network's logit against the true one, before the sigmoid. */
  private drawLogits(at: string, sortedX: Float32Array, logits: number[]): void {
    const truth = sortedX.map((x) => (this.parts.lessonId === '04wk-1-step' ? stepLogit(x) : NaN));
    this.parts.logitChart.update(sortedX, [
      {
        title: 'before the sigmoid',
        caption: 'the true logit u (dashed) and the network’s output, the logit BCEWithLogitsLoss takes',
        series: [
          { label: 'true logit u', values: truth, color: '#6b7280', dash: [6, 4] },
          { label: 'the network’s logit', values: logits, color: '#2563eb' },
        ],
      },
    ]);
    this.parts.logitSummary.textContent = `${at}, before the sigmoid: the network’s logit runs from ${fmt(Math.min(...logits))} to ${fmt(Math.max(...logits))}; the true u is -3, -1, or 15x + 6 left of x = -0.2.`;
  }
}
