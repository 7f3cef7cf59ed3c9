// MNIST digits drawn from their 784 grey levels (a 28×28 canvas each, no HTML from data), with the
// network's probability of a 7 under each; misclassified ones outlined. Each canvas is an image
// named for screen readers ("a 7, p(7) = 0.93: right").
import type { Dataset } from '../../data/dataset';
/** 28 × 28 grey levels per digit. */
const PIXELS = 784;

export interface DigitItem {
  /** Row of the data set. */
  index: number;
  prob: number;
}

const SIDE = 28;
const labelOf = (y: number) => (y >= 0.5 ? 7 : 3);

export class DigitGrid {
  private shown = '';
  private figures: { figure: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement }[] = [];

  constructor(private readonly el: HTMLElement) {}

  /** Shows these digits of `data` with their probabilities; redraws pixels only when the digits change. */
  show(data: Dataset, items: readonly DigitItem[]): void {
    const key = items.map((d) => d.index).join(',');
    if (key !== this.shown) {
      this.shown = key;
      this.figures = items.map((item) => this.digit(data, item.index));
      this.el.replaceChildren(...this.figures.map((f) => f.figure));
    }
    items.forEach((item, i) => {
      const { figure, canvas, caption } = this.figures[i];
      const label = labelOf(data.y[item.index]);
      const right = item.prob > 0.5 === (label === 7);
      figure.classList.toggle('wrong', !right);
      caption.textContent = `p(7) ${item.prob.toFixed(2)}`;
      canvas.setAttribute('aria-label', `a ${label}, p(7) = ${item.prob.toFixed(2)}: ${right ? 'right' : `wrong, read as a ${label === 7 ? 3 : 7}`}`);
    });
  }

  private digit(data: Dataset, index: number): { figure: HTMLElement; canvas: HTMLCanvasElement; caption: HTMLElement } {
    const figure = document.createElement('figure');
    figure.className = 'digit';
    const canvas = document.createElement('canvas');
    canvas.width = SIDE;
    canvas.height = SIDE;
    canvas.setAttribute('role', 'img');
    const context = canvas.getContext('2d');
    if (context) {
      const image = context.createImageData(SIDE, SIDE);
      for (let p = 0; p < PIXELS; p++) {
        const v = data.x[index * PIXELS + p];
        image.data.set([v, v, v, 255], 4 * p);
      }
      context.putImageData(image, 0, 0);
    }
    const caption = document.createElement('figcaption');
    figure.append(canvas, caption);
    return { figure, canvas, caption };
  }
}
