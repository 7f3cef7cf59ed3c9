// piecewise_segments: the segments of the current parameters (kernel 1 of 3 of the piecewise
// strategy; the shared layout and why it is valid are in common/piecewise.wgsl).
//   segs    (2H+3)  output: the segments' bounds, each unit's rank and direction, the overflow flag
//   lines   (H+1)   output: (α_k, β_k), the logit on segment k is α_k·x + β_k
//   params  (P)    W1 | b1 | W2 | b2 (model/layout.ts)
//   xs      (N)    inputs, sorted ascending
// One workgroup. Invocations share out the units: a binary search each for the switch point (the
// same z > 0 test as the relu op, on the same float expression as the other strategies), then a
// rank by counting (ties broken by unit index), then each segment's line summed over its units in
// unit order (two segments per walk over the units). Non-finite parameters make every line NaN, so the loss is NaN and training stops
// (common/status.wgsl), as in the other strategies. Each unit's term of the logit is checked at
// the first and last points (unit_term_overflows) into the overflow flag.
// Uses ops/linear.wgsl, ops/relu.wgsl, common/finite.wgsl, common/piecewise.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> segs: array<u32>;
@group(0) @binding(1) var<storage, read_write> lines: array<vec2f>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> xs: array<f32>;
@group(0) @binding(4) var<uniform> dims: PiecewiseDims;

var<workgroup> switch_at: array<u32, HIDDEN>;
var<workgroup> unit_info: array<u32, HIDDEN>;
var<workgroup> overflow: atomic<u32>;
var<workgroup> last_not_finite: atomic<u32>; // 1 + the largest index of a parameter that is not finite, 0 if none

// Divergence: the segments' lines are algebraically the per-unit sums of the other strategies but
// overflow differently, so what makes their gradients non-finite is checked explicitly. Where unit
// j's term of the logit, relu(z_j)·v_j with z_j = x·w_j + b_j, is not finite at a point (z_j = +Inf
// gives dW2_j = dz·Inf; a finite z_j whose product overflows makes that point's logit non-finite,
// whose gradient is NaN: ops/head.wgsl), the epoch is refused as a non-finite
// gradient. z_j is monotone in x, so its largest |relu(z_j)| is at the first or the last sorted
// point: checking those two per unit suffices. Same float expressions as model_columns.
fn unit_term_overflows(x: f32, w: f32, b: f32, v: f32) -> bool {
  return !is_finite(linear_forward_term(0.0, relu_forward(linear_forward_term(0.0, x, w) + b), v));
}

fn unit_on(x: f32, w: f32, b: f32) -> bool {
  return relu_active(linear_forward_term(0.0, x, w) + b);
}

// The first sorted point past unit j's switch: the first one where it is on (suffix unit) or off
// (prefix unit); N when there is none.
fn switch_point(w: f32, b: f32, on_before: bool) -> u32 {
  var lo = 0u;
  var hi = dims.n;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (unit_on(xs[mid], w, b) != on_before) {
      hi = mid;
    } else {
      lo = mid + 1u;
    }
  }
  return lo;
}

@compute @workgroup_size(WG)
fn piecewise_segments(@builtin(local_invocation_index) lid: u32) {
  for (var j = lid; j < HIDDEN; j += WG) {
    let w = params[j];
    let b = params[HIDDEN + j];
    let on_before = w < 0.0;
    switch_at[j] = switch_point(w, b, on_before);
    unit_info[j] = select(0u, UNIT_ON_BEFORE, on_before);
    let v = params[2u * HIDDEN + j];
    if (unit_term_overflows(xs[0], w, b, v) || unit_term_overflows(xs[dims.n - 1u], w, b, v)) {
      atomicStore(&overflow, 1u);
    }
  }
  // Every parameter checked once, shared out over the invocations (read after the next barrier).
  for (var q = lid; q < PARAMS; q += WG) {
    if (!is_finite(params[q])) {
      atomicMax(&last_not_finite, q + 1u);
    }
  }
  workgroupBarrier();
  for (var j = lid; j < HIDDEN; j += WG) {
    let s = switch_at[j];
    var rank = 0u;
    for (var i = 0u; i < HIDDEN; i++) {
      rank += select(0u, 1u, switch_at[i] < s || (switch_at[i] == s && i < j));
    }
    segs[rank + 1u] = s;
    unit_info[j] |= rank; // only invocation j's own entry: no other reads it before the barrier
  }
  if (lid == 0u) {
    segs[0] = 0u;
    segs[HIDDEN + 1u] = dims.n;
    segs[OVERFLOW_AT] = atomicLoad(&overflow);
  }
  workgroupBarrier();
  // NaN when a parameter is not finite (p - p of the last such one), else 0
  var poison = 0.0;
  let bad = atomicLoad(&last_not_finite);
  if (bad != 0u) {
    let p = params[bad - 1u];
    poison = p - p;
  }
  let c = params[3u * HIDDEN];
  // Two segments a pass, k0 and k0 + WG, from one walk over the units: the H + 1 segments take
  // ⌈(H+1)/(2·WG)⌉ walks of H steps, where one segment a walk took ⌈(H+1)/WG⌉ (two at H = WG = 256,
  // for segment 256 alone). Each segment's line is still its own sum in unit order: the same bits.
  for (var k0 = lid; k0 <= HIDDEN; k0 += 2u * WG) {
    let k1 = k0 + WG;
    let second = k1 <= HIDDEN;
    var line0 = vec2f(0.0);
    var line1 = vec2f(0.0);
    for (var j = 0u; j < HIDDEN; j++) {
      let unit = unit_info[j];
      let on0 = unit_on_in_segment(unit, k0);
      let on1 = second && unit_on_in_segment(unit, k1);
      if (on0 || on1) {
        let w = params[j];
        let b = params[HIDDEN + j];
        let v = params[2u * HIDDEN + j];
        if (on0) {
          line0 = vec2f(linear_forward_term(line0.x, w, v), linear_forward_term(line0.y, b, v));
        }
        if (on1) {
          line1 = vec2f(linear_forward_term(line1.x, w, v), linear_forward_term(line1.y, b, v));
        }
      }
    }
    lines[k0] = vec2f(line0.x, line0.y + c) + poison;
    if (second) {
      lines[k1] = vec2f(line1.x, line1.y + c) + poison;
    }
  }
  for (var j = lid; j < HIDDEN; j += WG) {
    segs[UNITS_AT + j] = unit_info[j];
  }
}
