// gemm_tiles: the tiled product shared by the three GEMM kernels, C (M, NC) += A (M, K) · B (K, NC)
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

// Registers are function-scope arrays, which need a constant size: TM and TN may be at most these.
const MAX_TM: u32 = 8u;
const MAX_TN: u32 = 8u;

var<workgroup> tile_a: array<f32, TILE_M * TILE_K>; // A tile, k-major: [k·TILE_M + m]
var<workgroup> tile_b: array<f32, TILE_K * TILE_N>; // B tile, k-major: [k·TILE_N + c]

// One workgroup's block of C: where it starts, its bounds, and the invocation's registers.
struct GemmBlock {
  row0: u32,
  col0: u32,
  rows: u32, // M
  cols: u32, // NC
}

var<private> acc: array<f32, MAX_TM * MAX_TN>; // acc[a·MAX_TN + b]: C at (block_row(a), block_col(b))

fn block_row(blk: GemmBlock, lid: u32, a: u32) -> u32 {
  return blk.row0 + lid / WG_N + WG_M * a;
}

fn block_col(blk: GemmBlock, lid: u32, b: u32) -> u32 {
  return blk.col0 + lid % WG_N + WG_N * b;
}

// The tile block of flat workgroup index `t` over a grid of ceil(rows/TILE_M) × ceil(cols/TILE_N)
// blocks, column blocks fastest. `valid` is false for the padding workgroups of a 2-D dispatch
// (common/grid.wgsl); it is the same for the whole workgroup, so such a workgroup may return early.
struct BlockAt {
  blk: GemmBlock,
  valid: bool,
}

fn gemm_block_at(t: u32, rows: u32, cols: u32) -> BlockAt {
  let blocks_n = (cols + TILE_N - 1u) / TILE_N;
  let blocks_m = (rows + TILE_M - 1u) / TILE_M;
  return BlockAt(GemmBlock((t / blocks_n) * TILE_M, (t % blocks_n) * TILE_N, rows, cols), t < blocks_m * blocks_n);
}

// acc = Σ_{k_begin ≤ k < k_end} A[row, k]·B[k, col] for the invocation's TM × TN outputs.
// Every invocation of the workgroup must call it with the same k range (barriers). Rows and columns
// past the bounds are read clamped to the last row and column: their registers hold junk that
// is never stored, and no load needs a branch.
fn gemm_accumulate(blk: GemmBlock, lid: u32, k_begin: u32, k_end: u32) {
  for (var r = 0u; r < MAX_TM * MAX_TN; r++) {
    acc[r] = 0.0;
  }
  if (SHARED) {
    gemm_accumulate_shared(blk, lid, k_begin, k_end);
  } else {
    gemm_accumulate_direct(blk, lid, k_begin, k_end);
  }
}

fn gemm_accumulate_direct(blk: GemmBlock, lid: u32, k_begin: u32, k_end: u32) {
  var rows: array<u32, MAX_TM>;
  var cols: array<u32, MAX_TN>;
  for (var a = 0u; a < TM; a++) {
    rows[a] = min(block_row(blk, lid, a), blk.rows - 1u);
  }
  for (var b = 0u; b < TN; b++) {
    cols[b] = min(block_col(blk, lid, b), blk.cols - 1u);
  }
  var av: array<f32, MAX_TM>;
  var bv: array<f32, MAX_TN>;
  for (var k = k_begin; k < k_end; k++) {
    for (var a = 0u; a < TM; a++) {
      av[a] = load_a(rows[a], k);
    }
    for (var b = 0u; b < TN; b++) {
      bv[b] = load_b(k, cols[b]);
    }
    for (var a = 0u; a < TM; a++) {
      for (var b = 0u; b < TN; b++) {
        acc[a * MAX_TN + b] += av[a] * bv[b];
      }
    }
  }
}

fn gemm_accumulate_shared(blk: GemmBlock, lid: u32, k_begin: u32, k_end: u32) {
  let tr = lid / WG_N;
  let tc = lid % WG_N;
  var av: array<f32, MAX_TM>;
  var bv: array<f32, MAX_TN>;
  for (var k0 = k_begin; k0 < k_end; k0 += TILE_K) {
    // Copy both tiles; k past k_end reads as 0 so the last, partial step adds exact zeros.
    for (var e = lid; e < TILE_M * TILE_K; e += WG) {
      var m: u32;
      var k: u32;
      if (A_K_FASTEST) {
        m = e / TILE_K;
        k = e % TILE_K;
      } else {
        m = e % TILE_M;
        k = e / TILE_M;
      }
      var v = 0.0;
      if (k0 + k < k_end) {
        v = load_a(min(blk.row0 + m, blk.rows - 1u), k0 + k);
      }
      tile_a[k * TILE_M + m] = v;
    }
    for (var e = lid; e < TILE_K * TILE_N; e += WG) {
      var k: u32;
      var c: u32;
      if (B_C_FASTEST) {
        k = e / TILE_N;
        c = e % TILE_N;
      } else {
        k = e % TILE_K;
        c = e / TILE_K;
      }
      var v = 0.0;
      if (k0 + k < k_end) {
        v = load_b(k0 + k, min(blk.col0 + c, blk.cols - 1u));
      }
      tile_b[k * TILE_N + c] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      for (var a = 0u; a < TM; a++) {
        av[a] = tile_a[k * TILE_M + tr + WG_M * a];
      }
      for (var b = 0u; b < TN; b++) {
        bv[b] = tile_b[k * TILE_N + tc + WG_N * b];
      }
      for (var a = 0u; a < TM; a++) {
        for (var b = 0u; b < TN; b++) {
          acc[a * MAX_TN + b] += av[a] * bv[b];
        }
      }
    }
    workgroupBarrier(); // the next step overwrites the tiles
  }
}
