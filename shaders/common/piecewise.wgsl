// piecewise: what the three kernels of the piecewise strategy share.
//
// The input is one number, so the network is piecewise linear in it: hidden unit j is on where
// z_j(x) = x·w_j + b_j > 0, and in float32 z_j is monotone in x (every rounding is), so on points
// sorted by x a unit is on for a suffix of them (w_j ≥ 0) or a prefix (w_j < 0). The H switch
// points, ranked, cut the points into H + 1 segments; on each the same units are on, so the logit
// there is one line α_k·x + β_k, and each unit's gradients need only two sums per segment (Σ dz and
// Σ dz·x). An epoch costs O(N + H²) instead of O(N·H).
//
//   segs      (2H+3) u32  bounds, then units, then the overflow flag:
//             segs[k], k ≤ H+1     segment k holds sorted points segs[k] .. segs[k+1]-1 (may be empty)
//             segs[UNITS_AT + j]   unit j's rank among the switch points; UNIT_ON_BEFORE set when w_j < 0
//             segs[OVERFLOW_AT]    1 when some unit's term of the logit, relu(x·w_j + b_j)·v_j, is not
//                                  finite at some point (piecewise_segments.wgsl), else 0
//   lines     (H+1) vec2f        segment k's (α_k, β_k)
//   partials  (H+2, RUNS) vec2f  run r's (Σ dz, Σ dz·x) over segment k at k·RUNS + r (written only
//                                where they overlap); row H+1 holds run r's summed loss in x
// Points are cut into RUNS runs of RUN_LEN consecutive points, one per invocation of the points
// kernel. Bounds and units share a buffer, as do the sums and the losses, so that no kernel binds
// more than the 8 storage buffers every WebGPU device offers.

struct PiecewiseDims {
  n: u32,
  run_len: u32,
  runs: u32,
}

override HIDDEN: u32 = 2;
override PARAMS: u32 = 3u * HIDDEN + 1u;
override UNITS_AT: u32 = HIDDEN + 2u;
override OVERFLOW_AT: u32 = UNITS_AT + HIDDEN;

const UNIT_ON_BEFORE: u32 = 0x80000000u;

// Unit j (rank and direction packed as in segs[UNITS_AT + j]) is on in segment k: segments after its switch
// point for a suffix unit, up to it for a prefix unit.
fn unit_on_in_segment(unit: u32, k: u32) -> bool {
  let rank = unit & ~UNIT_ON_BEFORE;
  if ((unit & UNIT_ON_BEFORE) != 0u) {
    return k <= rank;
  }
  return k > rank;
}

