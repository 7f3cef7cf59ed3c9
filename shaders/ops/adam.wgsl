// adam: one parameter's update, torch.optim.Adam (amsgrad off, no weight decay).
//   m ← β1·m + (1-β1)·g
//   v ← β2·v + (1-β2)·g·g
//   θ ← θ + (-step_size·m) / (sqrt(v) / bc2_sqrt + eps)
// step_size = lr / (1 - β1^t) and bc2_sqrt = sqrt(1 - β2^t) are computed per step on the host in
// double precision, and 1-β1, 1-β2 too, exactly as torch computes them in Python floats before
// they reach its float32 kernels (1 - 0.9f in float32 would be 0.100000024, not 0.1).

struct AdamHyper {
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
}

// One optimizer step's scalars (a chunk holds one per step, indexed by the step's slot k, which is
// also its loss slot): `epoch` is the global 1-based optimizer step t, an epoch's number in full
// batch; it seeds the step's dropout masks and names the step in status reports.
struct AdamStep {
  step_size: f32,
  bc2_sqrt: f32,
  epoch: u32,
  _pad: u32,
}

struct AdamState {
  param: f32,
  m: f32,
  v: f32,
}

fn adam_update(s: AdamState, g: f32, h: AdamHyper, t: AdamStep) -> AdamState {
  let m = s.m * h.beta1 + h.one_minus_beta1 * g;       // exp_avg.mul_(β1).add_(g, alpha=1-β1)
  let v = s.v * h.beta2 + h.one_minus_beta2 * g * g;   // exp_avg_sq.mul_(β2).addcmul_(g, g, value=1-β2)
  let denom = sqrt(v) / t.bc2_sqrt + h.eps;
  return AdamState(s.param + (-t.step_size * m) / denom, m, v); // param.addcdiv_(m, denom, value=-step_size)
}
