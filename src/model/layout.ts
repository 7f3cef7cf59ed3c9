// The flat parameter block of Linear(1,H) -> ReLU -> Linear(H,1), in torch's order and shapes.
// Parameters, gradients and both Adam moments share this layout, each in one GPU buffer.
//
//   W1  (H, 1)  at 0
//   b1  (H)     at H
//   W2  (1, H)  at 2H
//   b2  (1)     at 3H
//   total 3H + 1

export const MAX_HIDDEN = 4096;

export interface ParamLayout {
  readonly hidden: number;
  readonly count: number;
  readonly W1: number;
  readonly b1: number;
  readonly W2: number;
  readonly b2: number;
}

export function paramLayout(hidden: number): ParamLayout {
  if (!Number.isInteger(hidden) || hidden < 1 || hidden > MAX_HIDDEN) {
    throw new RangeError(`hidden width must be an integer from 1 to ${MAX_HIDDEN}, got ${hidden}`);
  }
  return { hidden, count: 3 * hidden + 1, W1: 0, b1: hidden, W2: 2 * hidden, b2: 3 * hidden };
}

/** Parameters by name, each flattened in torch's shape; what the CLI writes and the page exports. */
export interface ModelParams {
  W1: number[];
  b1: number[];
  W2: number[];
  b2: number[];
}

export function unpackParams(flat: Float32Array, layout: ParamLayout): ModelParams {
  const h = layout.hidden;
  const take = (at: number, n: number) => Array.from(flat.subarray(at, at + n));
  return { W1: take(layout.W1, h), b1: take(layout.b1, h), W2: take(layout.W2, h), b2: take(layout.b2, 1) };
}

export function packParams(params: ModelParams): Float32Array<ArrayBuffer> {
  const h = params.W1.length;
  const layout = paramLayout(h);
  const shapes: [keyof ModelParams, number][] = [['W1', h], ['b1', h], ['W2', h], ['b2', 1]];
  const flat = new Float32Array(layout.count);
  for (const [name, n] of shapes) {
    const values = params[name];
    if (!Array.isArray(values) || values.length !== n) throw new RangeError(`${name} must hold ${n} numbers for hidden width ${h}`);
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is not a finite number`);
      flat[layout[name] + i] = v;
    });
  }
  return flat;
}

/** The lecture's bent line by hand: W1=[[1],[-1]], b1=0, W2=[[-4.5,-9]], b2=4.5. */
export const BENT_LINE_PARAMS: ModelParams = { W1: [1, -1], b1: [0, 0], W2: [-4.5, -9], b2: [4.5] };
