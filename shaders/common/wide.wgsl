// wide: what the three kernels of the wide strategy share (src/train/wide.ts).
//
// Linear(1,H) -> ReLU -> Linear(H,1) with H spread over many workgroups, never storing the (N,H)
// activations: the forward sums each slice of units per point, the backward recomputes each unit's
// pre-activation per point. Every sum runs in a fixed order, so reruns are bit-identical.
//
//   params    flat block (model/layout.ts): W1 (H,1) at w1, b1 (H) at b1, W2 (1,H) at w2, b2 at b2
//   partials  (S, N)   partials[s·N + n] = Σ over units j of slice s, ascending, of v_j·relu(w_j·x_n + b_j)
//   dlogit    (N)      d(mean loss)/d logit, zero-padded to a multiple of 4 (read as vec4s)
// Slice s holds units s·SLICE_LEN .. min(H, (s+1)·SLICE_LEN) - 1; the host cuts H so no slice is empty.
// Uses ops/linear.wgsl and ops/relu.wgsl.

struct WideDims {
  n: u32,
  hidden: u32,
  slices: u32,
  slice_len: u32,
  // offsets in the flat block, from the layer table
  w1: u32,
  b1: u32,
  w2: u32,
  b2: u32,
  // N as a float: the mean's divisor and dlogit's 1/N
  mean_over: f32,
}

// Unit j's pre-activation at x, as every strategy writes it: the bias first, as torch's addmm.
fn wide_preact(x: f32, w: f32, b: f32) -> f32 {
  return linear_forward_term(b, x, w);
}

// The logit's running sum after unit (w, b, v) at x: acc + v·relu(w·x + b).
fn wide_unit_term(acc: f32, x: f32, w: f32, b: f32, v: f32) -> f32 {
  return linear_forward_term(acc, relu_forward(wide_preact(x, w, b)), v);
}

// One point's part of one unit's gradient sums, (dW1, db1, dW2, db2) in acc:
//   dW2 += dlogit·relu(z);  dz = relu_backward(dlogit·v, z);  dW1 += dz·x;  db1 += dz;  db2 += dlogit
fn wide_unit_grads(acc: vec4f, x: f32, dl: f32, w: f32, b: f32, v: f32) -> vec4f {
  let z = wide_preact(x, w, b);
  let dz = relu_backward(dl * v, z);
  return vec4f(acc.x + linear_backward_weight_term(dz, x), acc.y + dz, acc.z + linear_backward_weight_term(dl, relu_forward(z)), acc.w + dl);
}
