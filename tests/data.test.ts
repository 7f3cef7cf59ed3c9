// Data in: the CSV reader on the lecture's file, on every malformed class we know of, and on
// thousands of random and mutated inputs; the built-in generator against the lecture's data.
import { describe, expect, test } from 'vitest';
import { DataError, parseCsv } from '../src/data/csv';
import { generateLectureData } from '../src/data/generate';
import { rng } from './harness';
import { DNNEX_CSV } from './shared';

describe('parseCsv', () => {
  test("reads the lecture's dnnex.csv: 2000 points, x in [-1, 1], y in {0, 1}, prob kept", () => {
    const d = parseCsv(DNNEX_CSV, 'dnnex.csv');
    expect(d.x.length).toBe(2000);
    expect(d.x[0]).toBe(-1);
    expect(d.x[1999]).toBe(1);
    expect(new Set(d.y)).toEqual(new Set([0, 1]));
    expect(d.prob?.[0]).toBeCloseTo(4.5397872e-5, 10);
  });

  test('well-formed variants load: any column order, BOM, CRLF, quotes, blank tail, extra columns, no prob', () => {
    const variants = [
      'y,x\n1,0.5\n0,-0.5\n',
      '\ufeffx,y\r\n0.5,1\r\n-0.5,0\r\n',
      '"x","y"\n"0.5","1"\n-0.5,0\n\n\n',
      'id,x,note,y\n1,0.5,"a, quoted ""note""",1\n2,-0.5,,0',
      ' X , Y \n 0.5 , 1 \n-0.5,0',
    ];
    for (const text of variants) {
      const d = parseCsv(text);
      expect(Array.from(d.x), text).toEqual([0.5, -0.5]);
      expect(Array.from(d.y), text).toEqual([1, 0]);
      expect(d.prob).toBeUndefined();
    }
  });

  test.each([
    ['', /empty/],
    ['\n\n', /empty/],
    ['x,y\n', /no data rows/],
    ['x,prob\n1,0.5', /no column y/],
    ['a,b\n1,2', /no column x or y/],
    ['x,y\n1,abc', /line 2, column y: "abc" is not a number/],
    ['x,y\n1,1\nfoo,0', /line 3, column x: "foo" is not a number/],
    ['x,y\nNaN,1', /line 2, column x: NaN is not allowed/],
    ['x,y\nInfinity,1', /line 2, column x: .*not a finite/],
    ['x,y\n1e39,1', /line 2, column x: .*not a finite float32/],
    ['x,y\n0.5,2', /line 2, column y: label 2 is outside \[0, 1\]/],
    ['x,y\n0.5,-1', /line 2, column y: label -1/],
    ['x,y,prob\n0.5,1,1.5', /line 2, column prob: probability 1.5/],
    ['x,y\n0.5,1,7', /line 2: 3 fields, but the header has 2/],
    ['x,y\n0.5', /line 2: 1 fields/],
    ['x,y\n0.5,\n', /line 2, column y: empty cell/],
    ['x,y\n0.5,1\n\n0.1,0', /line 3: blank line inside the data/],
    ['x,y\n"0.5,1', /quoted field is never closed/],
    ['x,x,y\n1,2,1', /column x appears twice/],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseCsv(text)).toThrow(DataError);
    expect(() => parseCsv(text)).toThrow(message);
  });

  test('fuzz: 5000 random and mutated inputs give a data set or a DataError, never anything else', () => {
    const r = rng(2024);
    const alphabet = ['x', 'y', 'prob', ',', '\n', '\r\n', '"', '0', '1', '0.5', '-', 'e', 'NaN', ' ', '\ufeff', 'Infinity', '1e40', '.'];
    const base = 'x,prob,y\n-1,0.1,0\n0,0.5,1\n1,0.9,1\n';
    let loaded = 0;
    for (let i = 0; i < 5000; i++) {
      let text: string;
      if (i % 2 === 0) {
        text = Array.from({ length: Math.floor(r(0, 40)) }, () => alphabet[Math.floor(r(0, alphabet.length))]).join('');
      } else {
        const chars = base.split('');
        for (let k = 0; k < 1 + Math.floor(r(0, 4)); k++) {
          const at = Math.floor(r(0, chars.length));
          const op = r();
          if (op < 0.33) chars.splice(at, 1);
          else if (op < 0.66) chars.splice(at, 0, alphabet[Math.floor(r(0, alphabet.length))]);
          else chars[at] = alphabet[Math.floor(r(0, alphabet.length))];
        }
        text = chars.join('');
      }
      try {
        const d = parseCsv(text);
        expect(d.x.length).toBeGreaterThan(0);
        expect(d.y.length).toBe(d.x.length);
        d.x.forEach((v) => expect(Number.isFinite(v)).toBe(true));
        d.y.forEach((v) => expect(v >= 0 && v <= 1).toBe(true));
        loaded++;
      } catch (e) {
        if (!(e instanceof DataError)) throw new Error(`input ${JSON.stringify(text)} threw ${String(e)}`);
      }
    }
    expect(loaded).toBeGreaterThan(100); // the mutations keep some inputs valid
  });
});

describe('generateLectureData', () => {
  test("has the lecture's x grid and true probability", () => {
    const gen = generateLectureData();
    const csv = parseCsv(DNNEX_CSV);
    expect(gen.x.length).toBe(2000);
    for (let i = 0; i < 2000; i++) {
      expect(gen.x[i]).toBe(csv.x[i]);
      expect(Math.abs(gen.prob![i] - csv.prob![i])).toBeLessThan(1e-6);
    }
  });

  test('labels follow the probability: the count of ones is within 4 standard deviations', () => {
    const gen = generateLectureData(1, 2000);
    const expected = gen.prob!.reduce((a, p) => a + p, 0);
    const sd = Math.sqrt(gen.prob!.reduce((a, p) => a + p * (1 - p), 0));
    const ones = gen.y.reduce((a, v) => a + v, 0);
    expect(Math.abs(ones - expected)).toBeLessThan(4 * sd);
  });

  test('is seeded: same seed, same labels; other seed, other labels', () => {
    expect(generateLectureData(5).y).toEqual(generateLectureData(5).y);
    expect(generateLectureData(5).y).not.toEqual(generateLectureData(6).y);
  });
});
