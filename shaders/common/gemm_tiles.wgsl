// gemm_tiles: the tiled product shared by the three GEMM kernels, C (M, NC) = A (M, K) · B (K, NC)
// over a range of k, one TILE_M × TILE_N block of C per workgroup.
//
//   invocation (tr, tc), tr < WG_M = TILE_M / TM, tc < WG_N = TILE_N / TN, owns the TM × TN
//   registers of C at rows  row0 + tr + WG_M·a  (a < TM)  and cols  col0 + tc + WG_N·b  (b < TN):
//   interleaved, so neighbouring invocations store neighbouring columns (coalesced on a GPU).
//
// With SHARED, each step of TILE_K copies an A tile (TILE_M × TILE_K) and a B tile (TILE_K × TILE_N)
// into workgroup memory, every element read from global memory once per workgroup; each
// invocation then does TM·TN multiply-adds per TM + TN workgroup loads. Without SHARED each
// invocation reads its own A and B values straight from global memory: no barriers, which wins on a
// software adapter where a barrier costs every invocation a context switch and "workgroup memory"
// is the same CPU cache as global memory.
//
// The kernel that includes this file defines where A and B live, so the loop is written once:
//   fn load_a(m: u32, k: u32) -> f32      A[m, k], called only with m < M and k < k_end
//   fn load_b(k: u32, c: u32) -> f32      B[k, c], called only with c < NC and k < k_end
//   fn gemm_store(m: u32, c: u32, v: f32) the epilogue: C[m, c] = v, called once per m < M, c < NC
//   const A_K_FASTEST: bool               A[m, k+1] follows A[m, k] in memory (else A[m+1, k] does)
//   const B_C_FASTEST: bool               B[k, c+1] follows B[k, c] in memory (else B[k+1, c] does)
// The last two only pick which index neighbouring invocations walk while copying a tile, so a
// GPU's loads are coalesced; any choice gives the same numbers.
//
// Sums run over k in ascending order, one register per output: the order is fixed by the tile
// sizes alone, so reruns are bit-identical.

override TILE_M: u32 = 32;
override TILE_N: u32 = 32;
override TILE_K: u32 = 16;
override TM: u32 = 4;
override TN: u32 = 4;
override SHARED: bool = true;
override WG_M: u32 = TILE_M / TM;
override WG_N: u32 = TILE_N / TN;
override WG: u32 = WG_M * WG_N;

// At most 8 × 8 outputs per invocation: rows in two vec4s of A values, columns in two vec4s of B
// values, and the block's sums in sixteen vec4 registers (row a, columns 0-3 and 4-7). They are
// named fields rather than an array, and the epilogue takes them one by one, so that no register is
// ever indexed by a variable: a software adapter spills a variably indexed array to memory and
// gathers it lane by lane, which made the first version of this file five to ten times slower there.
const MAX_TM: u32 = 8u;
const MAX_TN: u32 = 8u;

var<workgroup> tile_a: array<f32, TILE_M * TILE_K>; // A tile, k-major: [k·TILE_M + m]
var<workgroup> tile_b: array<f32, TILE_K * TILE_N>; // B tile, k-major: [k·TILE_N + c]

// One workgroup's block of C: where it starts and the bounds of C.
struct GemmBlock {
  row0: u32,
  col0: u32,
  rows: u32, // M
  cols: u32, // NC
}

struct GemmRegisters {
  r0l: vec4f, r0h: vec4f, r1l: vec4f, r1h: vec4f, r2l: vec4f, r2h: vec4f, r3l: vec4f, r3h: vec4f,
  r4l: vec4f, r4h: vec4f, r5l: vec4f, r5h: vec4f, r6l: vec4f, r6h: vec4f, r7l: vec4f, r7h: vec4f,
}

fn block_row(blk: GemmBlock, lid: u32, a: u32) -> u32 {
  return blk.row0 + lid / WG_N + WG_M * a;
}

fn block_col(blk: GemmBlock, lid: u32, b: u32) -> u32 {
  return blk.col0 + lid % WG_N + WG_N * b;
}

// r += a ⊗ b for the invocation's TM × TN block: a holds rows 0-3 (lo) and 4-7 (hi), b columns
// 0-3 and 4-7. The conditions are on override constants: the compiler drops the unused rows.
fn rank1_update(r: ptr<function, GemmRegisters>, a_lo: vec4f, a_hi: vec4f, b_lo: vec4f, b_hi: vec4f) {
  let wide = TN > 4u;
  (*r).r0l += a_lo.x * b_lo;
  if (wide) { (*r).r0h += a_lo.x * b_hi; }
  if (TM > 1u) {
    (*r).r1l += a_lo.y * b_lo;
    if (wide) { (*r).r1h += a_lo.y * b_hi; }
  }
  if (TM > 2u) {
    (*r).r2l += a_lo.z * b_lo;
    if (wide) { (*r).r2h += a_lo.z * b_hi; }
    (*r).r3l += a_lo.w * b_lo;
    if (wide) { (*r).r3h += a_lo.w * b_hi; }
  }
  if (TM > 4u) {
    (*r).r4l += a_hi.x * b_lo;
    (*r).r5l += a_hi.y * b_lo;
    (*r).r6l += a_hi.z * b_lo;
    (*r).r7l += a_hi.w * b_lo;
    if (wide) {
      (*r).r4h += a_hi.x * b_hi;
      (*r).r5h += a_hi.y * b_hi;
      (*r).r6h += a_hi.z * b_hi;
      (*r).r7h += a_hi.w * b_hi;
    }
  }
}

// Workgroup t's block of C (M = rows, NC = cols): C[row, col] = Σ_{k_begin ≤ k < k_end} A[row, k]·B[k, col]
// for the invocation's TM × TN outputs, each handed to the kernel's gemm_store. Blocks are
// numbered over ceil(rows/TILE_M) × ceil(cols/TILE_N), column blocks fastest; a t past them is a
// padding workgroup of the 2-D grid (common/grid.wgsl), which returns at once: t is the same for the
// whole workgroup, so no barrier is left waiting. Every invocation of the workgroup must call it
// with the same k range (barriers). Rows and columns past the bounds are read clamped to the last
// row and column: their registers hold junk that is never stored, and no load needs a branch.
fn gemm_tile(t: u32, lid: u32, rows: u32, cols: u32, k_begin: u32, k_end: u32) {
  let blocks_n = (cols + TILE_N - 1u) / TILE_N;
  let blocks_m = (rows + TILE_M - 1u) / TILE_M;
  if (t >= blocks_m * blocks_n) {
    return;
  }
  let blk = GemmBlock((t / blocks_n) * TILE_M, (t % blocks_n) * TILE_N, rows, cols);
  var r: GemmRegisters;
  if (SHARED) {
    r = gemm_accumulate_shared(blk, lid, k_begin, k_end);
  } else {
    r = gemm_accumulate_direct(blk, lid, k_begin, k_end);
  }
  let row0 = block_row(blk, lid, 0u);
  let col0 = block_col(blk, lid, 0u);
  store_row(blk, row0, col0, r.r0l, r.r0h);
  if (TM > 1u) { store_row(blk, row0 + WG_M, col0, r.r1l, r.r1h); }
  if (TM > 2u) {
    store_row(blk, row0 + 2u * WG_M, col0, r.r2l, r.r2h);
    store_row(blk, row0 + 3u * WG_M, col0, r.r3l, r.r3h);
  }
  if (TM > 4u) {
    store_row(blk, row0 + 4u * WG_M, col0, r.r4l, r.r4h);
    store_row(blk, row0 + 5u * WG_M, col0, r.r5l, r.r5h);
    store_row(blk, row0 + 6u * WG_M, col0, r.r6l, r.r6h);
    store_row(blk, row0 + 7u * WG_M, col0, r.r7l, r.r7h);
  }
}

// One row of the block (columns col0 + WG_N·b, b < TN) through gemm_store, in bounds only.
fn store_row(blk: GemmBlock, row: u32, col0: u32, lo: vec4f, hi: vec4f) {
  if (row >= blk.rows) {
    return;
  }
  let cols = blk.cols;
  if (col0 < cols) { gemm_store(row, col0, lo.x); }
  if (TN > 1u && col0 + WG_N < cols) { gemm_store(row, col0 + WG_N, lo.y); }
  if (TN > 2u) {
    if (col0 + 2u * WG_N < cols) { gemm_store(row, col0 + 2u * WG_N, lo.z); }
    if (col0 + 3u * WG_N < cols) { gemm_store(row, col0 + 3u * WG_N, lo.w); }
  }
  if (TN > 4u) {
    if (col0 + 4u * WG_N < cols) { gemm_store(row, col0 + 4u * WG_N, hi.x); }
    if (col0 + 5u * WG_N < cols) { gemm_store(row, col0 + 5u * WG_N, hi.y); }
    if (col0 + 6u * WG_N < cols) { gemm_store(row, col0 + 6u * WG_N, hi.z); }
    if (col0 + 7u * WG_N < cols) { gemm_store(row, col0 + 7u * WG_N, hi.w); }
  }
}

fn gemm_accumulate_direct(blk: GemmBlock, lid: u32, k_begin: u32, k_end: u32) -> GemmRegisters {
  let row0 = blk.row0 + lid / WG_N;
  let col0 = blk.col0 + lid % WG_N;
  let last_row = blk.rows - 1u;
  let last_col = blk.cols - 1u;
  let rows_lo = min(vec4u(row0) + WG_M * vec4u(0u, 1u, 2u, 3u), vec4u(last_row));
  let rows_hi = min(vec4u(row0) + WG_M * vec4u(4u, 5u, 6u, 7u), vec4u(last_row));
  let cols_lo = min(vec4u(col0) + WG_N * vec4u(0u, 1u, 2u, 3u), vec4u(last_col));
  let cols_hi = min(vec4u(col0) + WG_N * vec4u(4u, 5u, 6u, 7u), vec4u(last_col));
  var r: GemmRegisters;
  for (var k = k_begin; k < k_end; k++) {
    var a_lo = vec4f(0.0);
    var a_hi = vec4f(0.0);
    var b_lo = vec4f(0.0);
    var b_hi = vec4f(0.0);
    a_lo.x = load_a(rows_lo.x, k);
    if (TM > 1u) { a_lo.y = load_a(rows_lo.y, k); }
    if (TM > 2u) { a_lo.z = load_a(rows_lo.z, k); a_lo.w = load_a(rows_lo.w, k); }
    if (TM > 4u) { a_hi = vec4f(load_a(rows_hi.x, k), load_a(rows_hi.y, k), load_a(rows_hi.z, k), load_a(rows_hi.w, k)); }
    b_lo.x = load_b(k, cols_lo.x);
    if (TN > 1u) { b_lo.y = load_b(k, cols_lo.y); }
    if (TN > 2u) { b_lo.z = load_b(k, cols_lo.z); b_lo.w = load_b(k, cols_lo.w); }
    if (TN > 4u) { b_hi = vec4f(load_b(k, cols_hi.x), load_b(k, cols_hi.y), load_b(k, cols_hi.z), load_b(k, cols_hi.w)); }
    rank1_update(&r, a_lo, a_hi, b_lo, b_hi);
  }
  return r;
}

// Element e of the copy of a tile `extent` long (rows of A or columns of B) and TILE_K deep, as
// (position along extent, k): k_fastest makes neighbouring invocations walk k.
fn tile_element(e: u32, extent: u32, k_fastest: bool) -> vec2u {
  if (k_fastest) {
    return vec2u(e / TILE_K, e % TILE_K);
  }
  return vec2u(e % extent, e / extent);
}

fn gemm_accumulate_shared(blk: GemmBlock, lid: u32, k_begin: u32, k_end: u32) -> GemmRegisters {
  let tr = lid / WG_N;
  let tc = lid % WG_N;
  var r: GemmRegisters;
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    // Copy both tiles; k past k_end reads as 0 in both, so the last, partial step adds exact zeros.
    for (var e = lid; e < TILE_M * TILE_K; e += WG) {
      let mk = tile_element(e, TILE_M, A_K_FASTEST);
      var v = 0.0;
      if (k0 + mk.y < k_end) {
        v = load_a(min(blk.row0 + mk.x, blk.rows - 1u), k0 + mk.y);
      }
      tile_a[mk.y * TILE_M + mk.x] = v;
    }
    for (var e = lid; e < TILE_K * TILE_N; e += WG) {
      let ck = tile_element(e, TILE_N, !B_C_FASTEST);
      var v = 0.0;
      if (k0 + ck.y < k_end) {
        v = load_b(k0 + ck.y, min(blk.col0 + ck.x, blk.cols - 1u));
      }
      tile_b[ck.y * TILE_N + ck.x] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let a0 = k * TILE_M + tr;
      let b0 = k * TILE_N + tc;
      var a_lo = vec4f(0.0);
      var a_hi = vec4f(0.0);
      var b_lo = vec4f(0.0);
      var b_hi = vec4f(0.0);
      a_lo.x = tile_a[a0];
      if (TM > 1u) { a_lo.y = tile_a[a0 + WG_M]; }
      if (TM > 2u) { a_lo.z = tile_a[a0 + 2u * WG_M]; a_lo.w = tile_a[a0 + 3u * WG_M]; }
      if (TM > 4u) { a_hi = vec4f(tile_a[a0 + 4u * WG_M], tile_a[a0 + 5u * WG_M], tile_a[a0 + 6u * WG_M], tile_a[a0 + 7u * WG_M]); }
      b_lo.x = tile_b[b0];
      if (TN > 1u) { b_lo.y = tile_b[b0 + WG_N]; }
      if (TN > 2u) { b_lo.z = tile_b[b0 + 2u * WG_N]; b_lo.w = tile_b[b0 + 3u * WG_N]; }
      if (TN > 4u) { b_hi = vec4f(tile_b[b0 + 4u * WG_N], tile_b[b0 + 5u * WG_N], tile_b[b0 + 6u * WG_N], tile_b[b0 + 7u * WG_N]); }
      rank1_update(&r, a_lo, a_hi, b_lo, b_hi);
    }
    workgroupBarrier(); // the next step overwrites the tiles
  }
  return r;
}
