// The one place that formats the benchmark's numbers and Markdown tables.

/** A column: its header and whether its cells are numbers (right-aligned). */
export type Column = [header: string, align: 'left' | 'right'];

/** A Markdown table; a cell's `|` is escaped so it cannot split the row. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| ${columns.map(([h]) => cell(h)).join(' | ')} |`, `|${columns.map(([, a]) => (a === 'right' ? '---:' : '---')).join('|')}|`];
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a row of ${row.length} cells in a table of ${columns.length} columns: ${row.join(', ')}`);
    lines.push(`| ${row.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

const missing = (v: number | undefined): v is undefined => v === undefined || !Number.isFinite(v);

/** Four significant digits, at least one decimal below 1000, no decimals above: 0.0123, 12.35, 1235, 123457. */
export function num(v: number | undefined): string {
  if (missing(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1000) return v.toFixed(0);
  if (a === 0) return '0';
  return v.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '.0');
}

/** A ratio as `12.3×` (three significant digits, none after the point from 1000 on). */
export function times(v: number | undefined): string {
  if (missing(v)) return '–';
  return `${v >= 1000 ? v.toFixed(0) : v.toPrecision(3)}×`;
}

/** A fraction as a percentage with one decimal: 0.4567 → 45.7%. */
export function percent(v: number | undefined): string {
  return missing(v) ? '–' : `${(100 * v).toFixed(1)}%`;
}

/** A loss to four significant digits (so two systems' losses can be compared at a glance). */
export function loss(v: number | undefined): string {
  return missing(v) ? '–' : v.toPrecision(4);
}

/** Seconds with three significant digits, whole seconds from 1000 on. */
export function seconds(v: number | undefined): string {
  return missing(v) ? '–' : v >= 1000 ? v.toFixed(0) : v.toPrecision(3);
}
