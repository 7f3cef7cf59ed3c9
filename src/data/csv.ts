// Reads a data set from CSV text: columns `x` and `y` required, `prob` optional, in any order,
// other columns ignored. RFC 4180 quoting, a UTF-8 BOM, CRLF and trailing blank lines are fine.
// Every problem is a DataError naming the line and the column; nothing is half-loaded.
import type { Dataset } from './dataset';

export class DataError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    super(line === undefined ? message : `line ${line}${column ? `, column ${column}` : ''}: ${message}`);
    this.name = 'DataError';
  }
}

/** Upper bound on points, whatever the device: 2^26 floats is 256 MiB per column. */
export const MAX_POINTS = 1 << 26;

interface Row {
  line: number;
  fields: string[];
}

/** Splits CSV text into rows of fields, with the line number where each row starts. */
function tokenize(text: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = () => {
    endField();
    rows.push({ line: rowLine, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && !fieldStarted && field.trim() === '') {
      quoted = true;
      fieldStarted = true;
      field = '';
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      if (fieldStarted && c.trim() !== '') throw new DataError('text after a closing quote', line);
      field += c;
      i++;
    }
  }
  if (quoted) throw new DataError('a quoted field is never closed', rowLine);
  if (field !== '' || fields.length > 0 || fieldStarted) endRow();
  return rows;
}

const isBlank = (row: Row) => row.fields.length === 1 && row.fields[0].trim() === '';

function parseNumber(raw: string, line: number, column: string): number {
  const s = raw.trim();
  if (s === '') throw new DataError('empty cell, expected a number', line, column);
  const v = Number(s);
  if (Number.isNaN(v)) throw new DataError(/^[+-]?nan$/i.test(s) ? 'NaN is not allowed' : `"${s.slice(0, 40)}" is not a number`, line, column);
  if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) throw new DataError(`${s.slice(0, 40)} is not a finite float32 number`, line, column);
  return v;
}

export function parseCsv(text: string, source = 'CSV'): Dataset {
  const rows = tokenize(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  while (rows.length > 0 && isBlank(rows[rows.length - 1])) rows.pop();
  if (rows.length === 0) throw new DataError(`${source} is empty: expected a header line with columns x and y`);
  const header = rows[0].fields.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const ix = col('x');
  const iy = col('y');
  const ip = col('prob');
  const missing = [ix < 0 ? 'x' : '', iy < 0 ? 'y' : ''].filter(Boolean);
  if (missing.length > 0) {
    throw new DataError(`the header has no column ${missing.join(' or ')} (found: ${header.join(', ') || 'nothing'})`, 1);
  }
  for (const name of ['x', 'y', 'prob']) {
    if (header.filter((h) => h === name).length > 1) throw new DataError(`column ${name} appears twice in the header`, 1);
  }
  const body = rows.slice(1);
  if (body.length === 0) throw new DataError(`${source} has a header but no data rows`);
  if (body.length > MAX_POINTS) throw new DataError(`${source} has ${body.length} rows, more than the ${MAX_POINTS} this trainer accepts`);
  const n = body.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const prob = ip >= 0 ? new Float32Array(n) : undefined;
  body.forEach((row, r) => {
    if (isBlank(row)) throw new DataError('blank line inside the data', row.line);
    if (row.fields.length !== header.length) {
      throw new DataError(`${row.fields.length} fields, but the header has ${header.length}`, row.line);
    }
    x[r] = parseNumber(row.fields[ix], row.line, 'x');
    const label = parseNumber(row.fields[iy], row.line, 'y');
    if (label < 0 || label > 1) throw new DataError(`label ${label} is outside [0, 1]`, row.line, 'y');
    y[r] = label;
    if (prob) {
      const p = parseNumber(row.fields[ip], row.line, 'prob');
      if (p < 0 || p > 1) throw new DataError(`probability ${p} is outside [0, 1]`, row.line, 'prob');
      prob[r] = p;
    }
  });
  return { x, y, prob, source };
}
