// workgroup_sum: a deterministic tree sum of one value per invocation over the workgroup.
// Pairs are always (i, i + s) for s = WG/2, WG/4, ... 1, so the order of additions is fixed and a
// run is bit-identical to the next one: no float atomics anywhere. WG must be a power of two (the
// host checks). Every invocation of the workgroup must call it, in uniform control flow (barriers).

var<workgroup> workgroup_sum_scratch: array<f32, WG>;

fn workgroup_sum(lid: u32, value: f32) -> f32 {
  workgroup_sum_scratch[lid] = value;
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (lid < s) {
      workgroup_sum_scratch[lid] += workgroup_sum_scratch[lid + s];
    }
  }
  workgroupBarrier();
  let total = workgroup_sum_scratch[0];
  workgroupBarrier(); // the next call overwrites the scratch
  return total;
}
