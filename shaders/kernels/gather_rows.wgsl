// gather_rows: the minibatch of optimizer step k of the chunk, copied from the data resident on the
// GPU in the row order of its epoch (torch's DataLoader: batch j of an epoch is rows
// order[j·B .. j·B + B) of that epoch's order, the last batch shorter when B does not divide N).
//   batch_x  (B, D)     output: the batch's inputs, row-major
//   batch_y  (B, T)     output: the batch's targets (T = 1, or C for probability rows)
//   x        (N, D)     the training inputs
//   y        (N, T)     the training targets
//   order    (E, N)     u32: the chunk's epochs' row orders (the identity without shuffle)
// Step k of the chunk (common/epoch.wgsl) is batch j = k mod S of the chunk's epoch e = k / S.
// Invocations stride over the batch's rows·D input elements, then its rows·T targets.
// Uses common/grid.wgsl, common/epoch.wgsl.

override WG: u32 = 64;

struct GatherDims {
  n: u32,
  d: u32,
  t: u32,
  batch: u32,            // B
  steps_per_epoch: u32,  // S = ceil(N / B)
}

@group(0) @binding(0) var<storage, read_write> batch_x: array<f32>;
@group(0) @binding(1) var<storage, read_write> batch_y: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> order: array<u32>;
@group(0) @binding(5) var<uniform> dims: GatherDims;
@group(0) @binding(6) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn gather_rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  let e = epoch.k / dims.steps_per_epoch;
  let first = (epoch.k % dims.steps_per_epoch) * dims.batch;
  let rows = min(dims.batch, dims.n - first);
  let base = e * dims.n + first;
  for (var i = flat_invocation(wid, nwg, lid); i < rows * dims.d; i += dispatch_invocations(nwg)) {
    let r = i / dims.d;
    batch_x[i] = x[order[base + r] * dims.d + i % dims.d];
  }
  for (var i = flat_invocation(wid, nwg, lid); i < rows * dims.t; i += dispatch_invocations(nwg)) {
    let r = i / dims.t;
    batch_y[i] = y[order[base + r] * dims.t + i % dims.t];
  }
}
