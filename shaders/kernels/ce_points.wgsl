// ce_points: CrossEntropyLoss of every point, from its C logits (ops/cross_entropy.wgsl):
//   loss    (N)     -log_softmax(z)_y, or -Σ_c t_c·log_softmax(z)_c    written when WRITE_LOSS
//   dlogit  (N, C)  d(mean loss)/dz                                    written when WRITE_DLOGIT
//   prob    (N, C)  softmax(z) = exp(log_softmax(z))                   written when WRITE_PROB
//   logit   (N, C)  the last Linear's output, row-major
//   y       (N)     class indices, as floats (TARGET_ROWS false), or
//           (N, C)  probability rows (TARGET_ROWS true: soft labels, or one-hot rows)
// The same bindings as head_points, so the strategies bind either head alike. A logit that is not
// finite makes the point's gradient NaN (common/finite.wgsl), so the epoch is refused, as the other
// heads do. Invocation i takes point i (grid-stride loop, common/grid.wgsl); C is small (classes).
// Uses ops/cross_entropy.wgsl, common/finite.wgsl, common/grid.wgsl.

override WG: u32 = 64;
override WRITE_LOSS: bool = true;
override WRITE_DLOGIT: bool = true;
override WRITE_PROB: bool = false;
override TARGET_ROWS: bool = false;

struct CeDims {
  count: u32,
  classes: u32,
  // the number of points the loss is averaged over, as a float (the gradient's 1/N)
  mean_over: f32,
}

@group(0) @binding(0) var<storage, read_write> loss: array<f32>;
@group(0) @binding(1) var<storage, read_write> dlogit: array<f32>;
@group(0) @binding(2) var<storage, read_write> prob: array<f32>;
@group(0) @binding(3) var<storage, read> logit: array<f32>;
@group(0) @binding(4) var<storage, read> y: array<f32>;
@group(0) @binding(5) var<uniform> dims: CeDims;

fn target_of(i: u32, c: u32) -> f32 {
  if (TARGET_ROWS) {
    return y[i * dims.classes + c];
  }
  return select(0.0, 1.0, u32(y[i]) == c);
}

@compute @workgroup_size(WG)
fn ce_points(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
             @builtin(local_invocation_index) lid: u32) {
  let classes = dims.classes;
  for (var i = flat_invocation(wid, nwg, lid); i < dims.count; i += dispatch_invocations(nwg)) {
    let row = i * classes;
    var top = logit[row];
    var bad = nan_unless_finite(top);
    for (var c = 1u; c < classes; c++) {
      let z = logit[row + c];
      top = max(top, z);
      bad += nan_unless_finite(z);
    }
    var sum = 0.0;
    for (var c = 0u; c < classes; c++) {
      sum += exp(logit[row + c] - top);
    }
    // NaN when any logit is not finite: WGSL's max may drop a NaN, so pass it on by hand
    let lse = top + log(sum) + bad;
    if (WRITE_LOSS) {
      var l = 0.0;
      if (TARGET_ROWS) {
        for (var c = 0u; c < classes; c++) {
          l -= y[row + c] * ce_log_softmax(logit[row + c], lse);
        }
      } else {
        l = -ce_log_softmax(logit[row + u32(y[i])], lse);
      }
      loss[i] = l;
    }
    if (WRITE_DLOGIT) {
      var t_sum = 1.0;
      if (TARGET_ROWS) {
        t_sum = 0.0;
        for (var c = 0u; c < classes; c++) {
          t_sum += y[row + c];
        }
      }
      for (var c = 0u; c < classes; c++) {
        // + bad: WGSL leaves exp(NaN) to the implementation, so the NaN is added by hand
        dlogit[row + c] = ce_dlogit(ce_log_softmax(logit[row + c], lse), target_of(i, c), t_sum, dims.mean_over) + bad;
      }
    }
    if (WRITE_PROB) {
      for (var c = 0u; c < classes; c++) {
        prob[row + c] = exp(ce_log_softmax(logit[row + c], lse)) + bad;
      }
    }
  }
}
