// linear_backward_params: per-workgroup partial sums of dW = dYᵀ·X and db = Σ_n dY.
//   partials  (Q, CHUNKS)  output; Q = OUT·IN + OUT, row q < OUT·IN is dW[q / IN, q % IN],
//                          row OUT·IN + o is db[o] (the order of torch's flat W then b)
//   dy        (N, OUT)     upstream gradient
//   x         (N, IN)      the layer's input from the forward pass
// Workgroup (chunk, q) sums term q over points chunk·WG·PPT .. +WG·PPT-1, invocation t taking
// points t, t+WG, ... of them in order (PPT = points_per_thread: fewer, longer workgroups mean
// fewer barriers); reduce_rows.wgsl then sums the CHUNKS partials of each row. The chunk index is
// flattened from workgroup_id.xy, q is z.
// Uses ops/linear.wgsl, common/grid.wgsl, common/workgroup_sum.wgsl.

struct ParamGradDims {
  n: u32,
  in_dim: u32,
  out_dim: u32,
  chunks: u32,
  points_per_thread: u32,
}

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<uniform> dims: ParamGradDims;

@compute @workgroup_size(WG)
fn linear_backward_params(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                          @builtin(local_invocation_index) lid: u32) {
  let chunk = flat_workgroup(vec3u(wid.xy, 0u), vec3u(nwg.xy, 1u));
  let q = wid.z;
  let weights = dims.out_dim * dims.in_dim;
  let end = min(dims.n, (chunk + 1u) * WG * dims.points_per_thread);
  var partial = 0.0;
  // No early return: every invocation takes part in the barriers of workgroup_sum.
  for (var n = chunk * WG * dims.points_per_thread + lid; n < end; n += WG) {
    if (q < weights) {
      partial += linear_backward_weight_term(dy[n * dims.out_dim + q / dims.in_dim], x[n * dims.in_dim + q % dims.in_dim]);
    } else {
      partial += dy[n * dims.out_dim + (q - weights)];
    }
  }
  let total = workgroup_sum(lid, partial);
  if (lid == 0u && chunk < dims.chunks) {
    partials[q * dims.chunks + chunk] = total;
  }
}
