// MNIST's hidden units as pictures (issue #20): each unit of the first hidden layer weighs the 784
// pixels, so its 28×28 weight image shows what it looks for: white where a bright pixel raises the
// unit, black where it lowers it, mid grey for 0 (each image scaled by its own largest |weight|).
import type { ParamLayout } from '../model/layout';
import { UNIT_COLORS } from './charts';

/** The side of a square input image: 28 for 784 pixels; undefined when the input is not square. */
export function imageSide(inputs: number): number | undefined {
  const side = Math.round(Math.sqrt(inputs));
  return side * side === inputs && side >= 4 ? side : undefined;
}

/**
 * Draws one canvas per unit of the first hidden layer into `container` (made once, redrawn in
 * place), from W1 (H, side²) in `params` as `layout` places it. Returns the units drawn.
 */
export function drawWeightImages(container: HTMLElement, params: ArrayLike<number>, layout: ParamLayout): number {
  const first = layout.layers[0];
  const side = imageSide(first.inDim);
  if (side === undefined) return 0;
  const units = first.outDim;
  if (container.childElementCount !== units) {
    container.replaceChildren();
    for (let j = 0; j < units; j++) {
      const figure = document.createElement('figure');
      figure.className = 'weight-image';
      const canvas = document.createElement('canvas');
      canvas.width = side;
      canvas.height = side;
      canvas.style.borderColor = UNIT_COLORS[j % UNIT_COLORS.length];
      canvas.setAttribute('role', 'img');
      const caption = document.createElement('figcaption');
      caption.textContent = `unit ${j + 1}`;
      figure.append(canvas, caption);
      container.append(figure);
    }
  }
  container.querySelectorAll('canvas').forEach((canvas, j) => {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(side, side);
    const row = first.w + j * first.inDim;
    let most = 1e-12;
    for (let p = 0; p < first.inDim; p++) most = Math.max(most, Math.abs(params[row + p]));
    let positive = 0;
    for (let p = 0; p < first.inDim; p++) {
      const w = params[row + p];
      if (w > 0) positive++;
      const grey = Math.round(127.5 + (127.5 * w) / most);
      image.data.set([grey, grey, grey, 255], 4 * p);
    }
    ctx.putImageData(image, 0, 0);
    canvas.setAttribute('aria-label', `Unit ${j + 1}'s weights on the ${side}×${side} pixels: ${positive} positive, ${first.inDim - positive} negative or zero; largest |weight| ${most.toPrecision(3)}`);
  });
  return units;
}
