// The network's inside, drawn from its parameters: a diagram (units as nodes, weights as edges), each
// hidden unit over the data with its kink, the sum before the sigmoid; text summaries of every chart
// for screen readers; and the diagnosis of a run that stopped learning.
import { accuracy } from '../cpu/model';
import { headLoss, sigmoid } from '../cpu/ops';
import { isClassifier, type Head, type ParamLayout } from '../model/layout';
import type { ForwardTrace } from '../train/forward';
import { UNIT_COLORS, type PanelSpec } from './charts';
import { cpuTrace } from './engine';

type Floats = Float32Array<ArrayBuffer>;
const SVG = 'http://www.w3.org/2000/svg';
/** Units drawn one by one; wider layers show these and say how many more there are. */
const SHOWN_UNITS = 8;

export const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));

/** A unit of the first hidden layer of a one-input model: relu(w·x + b), weighted by v when the next layer is the output. */
interface Unit {
  w: number;
  b: number;
  v: number;
}

/** The first hidden layer's units, read from the layer table (one input: w is a number). */
function units(params: ArrayLike<number>, layout: ParamLayout): { units: Unit[]; bias: number } {
  const [first, next] = layout.layers;
  const out = layout.layers[layout.layers.length - 1];
  const list: Unit[] = [];
  for (let j = 0; j < first.outDim; j++) list.push({ w: params[first.w + j * first.inDim], b: params[first.b + j], v: next.hidden ? NaN : params[next.w + j] });
  return { units: list, bias: params[out.b] };
}

/** Wider single hidden layers than this are traced streamed (no (N, H) matrices; issue #20: width 100 000). */
const STREAM_WIDTH = 256;

/**
 * The forward trace of a one-input, one-hidden-layer model with only the first `shown` units'
 * columns kept (preact and hidden, (N, shown)): the logit summed unit by unit in double as
 * src/cpu's model, never holding the (N, H) activations (160 MB for H = 20 000 on 2000 points).
 */
function streamedTrace(params: ArrayLike<number>, layout: ParamLayout, x: ArrayLike<number>, shown: number): ForwardTrace {
  const [first, out] = layout.layers;
  const h = first.outDim;
  const n = x.length;
  const preact = new Float32Array(n * shown);
  const hidden = new Float32Array(n * shown);
  const logit = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < h; j++) {
      const z = params[first.w + j] * x[i] + params[first.b + j];
      const a = z > 0 ? z : 0;
      if (j < shown) {
        preact[i * shown + j] = z;
        hidden[i * shown + j] = a;
      }
      acc += params[out.w + j] * a;
    }
    logit[i] = acc + params[out.b];
  }
  const prob = layout.spec.head === 'mse' ? logit.slice() : logit.map(sigmoid);
  return { layers: [{ preact, hidden }], logit, prob };
}

/** The trace the panels draw: streamed for a wide single hidden layer, cpuTrace otherwise; `width` is the columns kept per layer. */
function panelTrace(params: Floats, layout: ParamLayout, x: Floats): { trace: ForwardTrace; width: (layer: number, full: number) => number } {
  const single = layout.layers.length === 2 && layout.layers[0].inDim === 1;
  if (single && layout.layers[0].outDim > STREAM_WIDTH) {
    const shown = Math.min(layout.layers[0].outDim, SHOWN_UNITS);
    return { trace: streamedTrace(params, layout, x, shown), width: () => shown };
  }
  return { trace: cpuTrace(params, layout, x), width: (_l, full) => full };
}

/** Where unit relu(w·x + b) bends: x = -b/w (none when w = 0). */
const kinkOf = (u: Unit) => (u.w === 0 ? undefined : -u.b / u.w);

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The diagram: inputs → hidden layers → output (the first units of wide layers). The first hidden
 * layer's units and every edge that touches one take that unit's colour, as in the unit panels
 * (issue #20: one colour per unit); an edge's sign is its dash (solid positive, dashed negative),
 * its magnitude its width. Unit nodes and edges carry data-unit (the unit's index) for highlighting.
 */
export function drawDiagram(svg: SVGSVGElement, params: ArrayLike<number>, layout: ParamLayout, epoch: number): void {
  const sizes = layout.spec.layers;
  const shownOf = (size: number) => Math.min(size, SHOWN_UNITS);
  const weight = (l: number, o: number, i: number) => params[layout.layers[l].w + o * layout.layers[l].inDim + i];
  let maxW = 1e-6;
  layout.layers.forEach((l, li) => {
    for (let o = 0; o < shownOf(l.outDim); o++) for (let i = 0; i < shownOf(l.inDim); i++) maxW = Math.max(maxW, Math.abs(weight(li, o, i)));
  });
  const width = (w: number) => 0.75 + (5 * Math.abs(w)) / maxW;
  const unitColor = (j: number) => UNIT_COLORS[j % UNIT_COLORS.length];
  /** The first hidden layer's unit an edge of layer li touches (into it, or out of it), if any. */
  const unitOf = (li: number, o: number, i: number) => (li === 0 ? o : li === 1 ? i : undefined);
  const H = 220;
  const W = 320;
  const xOf = (c: number) => 36 + (c * (W - 72)) / (sizes.length - 1);
  const yOf = (c: number, j: number) => (shownOf(sizes[c]) === 1 ? H / 2 : 24 + (j * (H - 48)) / (shownOf(sizes[c]) - 1));
  const title = svg.querySelector('title')!;
  const desc = svg.querySelector('desc')!;
  svg.replaceChildren(title, desc);
  layout.layers.forEach((l, li) => {
    for (let o = 0; o < shownOf(l.outDim); o++) {
      for (let i = 0; i < shownOf(l.inDim); i++) {
        const w = weight(li, o, i);
        const unit = unitOf(li, o, i);
        const attrs: Record<string, string | number> = { x1: xOf(li), y1: yOf(li, i), x2: xOf(li + 1), y2: yOf(li + 1, o), stroke: unit === undefined ? 'var(--muted)' : unitColor(unit), 'stroke-width': width(w) };
        if (w < 0) attrs['stroke-dasharray'] = '5 3';
        if (unit !== undefined) attrs['data-unit'] = unit;
        svg.append(el('line', attrs));
      }
    }
  });
  const last = sizes.length - 1;
  sizes.forEach((size, c) => {
    for (let j = 0; j < shownOf(size); j++) {
      const hidden = c > 0 && c < last;
      const label = c === 0 ? (size === 1 ? 'x' : `x${j + 1}`) : c === last ? (layout.spec.head === 'mse' ? 'ŷ' : 'σ') : sizes.length > 3 ? `${c}.${j + 1}` : `h${j + 1}`;
      const firstHidden = hidden && c === 1;
      svg.append(el('circle', hidden ? { cx: xOf(c), cy: yOf(c, j), r: 12, class: 'node', stroke: firstHidden ? unitColor(j) : 'var(--muted)', 'stroke-width': 3, ...(firstHidden ? { 'data-unit': j } : {}) } : { cx: xOf(c), cy: yOf(c, j), r: 14, class: 'node' }));
      svg.append(el('text', { x: xOf(c), y: yOf(c, j) + 4, 'text-anchor': 'middle', class: 'node-label', ...(firstHidden ? { 'data-unit': j } : {}) }, label));
    }
    if (size > shownOf(size)) svg.append(el('text', { x: xOf(c), y: H - 2, class: 'edge-label', 'text-anchor': 'middle' }, `+ ${size - shownOf(size)} more`));
  });
  const { units: all, bias } = units(params, layout);
  const labelled = sizes[0] === 1 && sizes.length === 3;
  // Each unit's weights beside its node, on a halo of the card's colour (style.css) so edges never cross the text.
  // Up to 4 units: above the node; more (closer together): to its right, on the line of its centre.
  const above = shownOf(sizes[1]) <= 4;
  const at = (j: number) => (above ? { x: xOf(1), y: yOf(1, j) - 16, 'text-anchor': 'middle' } : { x: xOf(1) + 16, y: yOf(1, j) + 3, 'text-anchor': 'start' });
  if (labelled) all.slice(0, SHOWN_UNITS).forEach((u, j) => svg.append(el('text', { ...at(j), class: 'edge-label weight-label', 'data-unit': j }, `w ${fmt(u.w)}, b ${fmt(u.b)}`)));
  svg.append(el('text', { x: xOf(last) - 6, y: H / 2 + 30, class: 'edge-label', 'text-anchor': 'middle' }, `b ${fmt(bias)}`));
  const shape = `${sizes.join(' → ')} units`;
  desc.textContent = labelled
    ? `At epoch ${epoch}: ${all.length} hidden units. ` +
      all
        .slice(0, SHOWN_UNITS)
        .map((u, j) => `Unit ${j + 1}: input weight ${fmt(u.w)}, bias ${fmt(u.b)}, output weight ${fmt(u.v)}`)
        .join('; ') +
      `; output bias ${fmt(bias)}.`
    : `At epoch ${epoch}: layers of ${shape}; the first ${SHOWN_UNITS} units of each wide layer drawn; output bias ${fmt(bias)}.`;
}

/**
 * The learned model's panels over sorted x (one input): the first hidden layer's units before and
 * after their ReLU (kinks marked), each deeper hidden layer after its ReLU, the last hidden layer
 * weighted by the output layer, their sum (the logit) and the head's output.
 */
export function unitPanels(params: Floats, layout: ParamLayout, x: Floats): { panels: PanelSpec[]; summary: string } {
  const { units: all, bias } = units(params, layout);
  const { trace: t, width: stored } = panelTrace(params, layout, x);
  const color = (j: number) => UNIT_COLORS[j % UNIT_COLORS.length];
  const column = (m: Float32Array, width: number, j: number, scale = 1) => Array.from({ length: x.length }, (_, i) => m[width * i + j] * scale);
  const series = (label: string, m: Float32Array, width: number, scaleOf: (j: number) => number = () => 1) =>
    Array.from({ length: Math.min(width, SHOWN_UNITS) }, (_, j) => ({ label: `${label} ${j + 1}`, values: column(m, stored(0, width), j, scaleOf(j)), color: color(j) }));
  const shown = all.slice(0, SHOWN_UNITS);
  const marks = shown.flatMap((u, j) => {
    const k = kinkOf(u);
    return k === undefined ? [] : [{ x: k, color: color(j) }];
  });
  const more = (width: number) => (width > SHOWN_UNITS ? ` (the first ${SHOWN_UNITS} of ${width})` : '');
  const hiddenLayers = layout.layers.filter((l) => l.hidden);
  const h1 = hiddenLayers[0].outDim;
  const out = layout.layers[layout.layers.length - 1];
  const lastHidden = hiddenLayers[hiddenLayers.length - 1];
  const panels: PanelSpec[] = [
    { title: 'w·x + b', caption: `each hidden unit before its ReLU${more(h1)}`, series: series('unit', t.layers[0].preact, h1), marks },
    { title: 'relu(w·x + b)', caption: `after the ReLU: zero left or right of its kink${more(h1)}`, series: series('unit', t.layers[0].hidden, h1), marks },
    ...hiddenLayers.slice(1).map((l, i) => ({ title: `layer ${l.index + 1}: relu(…)`, caption: `hidden layer ${l.index + 1} after its ReLU${more(l.outDim)}`, series: series('unit', t.layers[i + 1].hidden, l.outDim) })),
    {
      title: 'v·relu(…)',
      caption: `each unit weighted by the output layer${more(lastHidden.outDim)}`,
      series: series('unit', t.layers[t.layers.length - 1].hidden, lastHidden.outDim, (j) => params[out.w + j]),
      marks: hiddenLayers.length === 1 ? marks : undefined,
    },
    { title: `Σ v·relu(…) + ${fmt(bias)}`, caption: 'their sum: the logit, a bent line', values: Array.from(t.logit), marks: hiddenLayers.length === 1 ? marks : undefined },
  ];
  if (layout.spec.head !== 'mse') panels.push({ title: 'sigmoid(…)', caption: 'the estimated probability', values: Array.from(t.prob), marks: hiddenLayers.length === 1 ? marks : undefined });
  const kinks = shown
    .map((u, j) => {
      const k = kinkOf(u);
      const dead = deadUnit(u, x);
      return `unit ${j + 1} ${k === undefined ? 'has no kink (w = 0)' : `bends at x = ${fmt(k)}`}${dead ? ' and is 0 on every point (dead)' : ''}`;
    })
    .join('; ');
  return { panels, summary: `${kinks}${all.length > shown.length ? ` (and ${all.length - shown.length} more units)` : ''}. ${curveSummary(x, t.prob)}` };
}

/** Every unit of the first hidden layer 0 on every point, checked point by point (no (N, H) matrix). */
function allDead(params: ArrayLike<number>, layout: ParamLayout, x: ArrayLike<number>): boolean {
  const first = layout.layers[0];
  for (let i = 0; i < x.length / first.inDim; i++) {
    for (let j = 0; j < first.outDim; j++) {
      let z = params[first.b + j];
      for (let k = 0; k < first.inDim; k++) z += params[first.w + j * first.inDim + k] * x[i * first.inDim + k];
      if (Math.fround(z) > 0) return false;
    }
  }
  return true;
}

/** A unit whose relu(w·x + b) is zero on every point: no gradient reaches it. */
function deadUnit(u: Unit, x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (u.w * x[i] + u.b > 0) return false;
  return true;
}

/** "peaks at 0.91 at x = -0.05": the shape of a probability curve in words. */
export function curveSummary(sortedX: ArrayLike<number>, prob: ArrayLike<number>): string {
  if (prob.length === 0) return '';
  let top = 0;
  let low = 0;
  for (let i = 1; i < prob.length; i++) {
    if (prob[i] > prob[top]) top = i;
    if (prob[i] < prob[low]) low = i;
  }
  return `The estimate peaks at ${fmt(prob[top])} at x = ${fmt(sortedX[top])} and is lowest, ${fmt(prob[low])}, at x = ${fmt(sortedX[low])}.`;
}

/** The mean loss of a forward trace under the model's head, and the accuracy (probability > 0.5) for classifiers. */
export function scoreOf(trace: Pick<ForwardTrace, 'logit' | 'prob'>, y: ArrayLike<number>, head: Head): { loss: number; accuracy?: number } {
  let loss = 0;
  for (let i = 0; i < y.length; i++) loss += headLoss(head, trace.logit[i], y[i]);
  return { loss: loss / y.length, accuracy: isClassifier(head) ? accuracy(trace.prob, y) : undefined };
}

/** "accuracy 93.4%" for classifiers, nothing for regression. */
export const accuracyText = (a: number | undefined, lead = ', '): string => (a === undefined ? '' : `${lead}accuracy ${(100 * a).toFixed(1)}%`);

/** Why a finished run learned nothing, with what to change; undefined when it is learning. */
export function diagnose(losses: ArrayLike<number>, params: Floats, layout: ParamLayout, x: Floats): string | undefined {
  const n = losses.length;
  if (allDead(params, layout, x)) {
    return `every hidden unit is 0 on every point (dead ReLUs): no gradient reaches the first layer and the output is a constant. Reset, and lower the learning rate (try ${n > 0 ? '0.01 or less' : 'a smaller one'}).`;
  }
  if (n < 50 || layout.spec.head === 'mse') return undefined;
  const last = losses[n - 1];
  let since = n;
  while (since > 1 && Math.abs(losses[since - 2] - last) <= 1e-6 * Math.max(1, Math.abs(last))) since--;
  if (n - since >= 50 && last > Math.LN2) {
    return `the loss has been flat at ${fmt(last, 4)} since epoch ${since}, worse than always answering 0.5 (${fmt(Math.LN2, 4)}): the model is stuck. Reset, and lower the learning rate (try 0.01 or less).`;
  }
  return undefined;
}
