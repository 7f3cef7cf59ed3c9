// cross_entropy: torch.nn.CrossEntropyLoss (mean reduction) of one point's C logits z, as torch
// computes it: LogSoftmax, then NLLLoss (class indices) or -Σ target·log_softmax (probability rows).
//   lse           = max(z) + log(Σ_c exp(z_c - max(z)))        (torch's _vec_log_softmax_lastdim)
//   log_softmax_c = z_c - lse
//   loss          = -log_softmax_y, or -Σ_c t_c·log_softmax_c
//   dz_c          = g_c - exp(log_softmax_c)·Σ_c' g_c'          (log_softmax_backward, from its output)
//                   with g_c = -t_c / n, the gradient NLLLoss (mean over n points) sends back
// The kernel (kernels/ce_points.wgsl) loops over the point's logits and calls these per class.

// One class's log-probability from its logit and the point's log-sum-exp.
fn ce_log_softmax(z: f32, lse: f32) -> f32 {
  return z - lse;
}

// d(mean loss)/dz_c from the class's log-probability, its target t_c and the sum of the point's
// targets (1 for a class index or a one-hot row), over n points.
fn ce_dlogit(log_p: f32, t: f32, t_sum: f32, n: f32) -> f32 {
  let g = -t / n;
  return g - exp(log_p) * (-t_sum / n);
}
