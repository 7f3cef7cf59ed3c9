// Bytes to text, the same in Node and the browser: UTF-8 with or without a byte-order mark, and
// UTF-16 little- or big-endian with one (pandas' to_csv(encoding='utf-16') writes a BOM and the
// machine's byte order, little-endian on x86 and ARM). Anything else is refused, not guessed.
import { DataError } from './errors';

const ENCODING_HELP = 'save it as UTF-8, or as UTF-16 with a byte-order mark';

/** Text of a CSV file given as a string (a leading BOM is dropped) or as its raw bytes. */
export function decodeText(input: string | Uint8Array | ArrayBuffer): string {
  const text = typeof input === 'string' ? stripBom(input) : decodeBytes(asBytes(input));
  if (text.includes('\0')) {
    throw new DataError(`the file holds NUL characters (UTF-16 without a byte-order mark, or not text?): ${ENCODING_HELP}`, undefined, undefined, 'encoding');
  }
  return text;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function asBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return ArrayBuffer.isView(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : new Uint8Array(input);
}

function decodeBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decodeStrict('utf-16le', bytes.subarray(2), 'UTF-16LE');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decodeStrict('utf-16le', swapBytePairs(bytes.subarray(2)), 'UTF-16BE');
  // The UTF-8 decoder drops a leading BOM itself.
  return decodeStrict('utf-8', bytes, 'UTF-8');
}

/** Big-endian UTF-16 as little-endian: not every TextDecoder (Node's small-icu builds) knows utf-16be. */
function swapBytePairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  if (bytes.length % 2 === 1) out[bytes.length - 1] = bytes[bytes.length - 1];
  return out;
}

function decodeStrict(encoding: 'utf-8' | 'utf-16le', bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const problem = label === 'UTF-8' ? 'the file is not UTF-8 text' : `the file starts with a ${label} byte-order mark but is not valid ${label}`;
    throw new DataError(`${problem}: ${ENCODING_HELP}`, undefined, undefined, 'encoding');
  }
}
