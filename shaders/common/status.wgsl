// status: divergence detection on the GPU, shared by every kernel that updates parameters.
//   status[0]  the first epoch (1-based) whose loss or whose update was not finite; 0 while none
//   status[1]  why: bit 0 the loss, bit 1 an update
// An update in such an epoch is refused, and every later epoch updates nothing, so the
// parameters stay the last finite ones. The host reads the status back with each loss chunk and
// stops there: no per-epoch readback. Needs the kernel's `status: array<atomic<u32>, 2>` storage
// binding, ops/adam.wgsl and common/finite.wgsl.

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

struct GuardedUpdate {
  state: AdamState,
  // false when the update was refused: the epoch went bad
  ok: bool,
}

// Adam, refused (the state kept) when the epoch's mean loss or the new state is not finite.
fn adam_update_guarded(s: AdamState, g: f32, h: AdamHyper, t: AdamStep, loss: f32) -> GuardedUpdate {
  if (!is_finite(loss)) {
    flag_divergence(t.epoch, STATUS_LOSS);
    return GuardedUpdate(s, false);
  }
  let next = adam_update(s, g, h, t);
  if (!is_finite(next.param) || !is_finite(next.m) || !is_finite(next.v)) {
    flag_divergence(t.epoch, STATUS_UPDATE);
    return GuardedUpdate(s, false);
  }
  return GuardedUpdate(next, true);
}
