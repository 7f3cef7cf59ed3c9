// Tick labels that stay short and distinct on any x range: the data chart's axes take values of
// any float32 (up to 3.4e38, down to 1e-38), where uPlot's own steps end at 1e32 (no ticks at all
// beyond) and its labels are full-length numbers ("1,000,000,000,000", which overlap).

/** Tick steps 1, 2, 2.5, 5 × 10^k over float32's whole range. */
export const TICK_INCRS: number[] = (() => {
  const out: number[] = [];
  for (let k = -45; k <= 39; k++) for (const m of [1, 2, 2.5, 5]) out.push(+`${m}e${k}`);
  return out;
})();

/** Labels longer than this are written in exponent notation (1.5e12). */
const MAX_PLAIN = 7;

/**
 * The shortest labels for ticks `splits` (null: no tick) that tell neighbours apart: plain decimals
 * ("-0.5", "1200") when they fit in MAX_PLAIN characters, else mantissa and exponent ("2.5e12").
 */
export function tickLabels(splits: readonly (number | null)[]): string[] {
  const ticks = splits.filter((v): v is number => v !== null && Number.isFinite(v));
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : Math.abs(ticks[0] ?? 1) || 1;
  const tryFormat = (format: (v: number) => string): string[] | undefined => {
    const labels = ticks.map(format);
    const distinct = new Set(labels).size === labels.length;
    const close = ticks.every((v, i) => Math.abs(Number(labels[i]) - v) <= step * 1e-3);
    return distinct && close ? labels : undefined;
  };
  let labels: string[] | undefined;
  for (let d = 0; d <= 20 && !labels; d++) labels = tryFormat((v) => (Object.is(+v.toFixed(d), -0) ? '0' : String(+v.toFixed(d))));
  if (!labels || labels.some((l) => l.length > MAX_PLAIN || l.includes('e'))) {
    labels = undefined;
    for (let d = 0; d <= 16 && !labels; d++) labels = tryFormat((v) => (v === 0 ? '0' : v.toExponential(d).replace(/\.?0+e/, 'e').replace('e+', 'e')));
  }
  const byTick = new Map(ticks.map((v, i) => [v, labels?.[i] ?? String(v)]));
  return splits.map((v) => (v === null || !Number.isFinite(v) ? '' : byTick.get(v)!));
}
