// piecewise_points: forward, loss and backward of every point on its segment's line (kernel 2 of
// 3 of the piecewise strategy; layout and validity in common/piecewise.wgsl).
//   partials  (H+2, RUNS) vec2f  output: run r's (Σ dz, Σ dz·x) over segment k at k·RUNS + r,
//                                and its summed loss at (H+1)·RUNS + r
//   segs      (2H+3), lines (H+1) from piecewise_segments (this kernel reads the bounds)
//   xs, ys    (N)                inputs sorted ascending, labels in the same order
// Invocation r takes points r·RUN_LEN .. (r+1)·RUN_LEN-1 in order: it finds its first segment by
// a binary search over the bounds, then takes the run's part of each segment in turn, a loop with no
// branch per point, and writes that part's sums (empty parts write zeros, which are never read).
// Only (segment, run) pairs that overlap are written, and those are all piecewise_reduce_adam
// reads. Per point: one line (the logit), the head's loss and its gradient (ops/head.wgsl), no
// loop over units. A logit that is not finite gets a NaN gradient (ops/head.wgsl).
// Uses ops/{linear,sigmoid,bce,head}.wgsl, common/{finite,grid,piecewise}.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> partials: array<vec2f>;
@group(0) @binding(1) var<storage, read> segs: array<u32>;
@group(0) @binding(2) var<storage, read> lines: array<vec2f>;
@group(0) @binding(3) var<storage, read> xs: array<f32>;
@group(0) @binding(4) var<storage, read> ys: array<f32>;
@group(0) @binding(5) var<uniform> dims: PiecewiseDims;

// The segment holding point i: the last k in 0..H with segs[k] <= i (segs[0] = 0).
fn segment_of(i: u32) -> u32 {
  var lo = 0u;
  var hi = HIDDEN;
  while (lo < hi) {
    let mid = (lo + hi + 1u) / 2u;
    if (segs[mid] <= i) {
      lo = mid;
    } else {
      hi = mid - 1u;
    }
  }
  return lo;
}

@compute @workgroup_size(WG)
fn piecewise_points(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_index) lid: u32) {
  let r = flat_invocation(wid, nwg, lid);
  if (r >= dims.runs) {
    return;
  }
  let n_points = f32(dims.n);
  let first = r * dims.run_len;
  let end = min(dims.n, first + dims.run_len);
  var loss = 0.0;
  var k = segment_of(first);
  var start = first;
  loop {
    let to = min(end, segs[k + 1u]);
    let line = lines[k];
    var sums = vec2f(0.0);
    for (var i = start; i < to; i++) {
      let x = xs[i];
      let y = ys[i];
      let z = linear_forward_term(line.y, x, line.x);
      loss += head_loss(z, y);
      let dz = head_dlogit(z, y, n_points);
      sums += vec2f(dz, linear_backward_weight_term(dz, x));
    }
    partials[k * dims.runs + r] = sums;
    if (to >= end) {
      break;
    }
    start = to;
    k++;
  }
  partials[(HIDDEN + 1u) * dims.runs + r] = vec2f(loss, 0.0);
}
