// bce_forward: per-point loss ℓ[n] = bce(P[n], Y[n]); reduce_rows.wgsl takes the mean.
//   loss  (N)  output
//   prob  (N)  predicted probability
//   y     (N)  label
// One invocation per point; override BINARY_LABELS (ops/bce.wgsl) when every label is 0 or 1.
// Uses ops/bce.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read> prob: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn bce_forward_points(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                      @builtin(local_invocation_index) lid: u32) {
  let i = flat_invocation(wid, nwg, lid);
  if (i < size.count) {
    loss[i] = bce_loss(prob[i], y[i]);
  }
}
