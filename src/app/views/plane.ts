// The 2-D lessons' view (rings, xor): the model's output over the plane as a heatmap with the points
// on top, and the loss and accuracy on the points (src/app/plane.ts draws).
import type { Dataset } from '../../data/dataset';
import type { Head } from '../../model/layout';
import { accuracyText, fmt, scoreOf } from '../inside';
import { PlaneChart, planeGrid } from '../plane';
import type { LessonView, ViewMoment } from './view';

export class PlaneView implements LessonView {
  private readonly chart: PlaneChart;

  constructor(
    el: HTMLElement,
    size: number,
    private readonly summary: HTMLElement,
    private readonly head: Head,
  ) {
    this.chart = new PlaneChart(el, size);
  }

  showData(train: Dataset): string {
    this.chart.setData(train);
    return `${train.source}: ${train.n} points of ${train.d} features (${train.features.join(', ')}).`;
  }

  async refresh(m: ViewMoment, train: Dataset): Promise<{ summary: string; estimate: Float32Array }> {
    const [grid, points] = [await m.traceOf(planeGrid()), await m.traceOf(train.x as Float32Array<ArrayBuffer>)];
    this.chart.setOutput(grid.prob);
    const score = scoreOf(points, train.y, this.head);
    this.summary.textContent = `${m.at}: loss ${fmt(score.loss, 4)}${accuracyText(score.accuracy)} on the ${train.n} points. Blue: the model says 1, orange: 0, white: 0.5.`;
    return { summary: this.summary.textContent, estimate: Float32Array.from(points.prob) };
  }
}
