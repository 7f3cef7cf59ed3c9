// The network's inside, drawn from its parameters: a diagram (units as nodes, weights as edges), each
// hidden unit over the data with its kink, the sum before the sigmoid; text summaries of every chart
// for screen readers; and the diagnosis of a run that stopped learning.
import { bce } from '../cpu/ops';
import type { ParamLayout } from '../model/layout';
import { UNIT_COLORS, type PanelSpec } from './charts';
import { cpuTrace } from './engine';

type Floats = Float32Array<ArrayBuffer>;
const SVG = 'http://www.w3.org/2000/svg';
/** Units drawn one by one; wider layers show these and say how many more there are. */
const SHOWN_UNITS = 8;

export const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));

interface Unit {
  w: number;
  b: number;
  v: number;
}

// API: model spec — with paramLayout(spec).layers, read each layer's w and b from its table entry.
function units(params: ArrayLike<number>, layout: ParamLayout): { units: Unit[]; b2: number } {
  const list: Unit[] = [];
  for (let j = 0; j < layout.hidden; j++) list.push({ w: params[layout.W1 + j], b: params[layout.b1 + j], v: params[layout.W2 + j] });
  return { units: list, b2: params[layout.b2] };
}

/** Where unit relu(w·x + b) bends: x = -b/w (none when w = 0). */
const kinkOf = (u: Unit) => (u.w === 0 ? undefined : -u.b / u.w);

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The diagram: x → hidden units → output, edges coloured by sign and sized by magnitude. */
export function drawDiagram(svg: SVGSVGElement, params: ArrayLike<number>, layout: ParamLayout, epoch: number): void {
  const { units: all, b2 } = units(params, layout);
  const shown = all.slice(0, SHOWN_UNITS);
  const maxW = Math.max(1e-6, ...shown.flatMap((u) => [Math.abs(u.w), Math.abs(u.v)]));
  const width = (w: number) => 0.75 + (5 * Math.abs(w)) / maxW;
  const color = (w: number) => (w >= 0 ? 'var(--pos)' : 'var(--neg)');
  const H = 220;
  const yOf = (j: number) => (shown.length === 1 ? H / 2 : 24 + (j * (H - 48)) / (shown.length - 1));
  const [xIn, xHid, xOut] = [36, 160, 284];
  const title = svg.querySelector('title')!;
  const desc = svg.querySelector('desc')!;
  svg.replaceChildren(title, desc);
  shown.forEach((u, j) => {
    svg.append(el('line', { x1: xIn, y1: H / 2, x2: xHid, y2: yOf(j), stroke: color(u.w), 'stroke-width': width(u.w) }));
    svg.append(el('line', { x1: xHid, y1: yOf(j), x2: xOut, y2: H / 2, stroke: color(u.v), 'stroke-width': width(u.v) }));
  });
  svg.append(el('circle', { cx: xIn, cy: H / 2, r: 14, class: 'node' }), el('text', { x: xIn, y: H / 2 + 4, 'text-anchor': 'middle', class: 'node-label' }, 'x'));
  shown.forEach((u, j) => {
    svg.append(el('circle', { cx: xHid, cy: yOf(j), r: 12, class: 'node', stroke: UNIT_COLORS[j % UNIT_COLORS.length], 'stroke-width': 3 }));
    svg.append(el('text', { x: xHid, y: yOf(j) + 4, 'text-anchor': 'middle', class: 'node-label' }, `h${j + 1}`));
    svg.append(el('text', { x: xHid + 16, y: yOf(j) - 10, class: 'edge-label' }, `w ${fmt(u.w)}, b ${fmt(u.b)}`));
  });
  svg.append(el('circle', { cx: xOut, cy: H / 2, r: 14, class: 'node' }), el('text', { x: xOut, y: H / 2 + 4, 'text-anchor': 'middle', class: 'node-label' }, 'σ'));
  svg.append(el('text', { x: xOut - 6, y: H / 2 + 30, class: 'edge-label', 'text-anchor': 'middle' }, `b ${fmt(b2)}`));
  if (all.length > shown.length) svg.append(el('text', { x: xHid, y: H - 2, class: 'edge-label', 'text-anchor': 'middle' }, `+ ${all.length - shown.length} more units`));
  desc.textContent =
    `At epoch ${epoch}: ${all.length} hidden units. ` +
    shown.map((u, j) => `Unit ${j + 1}: input weight ${fmt(u.w)}, bias ${fmt(u.b)}, output weight ${fmt(u.v)}`).join('; ') +
    `; output bias ${fmt(b2)}.`;
}

/** The learned model's panels over sorted x: each unit before and after its ReLU, weighted, summed, squashed. */
export function unitPanels(params: Floats, layout: ParamLayout, x: Floats): { panels: PanelSpec[]; summary: string } {
  const { units: all, b2 } = units(params, layout);
  const t = cpuTrace(params, layout, x);
  const h = layout.hidden;
  const shown = all.slice(0, SHOWN_UNITS);
  const col = (m: Float32Array, j: number, scale = 1) => Array.from({ length: x.length }, (_, i) => m[h * i + j] * scale);
  const marks = shown.flatMap((u, j) => {
    const k = kinkOf(u);
    return k === undefined ? [] : [{ x: k, color: UNIT_COLORS[j % UNIT_COLORS.length] }];
  });
  const perUnit = (label: string, scaleOf: (u: Unit) => number, m: Float32Array) =>
    shown.map((u, j) => ({ label: `${label} ${j + 1}`, values: col(m, j, scaleOf(u)), color: UNIT_COLORS[j % UNIT_COLORS.length] }));
  const more = all.length > shown.length ? ` (the first ${shown.length} of ${all.length})` : '';
  const panels: PanelSpec[] = [
    { title: 'w·x + b', caption: `each hidden unit before its ReLU${more}`, series: perUnit('unit', () => 1, t.preact), marks },
    { title: 'relu(w·x + b)', caption: `after the ReLU: zero left or right of its kink${more}`, series: perUnit('unit', () => 1, t.hidden), marks },
    { title: 'v·relu(w·x + b)', caption: `each unit weighted by the output layer${more}`, series: perUnit('unit', (u) => u.v, t.hidden), marks },
    { title: `Σ v·relu(…) + ${fmt(b2)}`, caption: 'their sum: the logit, a bent line', values: Array.from(t.logit), marks },
    { title: 'sigmoid(…)', caption: 'the estimated probability', values: Array.from(t.prob), marks },
  ];
  const kinks = shown
    .map((u, j) => {
      const k = kinkOf(u);
      const dead = deadUnit(u, x);
      return `unit ${j + 1} ${k === undefined ? 'has no kink (w = 0)' : `bends at x = ${fmt(k)}`}${dead ? ' and is 0 on every point (dead)' : ''}`;
    })
    .join('; ');
  return { panels, summary: `${kinks}. ${curveSummary(x, t.prob)}` };
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

/** Mean BCE and accuracy (threshold 0.5) of probabilities against labels. */
export function scoreOf(prob: ArrayLike<number>, y: ArrayLike<number>): { loss: number; accuracy: number } {
  let loss = 0;
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    loss += bce(prob[i], y[i]);
    if (prob[i] >= 0.5 === y[i] >= 0.5) right++;
  }
  return { loss: loss / y.length, accuracy: right / y.length };
}

/** Why a finished run learned nothing, with what to change; undefined when it is learning. */
export function diagnose(losses: ArrayLike<number>, params: Floats, layout: ParamLayout, x: Floats): string | undefined {
  const { units: all } = units(params, layout);
  const n = losses.length;
  if (all.every((u) => deadUnit(u, x))) {
    return `every hidden unit is 0 on every point (dead ReLUs): no gradient reaches the first layer and the output is a constant. Reset, and lower the learning rate (try ${n > 0 ? '0.01 or less' : 'a smaller one'}).`;
  }
  if (n < 50) return undefined;
  const last = losses[n - 1];
  let since = n;
  while (since > 1 && Math.abs(losses[since - 2] - last) <= 1e-6 * Math.max(1, Math.abs(last))) since--;
  if (n - since >= 50 && last > Math.LN2) {
    return `the loss has been flat at ${fmt(last, 4)} since epoch ${since}, worse than always answering 0.5 (${fmt(Math.LN2, 4)}): the model is stuck. Reset, and lower the learning rate (try 0.01 or less).`;
  }
  return undefined;
}
