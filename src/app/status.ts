// The status line's words for the page's states (issue #20): what it says while a run trains.

/** "Training: epoch 1234 of 3000", shown under Play while a run trains (epochs done, the run's end). */
export function trainingStatus(epoch: number, target: number): string {
  return `Training: epoch ${epoch} of ${target}`;
}

/**
 * What the lecture's data chart shows, said beside its size (issue #20): the built-in set is the
 * lecture's formula with this page's own draws, so its numbers are near the notebook's, not equal.
 */
export function lectureDataNote(source: string): string {
  if (source.startsWith('generated')) {
    return " The lecture's formula with this page's own Bernoulli draws, not the notebook's 2000 (dnnex.csv): the losses come out near the notebook's, not equal (0.2798 against 0.2670 at 6000 epochs). For the notebook's numbers, choose the lecture's 2000 points (dnnex.csv).";
  }
  if (source.startsWith('dnnex.csv')) return " The lecture's own data (dnnex.csv): the notebook's numbers.";
  return '';
}

/** The message for a data set that could not be fetched (offline, blocked): what to do instead. */
export function fetchFailedMessage(url: string, error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return `${url} could not be fetched (${why}): the page may be offline. Download dnnex.csv once, then choose “A CSV file of mine…” and press Load, or drop the file on the page`;
}

/**
 * The notice of a page that trains on the CPU: a browser without the WebGPU API is told to use
 * one that has it; a browser with the API but no adapter (a current Chrome on a blocklisted GPU
 * or driver, a locked-down machine) is told that, not to update (issue #20).
 */
export function noWebGpuNotice(hasApi: boolean): string {
  const fallback = 'so the page trains on the CPU instead: the same network and the same math, only slower.';
  return hasApi
    ? `This browser offers WebGPU but found no GPU adapter (the GPU or its driver may be blocklisted, or hardware acceleration turned off), ${fallback} In Chrome or Edge, the page chrome://gpu says why; the technical details below say what the browser answered.`
    : `This browser does not offer WebGPU, ${fallback} To run it on the graphics card, open the page in a browser with WebGPU (Chrome or Edge 113 or later, Safari 26).`;
}

/**
 * A data or build message in the page's words: the command line's remedies ("choose the
 * features", "set layers[0]") become what one can do on the page (edit the file's columns).
 */
export function pageRemedy(message: string): string {
  return message
    .replace(/; set layers\[0\] to \d+ or choose the features/, ': this lesson’s network takes one input column, x; keep only the columns x and y (and optionally prob) in the file')
    .replace(/; choose the features to leave it out\)/, '; remove that column from the file to leave it out)')
    .replace(/\(use the mse head for regression\)/, '(this page’s classifier needs labels 0 and 1)');
}

/** A data/model mismatch in the minibatch lab's words: the digits are fixed, the model text is what changes. */
export function labRemedy(message: string): string {
  return message
    .replace(/; set layers\[0\] to (\d+) or choose the features/, (_m, d: string) => `: the model's first Linear must take the ${d} pixels, Linear(${d}, …)`)
    .replace(/; give the input shape C,H,W of those features/, ': the digits are 1×28×28 images')
    .replace(/: flatten them \(leave out the input shape\) or begin with Conv2d/, ': this lesson feeds them as images, so begin with Conv2d (a 05wk-1 lesson feeds the flat pixels)');
}

