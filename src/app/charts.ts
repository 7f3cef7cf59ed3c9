// The page's charts (uPlot). uPlot has no append API: we keep our own typed arrays and call
// setData at most once per animation frame, whatever the rate at which losses arrive. Colours come
// from the page's CSS variables (light and dark), every chart is named for screen readers, and the
// legends toggle series from the keyboard.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { TICK_INCRS, tickLabels } from './axis';
import { CHART_POINTS, columnX, minMaxColumn, orderedColumn, pixelColumns, sortedOrder } from './decimate';
import { logLabel, niceTicks } from './axes';

const COLORS = { estimate: '#2563eb', truth: '#6b7280', points: 'rgba(220, 38, 38, 0.3)', heldOut: '#059669', loss: '#2563eb', baseline: '#9333ea', hand: '#059669' };
const OVERLAY_COLORS = ['#f59e0b', '#10b981', '#8b5cf6', '#ec4899', '#0ea5e9'];
/** Previous runs (ghosts) are drawn faded, in grey-blue and grey-purple, dotted. */
const GHOST = { loss: 'rgba(37, 99, 235, 0.35)', second: 'rgba(147, 51, 234, 0.35)', estimate: 'rgba(100, 116, 139, 0.75)', dash: [2, 3] };
/** How many previous runs the charts keep (the oldest goes first). */
export const MAX_GHOSTS = 3;

/** A previous run's curves, kept across Restart: its name and its loss (and second curve) per epoch. */
export interface LossGhost {
  label: string;
  losses: Float64Array;
  second?: Float64Array;
}

/** Typed values as uPlot takes them, NaN as a gap (null), padded with gaps to `length`. */
function gapped(values: ArrayLike<number>, length: number): (number | null)[] {
  return Array.from({ length }, (_, i) => (i < values.length && !Number.isNaN(values[i]) ? values[i] : null));
}
/** Hidden units' colours (the Okabe–Ito palette, told apart with colour blindness). */
export const UNIT_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#f0e442', '#000000'];

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
const axisStroke = () => cssVar('--fg');
const gridStroke = () => cssVar('--line');
const themed = (axis: uPlot.Axis): uPlot.Axis => ({ stroke: axisStroke, grid: { stroke: gridStroke, width: 1 }, ticks: { stroke: gridStroke, width: 1 }, ...axis });
/** A linear axis with 3 to 5 nice ticks however short it is (uPlot's own can leave one). */
const linearTicks = (axis: uPlot.Axis): uPlot.Axis => ({ ...axis, splits: (_u, _i, min, max) => niceTicks(min, max, 5), values: (_u, splits) => splits.map((v) => String(Number(v.toPrecision(6)))) });
/** A log axis labelled 10⁻⁴ rather than uPlot's "0". */
const logTicks = (axis: uPlot.Axis): uPlot.Axis => ({
  ...axis,
  // Every power of ten labelled (uPlot's own filter can drop the lowest to float rounding).
  filter: (_u, splits) => splits.map((v) => (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6 ? v : null)),
  values: (_u, splits) => splits.map((v) => (v == null ? '' : logLabel(v))),
});
/** Curves drawn at their exact position, not snapped to whole pixels (which draws smooth curves as stairs). */
const SMOOTH = { pxAlign: 0 } as const;
/** The ticks' labels of a plot's axis as last drawn (uPlot keeps them on the axis). */
const axisLabels = (plot: uPlot, axis: number): string[] => ((plot.axes[axis] as { _values?: unknown[] })._values ?? []).map(String);

/** Every plot, redrawn with the new axis colours when the colour scheme changes. */
const plots = new Set<uPlot>();
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => plots.forEach((p) => p.redraw(false, true)));

function widthOf(el: HTMLElement, min = 240): number {
  return Math.max(min, el.clientWidth || 600);
}

/** Resizes a chart with its container. */
function fit(plot: uPlot, el: HTMLElement, height: number, min = 240): void {
  new ResizeObserver(() => plot.setSize({ width: widthOf(el, min), height })).observe(el);
}

/** Coalesces redraws to one per animation frame. */
export function frameScheduler(draw: () => void): () => void {
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

/** Names the canvas for screen readers and makes the legend's entries buttons (Enter/Space toggle). */
function accessible(plot: uPlot, name: string): void {
  plots.add(plot);
  const wrap = plot.root.querySelector('.u-wrap');
  wrap?.setAttribute('role', 'img');
  wrap?.setAttribute('aria-label', name);
  legendKeys(plot);
}

function legendKeys(plot: uPlot): void {
  plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series').forEach((row, i) => {
    if (i === 0 || row.tabIndex === 0) return; // the x column is not a series to toggle
    row.tabIndex = 0;
    row.setAttribute('role', 'button');
    const sync = () => row.setAttribute('aria-pressed', String(plot.series[i]?.show !== false));
    sync();
    row.addEventListener('click', () => setTimeout(sync));
    row.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      plot.setSeries(i, { show: plot.series[i].show === false });
      sync();
    });
  });
}

/** Vertical dashed marks at given x (the kinks of hidden units), drawn over a chart. */
function markPlugin(marks: () => readonly { x: number; color: string }[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const m of marks()) {
          const px = u.valToPos(m.x, 'x', true);
          if (!Number.isFinite(px) || px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.color;
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

export interface PanelSeries {
  label: string;
  values: ArrayLike<number>;
  color?: string;
  dash?: number[];
}

export interface PanelSpec {
  title: string;
  caption: string;
  /** One curve, or several (one per hidden unit). */
  values?: ArrayLike<number>;
  series?: PanelSeries[];
  /** Kinks to mark, at x = -b/w. */
  marks?: { x: number; color: string }[];
}

/** Small panels over the same x: the lecture's six, and the learned model's units. Updated in place. */
export class Panels {
  private plots: { plot: uPlot; spec: PanelSpec; caption: HTMLElement }[] = [];
  private shape = '';
  /** The hidden unit drawn in full while the others fade (hover or focus on it); undefined: all in full. */
  private focusUnit: number | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly height = 150,
  ) {}

  update(x: ArrayLike<number>, panels: PanelSpec[]): void {
    const seriesOf = (p: PanelSpec): PanelSeries[] => p.series ?? [{ label: p.title, values: p.values ?? [], color: COLORS.estimate }];
    const shape = panels.map((p) => `${p.title}:${seriesOf(p).length}`).join('|');
    const xs = Array.from(x);
    if (shape !== this.shape) {
      this.shape = shape;
      this.plots.forEach(({ plot }) => {
        plots.delete(plot);
        plot.destroy();
      });
      this.container.replaceChildren();
      this.plots = panels.map((p) => {
        const figure = document.createElement('figure');
        figure.className = 'panel';
        const holder = document.createElement('div');
        const caption = document.createElement('figcaption');
        figure.append(holder, caption);
        this.container.append(figure);
        const entry = { spec: p, caption, plot: undefined as unknown as uPlot };
        entry.plot = new uPlot(
          {
            ...SMOOTH,
            width: widthOf(holder, 120),
            height: this.height,
            legend: { show: false },
            cursor: { show: false },
            scales: { x: { time: false } },
            axes: [themed({ size: 28 }), themed({ size: 40 })],
            series: [{}, ...seriesOf(p).map((s) => ({ label: s.label, stroke: s.color ?? COLORS.estimate, width: 2, dash: s.dash }))],
            plugins: [markPlugin(() => entry.spec.marks ?? [])],
          },
          [xs, ...seriesOf(p).map((s) => Array.from(s.values))] as uPlot.AlignedData,
          holder,
        );
        accessible(entry.plot, `${p.title}: ${p.caption}`);
        fit(entry.plot, holder, this.height, 120);
        return entry;
      });
    }
    panels.forEach((p, i) => {
      const entry = this.plots[i];
      entry.spec = p;
      const strong = document.createElement('strong');
      strong.textContent = p.title;
      entry.caption.replaceChildren(strong, document.createTextNode(` — ${p.caption}`));
      entry.plot.root.querySelector('.u-wrap')?.setAttribute('aria-label', `${p.title}: ${p.caption}`);
      entry.plot.setData([xs, ...seriesOf(p).map((s) => Array.from(s.values))] as uPlot.AlignedData);
    });
    this.applyHighlight();
  }

  /** Draws unit `unit`'s curves (series labelled "unit N", N = unit + 1) in full and fades the other units'; undefined: all in full. */
  highlight(unit: number | undefined): void {
    this.focusUnit = unit;
    this.applyHighlight();
  }

  private applyHighlight(): void {
    for (const { plot } of this.plots) {
      let changed = false;
      plot.series.forEach((s, i) => {
        if (i === 0 || !String(s.label).startsWith('unit ')) return;
        const alpha = this.focusUnit === undefined || s.label === `unit ${this.focusUnit + 1}` ? 1 : 0.15;
        if (s.alpha !== alpha) {
          s.alpha = alpha;
          changed = true;
        }
      });
      if (changed) plot.redraw(false);
    }
  }

  /** Each panel's series alphas (tests: which unit is highlighted). */
  alphas(): number[][] {
    return this.plots.map(({ plot }) => plot.series.slice(1).map((s) => s.alpha ?? 1));
  }
}

/** The lecture's panels, once (the by-hand section). */
export function renderPanels(container: HTMLElement, x: ArrayLike<number>, panels: PanelSpec[]): void {
  new Panels(container).update(x, panels);
}

/** Loss per epoch, streamed: every epoch's loss is kept and drawn, with the logistic baseline beside it. */
export class LossChart {
  private epochs = new Float64Array(1024);
  private losses = new Float64Array(1024);
  private baseline = new Float64Array(1024);
  private count = 0;
  private readonly plot: uPlot;
  private readonly hasSecond: boolean;
  private secondName: string;
  /** Previous runs' curves, oldest first, drawn faded after the live ones. */
  private ghosts: LossGhost[] = [];
  /** The x axis spans at least this many epochs: the end of the run in progress. */
  horizon = 0;
  /** The scrubber's epoch, drawn as a vertical line. */
  cursorEpoch: number | undefined;
  readonly redraw: () => void;

  /**
   * `second` names the curve drawn beside the loss (the logistic baseline, the test loss); `log`
   * puts the loss on a log scale (regression losses span decades).
   */
  constructor(el: HTMLElement, name: string, height = 200, options: { yLabel?: string; second?: string | null; log?: boolean } = {}) {
    const { yLabel = 'BCE loss', second = 'logistic regression', log = false } = options;
    const hasSecond = second !== null;
    this.hasSecond = hasSecond;
    this.secondName = second ?? '';
    this.plot = new uPlot(
      {
        ...SMOOTH,
        width: widthOf(el),
        height,
        legend: { live: false },
        scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(Number.isFinite(max) ? max : 0, this.horizon, 1)] }, y: log ? { distr: 3 } : {} },
        axes: [themed({ label: 'epoch' }), (log ? logTicks : linearTicks)(themed({ label: yLabel, size: 60 }))],
        series: [
          { label: 'epoch' },
          { label: 'loss', stroke: COLORS.loss, width: 1.5 },
          ...(hasSecond ? [{ label: second, stroke: COLORS.baseline, width: 1.5, dash: [6, 4] }] : []),
        ],
        plugins: [markPlugin(() => (this.cursorEpoch === undefined ? [] : [{ x: this.cursorEpoch, color: cssVar('--accent') }]))],
      },
      hasSecond ? [[], [], []] : [[], []],
      el,
    );
    accessible(this.plot, name);
    fit(this.plot, el, height);
    this.redraw = frameScheduler(() => this.plot.setData(this.columns()));
  }

  /** The live curves, then each ghost's (its loss, its second curve), over the longest of them. */
  private columns(): uPlot.AlignedData {
    if (this.ghosts.length === 0) {
      return [this.epochs.subarray(0, this.count) as unknown as number[], this.losses.subarray(0, this.count) as unknown as number[], ...(this.hasSecond ? [this.secondColumn()] : [])];
    }
    const n = Math.max(this.count, ...this.ghosts.map((g) => g.losses.length));
    const columns: (number | null)[][] = [Array.from({ length: n }, (_, i) => i + 1), gapped(this.losses.subarray(0, this.count), n)];
    if (this.hasSecond) columns.push(gapped(this.baseline.subarray(0, this.count), n));
    for (const g of this.ghosts) {
      columns.push(gapped(g.losses, n));
      if (g.second) columns.push(gapped(g.second, n));
    }
    return columns as uPlot.AlignedData;
  }

  /**
   * Keeps the curves on the chart as a faded ghost named `label` (the run before a Restart), the
   * second curve too when `withSecond` (a test loss; the logistic baseline repeats itself); at most
   * MAX_GHOSTS are kept, the oldest dropped first.
   */
  keepAsGhost(label: string, withSecond = true): void {
    if (this.count === 0) return;
    this.ghosts.push({ label, losses: this.losses.slice(0, this.count), second: this.hasSecond && withSecond ? this.baseline.slice(0, this.count) : undefined });
    while (this.ghosts.length > MAX_GHOSTS) this.ghosts.shift();
    this.syncGhostSeries();
  }

  /** Renames the second curve (the lecture's: logistic regression, or the test loss with a holdout); the curves stay. */
  setSecondName(name: string): void {
    if (!this.hasSecond || name === this.secondName) return;
    this.secondName = name;
    this.plot.delSeries(2);
    this.plot.addSeries({ label: name, stroke: COLORS.baseline, width: 1.5, dash: [6, 4] }, 2);
    legendKeys(this.plot);
    this.plot.setData(this.columns());
  }

  /** Forgets every ghost. */
  clearGhosts(): void {
    this.ghosts = [];
    this.syncGhostSeries();
  }

  /** The ghosts' names, oldest first. */
  get ghostLabels(): string[] {
    return this.ghosts.map((g) => g.label);
  }

  /** The ghosts' loss curves, oldest first (for tests). */
  ghostValues(): number[][] {
    return this.ghosts.map((g) => Array.from(g.losses));
  }

  /** The ghosts' second curves (baseline or test loss), oldest first. */
  ghostSecondValues(): number[][] {
    return this.ghosts.map((g) => Array.from(g.second ?? []));
  }

  private syncGhostSeries(): void {
    const live = this.hasSecond ? 3 : 2;
    while (this.plot.series.length > live) this.plot.delSeries(this.plot.series.length - 1);
    for (const g of this.ghosts) {
      this.plot.addSeries({ label: `loss, ${g.label}`, stroke: GHOST.loss, width: 1.5, dash: GHOST.dash });
      if (g.second) this.plot.addSeries({ label: `${this.secondName}, ${g.label}`, stroke: GHOST.second, width: 1.5, dash: GHOST.dash });
    }
    legendKeys(this.plot);
    this.plot.setData(this.columns());
  }

  /**
   * The second curve as uPlot takes it: epochs without a value (NaN) are gaps (null). A NaN left
   * in would make uPlot's y range NaN and blank the whole chart (issue #20: after an import).
   */
  private secondColumn(): number[] {
    const column = this.baseline.subarray(0, this.count);
    if (!column.some(Number.isNaN)) return column as unknown as number[];
    return Array.from(column, (v) => (Number.isNaN(v) ? (null as unknown as number) : v));
  }

  get length(): number {
    return this.count;
  }

  private grow(need: number): void {
    if (need <= this.epochs.length) return;
    const size = Math.max(need, this.epochs.length * 2);
    const [e, l, b] = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
    e.set(this.epochs.subarray(0, this.count));
    l.set(this.losses.subarray(0, this.count));
    b.set(this.baseline.subarray(0, this.count));
    [this.epochs, this.losses, this.baseline] = [e, l, b];
  }

  /** Losses of epochs first+1 .. first+chunk.length; a first below the count rewinds (device loss). */
  append(first: number, chunk: ArrayLike<number>, baseline?: ArrayLike<number>): void {
    this.count = Math.min(this.count, first);
    const need = first + chunk.length;
    this.grow(need);
    for (let i = 0; i < chunk.length; i++) {
      this.epochs[first + i] = first + i + 1;
      this.losses[first + i] = chunk[i];
      this.baseline[first + i] = baseline ? baseline[i] : NaN;
    }
    this.count = need;
    this.redraw();
  }

  truncate(epochs: number): void {
    this.count = Math.min(this.count, epochs);
    this.redraw();
  }

  /** Empties the chart's live curves, the x axis included (ghosts stay). */
  clear(horizon = 0): void {
    this.count = 0;
    this.horizon = horizon;
    this.cursorEpoch = undefined;
    this.redraw();
  }

  values(): Float64Array {
    return this.losses.slice(0, this.count);
  }

  baselineValues(): Float64Array {
    return this.baseline.slice(0, this.count);
  }

  /** The y axis's tick labels as last drawn. */
  get yTicks(): string[] {
    return axisLabels(this.plot, 1);
  }

  /** The y axis's range as last drawn (NaN where uPlot found none: a blank chart). */
  get yRange(): [number, number] {
    const { min, max } = this.plot.scales.y;
    return [min ?? NaN, max ?? NaN];
  }

  showCursor(epoch: number | undefined): void {
    this.cursorEpoch = epoch;
    this.plot.redraw(false, false);
  }
}

/** Observed points, the true probability (dashed), the live estimate, the logistic baseline and the finished runs' curves. */
/**
 * The minibatch lessons' loss: one point per optimizer step (torch's loss of each batch before its
 * update), the test loss once per epoch at the step that starts it (the same parameters), and the
 * epoch boundaries as dashed lines (every k-th when they would crowd).
 */
export class StepLossChart {
  private steps: number[] = [];
  private losses: number[] = [];
  private tests: (number | null)[] = [];
  /** Steps per epoch: where the boundaries go. */
  stepsPerEpoch = 1;
  /** The x axis spans at least this many steps: the end of the run in progress. */
  horizon = 0;
  private readonly plot: uPlot;
  readonly redraw: () => void;

  /** `stepLabel` names the per-step curve ("loss of each batch", or of each full-batch step). */
  constructor(el: HTMLElement, name: string, yLabel: string, stepLabel = 'loss of each batch', height = 220) {
    this.plot = new uPlot(
      {
        ...SMOOTH,
        width: widthOf(el),
        height,
        legend: { live: false },
        scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(Number.isFinite(max) ? max : 0, this.horizon, 1)] } },
        axes: [themed({ label: 'optimizer step' }), linearTicks(themed({ label: yLabel, size: 60 }))],
        series: [
          { label: 'step' },
          { label: stepLabel, stroke: COLORS.loss, width: 1.5 },
          { label: 'test loss (each epoch)', stroke: COLORS.heldOut, width: 1.5, spanGaps: true, points: { show: true, size: 5 } },
        ],
        plugins: [markPlugin(() => this.boundaries())],
      },
      [[], [], []],
      el,
    );
    accessible(this.plot, name);
    fit(this.plot, el, height);
    this.redraw = frameScheduler(() => this.plot.setData([this.steps, this.losses, this.tests]));
  }

  private boundaries(): { x: number; color: string }[] {
    const epochs = Math.floor(Math.max(this.steps.length, this.horizon) / this.stepsPerEpoch);
    if (this.stepsPerEpoch <= 1 || epochs < 1) return [];
    const every = Math.ceil(epochs / 25);
    const color = cssVar('--line');
    return Array.from({ length: Math.floor(epochs / every) }, (_, i) => ({ x: (i + 1) * every * this.stepsPerEpoch + 0.5, color }));
  }

  /** Appends the losses of steps first+1.. (1-based on the axis), and test losses by epoch index (first epoch = firstEpoch). */
  append(firstStep: number, losses: ArrayLike<number>, firstEpoch: number, testLosses?: ArrayLike<number>): void {
    for (let i = 0; i < losses.length; i++) {
      this.steps[firstStep + i] = firstStep + i + 1;
      this.losses[firstStep + i] = losses[i];
      this.tests[firstStep + i] ??= null;
    }
    for (let e = 0; testLosses && e < testLosses.length; e++) this.tests[(firstEpoch + e) * this.stepsPerEpoch] = testLosses[e];
    this.redraw();
  }

  clear(): void {
    this.steps = [];
    this.losses = [];
    this.tests = [];
    this.redraw();
  }

  /** The losses per step and the test loss per epoch, as drawn (for tests). */
  values(): { losses: number[]; tests: number[] } {
    return { losses: [...this.losses], tests: this.tests.filter((v): v is number => v !== null) };
  }
}

export class DataChart {
  private plot: uPlot | undefined;
  private x: number[] = [];
  /** The points in x order; above CHART_POINTS, `columnStarts` cuts them into pixel columns (decimate.ts). */
  private order: Uint32Array = new Uint32Array(0);
  private columnStarts: Uint32Array | undefined;
  private columns: (number | null)[][] = [];
  private overlays = 0;
  /** Previous runs' estimates (in the data's order), kept across Restart and redrawn after clearOverlays. */
  private ghosts: { label: string; values: Float32Array }[] = [];
  readonly redraw: () => void;
  /** observed, truth, estimate, baseline, and the held-out points when there are some. */
  private fixed = 4;

  constructor(
    private readonly el: HTMLElement,
    private readonly name: string,
    private readonly labels = { estimate: 'estimated (now)', baseline: 'logistic regression' },
    private readonly height = 300,
    /** The y range (probabilities: [-0.05, 1.05]; 'auto' for regression) and the true curve's name. */
    private readonly axis: { range: [number, number] | 'auto'; curve: string; y: string } = { range: [-0.05, 1.05], curve: 'true probability', y: 'y, probability' },
  ) {
    this.redraw = frameScheduler(() => this.plot?.setData([this.x, ...this.columns] as uPlot.AlignedData));
  }

  /**
   * Shows a data set; the estimate and the overlays start empty. x need not be sorted. Points from
   * `heldOutFrom` on are the held-out ones, drawn apart (the model never trains on them).
   */
  setData(x: ArrayLike<number>, y: ArrayLike<number>, prob: ArrayLike<number> | undefined, heldOutFrom?: number): void {
    this.order = sortedOrder(x);
    this.columnStarts = x.length > CHART_POINTS ? pixelColumns(x, this.order, Math.round(widthOf(this.el))) : undefined;
    this.x = this.columnStarts ? columnX(x, this.order, this.columnStarts) : Array.from(this.order, (i) => x[i]);
    const sorted = (v: ArrayLike<number> | undefined) => (v ? this.column(v) : this.x.map(() => null));
    const split = heldOutFrom !== undefined;
    const part = (train: boolean) => Float32Array.from(y, (v, i) => (i < heldOutFrom! === train ? v : NaN));
    const observed = split ? this.column(part(true)) : sorted(y);
    this.columns = [observed, sorted(prob), this.x.map(() => null), this.x.map(() => null)];
    if (split) this.columns.push(this.column(part(false)));
    this.fixed = this.columns.length;
    this.overlays = 0;
    this.ghosts = []; // another data set: the previous runs' curves were of other points
    if (this.plot) plots.delete(this.plot);
    this.plot?.destroy();
    this.plot = new uPlot(
      {
        ...SMOOTH,
        width: widthOf(this.el),
        height: this.height,
        legend: { live: false },
        scales: { x: { time: false }, y: this.axis.range === 'auto' ? {} : { range: this.axis.range } },
        // Any float32 range gets ticks, with short labels (axis.ts): 1e35 has ticks, 2e12 does not overlap.
        axes: [themed({ label: 'x', incrs: TICK_INCRS, values: (_u, splits) => tickLabels(splits), space: 60 }), themed({ label: this.axis.y, size: 50, incrs: TICK_INCRS, values: (_u, splits) => tickLabels(splits) })],
        series: [
          { label: 'x' },
          { label: split ? 'training y' : 'observed y', stroke: COLORS.points, paths: () => null, points: { show: true, size: split ? 5 : 3, stroke: COLORS.points, fill: COLORS.points } },
          // Missing values of the true curve are gaps, never a straight line across them (issue #19).
          { label: this.axis.curve, stroke: COLORS.truth, dash: [6, 4], width: 1.5, show: prob !== undefined, spanGaps: false },
          { label: this.labels.estimate, stroke: COLORS.estimate, width: 2.5 },
          { label: this.labels.baseline, stroke: COLORS.baseline, width: 1.5, dash: [6, 4], show: this.labels.baseline !== '' },
          ...(split ? [{ label: 'held-out y (test)', stroke: COLORS.heldOut, paths: () => null, points: { show: true, size: 7, stroke: COLORS.heldOut, fill: 'transparent', width: 2 } }] : []),
        ],
      },
      [this.x, ...this.columns] as uPlot.AlignedData,
      this.el,
    );
    // A chart without the logistic baseline leaves its (empty) legend entry out.
    if (this.labels.baseline === '') {
      const rows = this.plot.root.querySelectorAll<HTMLElement>('.u-legend .u-series');
      rows[rows.length === this.plot.series.length ? 4 : 3]?.setAttribute('hidden', ''); // a legend that is not live has no x row
    }
    accessible(this.plot, this.name);
    fit(this.plot, this.el, this.height);
  }

  /** A series in the chart's slots: every point in x order, or min and max per pixel column; NaN a gap. */
  private column(values: ArrayLike<number>): (number | null)[] {
    return this.columnStarts ? minMaxColumn(values, this.order, this.columnStarts) : orderedColumn(values, this.order);
  }

  /** The x axis's tick labels as last drawn, for tests. */
  get xTickLabels(): string[] {
    return [...((this.plot?.axes[0] as { _values?: string[] } | undefined)?._values ?? [])];
  }

  /** The values drawn for the series named `label` (null: a gap), for tests. */
  seriesValues(label: string): (number | null)[] {
    const i = this.plot?.series.findIndex((s) => s.label === label) ?? -1;
    return i < 1 ? [] : Array.from(this.columns[i - 1]);
  }

  /** The x of the chart's slots, sorted (every point, or two a pixel column): for summaries and the unit panels. */
  get sortedX(): readonly number[] {
    return this.x;
  }

  /** Names the estimate in the legend: "estimated (now)" live, "estimated (epoch 355)" scrubbed. */
  setEstimateLabel(label: string): void {
    const series = this.plot?.series[3];
    if (!this.plot || !series || series.label === label) return;
    series.label = label;
    const rows = this.plot.root.querySelectorAll('.u-legend .u-series');
    const row = rows[rows.length === this.plot.series.length ? 3 : 2]; // a legend that is not live has no x row
    const text = row?.querySelector('.u-label');
    if (text) text.textContent = label;
  }

  /** The estimate's name in the legend. */
  get estimateLabel(): string {
    return String(this.plot?.series[3]?.label ?? '');
  }

  setEstimate(prob: ArrayLike<number>): void {
    this.columns[2] = this.column(prob);
    this.redraw();
  }

  setBaseline(prob: ArrayLike<number> | undefined): void {
    this.columns[3] = prob ? this.column(prob) : this.x.map(() => null);
    this.redraw();
  }

  clearEstimate(): void {
    this.columns[2] = this.x.map(() => null);
    this.redraw();
  }

  addOverlay(label: string, prob: ArrayLike<number>): void {
    if (!this.plot) return;
    const stroke = OVERLAY_COLORS[this.overlays++ % OVERLAY_COLORS.length];
    this.columns.push(this.column(prob));
    this.plot.addSeries({ label, stroke, width: 1.5 });
    legendKeys(this.plot);
    this.redraw();
  }

  /** Removes the overlays; the ghosts of previous runs are drawn again after them. */
  clearOverlays(): void {
    while (this.plot && this.columns.length > this.fixed) {
      this.columns.pop();
      this.plot.delSeries(this.plot.series.length - 1);
    }
    this.overlays = 0;
    for (const g of this.ghosts) this.addGhostSeries(g.label, g.values);
    this.redraw();
  }

  /** Keeps `prob` (the estimate at every point, in the data's order) as a faded ghost named `label`. */
  keepAsGhost(label: string, prob: ArrayLike<number>): void {
    if (!this.plot || prob.length !== this.order.length) return;
    this.ghosts.push({ label, values: Float32Array.from(prob) });
    while (this.ghosts.length > MAX_GHOSTS) this.ghosts.shift();
  }

  /** Forgets the ghosts and removes their curves (the overlays stay). */
  clearGhosts(): void {
    if (!this.plot) return;
    const labels = new Set(this.ghosts.map((g) => `estimate, ${g.label}`));
    for (let i = this.plot.series.length - 1; i > this.fixed; i--) {
      if (!labels.has(String(this.plot.series[i].label))) continue;
      this.plot.delSeries(i);
      this.columns.splice(i - 1, 1);
    }
    this.ghosts = [];
    this.redraw();
  }

  private addGhostSeries(label: string, prob: ArrayLike<number>): void {
    if (!this.plot) return;
    this.columns.push(this.column(prob));
    this.plot.addSeries({ label: `estimate, ${label}`, stroke: GHOST.estimate, width: 1.5, dash: GHOST.dash });
    legendKeys(this.plot);
  }

  /** The overlays' names (finished runs, pinned curves), the ghosts left out. */
  get overlayLabels(): string[] {
    const ghosts = new Set(this.ghosts.map((g) => `estimate, ${g.label}`));
    return this.plot ? this.plot.series.slice(1 + this.fixed).map((s) => String(s.label)).filter((l) => !ghosts.has(l)) : [];
  }

  /** The ghosts' names as the legend shows them, oldest first. */
  get ghostLabels(): string[] {
    return this.ghosts.map((g) => `estimate, ${g.label}`);
  }
}

export interface TimingSeries {
  label: string;
  /** Seconds per width, null where not measured. */
  values: (number | null)[];
  color: string;
  dash?: number[];
}

/** Seconds against the hidden width, both on log scales: this page's engines, and the lecture's reference lines. */
export class TimingChart {
  private readonly plot: uPlot;

  constructor(el: HTMLElement, name: string, private readonly widths: readonly number[], series: TimingSeries[], height = 300) {
    this.plot = new uPlot(
      {
        ...SMOOTH,
        width: widthOf(el),
        height,
        legend: { live: false },
        scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
        // The x axis's label needs room below its ticks (labelSize), or it is clipped.
        axes: [logTicks(themed({ label: 'hidden width H', size: 40, labelSize: 24 })), logTicks(themed({ label: 'seconds', size: 60 }))],
        series: [{ label: 'H' }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: true, size: 7 } }))],
      },
      [Array.from(widths), ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    accessible(this.plot, name);
    fit(this.plot, el, height);
  }

  update(series: TimingSeries[]): void {
    this.plot.setData([Array.from(this.widths), ...series.map((s) => s.values)] as uPlot.AlignedData);
  }
}
