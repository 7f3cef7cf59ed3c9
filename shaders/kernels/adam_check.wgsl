// adam_check: the first half of an all-or-nothing optimizer step (Adam, or SGD with OPTIMIZER = 1:
// ops/sgd.wgsl). Computes every parameter's update
// without writing it, and flags the epoch (common/status.wgsl) when the epoch's mean loss or any
// updated param, m or v would not be finite; adam_step, the next dispatch, then writes nothing for
// this epoch or any later one. A non-finite gradient always shows here (NaN or ±inf reaches m).
//   status  (2)  divergence status, atomics
//   params, m, v, grads  (P)  read only
//   loss_history (K)  the chunk's mean losses; steps (K) per-epoch step_size, bc2_sqrt, epoch
// Invocations stride over the parameters (common/grid.wgsl); any number of workgroups (they all
// flag the same epoch).
// Uses ops/adam.wgsl, ops/sgd.wgsl, common/grid.wgsl, common/epoch.wgsl, common/finite.wgsl, common/status.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> grads: array<f32>;
@group(0) @binding(5) var<storage, read> loss_history: array<f32>;
@group(0) @binding(6) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(7) var<uniform> hyper: AdamHyper;
@group(0) @binding(8) var<uniform> size: Count;
@group(0) @binding(9) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn adam_check(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let step = steps[epoch.k];
  if (diverged_before(step.epoch)) {
    return; // an earlier epoch was refused: nothing of this one counts
  }
  for (var i = flat_invocation(wid, nwg, lid); i < size.count; i += dispatch_invocations(nwg)) {
    let state = AdamState(params[i], m[i], v[i]);
    update_guarded(state, optimizer_update(state, grads[i], hyper, step), grads[i], step, loss_history[epoch.k]);
  }
}
