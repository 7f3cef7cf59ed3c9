// head: the loss of one point's logit z (the last Linear's output) against its target y, and the
// loss's gradient with respect to z. Torch's semantics, mean reduction over n points:
//   HEAD 0  bce         p = sigmoid(z); ℓ = BCELoss(p, y) (ops/bce.wgsl: logs clamped at -100)
//                       dz = sigmoid_backward(bce_backward(p, y, n), p): the 1e-12 clamp of
//                       p·(1-p), so a float32 sigmoid saturated to exactly 1 gives dz = 0, as in torch
//   HEAD 1  bce-logits  BCEWithLogitsLoss, torch's stable form, m = max(-z, 0):
//                       ℓ = (1 - y)·z + m + log(exp(-m) + exp(-z - m))
//                       dz = (sigmoid(z) - y) / n
//   HEAD 2  mse         MSELoss: ℓ = (z - y)²;  dz = (2 / n)·(z - y)
// A logit that is not finite gets a NaN gradient (and a NaN logit a NaN loss, as in torch): then
// every gradient of the epoch is NaN and its update is refused (common/status.wgsl). Without it a
// saturated sigmoid would hide an overflowed logit behind a zero gradient, and the strategies,
// whose sums overflow at different points, could disagree on whether an epoch diverged. For a
// finite z it adds +0, which changes no bit.
// head_prob is what a classifier predicts (sigmoid(z)); for mse it is z itself.
// Uses ops/sigmoid.wgsl, ops/bce.wgsl and common/finite.wgsl.

override HEAD: u32 = 0u;

const HEAD_BCE: u32 = 0u;
const HEAD_BCE_LOGITS: u32 = 1u;
const HEAD_MSE: u32 = 2u;

fn bce_logits_forward(z: f32, y: f32) -> f32 {
  let m = max(-z, 0.0);
  return (1.0 - y) * z + m + log(exp(-m) + exp(-z - m));
}

fn head_loss(z: f32, y: f32) -> f32 {
  if (HEAD == HEAD_BCE_LOGITS) {
    return bce_logits_forward(z, y);
  }
  if (HEAD == HEAD_MSE) {
    let d = z - y;
    return d * d;
  }
  // WGSL leaves sigmoid(NaN) to the implementation (SwiftShader gives 0): pass the NaN on.
  return select(bce_loss(sigmoid_forward(z), y), z, z != z);
}

// n: the number of points averaged over, as a float. NaN where z is not finite.
fn head_dlogit(z: f32, y: f32, n: f32) -> f32 {
  return head_dlogit_finite(z, y, n) + nan_unless_finite(z);
}

fn head_dlogit_finite(z: f32, y: f32, n: f32) -> f32 {
  if (HEAD == HEAD_BCE_LOGITS) {
    return (sigmoid_forward(z) - y) / n;
  }
  if (HEAD == HEAD_MSE) {
    return (2.0 / n) * (z - y);
  }
  let p = sigmoid_forward(z);
  return sigmoid_backward(bce_backward(p, y, n), p);
}

fn head_prob(z: f32) -> f32 {
  if (HEAD == HEAD_MSE) {
    return z;
  }
  return sigmoid_forward(z);
}
