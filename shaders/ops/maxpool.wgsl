// maxpool: MaxPool2d((k,k)) with stride k, no padding, floor mode, as torch's CPU kernel:
//
//   forward   out[n,c,pi,pj] = max over the window y = pi·k + p, x = pj·k + q (p, q < k)
//             argmax[n,c,pi,pj] = y·W + x of the value taken: the window is scanned p then q, and
//             a value is taken when `val > best || isnan(val)` (torch's max_pool2d CPU kernel), so
//             ties go to the FIRST maximum and a NaN wins (the last NaN, if several)
//   backward  dX[n,c,y,x] = dOut[n,c,y/k,x/k] where argmax there is y·W + x, else 0 (windows do
//             not overlap: every input element has at most one window, so no atomics)
//
//   X (N, C, H, W), out and argmax (N, C, PH, PW), PH = H/k, PW = W/k (floor); rows and columns
//   past PH·k, PW·k belong to no window and get a zero gradient.

// The shapes of one pool: planes = N·C.
struct MaxPoolDims {
  planes: u32,
  h: u32,
  w: u32,
  k: u32,
  ph: u32,
  pw: u32,
}

// NaN by its bits: a compiler may assume comparisons never see NaN, but not integer tests.
fn pool_is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Whether the scan takes `val` over the best so far (torch: val > maxval || isnan(val)).
fn pool_takes(val: f32, best: f32) -> bool {
  return val > best || pool_is_nan(val);
}

// torch's relu keeps a NaN (max(NaN, 0) is implementation-defined in WGSL).
fn pool_relu(v: f32) -> f32 {
  return select(max(v, 0.0), v, pool_is_nan(v));
}
