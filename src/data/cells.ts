// One cell of a numeric column, read as pandas' read_csv reads it and then as torch sees it in
// float32. pandas' float parser takes decimal numbers only: an optional sign (+ too), digits with an
// optional point (`.5`, `5.`), an optional exponent (`1e-3`, `1E+3`), ASCII blanks around. What
// JavaScript's Number() also takes (0x10, 0b1, 0o7) or Python's float() does (1_000) pandas leaves as
// text, so it is refused here; inf/Infinity pandas reads as ±inf, refused as not finite. pandas writes bools as True/False and
// torch.tensor(df.y).float() makes them 1/0, so they count as 1/0. A value is kept as float32 rounds
// it: beyond float32's range it would be ±inf and is refused; a tiny value becomes 0, as in torch.
import type { DataErrorKind } from './errors';

/** A cell that cannot be a number: what and why, without the location (the caller adds it). */
export class CellProblem {
  constructor(
    readonly kind: DataErrorKind,
    readonly message: string,
  ) {}
}

const BLANKS = '[ \\t\\n\\v\\f\\r]*'; // isspace_ascii, what pandas' parser skips around a number
const DECIMAL = new RegExp(`^${BLANKS}[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?${BLANKS}$`);
const DECIMAL_COMMA = /^[+-]?(?:\d+,\d*|,\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(?:inf|infinity)$/i; // what pandas reads as ±inf
/** pandas' default na_values (STR_NA_VALUES): cells read_csv turns into NaN. */
const PANDAS_NA = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null']);
/** pandas' default true_values and false_values. */
const TRUE = new Set(['True', 'TRUE', 'true']);
const FALSE = new Set(['False', 'FALSE', 'false']);
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The float32 value of a cell, NaN when pandas would read it as a missing value (an empty cell,
 * `NaN`, `NA`, …), or a CellProblem when it is no number pandas and torch would agree on.
 */
export function readCell(raw: string): number | CellProblem {
  if (DECIMAL.test(raw)) {
    const value = Math.fround(Number(raw));
    if (Number.isFinite(value)) return value;
    return new CellProblem('not-finite', `${quote(raw.trim())} is beyond float32's range (±${FLOAT32_MAX.toPrecision(8)}): as float32, as torch holds it, it would be ${Number(raw) > 0 ? '' : '-'}inf`);
  }
  return readOtherCell(trimBlanks(raw));
}

/** True when pandas would read the cell as NaN because it is empty (pandas writes NaN so). */
export function isEmptyCell(raw: string): boolean {
  return trimBlanks(raw) === '';
}

function readOtherCell(cell: string): number | CellProblem {
  if (TRUE.has(cell)) return 1;
  if (FALSE.has(cell)) return 0;
  if (PANDAS_NA.has(cell)) return NaN;
  if (INFINITY.test(cell)) return new CellProblem('not-finite', `${quote(cell)} is infinite (pandas reads it as inf): only finite numbers can be trained on`);
  if (DECIMAL_COMMA.test(cell)) {
    return new CellProblem('decimal-comma', `${quote(cell)} has a comma: decimal commas are not supported (write 1.5, not 1,5; pandas too needs decimal=',' for them), nor are thousands separators`);
  }
  return new CellProblem('not-a-number', `${quote(cell)} is not a decimal number (as pandas reads numbers: 1.5, -2, .5, 1e-3; not hex, binary, octal, Infinity or 1_000)`);
}

function trimBlanks(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
