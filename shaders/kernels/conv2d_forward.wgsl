// conv2d_forward: one Conv2d with its epilogue, Y = epilogue(conv(X, Wt) + b), as an implicit GEMM
//   y       (N, O, OH, OW)  output, row-major
//   x       (N, C, H, W)    input, row-major
//   params  flat            Wt (O, C, k, k) at w_offset, b (O) at b_offset
// EPILOGUE  0  y = z
//           1  y = relu(z)
// with z = (Σ_kk X-patch[m, kk]·Wt[o, kk]) + b[o]: the dot first, then the bias.
// GEMM (common/gemm_tiles.wgsl): C (N·OH·OW, O) = A · B, A[m, kk] = X[n, c, i+p, j+q] (the patch of
// position m, ops/conv2d.wgsl), B[kk, o] = Wt[o, kk], K = C·k·k. Workgroup t (flattened from
// workgroup_id.xy) computes the TILE_M × TILE_N block t of C, positions down and output channels
// across, each invocation TM × TN of its elements.
// Uses ops/relu.wgsl, ops/conv2d.wgsl, common/grid.wgsl and common/gemm_tiles.wgsl.

override EPILOGUE: u32 = 0;

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<uniform> dims: Conv2dDims;

const A_K_FASTEST = true;  // patch q+1 is the next x
const B_C_FASTEST = false; // Wt[o, kk]: along k

fn load_a(m: u32, kk: u32) -> f32 {
  let pos = conv_position(dims, m);
  let pt = conv_patch(dims, kk);
  return x[conv_x_index(dims, pos.x, pt.x, pos.y + pt.y, pos.z + pt.z)];
}

fn load_b(kk: u32, o: u32) -> f32 {
  return params[dims.w_offset + o * conv_patch_len(dims) + kk];
}

fn gemm_store(m: u32, o: u32, dot: f32) {
  var v = dot + params[dims.b_offset + o];
  if (EPILOGUE == 1u) {
    v = relu_forward(v);
  }
  let pos = conv_position(dims, m);
  y[conv_y_index(dims, pos.x, o, pos.y, pos.z)] = v;
}

@compute @workgroup_size(WG)
fn conv2d_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) lid: u32) {
  gemm_tile(flat_workgroup(wid, nwg), lid, conv_positions(dims), dims.o, 0u, conv_patch_len(dims));
}
