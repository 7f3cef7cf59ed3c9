// fused_forward_backward: forward, loss and backward of every point of a workgroup in one kernel,
// for the model Linear(1,H) -> ReLU -> Linear(H,1) -> Sigmoid -> BCE, ending in per-workgroup
// partial sums of every gradient and of the loss.
//   partials  (P + 1, CHUNKS)  output; row q < P is ∂loss/∂params[q] summed over the chunk's points
//                              (flat layout W1 (H,1), b1 (H), W2 (1,H), b2 (1)), row P is Σ ℓ
//   x, y      (N)              inputs and labels
//   params    (P)              flat parameters, P = 3H + 1
// Workgroup `chunk` (flattened from workgroup_id.xy) owns points chunk·WG .. chunk·WG + WG-1,
// one per invocation; fused_reduce_adam.wgsl sums the CHUNKS partials of each row.
// Why the fusion is valid: every gradient is a sum over points of terms that depend only on that
// point's forward values, so each point's chain (forward, loss, backward) can run in one invocation
// with no trip through global memory. The hidden activations are recomputed in the backward loop
// instead of stored: two multiply-adds per unit are cheaper than an (N, H) buffer.
// The formulas come from ops/*.wgsl, shared with the unfused kernels; with the same WG the sums
// happen in the same order as the unfused strategy's, so both give the same bits.
// Uses ops/{linear,relu,sigmoid,bce}.wgsl, common/grid.wgsl, common/workgroup_sum.wgsl.

struct FusedDims {
  n: u32,
  hidden: u32,
  chunks: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> xs: array<f32>;
@group(0) @binding(2) var<storage, read> ys: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<uniform> dims: FusedDims;

@compute @workgroup_size(WG)
fn fused_forward_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                          @builtin(local_invocation_index) lid: u32) {
  let chunk = flat_workgroup(wid, nwg);
  let n = chunk * WG + lid;
  let in_range = n < dims.n;
  let h_count = dims.hidden;
  let w1 = 0u;
  let b1 = h_count;
  let w2 = 2u * h_count;
  let b2 = 3u * h_count;
  let write = lid == 0u && chunk < dims.chunks;

  var x = 0.0;
  var y = 0.0;
  if (in_range) {
    x = xs[n];
    y = ys[n];
  }

  var logit = 0.0;
  for (var j = 0u; j < h_count; j++) {
    let z1 = linear_forward_term(0.0, x, params[w1 + j]) + params[b1 + j];
    logit = linear_forward_term(logit, relu_forward(z1), params[w2 + j]);
  }
  let p = sigmoid_forward(logit + params[b2]);

  // Points past N (the last chunk's tail) contribute zeros but still join every barrier.
  var loss = 0.0;
  var dz2 = 0.0;
  if (in_range) {
    loss = bce_forward(p, y);
    dz2 = sigmoid_backward(bce_backward(p, y, f32(dims.n)), p);
  }
  let head = workgroup_sum(lid, vec4f(loss, dz2, 0.0, 0.0));
  if (write) {
    partials[(b2 + 1u) * dims.chunks + chunk] = head.x;
    partials[b2 * dims.chunks + chunk] = head.y;
  }

  for (var j = 0u; j < h_count; j++) {
    let z1 = linear_forward_term(0.0, x, params[w1 + j]) + params[b1 + j];
    let h = relu_forward(z1);
    let dz1 = relu_backward(linear_backward_input_term(0.0, dz2, params[w2 + j]), z1);
    let g = workgroup_sum(lid, vec4f(linear_backward_weight_term(dz1, x), dz1,
                                     linear_backward_weight_term(dz2, h), 0.0));
    if (write) {
      partials[(w1 + j) * dims.chunks + chunk] = g.x;
      partials[(b1 + j) * dims.chunks + chunk] = g.y;
      partials[(w2 + j) * dims.chunks + chunk] = g.z;
    }
  }
}
