// finite: WGSL has no isnan/isinf; an all-ones exponent is exactly Inf or NaN. Used by the
// divergence status (common/status.wgsl), by piecewise_segments, which has no status binding, and
// by the per-point gradients at the logit (common/model_columns.wgsl, piecewise_points.wgsl).

fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// +0 for a finite v, NaN for ±Inf or NaN: added to a value, it makes it NaN exactly when v is not
// finite, and changes no other bit (but a -0's sign).
fn nan_unless_finite(v: f32) -> f32 {
  return v - v;
}
