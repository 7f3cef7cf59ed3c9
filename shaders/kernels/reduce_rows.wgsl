// reduce_rows: out[offset + stride·epoch + q] = (Σ_c values[q, c]) / divisor
//   out     flat          output (grads at the layer's offset, or the loss history)
//   values  (Q, LEN)      rows to sum: partial sums per chunk, or per-point losses
// One workgroup per row q. Invocation t sums columns t, t+WG, t+2WG, ... in order (loaded four at
// a time), then the workgroup's tree sum: a fixed order for any LEN. The epoch term places the mean loss of epoch k
// of the chunk in the history buffer; gradient reductions use stride 0.
// Uses common/workgroup_sum.wgsl, common/epoch.wgsl.

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
  // Four columns a step, c, c + WG, c + 2·WG, c + 3·WG: their loads issued together, then added in
  // ascending c (the same order, and the same bits, as one at a time; a column past the row's
  // last is read clamped and never added).
  var acc = 0.0;
  let row = q * dims.len;
  let last = row + dims.len - 1u;
  for (var c = lid; c < dims.len; c += 4u * WG) {
    let v0 = values[row + c];
    let v1 = values[min(row + c + WG, last)];
    let v2 = values[min(row + c + 2u * WG, last)];
    let v3 = values[min(row + c + 3u * WG, last)];
    acc += v0;
    if (c + WG < dims.len) { acc += v1; }
    if (c + 2u * WG < dims.len) { acc += v2; }
    if (c + 3u * WG < dims.len) { acc += v3; }
  }
  let total = workgroup_sum(lid, acc);
  if (lid == 0u) {
    out[dims.out_offset + dims.epoch_stride * epoch.k + q] = total / dims.divisor;
  }
}
