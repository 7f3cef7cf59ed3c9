// linear_forward: Y = X·Wᵀ + b
//   y       (N, OUT)  output, row-major
//   x       (N, IN)   input
//   params  flat      W (OUT, IN) at w_offset, b (OUT) at w_offset + OUT·IN
// One invocation per output element (n, o). Uses ops/linear.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<uniform> dims: LinearDims;

@compute @workgroup_size(WG)
fn linear_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  let idx = flat_invocation(wid, nwg, lid);
  if (idx >= dims.n * dims.out_dim) {
    return;
  }
  let n = idx / dims.out_dim;
  let o = idx % dims.out_dim;
  let w_row = dims.w_offset + o * dims.in_dim;
  var acc = 0.0;
  for (var i = 0u; i < dims.in_dim; i++) {
    acc = linear_forward_term(acc, x[n * dims.in_dim + i], params[w_row + i]);
  }
  // torch's addmm: the dot product first, then the bias (the gemm's beta·C).
  y[idx] = acc + params[dims.w_offset + dims.out_dim * dims.in_dim + o];
}
