// Small images on canvases, one pixel per value (CSS scales them, pixelated): grey levels (digits,
// feature maps) and signed weights (kernels: blue positive, orange negative, white zero).

/** A canvas of w×h pixels named for screen readers. */
export function imageCanvas(w: number, h: number, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Draws values[at .. at + w·h) as grey levels, lo black and hi white (hi ≤ lo: all black). */
export function drawGrey(canvas: HTMLCanvasElement, values: ArrayLike<number>, at: number, lo: number, hi: number): void {
  const { width: w, height: h } = canvas;
  const image = new ImageData(w, h);
  const span = hi > lo ? hi - lo : 1;
  for (let i = 0; i < w * h; i++) {
    const g = Math.round(255 * Math.min(1, Math.max(0, (values[at + i] - lo) / span)));
    image.data.set([g, g, g, 255], 4 * i);
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

/** Draws signed values[at .. at + w·h): blue for positive, orange for negative, scaled by `scale` (the largest |v|). */
export function drawSigned(canvas: HTMLCanvasElement, values: ArrayLike<number>, at: number, scale: number): void {
  const { width: w, height: h } = canvas;
  const image = new ImageData(w, h);
  const s = scale > 0 ? scale : 1;
  for (let i = 0; i < w * h; i++) {
    const t = Math.min(1, Math.abs(values[at + i]) / s);
    // #0072b2 (blue) and #d55e00 (orange) of the Okabe–Ito palette, blended from white.
    const [r, g, b] = values[at + i] >= 0 ? [0, 114, 178] : [213, 94, 0];
    image.data.set([255 + (r - 255) * t, 255 + (g - 255) * t, 255 + (b - 255) * t, 255], 4 * i);
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

/** The extremes of values[at .. at + count). */
export function extent(values: ArrayLike<number>, at = 0, count = values.length - at): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = at; i < at + count; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return [lo, hi];
}
