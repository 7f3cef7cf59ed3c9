// conv2d: the geometry of Conv2d(C, O, (k,k)) with stride 1, no padding, no dilation, groups 1, as torch:
//
//   forward          Y[n,o,i,j]  = b[o] + Σ_{c,p,q} Wt[o,c,p,q]·X[n,c,i+p,j+q]
//   backward input   dX[n,c,y,x] = Σ_{o,p,q} dY[n,o,y-p,x-q]·Wt[o,c,p,q]   (valid y-p, x-q only)
//   backward weight  dWt[o,c,p,q] = Σ_{n,i,j} dY[n,o,i,j]·X[n,c,i+p,j+q]
//   backward bias    db[o]        = Σ_{n,i,j} dY[n,o,i,j]
//
//   X (N, C, H, W), Wt (O, C, k, k), b (O), Y (N, O, OH, OW), OH = H-k+1, OW = W-k+1, all row-major;
//   Wt then b contiguous in the flat parameter block (b_offset = w_offset + O·C·k·k).
//
// The kernels compute these as implicit GEMMs over common/gemm_tiles.wgsl (no im2col buffer): a
// "position" m = (n·OH + i)·OW + j of the output, a "patch" kk = (c·k + p)·k + q of the receptive
// field (Wt's own order within a row, so Wt[o, kk] is params[w_offset + o·C·k·k + kk]). Sums run over
// kk (forward, backward input) or positions (backward weights) in ascending order.
//
// With MaxPool2d((pool, pool)) fused after it, the pooled map is (N, O, PH, PW), PH = OH/pool,
// PW = OW/pool (floor), and its argmax indices are i·OW + j in the conv output's plane, as
// ops/maxpool.wgsl.

// The shapes of one convolution (and of the pool fused after it), shared by every conv kernel.
struct Conv2dDims {
  n: u32,
  c: u32,
  h: u32,
  w: u32,
  o: u32,
  k: u32,
  oh: u32,
  ow: u32,
  w_offset: u32,
  b_offset: u32,
  split_len: u32, // backward weights: positions per split
  splits: u32,
  pool: u32,      // the fused pool's window (1 when none)
  ph: u32,
  pw: u32,
}

// C·k·k: the length of one receptive field, a row of Wt.
fn conv_patch_len(d: Conv2dDims) -> u32 {
  return d.c * d.k * d.k;
}

// N·OH·OW: the output positions.
fn conv_positions(d: Conv2dDims) -> u32 {
  return d.n * d.oh * d.ow;
}

// (channel, p, q) of a patch index kk = (channel·k + p)·k + q (channel: c of X, or o of dY in the
// backward input product).
fn conv_patch(d: Conv2dDims, kk: u32) -> vec3u {
  let cp = kk / d.k;
  return vec3u(cp / d.k, cp % d.k, kk % d.k);
}

// (n, i, j) of an output position m = (n·OH + i)·OW + j.
fn conv_position(d: Conv2dDims, m: u32) -> vec3u {
  let ni = m / d.ow;
  return vec3u(ni / d.oh, ni % d.oh, m % d.ow);
}

// (n, y, x) of an input position m = (n·H + y)·W + x.
fn conv_input_position(d: Conv2dDims, m: u32) -> vec3u {
  let ny = m / d.w;
  return vec3u(ny / d.h, ny % d.h, m % d.w);
}

// Index of X[n, c, y, x].
fn conv_x_index(d: Conv2dDims, n: u32, c: u32, y: u32, x: u32) -> u32 {
  return ((n * d.c + c) * d.h + y) * d.w + x;
}

// Index of Y[n, o, i, j].
fn conv_y_index(d: Conv2dDims, n: u32, o: u32, i: u32, j: u32) -> u32 {
  return ((n * d.o + o) * d.oh + i) * d.ow + j;
}

// Index of Wt[o, c, p, q] in the flat parameter block.
fn conv_weight_index(d: Conv2dDims, o: u32, c: u32, p: u32, q: u32) -> u32 {
  return d.w_offset + ((o * d.c + c) * d.k + p) * d.k + q;
}

// Index of the fused pool's pooled[n, o, pi, pj] (and of its argmax).
fn conv_pooled_index(d: Conv2dDims, n: u32, o: u32, pi: u32, pj: u32) -> u32 {
  return ((n * d.o + o) * d.ph + pi) * d.pw + pj;
}
