// conv2d_backward_weights: split-K partial sums of a Conv2d's parameter gradients over each split
// of the output positions,
//   dWt[o, kk] = Σ_m dY[n,o,i,j]·X[n,c,i+p,j+q]  and  db[o] = Σ_m dY[n,o,i,j]   (ops/conv2d.wgsl)
//   partials  (Q, SPLITS)    output: partials[q·SPLITS + s] sums positions s·split_len ..
//                            min(N·OH·OW, (s+1)·split_len)-1; Q = O·C·k·k + O rows in torch's flat
//                            order: q = o·C·k·k + kk for Wt[o, kk], O·C·k·k + o for b[o]
//   dy        (N, O, OH, OW) the gradient at the conv's output
//   x         (N, C, H, W)   the conv's input
// GEMM (common/gemm_tiles.wgsl): C (O, C·k·k + 1) = A · B, A[o, m] = dY at position m, B[m, kk] =
// X-patch[m, kk], and the bias as one more column of ones (exact multiplications by 1). Workgroup
// (t, s) computes the TILE_M × TILE_N block t (flattened from workgroup_id.xy) of C over split
// s = workgroup_id.z, each invocation TM × TN of its elements; split_k_reduce.wgsl then sums each
// row's SPLITS partials in order into the flat gradient block, so reruns are bit-identical.
// Uses ops/conv2d.wgsl, common/grid.wgsl and common/gemm_tiles.wgsl.

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<uniform> dims: Conv2dDims;

const A_K_FASTEST = true;  // dY along j
const B_C_FASTEST = true;  // patch q+1 is the next x

fn load_a(o: u32, m: u32) -> f32 {
  let pos = conv_position(dims, m);
  return dy[conv_y_index(dims, pos.x, o, pos.y, pos.z)];
}

fn load_b(m: u32, kk: u32) -> f32 {
  if (kk == conv_patch_len(dims)) {
    return 1.0; // the bias column
  }
  let pos = conv_position(dims, m);
  let pt = conv_patch(dims, kk);
  return x[conv_x_index(dims, pos.x, pt.x, pos.y + pt.y, pos.z + pt.z)];
}

var<private> split: u32; // this workgroup's split s

fn gemm_store(o: u32, kk: u32, v: f32) {
  let len = conv_patch_len(dims);
  let q = select(o * len + kk, dims.o * len + o, kk == len);
  partials[q * dims.splits + split] = v;
}

@compute @workgroup_size(WG)
fn conv2d_backward_weights(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                           @builtin(local_invocation_index) lid: u32) {
  split = wid.z; // the host dispatches exactly `splits` along z
  let k_begin = wid.z * dims.split_len; // from wid.z: the k range decides the barriers
  gemm_tile(flat_workgroup(vec3u(wid.xy, 0u), vec3u(nwg.xy, 1u)), lid, dims.o, conv_patch_len(dims) + 1u, k_begin, min(conv_positions(dims), k_begin + dims.split_len));
}
