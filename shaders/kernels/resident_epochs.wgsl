// resident_epochs: K whole epochs (forward, loss, backward, reduction, Adam) in one dispatch of
// one workgroup, the parameters held in workgroup memory between epochs.
//   params, m, v  (P)   read at the start, written back at the end (θ lives in `theta` meanwhile)
//   loss_history  (K)   mean loss of each epoch of the dispatch
//   x, y          (N)   inputs and labels
//   steps         (K)   per-epoch Adam scalars
// P = 3·HIDDEN + 1 in the flat layout W1 (H,1), b1 (H), W2 (1,H), b2 (1).
// Invocation t takes points t, t+WG, t+2WG, ... in order and accumulates its own column of
// partial gradients in `acc` (column c of invocation t at c·WG + t, so no two invocations share a
// word); a tree over t then sums all columns at once, and invocations share out the Adam updates.
// Why it is valid: one workgroup sees every point, so workgroup barriers order every epoch, and no
// other dispatch touches the buffers in between. It fits while 4·(WG·(P+1) + P) bytes fit in
// maxComputeWorkgroupStorageSize; the host checks before it builds the pipeline.
// Uses ops/{linear,relu,sigmoid,bce,adam}.wgsl.

struct ResidentDims {
  n: u32,
  epochs: u32,
}

override WG: u32 = 4;
override HIDDEN: u32 = 2;
override PARAMS: u32 = 3u * HIDDEN + 1u;
override COLUMNS: u32 = PARAMS + 1u; // every parameter's gradient, then the loss

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(4) var<storage, read> xs: array<f32>;
@group(0) @binding(5) var<storage, read> ys: array<f32>;
@group(0) @binding(6) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(7) var<uniform> hyper: AdamHyper;
@group(0) @binding(8) var<uniform> dims: ResidentDims;

var<workgroup> theta: array<f32, PARAMS>;
var<workgroup> acc: array<f32, WG * COLUMNS>;

@compute @workgroup_size(WG)
fn resident_epochs(@builtin(local_invocation_index) lid: u32) {
  let w1 = 0u;
  let b1 = HIDDEN;
  let w2 = 2u * HIDDEN;
  let b2 = 3u * HIDDEN;
  let loss_col = PARAMS;
  let n_points = f32(dims.n);

  for (var q = lid; q < PARAMS; q += WG) {
    theta[q] = params[q];
  }
  workgroupBarrier();

  for (var e = 0u; e < dims.epochs; e++) {
    for (var c = 0u; c < COLUMNS; c++) {
      acc[c * WG + lid] = 0.0;
    }
    for (var n = lid; n < dims.n; n += WG) {
      let x = xs[n];
      let y = ys[n];
      var logit = 0.0;
      for (var j = 0u; j < HIDDEN; j++) {
        let z1 = linear_forward_term(0.0, x, theta[w1 + j]) + theta[b1 + j];
        logit = linear_forward_term(logit, relu_forward(z1), theta[w2 + j]);
      }
      let p = sigmoid_forward(logit + theta[b2]);
      let dz2 = sigmoid_backward(bce_backward(p, y, n_points), p);
      acc[loss_col * WG + lid] += bce_forward(p, y);
      acc[b2 * WG + lid] += dz2;
      for (var j = 0u; j < HIDDEN; j++) {
        let z1 = linear_forward_term(0.0, x, theta[w1 + j]) + theta[b1 + j];
        let dz1 = relu_backward(linear_backward_input_term(0.0, dz2, theta[w2 + j]), z1);
        acc[(w1 + j) * WG + lid] += linear_backward_weight_term(dz1, x);
        acc[(b1 + j) * WG + lid] += dz1;
        acc[(w2 + j) * WG + lid] += linear_backward_weight_term(dz2, relu_forward(z1));
      }
    }
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
      workgroupBarrier();
      if (lid < s) {
        for (var c = 0u; c < COLUMNS; c++) {
          acc[c * WG + lid] += acc[c * WG + lid + s];
        }
      }
    }
    workgroupBarrier();
    for (var q = lid; q < PARAMS; q += WG) {
      let next = adam_update(AdamState(theta[q], m[q], v[q]), acc[q * WG], hyper, steps[e]);
      theta[q] = next.param;
      m[q] = next.m;
      v[q] = next.v;
    }
    if (lid == 0u) {
      loss_history[e] = acc[loss_col * WG] / n_points;
    }
    workgroupBarrier(); // the next epoch reads theta and clears acc
  }

  for (var q = lid; q < PARAMS; q += WG) {
    params[q] = theta[q];
  }
}
