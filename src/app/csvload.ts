// Loading a CSV file without blocking the page: the file goes to a worker (csv-worker.ts), which
// parses it with src/data's parseCsv and sends back the data set; meanwhile the page shows how far
// it got (reading: a fraction of the bytes; parsing: under way). A DataError in the worker is a
// DataError here, with its line, column and kind.
import type { Dataset } from '../data/dataset';
import { DataError, type DataErrorKind } from '../data/errors';

export interface CsvRequest {
  file: File;
  /** The data set's name in messages (the file's name). */
  source: string;
}

export type CsvPhase = 'reading' | 'parsing';

export type CsvReply =
  | { kind: 'progress'; phase: CsvPhase; fraction?: number }
  | { kind: 'done'; data: Dataset }
  | { kind: 'error'; message: string; dataError: boolean; line?: number; column?: string; errorKind?: DataErrorKind; reason?: string };

/**
 * Parses `file` in a worker. `onProgress` gets the phase and, while reading, the fraction of bytes
 * read. Rejects with the worker's DataError (rebuilt, same message) or Error.
 */
export function loadCsvInWorker(file: File, onProgress: (phase: CsvPhase, fraction?: number) => void): Promise<Dataset> {
  const worker = new Worker(new URL('./csv-worker.ts', import.meta.url), { type: 'module', name: 'csv reader' });
  return new Promise<Dataset>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<CsvReply>) => {
      const reply = e.data;
      if (reply.kind === 'progress') return onProgress(reply.phase, reply.fraction);
      worker.terminate();
      if (reply.kind === 'done') resolve(reply.data);
      else reject(reply.dataError ? new DataError(reply.reason ?? reply.message, reply.line, reply.column, reply.errorKind) : new Error(reply.message));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(`the CSV reader stopped: ${e.message}`));
    };
    worker.postMessage({ file, source: file.name } satisfies CsvRequest);
  });
}
