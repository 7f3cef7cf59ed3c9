// The page's charts (uPlot). uPlot has no append API: we keep our own typed arrays and call
// setData at most once per animation frame, whatever the rate at which losses arrive.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = { estimate: '#2563eb', truth: '#6b7280', points: 'rgba(220, 38, 38, 0.25)', loss: '#2563eb' };
const OVERLAY_COLORS = ['#f59e0b', '#10b981', '#8b5cf6', '#ec4899', '#0ea5e9'];

function widthOf(el: HTMLElement, min = 240): number {
  return Math.max(min, el.clientWidth || 600);
}

/** Resizes a chart with its container. */
function fit(plot: uPlot, el: HTMLElement, height: number, min = 240): void {
  new ResizeObserver(() => plot.setSize({ width: widthOf(el, min), height })).observe(el);
}

/** Coalesces redraws to one per animation frame. */
function frameScheduler(draw: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw();
    });
  };
}

export interface PanelSpec {
  title: string;
  caption: string;
  values: ArrayLike<number>;
}

/** The lecture's small panels: one curve each over the same x. */
export function renderPanels(container: HTMLElement, x: ArrayLike<number>, panels: PanelSpec[]): void {
  container.replaceChildren();
  for (const p of panels) {
    const figure = document.createElement('figure');
    figure.className = 'panel';
    const holder = document.createElement('div');
    const caption = document.createElement('figcaption');
    const strong = document.createElement('strong');
    strong.textContent = p.title;
    caption.append(strong, document.createTextNode(` — ${p.caption}`));
    figure.append(holder, caption);
    container.append(figure);
    const plot = new uPlot(
      {
        width: widthOf(holder, 120),
        height: 150,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [{ size: 28 }, { size: 36 }],
        series: [{}, { label: p.title, stroke: COLORS.estimate, width: 2 }],
      },
      [Array.from(x), Array.from(p.values)],
      holder,
    );
    fit(plot, holder, 150, 120);
  }
}

/** Loss per epoch, streamed: every epoch's loss is kept and drawn. */
export class LossChart {
  private epochs = new Float64Array(1024);
  private losses = new Float64Array(1024);
  private count = 0;
  private readonly plot: uPlot;
  readonly redraw: () => void;

  constructor(el: HTMLElement) {
    this.plot = new uPlot(
      {
        width: widthOf(el),
        height: 260,
        scales: { x: { time: false } },
        axes: [{ label: 'epoch' }, { label: 'BCE loss', size: 60 }],
        series: [{ label: 'epoch' }, { label: 'loss', stroke: COLORS.loss, width: 1.5 }],
      },
      [[], []],
      el,
    );
    fit(this.plot, el, 260);
    this.redraw = frameScheduler(() => this.plot.setData([this.epochs.subarray(0, this.count) as unknown as number[], this.losses.subarray(0, this.count) as unknown as number[]]));
  }

  get length(): number {
    return this.count;
  }

  /** Losses of epochs first+1 .. first+chunk.length; a first below the count rewinds (device loss). */
  append(first: number, chunk: ArrayLike<number>): void {
    this.count = Math.min(this.count, first);
    const need = first + chunk.length;
    if (need > this.epochs.length) {
      const size = Math.max(need, this.epochs.length * 2);
      const [e, l] = [new Float64Array(size), new Float64Array(size)];
      e.set(this.epochs.subarray(0, this.count));
      l.set(this.losses.subarray(0, this.count));
      [this.epochs, this.losses] = [e, l];
    }
    for (let i = 0; i < chunk.length; i++) {
      this.epochs[first + i] = first + i + 1;
      this.losses[first + i] = chunk[i];
    }
    this.count = need;
    this.redraw();
  }

  truncate(epochs: number): void {
    this.count = Math.min(this.count, epochs);
    this.redraw();
  }

  values(): Float64Array {
    return this.losses.slice(0, this.count);
  }
}

/** Observed points, the true probability (dashed), the live estimate and the finished runs' curves. */
export class DataChart {
  private plot: uPlot | undefined;
  private x: number[] = [];
  private order: number[] = [];
  private columns: (number | null)[][] = [];
  private overlays = 0;
  readonly redraw: () => void;

  constructor(private readonly el: HTMLElement) {
    this.redraw = frameScheduler(() => this.plot?.setData([this.x, ...this.columns] as uPlot.AlignedData));
  }

  /** Shows a data set; the estimate and the overlays start empty. x need not be sorted. */
  setData(x: ArrayLike<number>, y: ArrayLike<number>, prob: ArrayLike<number> | undefined): void {
    this.order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a] - x[b]);
    this.x = this.order.map((i) => x[i]);
    const sorted = (v: ArrayLike<number> | undefined) => (v ? this.order.map((i) => v[i]) : this.x.map(() => null));
    this.columns = [sorted(y), sorted(prob), this.x.map(() => null)];
    this.overlays = 0;
    this.plot?.destroy();
    this.plot = new uPlot(
      {
        width: widthOf(this.el),
        height: 300,
        scales: { x: { time: false }, y: { range: [-0.05, 1.05] } },
        axes: [{ label: 'x' }, { label: 'y, probability', size: 50 }],
        series: [
          { label: 'x' },
          { label: 'observed y', stroke: COLORS.points, paths: () => null, points: { show: true, size: 3, stroke: COLORS.points, fill: COLORS.points } },
          { label: 'true probability', stroke: COLORS.truth, dash: [6, 4], width: 1.5, show: prob !== undefined },
          { label: 'estimated (now)', stroke: COLORS.estimate, width: 2 },
        ],
      },
      [this.x, ...this.columns] as uPlot.AlignedData,
      this.el,
    );
    fit(this.plot, this.el, 300);
  }

  setEstimate(prob: ArrayLike<number>): void {
    this.columns[2] = this.order.map((i) => prob[i]);
    this.redraw();
  }

  clearEstimate(): void {
    this.columns[2] = this.x.map(() => null);
    this.redraw();
  }

  addOverlay(label: string, prob: ArrayLike<number>): void {
    if (!this.plot) return;
    const stroke = OVERLAY_COLORS[this.overlays++ % OVERLAY_COLORS.length];
    this.columns.push(this.order.map((i) => prob[i]));
    this.plot.addSeries({ label, stroke, width: 1.5 });
    this.redraw();
  }

  clearOverlays(): void {
    while (this.plot && this.columns.length > 3) {
      this.columns.pop();
      this.plot.delSeries(this.plot.series.length - 1);
    }
    this.overlays = 0;
    this.redraw();
  }

  get overlayLabels(): string[] {
    return this.plot ? this.plot.series.slice(4).map((s) => String(s.label)) : [];
  }
}
