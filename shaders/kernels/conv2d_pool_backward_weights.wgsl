// conv2d_pool_backward_weights: conv2d_backward_weights.wgsl for Conv2d → ReLU → MaxPool2d((pool,
// pool)), straight from the pooled gradient: the (N, O, OH, OW) gradient at the conv's output is
// never stored.
//   partials  (Q, SPLITS)    output, as conv2d_backward_weights.wgsl (Q = O·C·k·k + O, torch's order)
//   dpooled   (N, O, PH, PW) the gradient at the pool's output
//   argmax    (N, O, PH, PW) u32: the forward's argmax, i·OW + j in the conv output's plane
//   pooled    (N, O, PH, PW) the forward's pooled values, relu'd
//   x         (N, C, H, W)   the conv's input
// Why fusing is valid: the gradient at conv output (n, o, i, j) is
//   dZ = dPooled[n,o,i/pool,j/pool] · [argmax there = i·OW + j] · [relu'(z) = 1]
// (the pool routes each window's gradient to its argmax alone, windows do not overlap, and rows
// past PH·pool get none), and at the argmax z is the pooled value before relu, so relu'(z) = [pooled > 0]
// (torch's threshold_backward: 0 at the kink). load_a computes exactly that value, so the
// partials are bit for bit those of maxpool_backward.wgsl (MASK 1) followed by
// conv2d_backward_weights.wgsl with the same tiles and splits.
// GEMM (common/gemm_tiles.wgsl): as conv2d_backward_weights.wgsl, workgroup (t, s) computes block t
// (flattened from workgroup_id.xy) of split s = workgroup_id.z; split_k_reduce.wgsl sums the splits.
// Uses ops/relu.wgsl, ops/conv2d.wgsl, common/grid.wgsl and common/gemm_tiles.wgsl.

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> dpooled: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> pooled: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<uniform> dims: Conv2dDims;

const A_K_FASTEST = true;
const B_C_FASTEST = true;

// dZ[n, o, i, j] from the pooled gradient, argmax and mask.
fn load_a(o: u32, m: u32) -> f32 {
  let pos = conv_position(dims, m);
  let pi = pos.y / dims.pool;
  let pj = pos.z / dims.pool;
  if (pi >= dims.ph || pj >= dims.pw) {
    return 0.0;
  }
  let e = conv_pooled_index(dims, pos.x, o, pi, pj);
  if (argmax[e] != pos.y * dims.ow + pos.z) {
    return 0.0;
  }
  return relu_backward(dpooled[e], pooled[e]);
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
fn conv2d_pool_backward_weights(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                                @builtin(local_invocation_index) lid: u32) {
  split = wid.z;
  let k_begin = wid.z * dims.split_len;
  gemm_tile(flat_workgroup(vec3u(wid.xy, 0u), vec3u(nwg.xy, 1u)), lid, dims.o, conv_patch_len(dims) + 1u, k_begin, min(conv_positions(dims), k_begin + dims.split_len));
}
