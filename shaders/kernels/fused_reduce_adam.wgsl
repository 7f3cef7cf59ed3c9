// fused_reduce_adam: finish the reductions of fused_forward_backward and apply Adam, one dispatch.
//   params, m, v  (P)              updated in place
//   loss_history  (K)              the chunk's mean loss per epoch, written at epoch.k
//   partials      (P + 1, CHUNKS)  per-workgroup sums (row P is the loss)
//   steps         (K)              per-epoch Adam scalars of the chunk
//   status        (2)              divergence status (common/finite.wgsl, common/status.wgsl)
// Workgroup q sums row q in a fixed order (invocation t takes columns t, t+WG, ... then the tree),
// then invocation 0 updates parameter q, or for q = P writes the mean loss. Every workgroup also
// sums the loss row, so all of them agree whether this epoch's loss is finite. Valid as one
// kernel because parameter q's update needs only gradient q and the loss: no workgroup waits on
// another. Uses ops/adam.wgsl, common/workgroup_sum.wgsl, common/epoch.wgsl, common/status.wgsl.

struct UpdateDims {
  chunks: u32,
  param_count: u32,
  n: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(5) var<storage, read> partials: array<f32>;
@group(0) @binding(6) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(7) var<uniform> hyper: AdamHyper;
@group(0) @binding(8) var<uniform> dims: UpdateDims;
@group(0) @binding(9) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn fused_reduce_adam(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let q = wid.x;
  let step = steps[epoch.k];
  var acc = 0.0;
  var loss_acc = 0.0;
  for (var c = lid; c < dims.chunks; c += WG) {
    acc += partials[q * dims.chunks + c];
    loss_acc += partials[dims.param_count * dims.chunks + c];
  }
  let total = workgroup_sum(lid, acc);
  let loss = workgroup_sum(lid, loss_acc) / f32(dims.n);
  if (lid != 0u || diverged_before(step.epoch)) {
    return;
  }
  if (q == dims.param_count) {
    loss_history[epoch.k] = loss;
    if (!is_finite(loss)) {
      flag_divergence(step.epoch, STATUS_LOSS);
    }
  } else {
    let next = adam_update_guarded(AdamState(params[q], m[q], v[q]), total, hyper, step, loss).state;
    params[q] = next.param;
    m[q] = next.m;
    v[q] = next.v;
  }
}
