// 04wk-1's MNIST view: sample test digits (threes, then sevens) with p(7), the misclassified ones,
// and train and test accuracy (threshold 0.5, as the lecture).
import { accuracy } from '../../cpu/model';
import type { Dataset } from '../../data/dataset';
import { DigitGrid, type DigitItem } from '../lessons/digits';
import { drawWeightImages } from '../weights';
import type { LessonView, ViewMoment } from './view';

const SAMPLE_PER_DIGIT = 8;
const MAX_WRONG = 48;

export interface DigitsViewUi {
  sample: HTMLElement;
  wrong: HTMLElement;
  wrongTitle: HTMLElement;
  summary: HTMLElement;
  /** The first layer's units as 28×28 pictures (issue #20). */
  weights: HTMLElement;
}

export class DigitsView implements LessonView {
  private readonly sample: DigitGrid;
  private readonly wrong: DigitGrid;
  /** The last redraw's accuracies and misclassified count (the page's tests read them). */
  last: { train: number; test: number; wrong: number } | undefined;

  constructor(private readonly ui: DigitsViewUi) {
    this.sample = new DigitGrid(ui.sample);
    this.wrong = new DigitGrid(ui.wrong);
  }

  showData(train: Dataset, test: Dataset | undefined): string {
    return `${train.source}: ${train.n} digits of ${train.d} pixels${test ? `; held out: ${test.n} (${test.source})` : ''}.`;
  }

  async refresh(m: ViewMoment, train: Dataset, test: Dataset | undefined): Promise<{ summary: string; estimate: Float32Array }> {
    drawWeightImages(this.ui.weights, m.params, m.layout);
    if (!test) return { summary: '', estimate: new Float32Array(0) };
    const trainProb = (await m.traceOf(train.x as Float32Array<ArrayBuffer>)).prob;
    const testProb = (await m.traceOf(test.x as Float32Array<ArrayBuffer>)).prob;
    const y = test.y;
    const sevens = y.indexOf(1);
    const rows = [...Array.from({ length: SAMPLE_PER_DIGIT }, (_, i) => i), ...Array.from({ length: SAMPLE_PER_DIGIT }, (_, i) => sevens + i)];
    const sample: DigitItem[] = rows.map((index) => ({ index, prob: testProb[index] }));
    const wrong: DigitItem[] = [];
    testProb.forEach((p, index) => {
      if (p > 0.5 !== y[index] > 0.5) wrong.push({ index, prob: p });
    });
    this.sample.show(test, sample);
    this.wrong.show(test, wrong.slice(0, MAX_WRONG));
    this.last = { train: accuracy(trainProb, train.y), test: accuracy(testProb, y), wrong: wrong.length };
    this.ui.wrongTitle.textContent = `Misclassified test digits: ${wrong.length} of ${test.n}${wrong.length > MAX_WRONG ? ` (the first ${MAX_WRONG})` : ''}`;
    this.ui.summary.textContent = `${m.at}: train accuracy ${(100 * this.last.train).toFixed(1)}% (${train.n} digits), test accuracy ${(100 * this.last.test).toFixed(1)}% (${test.n} digits it never trained on); ${wrong.length} test digits misclassified.`;
    return { summary: this.ui.summary.textContent, estimate: Float32Array.from(testProb) };
  }
}
