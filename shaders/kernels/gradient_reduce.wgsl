// gradient_reduce: the fused strategy's reductions at the end of an epoch's backward, in one
// dispatch instead of L + 1: every Linear layer's split-K partials into its rows of the gradient
// (as split_k_reduce), and the mean of the per-point losses into the loss history (as reduce_rows,
// the same order and the same bits as both).
//   grads     (P)            output: layer l's Q_l = OUT·IN + OUT rows at segments[l].out_offset
//   history   (K)            output: epoch k's mean loss at dims.loss_offset + k (bound per epoch)
//   partials  (Σ Q_l·S_l)    layer l's (Q_l, S_l) partial sums from segments[l].partial_offset
//   values    (N)            the per-point losses
//   segments  (L ≤ 17)       per layer: rows Q_l, splits S_l, partial_offset, out_offset
// Workgroup 0 sums the losses (one workgroup: strided shares, then the tree); every other
// invocation is one gradient row, numbered layer after layer, and adds its row's partials in
// ascending split order. No atomics: reruns are bit-identical.
// Uses common/split_sum.wgsl, common/strided_sum.wgsl, common/workgroup_sum.wgsl, common/grid.wgsl,
// common/epoch.wgsl.

struct GradientReduceDims {
  segments: u32,
  rows: u32,
  loss_len: u32,
  loss_offset: u32,
  loss_divisor: f32,
}

struct ReduceSegment {
  rows: u32,
  splits: u32,
  partial_offset: u32,
  out_offset: u32,
}

// Linear layers a dispatch reduces: model/layout.ts MODEL_LIMITS.maxHiddenLayers + 1 (the host checks).
const MAX_SEGMENTS = 17u;

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> grads: array<f32>;
@group(0) @binding(1) var<storage, read_write> history: array<f32>;
@group(0) @binding(2) var<storage, read> partials: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
@group(0) @binding(4) var<uniform> segments: array<ReduceSegment, MAX_SEGMENTS>;
@group(0) @binding(5) var<uniform> dims: GradientReduceDims;
@group(0) @binding(6) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn gradient_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let w = flat_workgroup(wid, nwg);
  if (w == 0u) {
    let total = workgroup_sum(lid, strided_row_share(lid, 0u, dims.loss_len));
    if (lid == 0u) {
      history[dims.loss_offset + epoch.k] = total / dims.loss_divisor;
    }
    return;
  }
  var q = (w - 1u) * WG + lid;
  if (q >= dims.rows) {
    return;
  }
  for (var l = 0u; l < dims.segments; l++) {
    let s = segments[l];
    if (q < s.rows) {
      grads[s.out_offset + q] = split_row_sum(s.partial_offset + q * s.splits, s.splits);
      return;
    }
    q -= s.rows;
  }
}
