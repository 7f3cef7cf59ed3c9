// model_columns: one point's forward, loss and backward through Linear(1,H) -> ReLU -> Linear(H,1)
// -> Sigmoid -> BCE, added into the calling invocation's own column of partial sums; then a tree
// over the invocations' columns. Shared by the fused and resident kernels, so both accumulate
// exactly the same terms in the same order.
//
//   theta  (P)              the parameters, copied into workgroup memory by the kernel
//   acc    (COLUMNS, WG)    column c of invocation t at c·WG + t: the P gradients, then the loss
//
// Each invocation owns its column, so accumulation needs no barrier; one tree at the end does.
// Needs `override WG` and the formulas of ops/{linear,relu,sigmoid,bce}.wgsl.

override HIDDEN: u32 = 2;
override PARAMS: u32 = 3u * HIDDEN + 1u;
override COLUMNS: u32 = PARAMS + 1u;

var<workgroup> theta: array<f32, PARAMS>;
var<workgroup> acc: array<f32, WG * COLUMNS>;

fn clear_column(lid: u32) {
  for (var c = 0u; c < COLUMNS; c++) {
    acc[c * WG + lid] = 0.0;
  }
}

// n_points is N as a float: the mean's divisor in the loss gradient.
fn accumulate_point(lid: u32, x: f32, y: f32, n_points: f32) {
  let w1 = 0u;
  let b1 = HIDDEN;
  let w2 = 2u * HIDDEN;
  let b2 = 3u * HIDDEN;
  var logit = 0.0;
  for (var j = 0u; j < HIDDEN; j++) {
    let z1 = linear_forward_term(0.0, x, theta[w1 + j]) + theta[b1 + j];
    logit = linear_forward_term(logit, relu_forward(z1), theta[w2 + j]);
  }
  let p = sigmoid_forward(logit + theta[b2]);
  let dz2 = sigmoid_backward(bce_backward(p, y, n_points), p);
  acc[PARAMS * WG + lid] += bce_forward(p, y);
  acc[b2 * WG + lid] += dz2;
  // The hidden activations are recomputed rather than kept: two multiply-adds per unit are
  // cheaper than an (H)-sized private array the compiler cannot size (H is an override).
  for (var j = 0u; j < HIDDEN; j++) {
    let z1 = linear_forward_term(0.0, x, theta[w1 + j]) + theta[b1 + j];
    let dz1 = relu_backward(linear_backward_input_term(0.0, dz2, theta[w2 + j]), z1);
    acc[(w1 + j) * WG + lid] += linear_backward_weight_term(dz1, x);
    acc[(b1 + j) * WG + lid] += dz1;
    acc[(w2 + j) * WG + lid] += linear_backward_weight_term(dz2, relu_forward(z1));
  }
}

// Sums every column over the invocations into acc[c·WG] with a fixed tree; all invocations call it.
fn sum_columns(lid: u32) {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) {
      for (var c = 0u; c < COLUMNS; c++) {
        acc[c * WG + lid] += acc[c * WG + lid + s];
      }
    }
  }
  workgroupBarrier();
}
