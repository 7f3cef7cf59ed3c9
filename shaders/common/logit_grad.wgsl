// logit_grad: the gradient of the mean loss at one point's logit z, as the kernels that sum it
// take it: the head's (ops/head.wgsl), made NaN when z is not finite, so that every gradient of
// the epoch is NaN and its update is refused (common/status.wgsl). Without it a saturated sigmoid
// (bce) would hide an overflowed logit behind a zero gradient, and the strategies, whose sums
// overflow at different points, would disagree on whether an epoch diverged. For a finite z it
// adds +0, which changes no bit of any sum.
// Uses ops/head.wgsl, common/finite.wgsl.

fn logit_grad(z: f32, y: f32, n: f32) -> f32 {
  return head_dlogit(z, y, n) + nan_unless_finite(z);
}
