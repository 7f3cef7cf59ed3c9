// linear: the math of Y = X·Wᵀ + b, one scalar term at a time.
//
//   forward          Y[n,o]  = b[o] + Σ_i X[n,i]·W[o,i]
//   backward input   dX[n,i] = Σ_o dY[n,o]·W[o,i]
//   backward weight  dW[o,i] = Σ_n dY[n,o]·X[n,i]
//   backward bias    db[o]   = Σ_n dY[n,o]
//
// Kernels own the loops and the reductions; these functions own the formulas, so the unfused
// kernels and the fused ones cannot drift apart.

// The shapes of one layer: N points, IN → OUT, its weights at w_offset of the flat block
// (the bias right after them).
struct LinearDims {
  n: u32,
  in_dim: u32,
  out_dim: u32,
  w_offset: u32,
}

// One term of the forward dot product: acc starts at the bias, as torch's addmm does.
fn linear_forward_term(acc: f32, x: f32, w: f32) -> f32 {
  return acc + x * w;
}

// One term of dX: the upstream gradient of output o carried back through W[o,i].
fn linear_backward_input_term(acc: f32, dy: f32, w: f32) -> f32 {
  return acc + dy * w;
}

// One point's contribution to dW[o,i]; db[o]'s contribution is dy itself.
fn linear_backward_weight_term(dy: f32, x: f32) -> f32 {
  return dy * x;
}
