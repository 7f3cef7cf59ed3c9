// resident_epochs: K whole epochs (forward, loss, backward, reduction, Adam) in one dispatch of
// one workgroup, the parameters held in workgroup memory between epochs.
//   params, m, v  (P)   θ read at the start and written back at the end; m, v updated in place
//   loss_history  (K)   mean loss of each epoch of the dispatch
//   x, y          (N)   inputs and labels
//   steps         (K)   per-epoch Adam scalars
//   status        (2)   divergence status (common/finite.wgsl, common/status.wgsl): the dispatch stops after a bad epoch
// Invocation t takes its contiguous run of points (a multiple of 4 of them) into its own column of sums
// (common/model_columns.wgsl, the same code as the fused kernel); a tree sums the columns, and
// the invocations share out the Adam updates.
// Why it is valid: one workgroup sees every point, so workgroup barriers order every epoch, and no
// other dispatch touches the buffers in between. It fits while 4·(P + WG·(P+1)) bytes fit in
// maxComputeWorkgroupStorageSize; the host checks before it builds the pipeline.
// Uses ops/{linear,relu,sigmoid,bce,adam}.wgsl, common/model_columns.wgsl, common/status.wgsl.

struct ResidentDims {
  n: u32,
  epochs: u32,
}

override WG: u32 = 4;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(5) var<storage, read> xs: array<vec4f>;
@group(0) @binding(6) var<storage, read> ys: array<vec4f>;
@group(0) @binding(7) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(8) var<uniform> hyper: AdamHyper;
@group(0) @binding(9) var<uniform> dims: ResidentDims;

// Set when an epoch went bad; read back uniformly so the whole workgroup leaves the loop together.
var<workgroup> stop: u32;

@compute @workgroup_size(WG)
fn resident_epochs(@builtin(local_invocation_index) lid: u32) {
  let n_points = f32(dims.n);
  let per_invocation = ((dims.n + WG - 1u) / WG + 3u) / 4u * 4u;
  let first = min(dims.n, lid * per_invocation);
  let end = min(dims.n, first + per_invocation);
  if (lid == 0u) {
    stop = select(0u, 1u, atomicLoad(&status[0]) != 0u); // an earlier chunk went bad
  }
  if (workgroupUniformLoad(&stop) != 0u) {
    return;
  }
  for (var q = lid; q < PARAMS; q += WG) {
    theta[q] = params[q];
  }
  workgroupBarrier();

  for (var e = 0u; e < dims.epochs; e++) {
    clear_column(lid);
    accumulate_points(lid, first, end, n_points);
    sum_columns(lid);
    let loss = acc[PARAMS * WG] / n_points;
    for (var q = lid; q < PARAMS; q += WG) {
      let update = adam_update_guarded(AdamState(theta[q], m[q], v[q]), acc[q * WG], hyper, steps[e], loss);
      theta[q] = update.state.param;
      m[q] = update.state.m;
      v[q] = update.state.v;
      if (!update.ok) {
        stop = 1u; // every writer writes the same value
      }
    }
    if (lid == 0u) {
      loss_history[e] = loss;
    }
    // (also the barrier before the next epoch reads theta and clears acc)
    if (workgroupUniformLoad(&stop) != 0u) {
      break;
    }
  }

  for (var q = lid; q < PARAMS; q += WG) {
    params[q] = theta[q];
  }
}
