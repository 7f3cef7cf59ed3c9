// Reads a CSV file into a table of text cells: the bytes decoded (UTF-8, UTF-16 with a BOM), the
// delimiter found, the quoting undone by Papa Parse (RFC 4180: quotes, doubled quotes, delimiters and
// line breaks inside quotes), every row's physical line kept for messages. Cells become numbers only
// when selectDataset picks their column (so a text column nobody uses does no harm). Every problem
// is a DataError naming the line (and the column where there is one); nothing is half-loaded.
import Papa from 'papaparse';
import { decodeText } from './decode';
import { DataError } from './errors';
import type { Dataset } from './dataset';
import { selectDataset, type SelectOptions } from './select';

export { DataError, type DataErrorKind } from './errors';

/** Upper bound on points, whatever the device: 2^26 floats is 256 MiB per column. */
export const MAX_POINTS = 1 << 26;

/** The delimiters found from the header line, in the order that wins a tie. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

export interface CsvOptions {
  /**
   * The field delimiter, one character (`tab` or `\t` spelled out mean a tab). Default: the one of
   * `,` `;` tab `|` that the header line holds most of, or what Excel's `sep=` first line says.
   */
  delimiter?: string;
}

/** A CSV file as text cells: the header, the data rows and where each row starts in the file. */
export interface CsvTable {
  /** The header's names, trimmed, as written (matched case-insensitively by selectDataset). */
  readonly header: readonly string[];
  /** The data rows, each with exactly header.length cells, untrimmed. */
  readonly rows: readonly (readonly string[])[];
  /** The physical line (1-based) where each data row starts. */
  readonly lines: Int32Array;
  /** The header's physical line: 1, or 2 after Excel's `sep=` line or leading blank lines. */
  readonly headerLine: number;
  /** The delimiter used. */
  readonly delimiter: string;
}

/**
 * Reads CSV text or bytes into a table. Line ends may be LF, CRLF or CR; trailing blank lines are
 * ignored, as are blank lines before the header and a first line `sep=;` (Excel's, honoured).
 */
export function readCsv(input: string | Uint8Array | ArrayBuffer, options: CsvOptions = {}): CsvTable {
  // One line end everywhere: Papa Parse takes one kind per file and would glue mixed ones into a cell.
  const text = decodeText(input).replace(/\r\n?/g, '\n');
  const start = findHeader(text);
  if (start === undefined) throw new DataError('the file is empty: expected a header line naming the columns', undefined, undefined, 'empty');
  const delimiter = options.delimiter !== undefined ? delimiterOption(options.delimiter) : start.sep ?? detectDelimiter(text.slice(start.offset, lineEnd(text, start.offset)));
  const parsed = tokenize(text.slice(start.offset), delimiter);
  const lines = rowLines(parsed, start.line, text.includes('"'));
  throwFirstQuoteError(parsed, lines);
  return tableOf(parsed.data, lines, delimiter);
}

/**
 * Reads a CSV file and picks its data set in one call: readCsv then selectDataset (features, target
 * and the source name for messages from `options`).
 */
export function parseCsv(input: string | Uint8Array | ArrayBuffer, source = 'CSV', options: CsvOptions & Omit<SelectOptions, 'source'> = {}): Dataset {
  return selectDataset(readCsv(input, options), { ...options, source });
}

interface HeaderStart {
  offset: number;
  line: number;
  sep?: string;
}

/** Where the header line starts: after blank lines and Excel's `sep=X` line. */
function findHeader(text: string): HeaderStart | undefined {
  let offset = 0;
  let line = 1;
  let sep: string | undefined;
  while (offset < text.length) {
    const end = lineEnd(text, offset);
    const content = text.slice(offset, end);
    const excel = line === 1 ? /^sep=(.)\s*$/i.exec(content) : null;
    if (excel) sep = excel[1];
    else if (content.trim() !== '') return { offset, line, sep };
    offset = end + 1;
    line++;
  }
  return undefined;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** The candidate delimiter the header line holds most of, outside quotes; `,` when it holds none. */
function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best: string = DELIMITERS[0];
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

function delimiterOption(raw: string): string {
  const d = raw === 'tab' || raw === '\\t' ? '\t' : raw;
  if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
    throw new DataError(`the delimiter must be one character other than a quote or a line break (or "tab"), got ${JSON.stringify(raw)}`, undefined, undefined, 'delimiter');
  }
  return d;
}

function tokenize(text: string, delimiter: string): Papa.ParseResult<string[]> {
  return Papa.parse<string[]>(text, { delimiter, newline: '\n', quoteChar: '"', escapeChar: '"', header: false, dynamicTyping: false, skipEmptyLines: false, comments: false });
}

/** The physical line where each parsed row starts: one more than the last, plus its quoted line breaks. */
function rowLines(parsed: Papa.ParseResult<string[]>, firstLine: number, hasQuotes: boolean): Int32Array {
  const rows = parsed.data;
  const lines = new Int32Array(rows.length);
  let line = firstLine;
  for (let r = 0; r < rows.length; r++) {
    lines[r] = line;
    line += 1 + (hasQuotes ? quotedLineBreaks(rows[r]) : 0);
  }
  return lines;
}

function quotedLineBreaks(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf('\n'); i >= 0; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

function throwFirstQuoteError(parsed: Papa.ParseResult<string[]>, lines: Int32Array): void {
  const error = parsed.errors[0];
  if (error === undefined) return;
  const line = error.row !== undefined && error.row < lines.length ? lines[error.row] : undefined;
  const message = error.code === 'MissingQuotes' ? 'a quoted field is never closed' : error.code === 'InvalidQuotes' ? 'text after a closing quote' : error.message;
  throw new DataError(message, line, undefined, 'quotes');
}

const isBlank = (fields: readonly string[]) => fields.length === 1 && fields[0].trim() === '';

/** The header and the data rows, checked for shape: no blank line inside, as many fields as the header. */
function tableOf(parsed: string[][], parsedLines: Int32Array, delimiter: string): CsvTable {
  let end = parsed.length;
  while (end > 0 && isBlank(parsed[end - 1])) end--;
  const header = parsed[0].map((h) => h.trim());
  const rows = parsed.slice(1, end);
  const lines = parsedLines.slice(1, end);
  if (rows.length === 0) throw new DataError('the file has a header but no data rows', undefined, undefined, 'no-rows');
  if (rows.length > MAX_POINTS) throw new DataError(`the file has ${rows.length} rows, more than the ${MAX_POINTS} this trainer accepts`, undefined, undefined, 'too-many-rows');
  rows.forEach((fields, r) => checkShape(fields, header.length, lines[r], delimiter));
  return { header, rows, lines, headerLine: parsedLines[0], delimiter };
}

function checkShape(fields: readonly string[], width: number, line: number, delimiter: string): void {
  if (isBlank(fields)) throw new DataError('blank line inside the data', line, undefined, 'blank-line');
  if (fields.length === width) return;
  const hint = fields.length > width && delimiter === ',' ? ' (decimal commas? write 1.5, not 1,5)' : '';
  throw new DataError(`${fields.length} fields, but the header has ${width}${hint}`, line, undefined, 'ragged-row');
}
