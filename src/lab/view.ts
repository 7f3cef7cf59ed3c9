// The lab's results as DOM: the measured peaks, the whole-step timings, per-kernel tables against
// the peaks, loss parity, and the roofline (bench/chart.ts's SVG, scaled to the width and coloured
// by the page's theme). Every number goes through bench/table.ts, as the benchmark's Markdown does.
import type { BenchReport, KernelRow, Row } from '../../bench/core';
import { attainableGflops } from '../../bench/cost';
import { rooflineSvg } from '../../bench/chart';
import { loss, num, percent } from '../../bench/table';
import type { ParityRow } from './parity';

/** Parity's bound: strategies differ only by float32 summation order. */
export const PARITY_TOLERANCE = 1e-5;

type Cell = string | { text: string; header?: boolean; className?: string };

/** A cell of words, not a number: left-aligned, wrapping. */
const note = (text: string): Cell => ({ text, className: 'flab-note' });

/** A table in a focusable scroll region (narrow screens scroll it sideways; the keyboard can too). */
export function table(id: string, caption: string, headers: readonly string[], rows: readonly (readonly Cell[])[]): HTMLElement {
  const wrap = document.createElement('div');
  wrap.className = 'flab-scroll';
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', caption);
  const t = document.createElement('table');
  t.id = id;
  t.className = 'flab-table';
  t.createCaption().textContent = caption;
  const head = t.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const cell of r) {
      const c = typeof cell === 'string' ? { text: cell } : cell;
      const el = document.createElement(c.header ? 'th' : 'td');
      if (c.header) (el as HTMLTableCellElement).scope = 'row';
      if (c.className) el.className = c.className;
      el.textContent = c.text;
      tr.append(el);
    }
  }
  wrap.append(t);
  return wrap;
}

/** The measured peaks: both FMA forms, the copy, and how they were timed. */
export function peaksTable(r: BenchReport): HTMLElement {
  const p = r.peaks;
  return table('flab-peaks', `Measured peaks of this GPU (${p.timing})`, ['ceiling', 'measured', 'how'], [
    [{ text: 'multiply-add', header: true }, `${num(p.gflops)} GFLOP/s`, note(`the faster of fma() ${num(p.fusedGflops)} and a·b + c ${num(p.mulAddGflops)}; ${p.fmaInvocations} invocations × 1024 rounds of 8 vec4 chains`)],
    [{ text: 'copy', header: true }, `${num(p.gbps)} GB/s`, note(`${(p.copyBytes / 2 ** 20).toFixed(0)} MiB read and written, best of three grids`)],
    [{ text: 'ridge', header: true }, `${num(p.gflops / p.gbps)} FLOP/byte`, note('left of it a kernel is bound by memory, right of it by arithmetic')],
  ]);
}

const skippedText = (r: Row) => `does not fit: ${r.skipped}`;

/** Whole-step timings per strategy: wall and GPU µs per epoch, dispatches, the loss of the same epoch. */
export function stepsTable(r: BenchReport): HTMLElement {
  const fastest = Math.min(...r.rows.filter((x) => !x.skipped).map((x) => x.usPerEpoch));
  const rows = r.rows.map((x): Cell[] =>
    x.skipped
      ? [{ text: x.strategy, header: true }, note(skippedText(x)), '–', '–', '–', '–', '–']
      : [{ text: x.strategy, header: true }, `${x.runs === 1 ? '~' : ''}${num(x.usPerEpoch)}`, num(x.gpuUsPerEpoch), num(x.dispatchesPerEpoch), String(x.workgroupSize), `${loss(x.finalLoss)} (${x.lossEpoch})`, `${num(x.usPerEpoch / fastest)}×`],
  );
  return table('flab-steps', 'Whole-step timings: µs per epoch (wall: first submit to last loss read back; GPU: timestamp queries around each chunk)', ['strategy', 'µs/epoch', 'GPU µs/epoch', 'dispatches/epoch', 'workgroup', 'loss (epoch)', '÷ fastest'], rows);
}

const gflops = (k: KernelRow) => k.flops / k.us / 1e3;
const gbps = (k: KernelRow) => k.bytes / k.us / 1e3;

/** One strategy's kernels: time per epoch, share, intensity, GFLOP/s, GB/s and the fractions of the peaks and of the roofline. */
export function kernelTable(r: BenchReport, row: Row): HTMLElement {
  const kernels = row.kernels ?? [];
  const total = kernels.reduce((a, k) => a + k.us, 0);
  const rows = kernels.map((k): Cell[] => {
    const ai = k.flops / k.bytes;
    return [{ text: k.name, header: true }, num(k.dispatches), num(k.us), percent(k.us / total), num(ai), num(gflops(k)), percent(gflops(k) / r.peaks.gflops), num(gbps(k)), percent(gbps(k) / r.peaks.gbps), percent(gflops(k) / attainableGflops(r.peaks, ai))];
  });
  return table(`flab-kernels-${row.strategy}`, `${row.strategy}: per kernel, per epoch`, ['kernel', 'dispatches', 'µs', 'share', 'FLOP/byte', 'GFLOP/s', 'of FMA peak', 'GB/s', 'of copy peak', 'of roofline'], rows);
}

/** Each strategy's losses against the first one's. */
export function parityTable(parity: readonly ParityRow[]): HTMLElement {
  const first = parity[0]?.strategy ?? '–';
  const rows = parity.map((p, i): Cell[] => [
    { text: p.strategy, header: true },
    String(p.epochs),
    i === 0 ? '(reference)' : p.maxAbsDelta.toExponential(2),
    i === 0 || p.maxAbsDelta === 0 ? '–' : String(p.worstEpoch),
    loss(p.lastLoss),
    i === 0 ? '–' : p.maxAbsDelta <= PARITY_TOLERANCE ? 'within 1e-5' : 'differs',
  ]);
  return table('flab-parity', `Loss parity: each strategy's losses against ${first}'s, epoch by epoch from the same initial parameters`, ['strategy', 'epochs', 'max |Δ|', 'at epoch', 'last loss', ''], rows);
}

/** The roofline of the run as an SVG element that scales to its box (bench/chart.ts draws it). */
export function roofline(r: BenchReport): Element {
  const width = 860;
  const height = 460;
  const svg = new DOMParser().parseFromString(rooflineSvg(r, width, height), 'image/svg+xml').documentElement;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('class', 'flab-roofline');
  return document.importNode(svg, true);
}

/** The roofline's text summary: each kernel's distance from its bound, the closest and the farthest. */
export function rooflineSummary(r: BenchReport): string {
  const points = r.rows.flatMap((row) => (row.kernels ?? []).filter((k) => k.us > 0 && k.flops > 0).map((k) => ({ what: `${row.strategy} ${k.name}`, f: gflops(k) / attainableGflops(r.peaks, k.flops / k.bytes) })));
  if (points.length === 0) return 'No kernel was timed, so the roofline has no points.';
  points.sort((a, b) => b.f - a.f);
  const best = points[0];
  const worst = points[points.length - 1];
  return `${points.length} kernels under the roof of ${num(r.peaks.gflops)} GFLOP/s and ${num(r.peaks.gbps)} GB/s; closest to its bound: ${best.what} at ${percent(best.f)}; farthest: ${worst.what} at ${percent(worst.f)}.`;
}
