// bce: binary cross-entropy of a probability p against a label y, with torch's BCELoss semantics.
//   forward   ℓ = (y - 1)·max(log(1 - p), -100) - y·max(log(p), -100)
//             (each log clamped at -100 so p = 0 or 1 gives a finite loss; mean over N elsewhere)
//   backward  dp = (p - y) / max(p·(1 - p), 1e-12) / N
//             (the mean's 1/N is applied last, as torch's binary_cross_entropy_backward does)
//   bce_loss  the forward as kernels call it: with BINARY_LABELS (set by the host only when every
//             label is exactly 0 or 1) one log instead of two, the same value bit for bit

const BCE_LOG_FLOOR: f32 = -100.0;
const BCE_GRAD_EPS: f32 = 1e-12;

// log clamped at -100. WGSL leaves log(0) to the implementation (SwiftShader returns -88.03, not
// -inf), so zero is mapped to the floor explicitly rather than trusted to come out as -inf; and
// max(NaN, x) is implementation-defined too, so a NaN is passed through explicitly, as torch's
// clamp does: a NaN prediction must give a NaN loss, which stops training (common/status.wgsl).
fn bce_clamped_log(v: f32) -> f32 {
  return select(select(BCE_LOG_FLOOR, max(log(v), BCE_LOG_FLOOR), v > 0.0), v, v != v);
}

fn bce_forward(p: f32, y: f32) -> f32 {
  return (y - 1.0) * bce_clamped_log(1.0 - p) - y * bce_clamped_log(p);
}

// Labels that are exactly 0 or 1 need one log: for y = 1 the first term is 0·(a finite log) = ±0,
// for y = 0 the second is, and subtracting a zero changes nothing but the sign of a zero loss. A
// log is the dearest step of a point on a software adapter: the lecture's epoch went from 64 to 54 µs.
override BINARY_LABELS: bool = false;

fn bce_forward_binary(p: f32, y: f32) -> f32 {
  return -bce_clamped_log(select(1.0 - p, p, y == 1.0));
}

fn bce_loss(p: f32, y: f32) -> f32 {
  if (BINARY_LABELS) {
    return bce_forward_binary(p, y);
  }
  return bce_forward(p, y);
}

// n is the number of points averaged over (as a float); the division comes last, as in torch.
fn bce_backward(p: f32, y: f32, n: f32) -> f32 {
  return (p - y) / max((1.0 - p) * p, BCE_GRAD_EPS) / n;
}
