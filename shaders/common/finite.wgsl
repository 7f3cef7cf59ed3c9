// finite: WGSL has no isnan/isinf; an all-ones exponent is exactly Inf or NaN. Used by the
// divergence status (common/status.wgsl) and by piecewise_segments, which has no status binding.

fn is_finite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}
