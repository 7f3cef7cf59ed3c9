// piecewise: what the three kernels of the piecewise strategy share.
//
// The input is one number, so the network is piecewise linear in it: hidden unit j is on where
// z_j(x) = x·w_j + b_j > 0, and in float32 z_j is monotone in x (every rounding is), so on points
// sorted by x a unit is on for a suffix of them (w_j ≥ 0) or a prefix (w_j < 0). The H switch
// points, ranked, cut the points into H + 1 segments; on each the same units are on, so the logit
// there is one line α_k·x + β_k, and each unit's gradients need only two sums per segment (Σ dz and
// Σ dz·x). An epoch costs O(N + H²) instead of O(N·H).
//
//   bounds  (H+2) u32    segment k holds sorted points bounds[k] .. bounds[k+1]-1 (it may be empty)
//   units   (H)   u32    unit j's rank among the switch points; UNIT_ON_BEFORE set when w_j < 0
//   lines   (H+1) vec2f  segment k's (α_k, β_k)
// Points are cut into RUNS runs of RUN_LEN consecutive points, one per invocation of the points
// kernel; partials[k·RUNS + r] holds run r's sums over segment k (written only where they overlap).

struct PiecewiseDims {
  n: u32,
  run_len: u32,
  runs: u32,
}

override HIDDEN: u32 = 2;
override PARAMS: u32 = 3u * HIDDEN + 1u;

const UNIT_ON_BEFORE: u32 = 0x80000000u;

// Unit j (rank and direction packed as in `units`) is on in segment k: segments after its switch
// point for a suffix unit, up to it for a prefix unit.
fn unit_on_in_segment(unit: u32, k: u32) -> bool {
  let rank = unit & ~UNIT_ON_BEFORE;
  if ((unit & UNIT_ON_BEFORE) != 0u) {
    return k <= rank;
  }
  return k > rank;
}
