// relu: H = max(Z, 0) element-wise, and its gradient.
//   forward   h = max(z, 0)
//   backward  dz = dh where z > 0, else 0 (torch's threshold_backward: the kink gets 0)

fn relu_forward(z: f32) -> f32 {
  return max(z, 0.0);
}

// Whether a unit passes its gradient: z > 0 (also the piecewise strategy's test of where a unit is on).
fn relu_active(z: f32) -> bool {
  return z > 0.0;
}

fn relu_backward(dh: f32, z: f32) -> f32 {
  return select(0.0, dh, relu_active(z));
}
