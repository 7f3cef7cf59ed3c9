// gemm_backward_weights: split-K partial sums of a Linear layer's parameter gradients,
//   dW (OUT, IN) = dYᵀ·X  and  db (OUT) = Σ_n dY, over each split of the points.
//   partials  (Q, SPLITS)  output: partials[q·SPLITS + s] sums points s·split_len .. min(N, (s+1)·split_len)-1;
//                          Q = OUT·IN + OUT rows in torch's flat order: q = o·IN + i for W[o,i],
//                          OUT·IN + o for b[o] (W and b are contiguous in the flat block)
//   dy        (N, OUT)     the gradient at the layer's output
//   x         (N, IN)      the layer's input from the forward pass
// The bias is one more column of the same product: C (OUT, IN+1) = dYᵀ·[X | 1], so C[o, IN] = db[o]
// comes out of the same loop with exact multiplications by 1. Workgroup (t, s) computes the
// TILE_M × TILE_N block t (flattened from workgroup_id.xy) of C over split s = workgroup_id.z,
// each invocation TM × TN of its elements (common/gemm_tiles.wgsl: A = dYᵀ, B = [X | 1], K = the
// split's points). split_k_reduce.wgsl then sums each row's SPLITS partials in order.
// Uses common/grid.wgsl, common/gemm_tiles.wgsl.

struct GemmBackwardWeightsDims {
  n: u32,
  in_dim: u32,
  out_dim: u32,
  split_len: u32, // points per split
  splits: u32,
}

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<uniform> dims: GemmBackwardWeightsDims;

const A_K_FASTEST = false; // dy[n·OUT + o]: along the rows of dYᵀ
const B_C_FASTEST = true;  // x[n·IN + i]

fn load_a(m: u32, k: u32) -> f32 {
  return dy[k * dims.out_dim + m];
}

fn load_b(k: u32, c: u32) -> f32 {
  if (c == dims.in_dim) {
    return 1.0; // the bias column
  }
  return x[k * dims.in_dim + c];
}

var<private> split: u32; // this workgroup's split s

// C[o, c] of split s: dW[o, c] for c < IN, db[o] for c = IN, at its row of torch's flat order.
fn gemm_store(o: u32, c: u32, v: f32) {
  let q = select(o * dims.in_dim + c, dims.out_dim * dims.in_dim + o, c == dims.in_dim);
  partials[q * dims.splits + split] = v;
}

@compute @workgroup_size(WG)
fn gemm_backward_weights(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(local_invocation_index) lid: u32) {
  split = wid.z; // the host dispatches exactly `splits` along z
  // from wid.z, not the private copy: the uniformity analysis treats private variables as
  // varying, and the k range decides the barriers
  let k_begin = wid.z * dims.split_len;
  gemm_tile(flat_workgroup(vec3u(wid.xy, 0u), vec3u(nwg.xy, 1u)), lid, dims.out_dim, dims.in_dim + 1u, k_begin, min(dims.n, k_begin + dims.split_len));
}
