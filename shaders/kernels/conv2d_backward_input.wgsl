// conv2d_backward_input: the gradient at a Conv2d's input, dX = conv_transpose(dY, Wt), as an implicit GEMM
//   dx      (N, C, H, W)    output, row-major
//   dy      (N, O, OH, OW)  the gradient at the conv's output
//   params  flat            Wt (O, C, k, k) at w_offset
// dX[n,c,y,x] = Σ_{o,p,q} dY[n,o,y-p,x-q]·Wt[o,c,p,q] over the valid y-p < OH, x-q < OW (ops/conv2d.wgsl).
// GEMM (common/gemm_tiles.wgsl): C (N·H·W, C) = A · B, A[m, kk] = dY[n, o, y-p, x-q] (0 outside) for
// input position m = (n·H + y)·W + x and kk = (o·k + p)·k + q, B[kk, c] = Wt[o, c, p, q], K = O·k·k,
// summed in ascending kk. Workgroup t (flattened from workgroup_id.xy) computes the TILE_M × TILE_N
// block t of C, input positions down and input channels across, each invocation TM × TN of them.
// Uses ops/conv2d.wgsl, common/grid.wgsl and common/gemm_tiles.wgsl.

@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<uniform> dims: Conv2dDims;

const A_K_FASTEST = true;
const B_C_FASTEST = false; // Wt[o, c, p, q]: along kk within one (o, c) run

fn load_a(m: u32, kk: u32) -> f32 {
  let pos = conv_input_position(dims, m);
  let pt = conv_patch(dims, kk); // (o, p, q)
  if (pos.y < pt.y || pos.z < pt.z) {
    return 0.0;
  }
  let i = pos.y - pt.y;
  let j = pos.z - pt.z;
  if (i >= dims.oh || j >= dims.ow) {
    return 0.0;
  }
  return dy[conv_y_index(dims, pos.x, pt.x, i, j)];
}

fn load_b(kk: u32, c: u32) -> f32 {
  let pt = conv_patch(dims, kk);
  return params[conv_weight_index(dims, pt.x, c, pt.y, pt.z)];
}

fn gemm_store(m: u32, c: u32, v: f32) {
  let pos = conv_input_position(dims, m);
  dx[conv_x_index(dims, pos.x, c, pos.y, pos.z)] = v;
}

@compute @workgroup_size(WG)
fn conv2d_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(local_invocation_index) lid: u32) {
  gemm_tile(flat_workgroup(wid, nwg), lid, dims.n * dims.h * dims.w, dims.c, 0u, dims.o * dims.k * dims.k);
}
