// sgd: one parameter's update, torch.optim.SGD with momentum 0, no dampening, weight decay or
// nesterov, as the course uses it:
//   θ ← θ + (-lr)·g            (param.add_(grad, alpha=-lr))
// The host writes the step's lr into AdamStep.step_size (SGD has no bias correction); m and v are
// left as they are. optimizer_update picks the optimizer by the OPTIMIZER override, so one pair of
// kernels (adam_check, adam_step) runs either. Uses ops/adam.wgsl.

override OPTIMIZER: u32 = 0u;

const OPTIMIZER_ADAM: u32 = 0u;
const OPTIMIZER_SGD: u32 = 1u;

fn sgd_update(s: AdamState, g: f32, t: AdamStep) -> AdamState {
  return AdamState(s.param + (-t.step_size) * g, s.m, s.v);
}

fn optimizer_update(s: AdamState, g: f32, h: AdamHyper, t: AdamStep) -> AdamState {
  if (OPTIMIZER == OPTIMIZER_SGD) {
    return sgd_update(s, g, t);
  }
  return adam_update(s, g, h, t);
}
