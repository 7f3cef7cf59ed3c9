// gemm_backward_input: the gradient at a Linear layer's input, dX = mask(dY·W)
//   dx      (N, IN)   output, row-major
//   dy      (N, OUT)  the gradient at the layer's output
//   params  flat      W (OUT, IN) row-major at w_offset
//   act     (N, IN)   the layer's input as the forward pass left it: the previous layer's output
//                     after its activation and dropout (read only with MASK = 1; bind any buffer else)
// MASK  0  dx = Σ_o dy[n,o]·W[o,i]
//       1  dx = activation_backward((Σ_o dy[n,o]·W[o,i])·scale, act)   (ops/activation.wgsl)
// For ReLU that is act > 0 ? (…)·scale : 0, exactly the previous layer's backward mask: torch's relu
// gives 0 at the kink, a dropped unit holds 0, and a kept unit with z > 0 holds relu(z)·keep_scale > 0.
// scale is keep_scale after a dropout layer (inverted dropout's gradient; ReLU only) and 1 else.
// Workgroup t (flattened from workgroup_id.xy) computes the TILE_M × TILE_N block t of dX, points
// down and inputs across, each invocation TM × TN of its elements (common/gemm_tiles.wgsl: A = dY,
// B = W, K = OUT). Uses ops/relu.wgsl, ops/sigmoid.wgsl, ops/activation.wgsl, common/grid.wgsl,
// common/gemm_tiles.wgsl.

struct GemmBackwardInputDims {
  n: u32,
  in_dim: u32,
  out_dim: u32,
  w_offset: u32,
  scale: f32,
}

override MASK: u32 = 0;

@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> act: array<f32>;
@group(0) @binding(4) var<uniform> dims: GemmBackwardInputDims;

const A_K_FASTEST = true;  // dy[n·OUT + o]
const B_C_FASTEST = true;  // W[o·IN + i]: along the columns of dX

fn load_a(m: u32, k: u32) -> f32 {
  return dy[m * dims.out_dim + k];
}

fn load_b(k: u32, c: u32) -> f32 {
  return params[dims.w_offset + k * dims.in_dim + c];
}

fn gemm_store(n: u32, i: u32, v: f32) {
  if (MASK == 1u) {
    // the previous layer's activation backward, from its output (ReLU: > 0 where the unit passed)
    dx[n * dims.in_dim + i] = activation_backward(v * dims.scale, act[n * dims.in_dim + i]);
  } else {
    dx[n * dims.in_dim + i] = v;
  }
}

@compute @workgroup_size(WG)
fn gemm_backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                       @builtin(local_invocation_index) lid: u32) {
  gemm_tile(flat_workgroup(wid, nwg), lid, dims.n, dims.in_dim, 0u, dims.out_dim);
}
