// split_k_reduce: out[out_offset + epoch_stride·epoch.k + q] = (Σ_s partials[q, s]) / divisor
//   out       flat           output: the layer's rows of the flat gradient block (divisor 1,
//                            epoch_stride 0), or a mean loss in the chunk's history (divisor N,
//                            epoch_stride 1, bound per epoch)
//   partials  (Q, SPLITS)    row q's partial sums at q·SPLITS .. q·SPLITS + SPLITS-1
// One invocation per row q, flattened from workgroup_id.xy (Q may pass 65535·WG): it adds its
// row's partials in ascending s (loaded four at a time, common/split_sum.wgsl), a fixed order, so reruns are bit-identical. SPLITS is small (a
// few per row) for gradients; a loss mean over many points is better summed by a tree
// (reduce_rows.wgsl) before it gets here.
// Uses common/split_sum.wgsl, common/grid.wgsl, common/epoch.wgsl.

struct SplitKReduceDims {
  rows: u32,
  splits: u32,
  out_offset: u32,
  epoch_stride: u32,
  divisor: f32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<uniform> dims: SplitKReduceDims;
@group(0) @binding(3) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn split_k_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let q = flat_invocation(wid, nwg, lid);
  if (q >= dims.rows) {
    return;
  }
  let total = split_row_sum(q * dims.splits, dims.splits);
  out[dims.out_offset + dims.epoch_stride * epoch.k + q] = total / dims.divisor;
}
