// From a table of text cells to a data set: which columns are the features and the target, each of
// their cells read as a number (cells.ts), and the optional true curve (`prob`, `truth`) kept.
//
// Defaults, decided here: the target is `y`; the features are every other column except `prob` and
// `truth` (the known true curve, never an input) and unnamed columns. An unnamed column is pandas'
// index: DataFrame.to_csv() writes the index by default as a first column with an empty name
// (header `,x,y`), and reading that back and writing it again names it `Unnamed: 0`. Neither is a
// feature by default, and its cells are never read (an index may be text). Names match
// case-insensitively; the data set keeps them as the header spells them.
import { CellProblem, isEmptyCell, readCell } from './cells';
import type { CsvTable } from './csv';
import type { Dataset } from './dataset';
import { DataError } from './errors';

/** Upper bound on the values of x (N·D), as on points: 2^26 floats is 256 MiB. */
const MAX_VALUES = 1 << 26;

export interface SelectOptions {
  /** The input columns, in this order (default: every column but the target, prob, truth and unnamed ones). */
  features?: readonly string[];
  /** The target column (default `y`). */
  target?: string;
  /** Where the data came from, for messages and the page (a file name). */
  source: string;
}

type Role = { kind: 'feature'; index: number } | { kind: 'target' } | { kind: Curve };

interface UsedColumn {
  /** Index in the header. */
  at: number;
  name: string;
  role: Role;
}

const key = (name: string) => name.trim().toLowerCase();
const isUnnamed = (name: string) => name.trim() === '' || /^unnamed: \d+$/i.test(name.trim());
const CURVES = ['prob', 'truth'] as const;
type Curve = (typeof CURVES)[number];

/**
 * The data set in `table`: x (N·D, row-major, features in the order given), y, and prob/truth when
 * the header has them (NaN where pandas would read NaN). Cells are checked row by row, each row in
 * header order, so the error names the first bad cell of the file.
 */
export function selectDataset(table: CsvTable, options: SelectOptions): Dataset {
  const { columns, features, target } = chooseColumns(table, options);
  const d = features.length;
  const n = table.rows.length;
  if (n * d > MAX_VALUES) throw new DataError(`${n} rows of ${d} features are ${n * d} values, more than the ${MAX_VALUES} this trainer accepts`, undefined, undefined, 'too-many-rows');
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  const curves: Partial<Record<Curve, Float32Array<ArrayBuffer>>> = {};
  for (const c of columns) if (c.role.kind === 'prob' || c.role.kind === 'truth') curves[c.role.kind] = new Float32Array(n);
  const defaulted = options.features === undefined;
  for (let r = 0; r < n; r++) {
    const cells = table.rows[r];
    for (const c of columns) {
      const v = cellValue(cells[c.at], c, table.lines[r], defaulted);
      if (c.role.kind === 'feature') x[r * d + c.role.index] = v;
      else if (c.role.kind === 'target') y[r] = v;
      else curves[c.role.kind]![r] = v;
    }
  }
  return { x, d, n, y, features, target, ...curves, source: options.source };
}

interface Choice {
  /** The columns to read, in header order, each with its role. */
  columns: UsedColumn[];
  features: string[];
  target: string;
}

function chooseColumns(table: CsvTable, options: SelectOptions): Choice {
  const { header, headerLine } = table;
  const find = (name: string) => findColumn(header, name);
  const targetName = options.target ?? 'y';
  const target = find(targetName);
  if (target === undefined) throw headerError(`the header has no column ${targetName} (the target)`, header, headerLine);
  const curves = CURVES.flatMap((kind) => {
    const at = find(kind);
    return at === undefined || at === target ? [] : [{ kind, at }];
  });
  const reserved = new Set([target, ...curves.map((c) => c.at)]);
  const features = options.features === undefined ? defaultFeatures(header, reserved) : chosenFeatures(options.features, header, headerLine, target);
  if (features.length === 0) throw headerError(`no feature columns: the header has only the target ${header[target]}${curves.length > 0 ? ' and the true curve' : ''}`, header, headerLine);
  const columns: UsedColumn[] = [
    ...features.map((at, index): UsedColumn => ({ at, name: header[at], role: { kind: 'feature', index } })),
    { at: target, name: header[target], role: { kind: 'target' } },
    ...curves.map((c): UsedColumn => ({ at: c.at, name: header[c.at], role: { kind: c.kind } })),
  ];
  refuseDuplicates(header, columns, headerLine);
  return { columns: columns.sort((a, b) => a.at - b.at), features: features.map((at) => header[at]), target: header[target] };
}

/** The index of the first column named `name`, case-insensitively. */
function findColumn(header: readonly string[], name: string): number | undefined {
  const at = header.findIndex((h) => key(h) === key(name));
  return at < 0 ? undefined : at;
}

/** A column read by name must be the only one of that name: which one was meant is unknowable. */
function refuseDuplicates(header: readonly string[], columns: readonly UsedColumn[], headerLine: number): void {
  for (const c of columns) {
    if (header.some((h, i) => i !== c.at && key(h) === key(c.name))) throw new DataError(`column ${c.name} appears twice in the header (names match case-insensitively)`, headerLine, undefined, 'header');
  }
}

function defaultFeatures(header: readonly string[], reserved: ReadonlySet<number>): number[] {
  return header.map((_, at) => at).filter((at) => !reserved.has(at) && !isUnnamed(header[at]));
}

function chosenFeatures(names: readonly string[], header: readonly string[], headerLine: number, target: number): number[] {
  const seen = new Set<number>();
  return names.map((name) => {
    const at = findColumn(header, name);
    if (at === undefined) throw headerError(`the header has no column ${name} (a feature)`, header, headerLine);
    const refuse = (why: string) => new DataError(`column ${header[at]} ${why}`, headerLine, undefined, 'header');
    if (at === target) throw refuse('is the target; it cannot be a feature too');
    if ((CURVES as readonly string[]).includes(key(name))) throw refuse('is the true curve, never a feature');
    if (seen.has(at)) throw refuse('is listed twice as a feature');
    seen.add(at);
    return at;
  });
}

function headerError(message: string, header: readonly string[], headerLine: number): DataError {
  return new DataError(`${message} (found: ${header.map((h) => h || '(unnamed)').join(', ') || 'nothing'})`, headerLine, undefined, 'header');
}

/** One cell as a number for its column's role, or the DataError naming its line and column. */
function cellValue(raw: string, column: UsedColumn, line: number, defaulted: boolean): number {
  const value = readCell(raw);
  if (value instanceof CellProblem) {
    const why = defaulted && column.role.kind === 'feature' ? ` (${column.name} is a feature because every column but the target, prob and truth is one by default; choose the features to leave it out)` : '';
    throw new DataError(value.message + why, line, column.name, value.kind);
  }
  if (Number.isNaN(value)) {
    if (column.role.kind === 'prob' || column.role.kind === 'truth') return NaN;
    const what = isEmptyCell(raw) ? "empty cell (pandas' NaN: pandas writes a missing value as an empty cell)" : `${JSON.stringify(raw.trim())} is a missing value (pandas reads it as NaN)`;
    throw new DataError(`${what}: torch would accept it but the loss becomes NaN`, line, column.name, 'missing');
  }
  if (column.role.kind === 'prob' && (value < 0 || value > 1)) throw new DataError(`probability ${value} is outside [0, 1]`, line, column.name, 'out-of-range');
  return value;
}
