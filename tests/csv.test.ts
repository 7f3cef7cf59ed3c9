// The CSV reader on each class of input issue #10 found read differently from pandas, and on what
// DataFrame.to_csv() writes by default. Each test fails if its handling is removed.
import { describe, expect, test } from 'vitest';
import { DataError, parseCsv, readCsv, type DataErrorKind } from '../src/data/csv';
import { selectDataset } from '../src/data/select';

/** The DataError that `run` throws (failing the test when it throws nothing or something else). */
function dataError(run: () => unknown): DataError {
  try {
    run();
  } catch (e) {
    if (e instanceof DataError) return e;
    throw e;
  }
  throw new Error('expected a DataError, got none');
}

function expectRefused(text: string, kind: DataErrorKind, line?: number, column?: string, message?: RegExp) {
  const e = dataError(() => parseCsv(text));
  expect({ kind: e.kind, line: e.line, column: e.column }, text).toEqual({ kind, line, column });
  if (message) expect(e.message).toMatch(message);
  return e;
}

function utf16(text: string, endian: 'le' | 'be'): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(2 + 2 * text.length);
  bytes.set(endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    bytes[2 + 2 * i + (endian === 'le' ? 0 : 1)] = u & 0xff;
    bytes[2 + 2 * i + (endian === 'le' ? 1 : 0)] = u >> 8;
  }
  return bytes;
}

describe('numbers: decimal only, as pandas parses floats', () => {
  test.each(['0x10', '0X1f', '0b1', '0o7', '1_000', '1e', 'e5', '.', '+', '--1', '1.2.3', '1 2', 'abc', '0x', '½', '\u0661'])('%j is not a number (JavaScript Number() would take some)', (cell) => {
    expectRefused(`x,y\n0.5,1\n"${cell}",0\n`, 'not-a-number', 3, 'x', /is not a decimal number/);
  });

  test.each(['Infinity', '-Infinity', 'inf', '+inf', '-INF', 'infinity'])('%j (pandas: ±inf) is refused as not finite', (cell) => {
    expectRefused(`x,y\n${cell},1\n`, 'not-finite', 2, 'x', /is infinite/);
  });

  test('the decimal grammar: signs (+ too), .5, 5., exponents either case, blanks around, ints', () => {
    const cells = ['+1.5', '-2', '.5', '5.', '-.5e1', '1e-3', '1E+3', '  7  ', '007', '-0', '1e0', '0.000001'];
    const d = parseCsv(`x,y\n${cells.map((c) => `${c},1`).join('\n')}`);
    expect(Array.from(d.x)).toEqual([1.5, -2, 0.5, 5, -5, Math.fround(1e-3), 1000, 7, 7, -0, 1, Math.fround(1e-6)]);
  });

  test('pandas writes bools as True/False: 1 and 0, as torch.tensor(df.y).float() makes them', () => {
    const d = parseCsv('x,y\nTrue,True\nFalse,False\nTRUE,true\nFALSE,false\n');
    expect(Array.from(d.x)).toEqual([1, 0, 1, 0]);
    expect(Array.from(d.y)).toEqual([1, 0, 1, 0]);
    expectRefused('x,y\ntRuE,1\n', 'not-a-number', 2, 'x');
  });

  test('checked as float32, as torch holds it: beyond its range refused, tiny values become 0', () => {
    const e = expectRefused('x,y\n1,1\n3.5e38,0\n', 'not-finite', 3, 'x', /beyond float32's range.*inf/);
    expect(e.reason).toMatch(/^"3.5e38"/);
    expectRefused('x,y\n-1e39,1\n', 'not-finite', 2, 'x', /-inf/);
    expectRefused('x,y\n1,1e400\n', 'not-finite', 2, 'y');
    const d = parseCsv('x,y\n1e-50,1\n-1e-46,0\n3.4028234e38,1\n');
    expect(Array.from(d.x)).toEqual([0, -0, Math.fround(3.4028234e38)]);
  });

  test('decimal commas are named, whatever the delimiter; thousands separators too', () => {
    expectRefused('x;y\n1,5;1\n', 'decimal-comma', 2, 'x', /decimal commas are not supported \(write 1\.5, not 1,5/);
    expectRefused('x\ty\n0,25\t1\n', 'decimal-comma', 2, 'x');
    expectRefused('x,y\n"1,5",1\n', 'decimal-comma', 2, 'x');
    expectRefused('x,y\n1,5,1\n', 'ragged-row', 2, undefined, /decimal commas\? write 1\.5, not 1,5/);
  });
});

describe('missing values: NaN in the true curve, refused in features and the target', () => {
  test('empty, NaN and nan cells in prob and truth are NaN', () => {
    const d = parseCsv('x,prob,truth,y\n0,,0.5,1\n1,NaN,,0\n2,0.25,nan,1\n');
    expect(Array.from(d.prob!)).toEqual([NaN, NaN, 0.25]);
    expect(Array.from(d.truth!)).toEqual([0.5, NaN, NaN]);
  });

  test("an empty cell in a feature or the target: pandas' NaN, and the loss would be NaN", () => {
    const e = expectRefused('x,y\n0.5,1\n,0\n', 'missing', 3, 'x', /empty cell \(pandas' NaN.*torch would accept it but the loss becomes NaN/);
    expect(e.reason).toMatch(/^empty cell/);
    expectRefused('x,y\n0.5,\n', 'missing', 2, 'y', /empty cell/);
    expectRefused('x,y\n0.5,"  "\n', 'missing', 2, 'y', /empty cell/);
  });

  test.each(['NaN', 'nan', 'NA', 'null', '<NA>', 'None'])('%j in a feature is a missing value, refused', (cell) => {
    expectRefused(`x,y\n${cell},1\n`, 'missing', 2, 'x', /is a missing value \(pandas reads it as NaN\): torch would accept it but the loss becomes NaN/);
  });

  test('prob outside [0, 1] is refused; truth may be any number', () => {
    expectRefused('x,y,prob\n0.5,1,1.5\n', 'out-of-range', 2, 'prob', /probability 1.5 is outside \[0, 1\]/);
    expect(Array.from(parseCsv('x,y,truth\n0.5,1,-7.5\n').truth!)).toEqual([-7.5]);
  });
});

describe('what DataFrame.to_csv() writes by default', () => {
  // pd.DataFrame({'x': [0.1, 1e-05, nan], 'k': [1, 2, 3], 'b': [True, False, True], 'y': [1.0, 0.0, 1.0]}).to_csv()
  const written = ',x,k,b,y\n0,0.1,1,True,1.0\n1,1e-05,2,False,0.0\n2,,3,True,1.0\n';

  test('the unnamed first column is the index: ignored, never a feature', () => {
    const d = parseCsv(',x,y\n0,-1.0,0.0\n1,1.0,1.0\n');
    expect(d.features).toEqual(['x']);
    expect(Array.from(d.x)).toEqual([-1, 1]);
    // an index of text (dates, names) is never read
    expect(parseCsv(',x,y\n2024-01-01,1,1\nbob,2,0\n').features).toEqual(['x']);
    // read back with read_csv and written again, it is named "Unnamed: 0"
    expect(parseCsv(',Unnamed: 0,x,y\n0,0,1,1\n').features).toEqual(['x']);
  });

  test('floats (repr: 0.1, 1e-05, 1.0), ints and bools are read; NaN (an empty cell) in a feature is refused', () => {
    expectRefused(written, 'missing', 4, 'x', /empty cell/);
    const d = parseCsv(written.replace('2,,3', '2,2.5e+20,3'));
    expect(d.features).toEqual(['x', 'k', 'b']);
    expect(Array.from(d.x)).toEqual([0.1, 1, 1, 1e-5, 2, 0, 2.5e20, 3, 1].map(Math.fround));
    expect(Array.from(d.y)).toEqual([1, 0, 1]);
  });

  test("encoding='utf-16' (a BOM, little-endian), big-endian with a BOM, UTF-8 with and without one, CRLF line ends", () => {
    const text = ',x,y\r\n0,0.5,1\r\n1,-0.5,0\r\n';
    for (const input of [utf16(text, 'le'), utf16(text, 'be'), utf16(text, 'le').buffer, new TextEncoder().encode(`\ufeff${text}`), new TextEncoder().encode(text), `\ufeff${text}`]) {
      const d = parseCsv(input);
      expect(Array.from(d.x)).toEqual([0.5, -0.5]);
      expect(Array.from(d.y)).toEqual([1, 0]);
    }
  });

  test('bytes that are not UTF-8, or UTF-16 without a BOM, are refused as such', () => {
    expect(dataError(() => parseCsv(new Uint8Array([0x78, 0x2c, 0x79, 0x0a, 0xff, 0x2c, 0x31]))).kind).toBe('encoding');
    const noBom = utf16('x,y\n1,1\n', 'le').subarray(2);
    expect(dataError(() => parseCsv(noBom)).message).toMatch(/UTF-16 without a byte-order mark/);
    expect(dataError(() => parseCsv(utf16('x,y\n1,1\n', 'be').subarray(0, 7))).kind).toBe('encoding');
  });
});

describe('delimiters', () => {
  test.each([
    [',', 'x,y\n0.5,1\n'],
    [';', 'x;y\n0.5;1\n'],
    ['\t', 'x\ty\n0.5\t1\n'],
    ['|', 'x|y\n0.5|1\n'],
    [';', 'x;"a,b";y\n0.5;7;1\n'], // the comma inside quotes does not count
  ])('%j is found from the header line', (delimiter, text) => {
    const table = readCsv(text);
    expect(table.delimiter).toBe(delimiter);
    expect(Array.from(selectDataset(table, { source: 't', features: ['x'] }).x)).toEqual([0.5]);
  });

  test("Excel's sep= first line is honoured and skipped; lines still count from the file's first", () => {
    const table = readCsv('sep=;\nx,z;y\n0.5;1\n0.25;abc\n');
    expect(table.delimiter).toBe(';');
    expect(table.header).toEqual(['x,z', 'y']);
    expect(table.headerLine).toBe(2);
    const e = dataError(() => selectDataset(table, { source: 't' }));
    expect([e.line, e.column]).toEqual([4, 'y']);
  });

  test('an explicit delimiter wins over detection; tab may be spelled "tab" or \\t', () => {
    expect(readCsv('x;y,z\n1;2,3\n', { delimiter: ',' }).header).toEqual(['x;y', 'z']);
    expect(readCsv('x\ty\n1\t2\n', { delimiter: 'tab' }).delimiter).toBe('\t');
    expect(readCsv('x\ty\n1\t2\n', { delimiter: '\\t' }).delimiter).toBe('\t');
    for (const bad of ['', ';;', '"', '\n']) expect(dataError(() => readCsv('x,y\n1,2', { delimiter: bad })).kind).toBe('delimiter');
  });
});

describe('structure', () => {
  test('well-formed variants load: any column order, BOM, CRLF, CR, quotes, blank lines around, no prob', () => {
    const variants = ['y,x\n1,0.5\n0,-0.5\n', '\ufeffx,y\r\n0.5,1\r\n-0.5,0\r\n', 'x,y\r0.5,1\r-0.5,0', '"x","y"\n"0.5","1"\n-0.5,0\n\n\n', '\n\n X , Y \n 0.5 , 1 \n-0.5,0', 'x,y\r\n0.5,1\n-0.5,0\r\n'];
    for (const text of variants) {
      const d = parseCsv(text);
      expect(Array.from(d.x), text).toEqual([0.5, -0.5]);
      expect(Array.from(d.y), text).toEqual([1, 0]);
      expect(d.prob, text).toBeUndefined();
    }
  });

  test('lines are physical: a quoted line break moves every later row down', () => {
    const e = dataError(() => parseCsv('x,note,y\n1,"two\nlines",1\n2,"three\r\nmore\nlines",0\n3,ok,abc\n', 'CSV', { features: ['x'] }));
    expect([e.line, e.column, e.kind]).toEqual([7, 'y', 'not-a-number']);
  });

  test.each([
    ['', 'empty', undefined],
    ['\n\n', 'empty', undefined],
    ['x,y\n', 'no-rows', undefined],
    ['x,y\n0.5,1,7', 'ragged-row', 2],
    ['x,y\n0.5', 'ragged-row', 2],
    ['x,y\n0.5,1\n\n0.1,0', 'blank-line', 3],
    ['x,y\n"0.5,1', 'quotes', 2],
    ['x,y\n1,1\n"0.5"x,1', 'quotes', 3],
  ] as const)('%j is refused: %s at line %s', (text, kind, line) => {
    expectRefused(text, kind, line);
  });
});

describe('choosing the columns', () => {
  test('defaults: target y; features every other column but prob, truth and unnamed ones, in file order', () => {
    const d = parseCsv('x2,prob,Y,x1,truth\n1,0.5,1,2,3\n4,0.25,0,5,6\n');
    expect([d.features, d.target, d.d, d.n]).toEqual([['x2', 'x1'], 'Y', 2, 2]);
    expect(Array.from(d.x)).toEqual([1, 2, 4, 5]);
  });

  test('chosen features and target, matched case-insensitively, x in the chosen order', () => {
    const d = parseCsv('a,b,c,t\n1,2,3,9\n4,5,6,8\n', 'f.csv', { features: ['C', 'a'], target: 'T' });
    expect([d.features, d.target, d.source]).toEqual([['c', 'a'], 't', 'f.csv']);
    expect(Array.from(d.x)).toEqual([3, 1, 6, 4]);
    expect(Array.from(d.y)).toEqual([9, 8]);
  });

  test('a text column is harmless unless it is a feature; as a default feature the message says why it is one', () => {
    expect(parseCsv('id,x,note,y\n1,0.5,"a, quoted ""note""",1\n', 'CSV', { features: ['x'] }).n).toBe(1);
    const e = expectRefused('id,x,note,y\n1,0.5,"a note",1\n', 'not-a-number', 2, 'note');
    expect(e.message).toMatch(/note is a feature because every column but the target, prob and truth is one by default/);
  });

  test.each([
    ['x,prob\n1,0.5', {}, /no column y \(the target\)/],
    ['a,b\n1,2', { target: 'c' }, /no column c/],
    ['x,y\n1,2', { features: ['z'] }, /no column z \(a feature\)/],
    ['x,y\n1,2', { features: ['y'] }, /is the target/],
    ['x,prob,y\n1,0.5,1', { features: ['x', 'prob'] }, /true curve, never a feature/],
    ['x,y\n1,2', { features: ['x', 'X'] }, /listed twice/],
    ['x,X,y\n1,2,1', {}, /column x appears twice/],
    ['x,y,Y\n1,2,1', {}, /column y appears twice in the header \(names match case-insensitively\)/i],
    ['prob,y\n0.5,1', {}, /no feature columns/],
  ])('%j with %j is refused at the header line', (text, options, message) => {
    const e = dataError(() => parseCsv(text, 'CSV', options));
    expect([e.kind, e.line]).toEqual(['header', 1]);
    expect(e.message).toMatch(message);
  });
});
