// conv2d_pool_forward: Conv2d + bias + ReLU + MaxPool2d((pool, pool)) in one kernel, writing only
// the pooled map and its argmax; the (N, O, OH, OW) activation is never stored.
//   pooled  (N, O, PH, PW)  output: max over each pool × pool window of relu(conv(X, Wt) + b)
//   argmax  (N, O, PH, PW)  output (u32): i·OW + j of the value taken, in the conv output's plane
//   x       (N, C, H, W)    input
//   params  flat            Wt (O, C, k, k) at w_offset, b (O) at b_offset
// Why fusing is valid: relu is monotone, so max_a relu(z_a) = relu(max_a z_a), and the window's
// values are finished in registers before the pool reads them. The pool scans relu(z_a) with
// ops/maxpool.wgsl's rule exactly as MaxPool2d after ReLU does, so ties (all z_a ≤ 0 give relu 0:
// the first window element) and NaNs pick the same index. The backward pass needs only the
// pooled value (relu's derivative at the argmax is [pooled > 0]) and the argmax
// (conv2d_pool_backward_weights.wgsl).
// GEMM (common/gemm_tiles.wgsl) with TM = pool² (pool 1 or 2): C (rows, O) = A · B as in
// conv2d_forward.wgsl, but the rows of a TILE_M block are WG_M pooled positions × TM window
// elements: row r of block b is pooled position P = b·WG_M + r % WG_M, window element a = r / WG_M
// (a = wy·pool + wx, row-major). gemm_tiles gives invocation tr rows tr + WG_M·a, a < TM: the
// whole window of position P in its registers, so it pools them there. Workgroup t (flattened from
// workgroup_id.xy) computes block t; each invocation TN output channels of one pooled position.
// Uses ops/conv2d.wgsl, ops/maxpool.wgsl, common/grid.wgsl and common/gemm_tiles.wgsl.

@group(0) @binding(0) var<storage, read_write> pooled: array<f32>;
@group(0) @binding(1) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<uniform> dims: Conv2dDims;

const A_K_FASTEST = true;
const B_C_FASTEST = false;

fn pooled_positions() -> u32 {
  return dims.n * dims.ph * dims.pw;
}

// (n, i, j) of the conv output at row m: its pooled position (clamped: padding rows read junk
// that is never stored) and window element.
fn row_position(m: u32) -> vec3u {
  let r = m % TILE_M;
  let p = min((m / TILE_M) * WG_M + r % WG_M, pooled_positions() - 1u);
  let a = r / WG_M;
  let npi = p / dims.pw;
  let i = (npi % dims.ph) * dims.pool + a / dims.pool;
  let j = (p % dims.pw) * dims.pool + a % dims.pool;
  return vec3u(npi / dims.ph, i, j);
}

fn load_a(m: u32, kk: u32) -> f32 {
  let pos = row_position(m);
  let pt = conv_patch(dims, kk);
  return x[conv_x_index(dims, pos.x, pt.x, pos.y + pt.y, pos.z + pt.z)];
}

fn load_b(kk: u32, o: u32) -> f32 {
  return params[dims.w_offset + o * conv_patch_len(dims) + kk];
}

// gemm_tiles' own epilogue path (gemm_tile) is not used here, but the library refers to it.
fn gemm_store(m: u32, c: u32, v: f32) {}

// Pools the window of pooled position p in channel o: z[a] = the dot products of its TM elements.
fn pool_store(p: u32, o: u32, z: vec4f) {
  if (o >= dims.o) {
    return;
  }
  let bias = params[dims.b_offset + o];
  var best = pool_relu(z[0] + bias);
  var at = 0u;
  for (var a = 1u; a < TM; a++) {
    let v = pool_relu(z[a] + bias);
    if (pool_takes(v, best)) {
      best = v;
      at = a;
    }
  }
  let npi = p / dims.pw;
  let pi = npi % dims.ph;
  let pj = p % dims.pw;
  let e = conv_pooled_index(dims, npi / dims.ph, o, pi, pj);
  pooled[e] = best;
  argmax[e] = (pi * dims.pool + at / dims.pool) * dims.ow + pj * dims.pool + at % dims.pool;
}

@compute @workgroup_size(WG)
fn conv2d_pool_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                       @builtin(local_invocation_index) lid: u32) {
  let t = flat_workgroup(wid, nwg);
  let blocks_n = (dims.o + TILE_N - 1u) / TILE_N;
  let blocks_m = (pooled_positions() + WG_M - 1u) / WG_M;
  if (t >= blocks_m * blocks_n) {
    return; // a padding workgroup of the 2-D grid: uniform over the workgroup
  }
  let blk = GemmBlock((t / blocks_n) * TILE_M, (t % blocks_n) * TILE_N, blocks_m * TILE_M, dims.o);
  var r: GemmRegisters;
  if (SHARED) {
    r = gemm_accumulate_shared(blk, lid, 0u, conv_patch_len(dims));
  } else {
    r = gemm_accumulate_direct(blk, lid, 0u, conv_patch_len(dims));
  }
  let p = (t / blocks_n) * WG_M + lid / WG_N;
  if (p >= pooled_positions()) {
    return;
  }
  let c0 = block_col(blk, lid, 0u);
  pool_store(p, c0, vec4f(r.r0l.x, r.r1l.x, r.r2l.x, r.r3l.x));
  if (TN > 1u) { pool_store(p, c0 + WG_N, vec4f(r.r0l.y, r.r1l.y, r.r2l.y, r.r3l.y)); }
  if (TN > 2u) {
    pool_store(p, c0 + 2u * WG_N, vec4f(r.r0l.z, r.r1l.z, r.r2l.z, r.r3l.z));
    pool_store(p, c0 + 3u * WG_N, vec4f(r.r0l.w, r.r1l.w, r.r2l.w, r.r3l.w));
  }
  if (TN > 4u) {
    pool_store(p, c0 + 4u * WG_N, vec4f(r.r0h.x, r.r1h.x, r.r2h.x, r.r3h.x));
    pool_store(p, c0 + 5u * WG_N, vec4f(r.r0h.y, r.r1h.y, r.r2h.y, r.r3h.y));
    pool_store(p, c0 + 6u * WG_N, vec4f(r.r0h.z, r.r1h.z, r.r2h.z, r.r3h.z));
    pool_store(p, c0 + 7u * WG_N, vec4f(r.r0h.w, r.r1h.w, r.r2h.w, r.r3h.w));
  }
}
