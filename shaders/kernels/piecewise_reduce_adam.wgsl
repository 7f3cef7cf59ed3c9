// piecewise_reduce_adam: finish the sums and apply Adam (kernel 3 of 3 of the piecewise strategy;
// layout and validity in common/piecewise.wgsl).
//   params, m, v  (P)            updated in place
//   loss_history  (K)            the chunk's mean loss per epoch, written at epoch.k
//   status        (2)            divergence status (common/status.wgsl)
//   partials      (H+2, RUNS)    from piecewise_points: segment sums, then the runs' losses
//   segs          (2H+3)         from piecewise_segments: bounds, units, the overflow flag
//   steps         (K)            per-epoch Adam scalars of the chunk
// One workgroup. Each segment's sums over the runs that overlap it (in run order), then for each
// unit the sums over the segments where it is on, S0 = Σ dz and S1 = Σ dz·x, give
//   dW1_j = v_j·S1   db1_j = v_j·S0   dW2_j = w_j·S1 + b_j·S0   db2 = Σ over all segments of S0
// (dz1 = dz·v_j where the unit is on; dW2_j = Σ dz·h_j with h_j = w_j·x + b_j there).
// All or nothing: the invocation of unit j (j ≡ lid mod WG) computes its three gradients and
// updates, invocation 0 also b2's; each keeps its gradients in `grads` and checks its updates.
// One barrier decides: if the loss, the overflow flag or any update is not finite, the epoch is
// reported and nothing is written; else each invocation applies its own updates. Only the
// invocation of unit j reads or writes unit j's parameters, so no barrier is needed after that.
// Uses ops/adam.wgsl, common/workgroup_sum.wgsl, common/epoch.wgsl, common/finite.wgsl,
// common/status.wgsl, common/piecewise.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(5) var<storage, read> partials: array<vec2f>;
@group(0) @binding(6) var<storage, read> segs: array<u32>;
@group(0) @binding(7) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(8) var<uniform> hyper: AdamHyper;
@group(0) @binding(9) var<uniform> dims: PiecewiseDims;
@group(0) @binding(10) var<uniform> epoch: EpochIndex;

var<workgroup> segment_sums: array<vec2f, HIDDEN + 1u>;
var<workgroup> grads: array<f32, PARAMS>;
// Set when the epoch's update must be refused; every writer writes the same value.
var<workgroup> refused: u32;

// Unit j's three parameters are at q = i·H + j for i = 0, 1, 2 (W1, b1, W2); b2 at 3H.
fn try_update(q: u32, step: AdamStep) -> bool {
  return adam_update_checked(AdamState(params[q], m[q], v[q]), grads[q], hyper, step).ok;
}

fn apply_update(q: u32, step: AdamStep) {
  let next = adam_update(AdamState(params[q], m[q], v[q]), grads[q], hyper, step);
  params[q] = next.param;
  m[q] = next.m;
  v[q] = next.v;
}

// The runs that overlap segment k, first and last; first > last when the segment is empty.
fn segment_runs(k: u32) -> vec2u {
  let lo = segs[k];
  let hi = segs[k + 1u];
  if (lo >= hi) {
    return vec2u(1u, 0u);
  }
  return vec2u(lo / dims.run_len, (hi - 1u) / dims.run_len);
}

@compute @workgroup_size(WG)
fn piecewise_reduce_adam(@builtin(local_invocation_index) lid: u32) {
  // Two segments a pass, k0 and k0 + WG, their runs' loads interleaved: ⌈(H+1)/(2·WG)⌉ passes
  // (one at H = WG = 256, where one segment a pass took two). Each sum in run order: the same bits.
  for (var k0 = lid; k0 <= HIDDEN; k0 += 2u * WG) {
    let k1 = k0 + WG;
    let second = k1 <= HIDDEN;
    let r0 = segment_runs(k0);
    var r1 = vec2u(1u, 0u); // empty
    if (second) {
      r1 = segment_runs(k1);
    }
    var s0 = vec2f(0.0);
    var s1 = vec2f(0.0);
    var a = r0.x;
    var b = r1.x;
    while (a <= r0.y || b <= r1.y) {
      if (a <= r0.y) {
        s0 += partials[k0 * dims.runs + a];
        a++;
      }
      if (b <= r1.y) {
        s1 += partials[k1 * dims.runs + b];
        b++;
      }
    }
    segment_sums[k0] = s0;
    if (second) {
      segment_sums[k1] = s1;
    }
  }
  var l = 0.0;
  for (var r = lid; r < dims.runs; r += WG) {
    l += partials[(HIDDEN + 1u) * dims.runs + r].x;
  }
  let loss = workgroup_sum(lid, l) / f32(dims.n); // its barriers also publish segment_sums

  let step = steps[epoch.k];
  var ok = is_finite(loss) && segs[OVERFLOW_AT] == 0u;
  // Invocation 0 also sums b2's S0 over every segment, in segment order, in its first walk.
  var s0_all = 0.0;
  for (var j = lid; j < HIDDEN; j += WG) {
    let unit = segs[UNITS_AT + j];
    let all = j == 0u;
    var s = vec2f(0.0);
    for (var k = 0u; k <= HIDDEN; k++) {
      let sums = segment_sums[k];
      if (unit_on_in_segment(unit, k)) {
        s += sums;
      }
      if (all) {
        s0_all += sums.x;
      }
    }
    let w = params[j];
    let b = params[HIDDEN + j];
    let out_w = params[2u * HIDDEN + j];
    grads[j] = out_w * s.y;
    grads[HIDDEN + j] = out_w * s.x;
    grads[2u * HIDDEN + j] = w * s.y + b * s.x;
    for (var i = 0u; i < 3u; i++) {
      ok = try_update(i * HIDDEN + j, step) && ok;
    }
  }
  if (lid == 0u) {
    grads[3u * HIDDEN] = s0_all;
    ok = try_update(3u * HIDDEN, step) && ok;
  }
  if (!ok) {
    refused = 1u;
  }
  let verdict = workgroupUniformLoad(&refused);

  // The same for every invocation: status[0] only changes below, to this epoch, which is not before it.
  if (diverged_before(step.epoch)) {
    return;
  }
  if (lid == 0u) {
    loss_history[epoch.k] = loss;
    if (verdict != 0u) {
      flag_divergence(step.epoch, refusal_reason(loss));
    }
  }
  if (verdict != 0u) {
    return;
  }
  for (var j = lid; j < HIDDEN; j += WG) {
    for (var i = 0u; i < 3u; i++) {
      apply_update(i * HIDDEN + j, step);
    }
  }
  if (lid == 0u) {
    apply_update(3u * HIDDEN, step);
  }
}
