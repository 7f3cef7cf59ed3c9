// head_points: the loss head of every point, from its logit (ops/head.wgsl):
//   loss    (N)  head_loss(z, y)                   written when WRITE_LOSS (reduce_rows takes the mean)
//   dlogit  (N)  head_dlogit(z, y, n): d(mean)/dz  written when WRITE_DLOGIT
//   prob    (N)  head_prob(z)                       written when WRITE_PROB (predictions, accuracy)
//   logit   (N)  the last Linear's output
//   y       (N)  targets (unused when only WRITE_PROB)
// Invocations stride over the points (common/grid.wgsl). The fused strategy writes loss and dlogit in one dispatch; unfused in
// two, as an eager framework runs the loss and its backward; the forward pass writes prob. Outputs
// not written may be bound to any buffer of at least one float.
// Uses ops/sigmoid.wgsl, ops/bce.wgsl, ops/head.wgsl, common/finite.wgsl, common/grid.wgsl.

override WG: u32 = 64;
override WRITE_LOSS: bool = true;
override WRITE_DLOGIT: bool = true;
override WRITE_PROB: bool = false;

struct HeadDims {
  count: u32,
  // the number of points the loss is averaged over, as a float (dlogit's 1/N)
  mean_over: f32,
}

@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read_write> dlogit: array<f32>;
@group(0) @binding(2) var<storage, read_write> prob: array<f32>;
@group(0) @binding(3) var<storage, read> logit: array<f32>;
@group(0) @binding(4) var<storage, read> y: array<f32>;
@group(0) @binding(5) var<uniform> dims: HeadDims;

@compute @workgroup_size(WG)
fn head_points(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  for (var i = flat_invocation(wid, nwg, lid); i < dims.count; i += dispatch_invocations(nwg)) {
    let z = logit[i];
    if (WRITE_LOSS) {
      loss[i] = head_loss(z, y[i]);
    }
    if (WRITE_DLOGIT) {
      dlogit[i] = head_dlogit(z, y[i], dims.mean_over);
    }
    if (WRITE_PROB) {
      prob[i] = head_prob(z);
    }
  }
}
