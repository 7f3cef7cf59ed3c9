// adam_step: one Adam update (or SGD's, with OPTIMIZER = 1: ops/sgd.wgsl) of every parameter in the
// flat block, the second half of an all-or-nothing step. adam_check, the dispatch before, has flagged the epoch when any update of
// the model would be non-finite; then no parameter changes in it or any later epoch.
//   params  (P)  updated in place
//   m, v    (P)  first and second moments, updated in place
//   status  (2)  divergence status (common/status.wgsl): read only here
//   grads   (P)  this epoch's gradients
//   steps   (K)  per-epoch step_size and bc2_sqrt of the current chunk, indexed by epoch.k
//   hyper        β1, β2, 1-β1, 1-β2, eps
// Invocations stride over the parameters (common/grid.wgsl). Uses ops/adam.wgsl, ops/sgd.wgsl, common/grid.wgsl, common/epoch.wgsl,
// common/finite.wgsl, common/status.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(6) var<uniform> hyper: AdamHyper;
@group(0) @binding(7) var<uniform> size: Count;
@group(0) @binding(8) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn adam_step(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let step = steps[epoch.k];
  if (diverged_before(step.epoch + 1u)) {
    return; // flagged in this epoch (by adam_check) or before: nothing changes
  }
  for (var i = flat_invocation(wid, nwg, lid); i < size.count; i += dispatch_invocations(nwg)) {
    let next = optimizer_update(AdamState(params[i], m[i], v[i]), grads[i], hyper, step);
    params[i] = next.param;
    m[i] = next.m;
    v[i] = next.v;
  }
}
