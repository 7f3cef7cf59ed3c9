// fused_forward_backward: forward, loss and backward of a chunk of points in one kernel, for the
// model Linear(1,H) -> ReLU -> Linear(H,1) -> Sigmoid -> BCE, ending in the chunk's partial sums
// of every gradient and of the loss.
//   partials  (P + 1, CHUNKS)  output; row q < P is ∂loss/∂params[q] summed over the chunk's
//                              points (flat layout W1 (H,1), b1 (H), W2 (1,H), b2 (1)); row P is Σ ℓ
//   x, y      (N)              inputs and labels
//   params    (P)              flat parameters, P = 3H + 1
// Workgroup `chunk` (flattened from workgroup_id.xy) owns points chunk·WG·PPT .. +WG·PPT-1;
// invocation t takes the PPT consecutive points from chunk·WG·PPT + t·PPT, in order
// (PPT = points_per_thread, a multiple of 4: the points are read as vec4s).
// fused_reduce_adam.wgsl then sums the CHUNKS partials of each row and applies Adam.
// Why the fusion is valid: every gradient is a sum over points of terms that depend only on that
// point's forward values, so each point's chain (forward, loss, backward) runs in one invocation
// with no trip through global memory, and only the sums leave the workgroup.
// Uses ops/{linear,relu,sigmoid,bce}.wgsl, common/grid.wgsl, common/model_columns.wgsl.

struct FusedDims {
  n: u32,
  chunks: u32,
  points_per_thread: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> xs: array<vec4f>;
@group(0) @binding(2) var<storage, read> ys: array<vec4f>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<uniform> dims: FusedDims;

@compute @workgroup_size(WG)
fn fused_forward_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                          @builtin(local_invocation_index) lid: u32) {
  let chunk = flat_workgroup(wid, nwg);
  for (var q = lid; q < PARAMS; q += WG) {
    theta[q] = params[q];
  }
  clear_column(lid);
  workgroupBarrier();

  let first = (chunk * WG + lid) * dims.points_per_thread;
  let end = min(dims.n, first + dims.points_per_thread);
  let n_points = f32(dims.n);
  accumulate_points(lid, first, end, n_points);
  sum_columns(lid);

  // Workgroups past the last chunk (a 2-D grid rounds up) hold zeros and write nothing.
  if (chunk < dims.chunks) {
    for (var c = lid; c < COLUMNS; c += WG) {
      partials[c * dims.chunks + chunk] = acc[c * WG];
    }
  }
}
