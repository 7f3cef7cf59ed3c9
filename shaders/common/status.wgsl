// status: divergence detection on the GPU, shared by every kernel that updates parameters.
//   status[0]  the first epoch (1-based) whose update was refused; 0 while none
//   status[1]  why: bit 0 (STATUS_LOSS) the epoch's mean loss was not finite; else bit 1
//              (STATUS_UPDATE) a gradient, or a parameter, m or v after the update, was not
// The rule is all or nothing: when anything of an epoch is not finite, no parameter, m or v
// changes in that epoch, and every later epoch updates nothing, so the state stays that of the
// epoch before. The host reads the status back with each loss chunk and stops there: no
// per-epoch readback. (A point whose logit is not finite makes every gradient NaN: see
// ops/head.wgsl.)
// Kernels that see a whole epoch in one workgroup (resident_epochs, piecewise_reduce_adam) compute
// every update with adam_update_checked, agree on a verdict across a barrier, then write only if
// no update failed, and report with refusal_reason. Needs the kernel's
// `status: array<atomic<u32>, 2>` storage binding, ops/adam.wgsl and common/finite.wgsl.

const STATUS_LOSS: u32 = 1u;
const STATUS_UPDATE: u32 = 2u;

// True once an earlier epoch went bad. Invocations of the bad epoch itself all still decide from
// that epoch's own values, so which of them runs first cannot change the result.
fn diverged_before(epoch: u32) -> bool {
  let first = atomicLoad(&status[0]);
  return first != 0u && first < epoch;
}

fn flag_divergence(epoch: u32, why: u32) {
  atomicStore(&status[0], epoch);
  atomicOr(&status[1], why);
}

// Why an epoch with this mean loss was refused: the loss if it is not finite, else an update.
fn refusal_reason(loss: f32) -> u32 {
  return select(STATUS_UPDATE, STATUS_LOSS, !is_finite(loss));
}

struct CheckedUpdate {
  state: AdamState,
  // false when the gradient or the new state is not finite: the epoch must be refused
  ok: bool,
}

// Adam, and whether its result may be kept.
fn adam_update_checked(s: AdamState, g: f32, h: AdamHyper, t: AdamStep) -> CheckedUpdate {
  let next = adam_update(s, g, h, t);
  return CheckedUpdate(next, is_finite(g) && is_finite(next.param) && is_finite(next.m) && is_finite(next.v));
}

struct GuardedUpdate {
  state: AdamState,
  // false when the update was refused: the epoch went bad
  ok: bool,
}

// One parameter's update `next` (Adam's or SGD's) of the state s by gradient g, refused (the state
// kept) when the step's mean loss, the gradient or the new state is not finite. It refuses this parameter's update only: kernels whose parameters are
// spread over workgroups cannot agree on a verdict within one dispatch.
fn update_guarded(s: AdamState, next: AdamState, g: f32, t: AdamStep, loss: f32) -> GuardedUpdate {
  if (!is_finite(loss)) {
    flag_divergence(t.epoch, STATUS_LOSS);
    return GuardedUpdate(s, false);
  }
  if (!(is_finite(g) && is_finite(next.param) && is_finite(next.m) && is_finite(next.v))) {
    flag_divergence(t.epoch, STATUS_UPDATE);
    return GuardedUpdate(s, false);
  }
  return GuardedUpdate(next, true);
}
