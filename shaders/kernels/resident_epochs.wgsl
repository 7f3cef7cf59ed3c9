// resident_epochs: K whole epochs (forward, loss, backward, reduction, Adam) in one dispatch of
// one workgroup, the parameters held in workgroup memory between epochs.
//   params, m, v  (P)   θ read at the start and written back at the end; m, v updated in place
//   loss_history  (K)   mean loss of each epoch of the dispatch
//   status        (2)   divergence status (common/status.wgsl): the dispatch stops at a bad epoch
//   x, y          (N)   inputs and labels
//   steps         (K)   per-epoch Adam scalars
// Invocation t takes its contiguous run of points (a multiple of 4 of them) into its own column of sums
// (common/model_columns.wgsl, the same code as the fused kernel); a tree sums the columns, and
// the invocations share out the Adam updates: invocation t owns the parameters q ≡ t (mod WG),
// and only it touches their m and v.
// All or nothing: θ has two copies (THETA_COPIES = 2, set by the host). An epoch reads one and
// writes every new θ into the other; each owner checks its updates (the gradient, θ, m and v
// finite) and keeps its gradients in its own column (the sums are in invocation 0's column, which
// the next epoch clears). One barrier decides: if any update or the loss failed, the epoch is
// reported and nothing changes; else the owners write m and v and the copies swap. That barrier
// is also the one before the next epoch reads θ, so the check costs no barrier.
// Why it is valid: one workgroup sees every point, so workgroup barriers order every epoch, and no
// other dispatch touches the buffers in between. It fits while 4·2P + 4·WG·(P+1) + 4 bytes (each
// variable rounded up to 16) fit in
// maxComputeWorkgroupStorageSize; the host checks before it builds the pipeline.
// Uses ops/{linear,relu,sigmoid,bce,head,adam}.wgsl, common/{finite,model_columns,status,resident_chunk}.wgsl.

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

// Set when an epoch must be refused (or an earlier chunk went bad); read back uniformly so the
// whole workgroup leaves the loop together.
var<workgroup> refused: u32;

@compute @workgroup_size(WG)
fn resident_epochs(@builtin(local_invocation_index) lid: u32) {
  let n_points = f32(dims.n);
  let per_invocation = ((dims.n + WG - 1u) / WG + 3u) / 4u * 4u;
  let first = min(dims.n, lid * per_invocation);
  let end = min(dims.n, first + per_invocation);
  if (!resident_begin(lid)) {
    return;
  }

  for (var e = 0u; e < dims.epochs; e++) {
    clear_column(lid);
    accumulate_points(lid, first, end, n_points);
    if (!resident_finish(lid, e, n_points)) {
      break;
    }
  }

  resident_end(lid);
}
