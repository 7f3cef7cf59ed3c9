// DataError: every problem with a data set, as data. `line` (1-based, the file's physical line) and
// `column` (the header's name for it) locate it; `kind` says what it is, so code never has to read
// the message back; `reason` is the message without the location.

/** What went wrong, one word per class of problem. */
export type DataErrorKind =
  | 'encoding' // not UTF-8, nor UTF-16 with a byte-order mark
  | 'empty' // no header line
  | 'no-rows' // a header and nothing else
  | 'too-many-rows' // more than MAX_POINTS rows, or more than MAX_POINTS values in x
  | 'delimiter' // an unusable delimiter option
  | 'quotes' // an unclosed quote, or text after a closing quote
  | 'ragged-row' // a row with another number of fields than the header
  | 'blank-line' // a blank line between data rows
  | 'header' // a missing, unusable or duplicated column name
  | 'not-a-number' // a cell that is not a decimal number (0x10, 1_000, abc, …)
  | 'decimal-comma' // 1,5 instead of 1.5
  | 'missing' // an empty cell or NaN in a feature or the target
  | 'not-finite' // inf, Infinity, or a value beyond float32's range
  | 'out-of-range' // prob outside [0, 1]
  | 'holdout' // a holdout fraction that leaves a side empty
  | 'target' // a target that is not a class index where one is needed (one-hot)
  | 'other';

export class DataError extends Error {
  override name = 'DataError';
  /** The message without the "line L, column C: " prefix. */
  readonly reason: string;

  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
    readonly kind: DataErrorKind = 'other',
  ) {
    super(line === undefined ? message : `line ${line}${column !== undefined ? `, column ${column}` : ''}: ${message}`);
    this.reason = message;
  }
}
