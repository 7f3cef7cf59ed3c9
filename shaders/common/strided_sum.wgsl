// strided_sum: invocation lid's share of a row summed by a whole workgroup, the order every
// workgroup-wide row sum uses (reduce_rows, gradient_reduce's mean loss), so they write the same
// bits: its columns lid, lid + WG, lid + 2·WG, ... in ascending order, then the workgroup's tree
// sum (common/workgroup_sum.wgsl) of the shares.
// Needs `override WG: u32` and the kernel's `values: array<f32>` binding.

// Σ values[at + c] over c = lid, lid + WG, ... < len: four columns a step, c, c + WG, c + 2·WG,
// c + 3·WG, their loads issued together, then added in ascending c (the same order, and the same
// bits, as one at a time; a column past the row's last is read clamped and never added).
fn strided_row_share(lid: u32, at: u32, len: u32) -> f32 {
  var acc = 0.0;
  let last = at + len - 1u;
  for (var c = lid; c < len; c += 4u * WG) {
    let v0 = values[at + c];
    let v1 = values[min(at + c + WG, last)];
    let v2 = values[min(at + c + 2u * WG, last)];
    let v3 = values[min(at + c + 3u * WG, last)];
    acc += v0;
    if (c + WG < len) { acc += v1; }
    if (c + 2u * WG < len) { acc += v2; }
    if (c + 3u * WG < len) { acc += v3; }
  }
  return acc;
}
