// Axis ticks and labels for the page's charts (issue #20): enough ticks on a short linear loss axis,
// powers of ten written as powers (10⁻⁴, not "0") on log axes. Pure functions, no DOM.

/** Steps of 1, 2, 2.5 and 5 times a power of ten. */
const MANTISSAS = [1, 2, 2.5, 5];

/**
 * Tick values from min to max at a "nice" step (1, 2, 2.5 or 5 × 10^k), the smallest step giving
 * at most `most` ticks (at least 2 ticks for any range wider than a step). Empty for a range that
 * is not finite or not increasing.
 */
export function niceTicks(min: number, max: number, most = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max) && max > min)) return [];
  const raw = (max - min) / Math.max(1, most - 1);
  let step = Infinity;
  for (let k = Math.floor(Math.log10(raw)) - 1; k <= Math.floor(Math.log10(raw)) + 1 && step === Infinity; k++) {
    for (const m of MANTISSAS) {
      const s = m * 10 ** k;
      if (Math.floor(max / s) - Math.ceil(min / s) + 1 <= most) {
        step = s;
        break;
      }
    }
  }
  const ticks: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); i * step <= max + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/**
 * A log axis's label: 1, 10, 100, 0.1, 0.01 as decimals; smaller and larger powers of ten as 10⁻⁴,
 * 10⁵; a·10^k otherwise (2·10⁻⁴). Never "0" for a positive value.
 */
export function logLabel(v: number): string {
  if (!(v > 0) || !Number.isFinite(v)) return '';
  const k = Math.floor(Math.log10(v) + 1e-9);
  const mantissa = Number((v / 10 ** k).toPrecision(2));
  if (k >= -2 && k <= 3) return String(Number(v.toPrecision(6)));
  const power = `10${String(k).replace(/./g, (c) => SUPERSCRIPT[c])}`;
  return mantissa === 1 ? power : `${mantissa}·${power}`;
}
