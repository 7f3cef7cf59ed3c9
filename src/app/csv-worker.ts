// The page's CSV reader, off the main thread: reads a picked or dropped file, decodes and parses it
// with the CLI's code (src/data, in pieces: csv-chunks.ts), and sends back only the data set's float32 columns
// (transferred, not copied), so the page never holds the file's text or its cells. Protocol:
// csvload.ts.
import { DataError } from '../data/csv';
import { parseCsvInPieces } from './csv-chunks';
import type { CsvReply, CsvRequest } from './csvload';

const scope = self as unknown as { onmessage: ((e: MessageEvent<CsvRequest>) => void) | null; postMessage(message: CsvReply, transfer?: Transferable[]): void };

/** The file's bytes, read in pieces so the page can show how far it got. */
async function readBytes(file: File): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let at = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > bytes.length) throw new Error(`${file.name} grew while it was read`);
    bytes.set(value, at);
    at += value.length;
    if (at - lastReport > bytes.length / 50) {
      lastReport = at;
      scope.postMessage({ kind: 'progress', phase: 'reading', fraction: at / Math.max(1, bytes.length) });
    }
  }
  return bytes.subarray(0, at);
}

scope.onmessage = async (e) => {
  const { file, source } = e.data;
  try {
    const bytes = await readBytes(file);
    scope.postMessage({ kind: 'progress', phase: 'parsing', fraction: 0 });
    const data = parseCsvInPieces(bytes, source, (fraction) => scope.postMessage({ kind: 'progress', phase: 'parsing', fraction }));
    const columns = [data.x, data.y, data.prob, data.truth].filter((c): c is Float32Array<ArrayBuffer> => c !== undefined);
    scope.postMessage({ kind: 'done', data }, columns.map((c) => c.buffer));
  } catch (err) {
    const dataError = err instanceof DataError;
    scope.postMessage({ kind: 'error', message: err instanceof Error ? err.message : String(err), dataError, ...(dataError ? { line: err.line, column: err.column, errorKind: err.kind, reason: err.reason } : {}) });
  }
};
