// wide_head: every point's logit, loss and dlogit, and the mean loss (kernel 2 of 3 of the wide
// strategy; layout in common/wide.wgsl).
//   loss_history  (K)      the chunk's mean loss per epoch, written at epoch.k
//   dlogit        (N)      output: head_dlogit(logit, y, N) (ops/head.wgsl)
//   partials      (S, N)   from wide_logits
//   y             (N)      targets
//   params        (P)      this kernel reads b2
// One workgroup. Invocation t takes points t, t + WG, t + 2·WG, ... in order: logit = b2 + the
// slices' partials in slice order (four loads issued together, added in order), then the head's
// loss and gradient (ops/head.wgsl); its losses summed in point order, then the workgroup's fixed
// tree (common/workgroup_sum.wgsl) and the division by N: the order, and the bits, of head_points
// followed by reduce_rows at the same workgroup size, in one dispatch. A logit that is not finite
// gets a NaN gradient (ops/head.wgsl), so its epoch is refused.
// Uses ops/linear.wgsl, ops/relu.wgsl, ops/sigmoid.wgsl, ops/bce.wgsl, ops/head.wgsl,
// common/finite.wgsl, common/workgroup_sum.wgsl, common/epoch.wgsl and common/wide.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(1) var<storage, read_write> dlogit: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<uniform> dims: WideDims;
@group(0) @binding(6) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn wide_head(@builtin(local_invocation_index) lid: u32) {
  let n = dims.n;
  var losses = 0.0;
  for (var i = lid; i < n; i += WG) {
    var z = params[dims.b2];
    var s = 0u;
    while (s + 4u <= dims.slices) {
      let p0 = partials[s * n + i];
      let p1 = partials[(s + 1u) * n + i];
      let p2 = partials[(s + 2u) * n + i];
      let p3 = partials[(s + 3u) * n + i];
      z += p0;
      z += p1;
      z += p2;
      z += p3;
      s += 4u;
    }
    while (s < dims.slices) {
      z += partials[s * n + i];
      s += 1u;
    }
    let yi = y[i];
    losses += head_loss(z, yi);
    dlogit[i] = head_dlogit(z, yi, dims.mean_over);
  }
  let total = workgroup_sum(lid, losses);
  if (lid == 0u) {
    loss_history[epoch.k] = total / dims.mean_over;
  }
}
