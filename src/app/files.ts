// Files in and out of the page: downloads made from memory, and a picked or dropped file read as
// its raw bytes, so the page decodes it (UTF-8, UTF-16 with a BOM) with the CLI's code, src/data.
import { decodeText } from '../data/decode';

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function lossCsv(losses: ArrayLike<number>): string {
  const lines = ['epoch,loss'];
  for (let i = 0; i < losses.length; i++) lines.push(`${i + 1},${losses[i]}`);
  return lines.join('\n') + '\n';
}

/** Reads a File's raw bytes (for readCsv/parseCsv), refusing sizes no data set here could have. */
export async function readFileBytes(file: File, maxBytes = 512 * 1024 * 1024): Promise<Uint8Array<ArrayBuffer>> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${file.size} bytes, more than the ${maxBytes} this page reads`);
  return new Uint8Array(await file.arrayBuffer());
}

/** Reads a File as text decoded as the CSV reader decodes bytes (kept for callers that want text). */
export async function readTextFile(file: File, maxBytes = 512 * 1024 * 1024): Promise<string> {
  return decodeText(await readFileBytes(file, maxBytes));
}
