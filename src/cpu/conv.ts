// CPU twins of the convolution and pooling kernels (shaders/kernels/conv2d_*.wgsl, maxpool_*.wgsl):
// one hand-written function per kernel, the same argument order (outputs, inputs, dims),
// double-precision sums in the kernels' order. Shapes and formulas: shaders/ops/conv2d.wgsl and
// shaders/ops/maxpool.wgsl (torch 1.13's Conv2d with stride 1 and no padding, MaxPool2d with
// stride = kernel size, floor mode, its CPU kernel's argmax rule).

type Vec = Float32Array | Float64Array;
type Indices = Uint32Array | Int32Array;

/**
 * One Conv2d(C, O, (k,k)) over N images: X (N, C, H, W), Wt (O, C, k, k) at wOffset of the flat
 * parameter block and b (O) right after it (convBiasOffset), Y (N, O, H-k+1, W-k+1).
 */
export interface ConvDims {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  k: number;
  wOffset: number;
}

/** One MaxPool2d((k,k)) with stride k over (N, C, H, W): out (N, C, floor(H/k), floor(W/k)). */
export interface PoolDims {
  n: number;
  c: number;
  h: number;
  w: number;
  k: number;
}

/** How the N·OH·OW output positions of a weight-gradient product are cut (the last split may be shorter). */
export interface PositionSplits {
  splitLen: number;
  splits: number;
}

/** conv2d_forward's EPILOGUE: 0 y = z, 1 y = relu(z). */
export type ConvEpilogue = 0 | 1;

/** The output's height and width, OH = H-k+1 and OW = W-k+1. */
export function convOut(d: Pick<ConvDims, 'h' | 'w' | 'k'>): { oh: number; ow: number } {
  return { oh: d.h - d.k + 1, ow: d.w - d.k + 1 };
}

/** The pool's output height and width, floor(H/k) and floor(W/k). */
export function poolOut(d: Pick<PoolDims, 'h' | 'w' | 'k'>): { ph: number; pw: number } {
  return { ph: Math.floor(d.h / d.k), pw: Math.floor(d.w / d.k) };
}

/** Where b starts in the flat block: wOffset + O·C·k·k (Wt then b, as torch's state_dict). */
export function convBiasOffset(d: ConvDims): number {
  return d.wOffset + d.o * d.c * d.k * d.k;
}

/** The conv's parameter count, O·C·k·k + O, which is also the rows of its gradient partials. */
export function convGradientRows(d: Pick<ConvDims, 'c' | 'o' | 'k'>): number {
  return d.o * d.c * d.k * d.k + d.o;
}

/** The pool after a conv: its input is the conv's (N, O, OH, OW) output. */
export function poolAfterConv(d: ConvDims, pool: number): PoolDims {
  const { oh, ow } = convOut(d);
  return { n: d.n, c: d.o, h: oh, w: ow, k: pool };
}

/** Z[n,o,i,j] = (Σ_{c,p,q} X[n,c,i+p,j+q]·Wt[o,c,p,q]) + b[o]: the dot first, then the bias. */
function convAt(x: Vec, params: Vec, d: ConvDims, n: number, o: number, i: number, j: number): number {
  const { c: cs, h, w, k } = d;
  let acc = 0;
  for (let c = 0; c < cs; c++) {
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) acc += x[((n * cs + c) * h + i + p) * w + j + q] * params[d.wOffset + ((o * cs + c) * k + p) * k + q];
    }
  }
  return acc + params[convBiasOffset(d) + o];
}

/** conv2d_forward.wgsl: y (N, O, OH, OW) = epilogue(conv(x (N, C, H, W), Wt) + b). */
export function conv2dForward(y: Vec, x: Vec, params: Vec, d: ConvDims, epilogue: ConvEpilogue): void {
  const { oh, ow } = convOut(d);
  for (let n = 0; n < d.n; n++) {
    for (let o = 0; o < d.o; o++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const z = convAt(x, params, d, n, o, i, j);
          y[((n * d.o + o) * oh + i) * ow + j] = epilogue === 1 ? Math.max(z, 0) : z;
        }
      }
    }
  }
}

/** torch's max_pool2d CPU rule: a value is taken over the best so far when val > best or val is NaN. */
export function poolTakes(val: number, best: number): boolean {
  return val > best || Number.isNaN(val);
}

/** torch's relu, which keeps a NaN. */
function relu(v: number): number {
  return Number.isNaN(v) ? v : Math.max(v, 0);
}

/**
 * conv2d_pool_forward.wgsl: pooled and argmax (N, O, PH, PW) of MaxPool2d((pool,pool)) over
 * relu(conv(x) + b); argmax is i·OW + j in the conv output's plane. pool ∈ {1, 2} on the GPU.
 */
export function conv2dPoolForward(pooled: Vec, argmax: Indices, x: Vec, params: Vec, d: ConvDims, pool: number): void {
  const { oh, ow } = convOut(d);
  const { ph, pw } = poolOut({ h: oh, w: ow, k: pool });
  for (let n = 0; n < d.n; n++) {
    for (let o = 0; o < d.o; o++) {
      for (let pi = 0; pi < ph; pi++) {
        for (let pj = 0; pj < pw; pj++) {
          let best = 0;
          let at = -1;
          for (let p = 0; p < pool; p++) {
            for (let q = 0; q < pool; q++) {
              const i = pi * pool + p;
              const j = pj * pool + q;
              // each window value rounded to float32 as the GPU's register holds it
              const v = relu(Math.fround(convAt(x, params, d, n, o, i, j)));
              if (at < 0 || poolTakes(v, best)) {
                best = v;
                at = i * ow + j;
              }
            }
          }
          const e = ((n * d.o + o) * ph + pi) * pw + pj;
          pooled[e] = best;
          argmax[e] = at;
        }
      }
    }
  }
}

/** conv2d_backward_input.wgsl: dx (N, C, H, W) = Σ_{o,p,q} dY[n,o,y-p,x-q]·Wt[o,c,p,q] over valid indices. */
export function conv2dBackwardInput(dx: Vec, dy: Vec, params: Vec, d: ConvDims): void {
  const { oh, ow } = convOut(d);
  const { k } = d;
  for (let n = 0; n < d.n; n++) {
    for (let c = 0; c < d.c; c++) {
      for (let y = 0; y < d.h; y++) {
        for (let x = 0; x < d.w; x++) {
          let acc = 0;
          for (let o = 0; o < d.o; o++) {
            for (let p = 0; p < k; p++) {
              for (let q = 0; q < k; q++) {
                const i = y - p;
                const j = x - q;
                if (i < 0 || j < 0 || i >= oh || j >= ow) continue;
                acc += dy[((n * d.o + o) * oh + i) * ow + j] * params[d.wOffset + ((o * d.c + c) * k + p) * k + q];
              }
            }
          }
          dx[((n * d.c + c) * d.h + y) * d.w + x] = acc;
        }
      }
    }
  }
}

/**
 * conv2d_backward_weights.wgsl: partials (O·C·k·k + O, splits) in torch's flat order (dWt
 * row-major, then db); column s sums output positions m = (n·OH + i)·OW + j from s·splitLen to
 * min(N·OH·OW, (s+1)·splitLen)-1. `dyAt(n, o, i, j)` gives the gradient at the conv's output.
 */
function backwardWeightsFrom(partials: Vec, dyAt: (n: number, o: number, i: number, j: number) => number, x: Vec, d: ConvDims, split: PositionSplits): void {
  const { oh, ow } = convOut(d);
  const { c: cs, h, w, k } = d;
  const len = cs * k * k;
  const positions = d.n * oh * ow;
  for (let s = 0; s < split.splits; s++) {
    const end = Math.min(positions, (s + 1) * split.splitLen);
    for (let o = 0; o < d.o; o++) {
      const acc = new Float64Array(len + 1);
      for (let m = s * split.splitLen; m < end; m++) {
        const n = Math.floor(m / (oh * ow));
        const i = Math.floor(m / ow) % oh;
        const j = m % ow;
        const g = dyAt(n, o, i, j);
        for (let c = 0; c < cs; c++) {
          for (let p = 0; p < k; p++) {
            for (let q = 0; q < k; q++) acc[(c * k + p) * k + q] += g * x[((n * cs + c) * h + i + p) * w + j + q];
          }
        }
        acc[len] += g;
      }
      for (let kk = 0; kk < len; kk++) partials[(o * len + kk) * split.splits + s] = acc[kk];
      partials[(d.o * len + o) * split.splits + s] = acc[len];
    }
  }
}

/** conv2d_backward_weights.wgsl: split partials of dWt and db from dy (N, O, OH, OW) and x (N, C, H, W). */
export function conv2dBackwardWeights(partials: Vec, dy: Vec, x: Vec, d: ConvDims, split: PositionSplits): void {
  const { oh, ow } = convOut(d);
  backwardWeightsFrom(partials, (n, o, i, j) => dy[((n * d.o + o) * oh + i) * ow + j], x, d, split);
}

/**
 * The gradient at a conv's output (N, O, OH, OW) behind ReLU → MaxPool2d((pool,pool)), from the
 * pooled gradient, argmax and pooled values (N, O, PH, PW): dPooled at each window's argmax where
 * pooled > 0, else 0.
 */
function pooledGradientAt(dpooled: Vec, argmax: Indices, pooled: Vec, d: ConvDims, pool: number) {
  const { oh, ow } = convOut(d);
  const { ph, pw } = poolOut({ h: oh, w: ow, k: pool });
  return (n: number, o: number, i: number, j: number): number => {
    const pi = Math.floor(i / pool);
    const pj = Math.floor(j / pool);
    if (pi >= ph || pj >= pw) return 0;
    const e = ((n * d.o + o) * ph + pi) * pw + pj;
    return argmax[e] === i * ow + j && pooled[e] > 0 ? dpooled[e] : 0;
  };
}

/** conv2d_pool_backward_weights.wgsl: conv2dBackwardWeights of the gradient routed back through the pool and the ReLU. */
export function conv2dPoolBackwardWeights(partials: Vec, dpooled: Vec, argmax: Indices, pooled: Vec, x: Vec, d: ConvDims, pool: number, split: PositionSplits): void {
  backwardWeightsFrom(partials, pooledGradientAt(dpooled, argmax, pooled, d, pool), x, d, split);
}

/** maxpool_forward.wgsl: out and argmax (N, C, PH, PW); argmax is y·W + x in the input plane. */
export function maxpoolForward(out: Vec, argmax: Indices, x: Vec, d: PoolDims): void {
  const { ph, pw } = poolOut(d);
  for (let plane = 0; plane < d.n * d.c; plane++) {
    for (let pi = 0; pi < ph; pi++) {
      for (let pj = 0; pj < pw; pj++) {
        let at = pi * d.k * d.w + pj * d.k;
        let best = x[plane * d.h * d.w + at];
        for (let p = 0; p < d.k; p++) {
          for (let q = 0; q < d.k; q++) {
            const i = (pi * d.k + p) * d.w + pj * d.k + q;
            const v = x[plane * d.h * d.w + i];
            if ((p > 0 || q > 0) && poolTakes(v, best)) {
              best = v;
              at = i;
            }
          }
        }
        out[(plane * ph + pi) * pw + pj] = best;
        argmax[(plane * ph + pi) * pw + pj] = at;
      }
    }
  }
}

/**
 * maxpool_backward.wgsl: dx (N, C, H, W) = dout at each window's argmax, 0 elsewhere; with
 * `pooled` (MASK 1: a ReLU before the pool) only where pooled > 0.
 */
export function maxpoolBackward(dx: Vec, dout: Vec, argmax: Indices, d: PoolDims, pooled?: Vec): void {
  const { ph, pw } = poolOut(d);
  for (let plane = 0; plane < d.n * d.c; plane++) {
    for (let y = 0; y < d.h; y++) {
      for (let x = 0; x < d.w; x++) {
        const pi = Math.floor(y / d.k);
        const pj = Math.floor(x / d.k);
        let g = 0;
        if (pi < ph && pj < pw) {
          const o = (plane * ph + pi) * pw + pj;
          if (argmax[o] === y * d.w + x && (!pooled || pooled[o] > 0)) g = dout[o];
        }
        dx[(plane * d.h + y) * d.w + x] = g;
      }
    }
  }
}
