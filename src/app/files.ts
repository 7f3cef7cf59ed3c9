// Files in and out of the page: downloads made from memory, and text read from a picked or dropped file.

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

/** Reads a File as text, refusing sizes no data set here could have. */
export async function readTextFile(file: File, maxBytes = 512 * 1024 * 1024): Promise<string> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${file.size} bytes, more than the ${maxBytes} this page reads`);
  return file.text();
}
