// The benchmark's chart: a self-contained HTML page (uPlot inlined) of µs/epoch against N, one
// series per strategy and width, one panel per runtime.
import type { StrategyName } from '../src/train/strategy';
import type { BenchReport } from './core';

/** One colour per strategy; typed by name, so a new strategy cannot go without one. */
const COLORS: Record<StrategyName, string> = { unfused: '#dc2626', fused: '#2563eb', resident: '#16a34a', piecewise: '#9333ea' };

export function chartHtml(reports: BenchReport[], uplotJs: string, uplotCss: string): string {
  const payload = JSON.stringify(reports.map((r) => ({ title: `${r.runtime} — ${r.adapter}`, rows: r.rows.filter((x) => !x.skipped) })));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>µs per epoch against N</title>
<style>${uplotCss} body{font-family:system-ui,sans-serif;margin:16px} h2{font-size:1.1rem}</style></head>
<body><h1>Training time per epoch against N (log-log)</h1><p>Lower is better. One line per strategy and hidden width H.</p><div id="charts"></div>
<script>${uplotJs}</script>
<script>
const reports = ${payload};
const colors = ${JSON.stringify(COLORS)};
const dashes = { 2: [], 32: [6, 3], 256: [2, 3] };
for (const report of reports) {
  const h2 = document.createElement('h2'); h2.textContent = report.title; document.getElementById('charts').append(h2);
  const holder = document.createElement('div'); document.getElementById('charts').append(holder);
  const sizes = [...new Set(report.rows.map((r) => r.n))].sort((a, b) => a - b);
  const keys = [...new Set(report.rows.map((r) => r.strategy + '|' + r.hidden))];
  const series = [{ label: 'N' }], data = [sizes];
  for (const key of keys) {
    const [strategy, hidden] = key.split('|');
    series.push({ label: strategy + ' H=' + hidden, stroke: colors[strategy], dash: dashes[hidden] || [], width: 2, points: { show: true } });
    data.push(sizes.map((n) => { const r = report.rows.find((x) => x.n === n && x.strategy === strategy && String(x.hidden) === hidden); return r ? r.usPerEpoch : null; }));
  }
  new uPlot({ width: 900, height: 420, scales: { x: { time: false, distr: 3 }, y: { distr: 3 } }, axes: [{ label: 'N (points)' }, { label: 'µs per epoch', size: 70 }], series }, data, holder);
}
</script></body></html>
`;
}
