// 2-D data (issue #20: rings, xor), as TensorFlow Playground shows it: the model's output over the
// square [-1, 1]² as a heatmap (orange where it says 0, blue where it says 1, white at 0.5), with
// the points on top, each in its label's colour.
import type { Dataset } from '../data/dataset';

/** The heatmap's grid: GRID × GRID cells over [-1, 1]², evaluated at their centres. */
export const GRID = 64;

let grid: Float32Array<ArrayBuffer> | undefined;

/**
 * The cells' centres, row-major from the top (x2 = 1) down, as (x1, x2) pairs: the model's input.
 * One array for the page's life: the engine caches its forward pass by the array.
 */
export function planeGrid(): Float32Array<ArrayBuffer> {
  grid ??= makeGrid();
  return grid;
}

function makeGrid(): Float32Array<ArrayBuffer> {
  const out = new Float32Array(2 * GRID * GRID);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      out[2 * (r * GRID + c)] = -1 + (2 * c + 1) / GRID;
      out[2 * (r * GRID + c) + 1] = 1 - (2 * r + 1) / GRID;
    }
  }
  return out;
}

const ZERO = [230, 120, 40];
const ONE = [37, 99, 235];

/** The colour of probability p: orange (0) through white (0.5) to blue (1). */
export function probColor(p: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, p));
  const to = t < 0.5 ? ZERO : ONE;
  const k = Math.abs(t - 0.5) * 2;
  return [0, 1, 2].map((i) => Math.round(255 + (to[i] - 255) * k)) as [number, number, number];
}

/** The heatmap and the points, on one canvas of `size` CSS pixels. */
export class PlaneChart {
  private data: Dataset | undefined;
  private prob: ArrayLike<number> | undefined;
  readonly canvas: HTMLCanvasElement;

  constructor(container: HTMLElement, size = 360) {
    this.canvas = document.createElement('canvas');
    this.canvas.width = size * devicePixelRatio;
    this.canvas.height = size * devicePixelRatio;
    this.canvas.style.width = `min(100%, ${size}px)`;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'The model’s output over the plane, with the data points');
    container.replaceChildren(this.canvas);
  }

  setData(data: Dataset): void {
    this.data = data;
    this.draw();
  }

  /** The model's probability at each cell of planeGrid(). */
  setOutput(prob: ArrayLike<number>): void {
    this.prob = prob;
    this.draw();
  }

  /** The heatmap's colour at grid cell (row, column), as drawn (for tests). */
  cellColor(row: number, column: number): [number, number, number] | undefined {
    return this.prob ? probColor(this.prob[row * GRID + column]) : undefined;
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const px = this.canvas.width;
    const cell = px / GRID;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, px, px);
    if (this.prob) {
      for (let i = 0; i < GRID * GRID; i++) {
        const [r, g, b] = probColor(this.prob[i]);
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, Math.ceil(cell), Math.ceil(cell));
      }
    }
    const d = this.data;
    if (!d || d.d !== 2) return;
    const radius = 2.5 * devicePixelRatio;
    for (let i = 0; i < d.n; i++) {
      const [x1, x2] = [d.x[2 * i], d.x[2 * i + 1]];
      ctx.beginPath();
      ctx.arc(((x1 + 1) / 2) * px, ((1 - x2) / 2) * px, radius, 0, 2 * Math.PI);
      ctx.fillStyle = d.y[i] > 0.5 ? 'rgb(30, 64, 175)' : 'rgb(194, 65, 12)';
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = devicePixelRatio;
      ctx.stroke();
    }
  }
}
