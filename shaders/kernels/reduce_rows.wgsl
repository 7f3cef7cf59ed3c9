// reduce_rows: out[offset + stride·epoch + q] = (Σ_c values[q, c]) / divisor
//   out     flat          output (grads at the layer's offset, or the loss history)
//   values  (Q, LEN)      rows to sum: partial sums per chunk, or per-point losses
// One workgroup per row q. Invocation t sums columns t, t+WG, t+2WG, ... in order (loaded four at
// a time, common/strided_sum.wgsl), then the workgroup's tree sum: a fixed order for any LEN. The epoch term places the mean loss of epoch k
// of the chunk in the history buffer; gradient reductions use stride 0.
// Uses common/strided_sum.wgsl, common/workgroup_sum.wgsl, common/epoch.wgsl.

struct ReduceDims {
  len: u32,
  out_offset: u32,
  epoch_stride: u32,
  divisor: f32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<uniform> dims: ReduceDims;
@group(0) @binding(3) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn reduce_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let q = wid.x;
  let acc = strided_row_share(lid, q * dims.len, dims.len);
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    out[dims.out_offset + dims.epoch_stride * epoch.k + q] = total / dims.divisor;
  }
}
