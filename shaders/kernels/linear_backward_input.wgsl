// linear_backward_input: dX = dY·W
//   dx      (N, IN)   output
//   dy      (N, OUT)  upstream gradient
//   params  flat      W (OUT, IN) at w_offset
// One invocation per element (n, i). Uses ops/linear.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<uniform> dims: LinearDims;

@compute @workgroup_size(WG)
fn linear_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(local_invocation_index) lid: u32) {
  let idx = flat_invocation(wid, nwg, lid);
  if (idx >= dims.n * dims.in_dim) {
    return;
  }
  let n = idx / dims.in_dim;
  let i = idx % dims.in_dim;
  var acc = 0.0;
  for (var o = 0u; o < dims.out_dim; o++) {
    acc = linear_backward_input_term(acc, dy[n * dims.out_dim + o], params[dims.w_offset + o * dims.in_dim + i]);
  }
  dx[idx] = acc;
}
