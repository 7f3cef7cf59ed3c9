// "Can you beat Adam?": sliders for the lecture's seven numbers (W1, b1, W2, b2 of width 2) redraw the
// bent line over the data and give its loss, beside Adam's model of the moment.
import type { Dataset } from '../data/dataset';
import { BENT_LINE_PARAMS, packParams, paramLayout, singleHidden } from '../model/layout';
import { DataChart } from './charts';
import { cpuTrace } from './engine';
import { accuracyText, fmt, scoreOf } from './inside';

const LAYOUT = paramLayout(singleHidden(2));
const [FIRST, SECOND] = LAYOUT.layers;
const SLIDERS: { name: string; at: number }[] = [
  { name: 'W1[0]', at: FIRST.w },
  { name: 'W1[1]', at: FIRST.w + 1 },
  { name: 'b1[0]', at: FIRST.b },
  { name: 'b1[1]', at: FIRST.b + 1 },
  { name: 'W2[0]', at: SECOND.w },
  { name: 'W2[1]', at: SECOND.w + 1 },
  { name: 'b2', at: SECOND.b },
];
const bentLine = () => packParams(BENT_LINE_PARAMS, LAYOUT);

export class ByHand {
  readonly params = bentLine();
  private readonly chart: DataChart;
  private data: Dataset | undefined;
  private adam: { prob: ArrayLike<number>; loss: number; epoch: number } | undefined;
  private readonly inputs: HTMLInputElement[] = [];
  private readonly outputs: HTMLOutputElement[] = [];

  constructor(
    form: HTMLFormElement,
    chartEl: HTMLElement,
    private readonly summary: HTMLElement,
  ) {
    this.chart = new DataChart(chartEl, 'Your bent line over the data, beside Adam’s model', { estimate: 'your bent line', baseline: 'Adam’s model now' }, 240);
    for (const s of SLIDERS) {
      const label = document.createElement('label');
      const input = document.createElement('input');
      const output = document.createElement('output');
      input.type = 'range';
      input.min = '-10';
      input.max = '10';
      input.step = '0.1';
      input.value = String(this.params[s.at]);
      input.id = `hand-${s.name.replace(/\W/g, '')}`;
      output.htmlFor.add(input.id);
      output.textContent = fmt(this.params[s.at]);
      label.append(`${s.name} `, input, output);
      input.addEventListener('input', () => {
        this.params[s.at] = Number(input.value);
        output.textContent = fmt(this.params[s.at]);
        this.redraw();
      });
      this.inputs.push(input);
      this.outputs.push(output);
      form.append(label);
    }
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'secondary';
    copy.textContent = 'Start from the lecture’s numbers';
    copy.addEventListener('click', () => this.set(bentLine()));
    form.append(copy);
  }

  set(params: ArrayLike<number>): void {
    SLIDERS.forEach((s, i) => {
      this.params[s.at] = params[s.at];
      this.inputs[i].value = String(params[s.at]);
      this.outputs[i].textContent = fmt(params[s.at]);
    });
    this.redraw();
  }

  setData(data: Dataset): void {
    this.data = data;
    this.adam = undefined;
    this.chart.setData(data.x, data.y, data.prob);
    this.redraw();
  }

  /** Adam's model of the moment, to compare with. */
  setAdam(prob: ArrayLike<number>, loss: number, epoch: number): void {
    this.adam = { prob, loss, epoch };
    this.chart.setBaseline(prob);
    this.redraw();
  }

  /** Your loss on the data, for the tests and the summary. */
  loss(): number {
    if (!this.data) return NaN;
    return scoreOf(cpuTrace(this.params, LAYOUT, this.data.x), this.data.y, 'bce').loss;
  }

  private redraw(): void {
    if (!this.data) return;
    const trace = cpuTrace(this.params, LAYOUT, this.data.x);
    this.chart.setEstimate(trace.prob);
    const mine = scoreOf(trace, this.data.y, 'bce');
    const adam = this.adam ? ` Adam after ${this.adam.epoch} epochs: ${fmt(this.adam.loss, 4)}${this.adam.epoch > 0 && mine.loss < this.adam.loss ? ' — you win!' : '.'}` : '';
    this.summary.textContent = `Your bent line: loss ${fmt(mine.loss, 4)}${accuracyText(mine.accuracy)}.${adam}`;
  }
}
