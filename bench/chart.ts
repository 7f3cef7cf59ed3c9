// The benchmark's one HTML report, self-contained: per runtime a roofline (SVG: arithmetic
// intensity against achieved GFLOP/s, one point per kernel and strategy of the course's shapes,
// under the two measured ceilings), the grid's µs/epoch against N (uPlot, inlined), and the
// Markdown tables the charts came from.
import uplotJs from 'uplot/dist/uPlot.iife.min.js?raw';
import uplotCss from 'uplot/dist/uPlot.min.css?raw';
import type { StrategyName } from '../src/train/strategy';
import { attainableGflops, ridgeIntensity } from './cost';
import type { BenchReport } from './core';
import { markdown } from './markdown';

/** One colour per strategy; typed by name, so a new strategy cannot go without one. */
const COLORS: Record<StrategyName, string> = { unfused: '#dc2626', fused: '#2563eb', resident: '#16a34a', piecewise: '#9333ea', wide: '#d97706' };

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Decades [lo, hi] (powers of ten) that hold every value. */
function decades(values: number[]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && v > 0);
  return [Math.floor(Math.log10(Math.min(...finite))), Math.ceil(Math.log10(Math.max(...finite)))];
}

/** The roofline of one report as an SVG: log-log, the bandwidth slope and the FMA roof, a dot per kernel. */
export function rooflineSvg(r: BenchReport, width = 860, height = 460): string {
  const points = r.rows.flatMap((row) => (row.kernels ?? []).filter((k) => k.us > 0 && k.flops > 0).map((k) => ({ row, k, ai: k.flops / k.bytes, gf: k.flops / k.us / 1e3 })));
  const ridge = ridgeIntensity(r.peaks);
  const [x0, x1] = decades([...points.map((p) => p.ai), ridge / 10, ridge * 10]);
  const [y0, y1] = decades([...points.map((p) => p.gf), r.peaks.gflops * 2]);
  const m = { l: 70, r: 20, t: 20, b: 50 };
  const sx = (ai: number) => m.l + ((Math.log10(ai) - x0) / (x1 - x0)) * (width - m.l - m.r);
  const sy = (gf: number) => height - m.b - ((Math.log10(gf) - y0) / (y1 - y0)) * (height - m.t - m.b);
  const parts: string[] = [];
  for (let d = x0; d <= x1; d++) parts.push(`<line x1="${sx(10 ** d)}" y1="${m.t}" x2="${sx(10 ** d)}" y2="${height - m.b}" stroke="#e5e7eb"/><text x="${sx(10 ** d)}" y="${height - m.b + 18}" text-anchor="middle">${10 ** d >= 1 ? 10 ** d : `1e${d}`}</text>`);
  for (let d = y0; d <= y1; d++) parts.push(`<line x1="${m.l}" y1="${sy(10 ** d)}" x2="${width - m.r}" y2="${sy(10 ** d)}" stroke="#e5e7eb"/><text x="${m.l - 6}" y="${sy(10 ** d) + 4}" text-anchor="end">${10 ** d >= 1 ? 10 ** d : `1e${d}`}</text>`);
  // The roof: bandwidth-bound left of the ridge, compute-bound right of it.
  const roof = [10 ** x0, ridge, 10 ** x1].map((ai) => `${sx(ai).toFixed(1)},${sy(attainableGflops(r.peaks, ai)).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${roof}" fill="none" stroke="#111" stroke-width="2"/>`);
  parts.push(`<text x="${sx(ridge) + 6}" y="${sy(r.peaks.gflops) - 6}">FMA peak ${r.peaks.gflops.toFixed(1)} GFLOP/s</text>`);
  parts.push(`<text x="${sx(10 ** x0) + 6}" y="${sy(attainableGflops(r.peaks, 10 ** x0)) - 8}">copy ${r.peaks.gbps.toFixed(1)} GB/s</text>`);
  for (const p of points) {
    const tip = `${p.row.case} ${p.row.strategy}: ${p.k.name}, ${p.ai.toPrecision(3)} FLOP/byte, ${p.gf.toPrecision(3)} GFLOP/s, ${p.k.us.toPrecision(3)} µs/${p.row.kernelsPer === 'step' ? 'step' : 'epoch'}`;
    const product = p.k.name.startsWith('gemm_') || p.k.name.startsWith('conv2d_');
    parts.push(`<circle cx="${sx(p.ai).toFixed(1)}" cy="${sy(p.gf).toFixed(1)}" r="${product ? 5 : 3.5}" fill="${COLORS[p.row.strategy]}" fill-opacity="0.7"><title>${escapeHtml(tip)}</title></circle>`);
  }
  parts.push(`<text x="${(m.l + width - m.r) / 2}" y="${height - 10}" text-anchor="middle">arithmetic intensity (FLOP/byte)</text>`);
  parts.push(`<text transform="translate(16,${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">GFLOP/s</text>`);
  const legend = Object.entries(COLORS).map(([s, c], i) => `<circle cx="${m.l + 20 + i * 110}" cy="${m.t + 8}" r="5" fill="${c}"/><text x="${m.l + 30 + i * 110}" y="${m.t + 12}">${s}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="system-ui,sans-serif" font-size="12" role="img" aria-label="roofline of ${escapeHtml(r.runtime)}">${parts.join('')}${legend.join('')}</svg>`;
}

export function reportHtml(reports: BenchReport[]): string {
  const grids = JSON.stringify(reports.map((r) => ({ title: `${r.runtime}: ${r.adapter}`, rows: r.grid.filter((x) => !x.skipped).map((x) => ({ n: x.n, hidden: x.layers[1], strategy: x.strategy, us: x.usPerEpoch })) })));
  const sections = reports.map(
    (r, i) => `<section><h2>${escapeHtml(`${r.runtime}: ${r.adapter} (${r.version}, ${r.date.slice(0, 10)})`)}</h2>
<h3>Roofline: each kernel of the course's shapes (dots: big for GEMMs and convolutions; hover for details)</h3>${rooflineSvg(r)}
<h3>The lecture's family: µs per epoch against N (log-log), one line per strategy and width</h3><div id="grid${i}"></div>
<details><summary>Tables</summary><pre>${escapeHtml(markdown(r))}</pre></details></section>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fusion lab: the benchmark report</title>
<style>${uplotCss} body{font-family:system-ui,sans-serif;margin:16px;max-width:1100px} h2{font-size:1.15rem;margin-top:2em} h3{font-size:1rem} pre{font-size:11px;overflow:auto}</style></head>
<body><h1>Fusion lab: per-kernel timings, roofline and the course's shapes</h1>
<p>Generated by <code>npm run bench</code>. Lower µs is better; on the roofline, closer to the roof is better.</p>
${sections.join('\n')}
<script>${uplotJs}</script>
<script>
const grids = ${grids};
const colors = ${JSON.stringify(COLORS)};
const dashes = { 2: [], 32: [6, 3], 256: [2, 3] };
grids.forEach((grid, i) => {
  const holder = document.getElementById('grid' + i);
  const sizes = [...new Set(grid.rows.map((r) => r.n))].sort((a, b) => a - b);
  if (sizes.length === 0) { holder.textContent = 'no grid in this run'; return; }
  const keys = [...new Set(grid.rows.map((r) => r.strategy + '|' + r.hidden))];
  const series = [{ label: 'N' }], data = [sizes];
  for (const key of keys) {
    const [strategy, hidden] = key.split('|');
    series.push({ label: strategy + ' H=' + hidden, stroke: colors[strategy], dash: dashes[hidden] || [], width: 2, points: { show: true } });
    data.push(sizes.map((n) => { const r = grid.rows.find((x) => x.n === n && x.strategy === strategy && String(x.hidden) === hidden); return r ? r.us : null; }));
  }
  new uPlot({ width: 900, height: 380, scales: { x: { time: false, distr: 3 }, y: { distr: 3 } }, axes: [{ label: 'N (points)' }, { label: 'µs per epoch', size: 70 }], series }, data, holder);
});
</script></body></html>
`;
}
