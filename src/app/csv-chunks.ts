// A CSV file parsed piece by piece, for a progress bar that moves and a worker that never holds
// the whole file's cells at once: the text is cut at line ends into pieces of ~PIECE_CHARS, each
// parsed with the CLI's own code (readCsv, then selectDataset: the columns are chosen from the
// header alone) behind a copy of the header line, and the pieces' float32 columns joined. The
// result is parseCsv's, number for number. Whenever the pieces could differ from one parse (quotes,
// which may hold line breaks; any error, whose message must name the file's line), the whole text
// is parsed at once instead, so messages are exactly parseCsv's.
import { MAX_POINTS, parseCsv, readCsv } from '../data/csv';
import type { Dataset } from '../data/dataset';
import { decodeText } from '../data/decode';
import { selectDataset } from '../data/select';

/** Characters per piece: ~2 MB of text, a few tens of thousands of rows. */
export const PIECE_CHARS = 2_000_000;

/**
 * parseCsv(input, source), in pieces; `onProgress` gets the fraction of the text parsed after each.
 * Throws what parseCsv throws.
 */
export function parseCsvInPieces(input: Uint8Array | string, source: string, onProgress: (fraction: number) => void = () => undefined, pieceChars = PIECE_CHARS): Dataset {
  const text = decodeText(input).replace(/\r\n?/g, '\n');
  if (text.length <= pieceChars || text.includes('"')) return parseCsv(text, source);
  try {
    return joinPieces(text, source, onProgress, pieceChars);
  } catch {
    return parseCsv(text, source); // the exact message, with the file's line
  }
}

function joinPieces(text: string, source: string, onProgress: (fraction: number) => void, pieceChars: number): Dataset {
  const firstEnd = pieceEnd(text, pieceChars);
  const first = readCsv(text.slice(0, firstEnd));
  const headerText = lineAt(text, first.headerLine);
  const pieces: Dataset[] = [selectDataset(first, { source })];
  let line = lineCount(text, 0, firstEnd) + 1; // the physical line the next piece starts on
  let start = firstEnd;
  onProgress(start / text.length);
  while (start < text.length) {
    const end = pieceEnd(text, start + pieceChars);
    const body = text.slice(start, end);
    // Trailing blank lines end the file; anywhere else a blank line is an error, which the whole parse reports.
    if (body.trim() === '' && end === text.length) break;
    const table = readCsv(`${headerText}\n${body}`, { delimiter: first.delimiter });
    table.lines.forEach((l, i) => (table.lines[i] = l - 2 + line));
    pieces.push(selectDataset(table, { source }));
    line += lineCount(text, start, end);
    start = end;
    onProgress(start / text.length);
  }
  return join(pieces);
}

/** Where a piece that should end near `at` ends: just after a line end (or the text's end). */
function pieceEnd(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const end = text.indexOf('\n', at);
  return end < 0 ? text.length : end + 1;
}

function lineCount(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The text of physical line `n` (1-based). */
function lineAt(text: string, n: number): string {
  let start = 0;
  for (let l = 1; l < n; l++) start = text.indexOf('\n', start) + 1;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end);
}

/** The pieces as one data set: every per-row float32 column joined in order, the rest from the first. */
function join(pieces: Dataset[]): Dataset {
  const n = pieces.reduce((sum, p) => sum + p.n, 0);
  if (n > MAX_POINTS) throw new RangeError('too many rows'); // the whole parse says it with its words
  const first = pieces[0];
  const joined: Record<string, unknown> = { ...first, n };
  for (const [key, value] of Object.entries(first)) {
    if (!(value instanceof Float32Array)) continue;
    const parts = pieces.map((p) => (p as unknown as Record<string, Float32Array | undefined>)[key]);
    if (parts.some((part) => part === undefined)) throw new RangeError(`a piece lacks ${key}`);
    const out = new Float32Array(parts.reduce((sum, part) => sum + part!.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part!, at);
      at += part!.length;
    }
    joined[key] = out;
  }
  for (const p of pieces) if (p.d !== first.d || p.features.join() !== first.features.join() || p.target !== first.target) throw new RangeError('pieces differ');
  return joined as unknown as Dataset;
}
