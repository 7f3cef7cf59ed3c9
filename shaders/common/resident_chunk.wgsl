// resident_chunk: what both resident kernels (resident_epochs, resident_mlp) do around each epoch of
// a chunk that one workgroup runs in one dispatch.
//   resident_begin   refuses the chunk when an earlier one went bad, else loads θ into workgroup memory
//   resident_finish  ends epoch e: the per-invocation gradient columns summed (sum_columns), the
//                    mean loss into loss_history[e], every Adam update computed and checked, one
//                    verdict across the workgroup, then every update written, or none
//                    (common/status.wgsl's all-or-nothing rule); false when the epoch was refused
// θ has two copies: an epoch reads the one at theta_at and writes the other, so a refused epoch
// leaves the current one whole; m and v are written only after the verdict.
// Each invocation sums its points' gradients (and loss, last) into its own column of acc; the
// columns are cleared and summed here, by a fixed tree, so reruns are bit-identical.
// Needs, in the kernel: theta (2 · PARAMS), theta_at, acc (WG columns of COLUMNS = PARAMS + 1
// sums, column c of invocation t at c·WG + t), refused, and the bindings params, m, v,
// loss_history, status, steps, hyper. Uses ops/adam.wgsl, common/finite.wgsl and common/status.wgsl.

fn clear_column(lid: u32) {
  for (var c = 0u; c < COLUMNS; c++) {
    acc[c * WG + lid] = 0.0;
  }
}

// Sums every column over the invocations into acc[c·WG] with a fixed tree; all invocations call it.
// Level s adds acc[c·WG + i + s] into acc[c·WG + i] for i < s, in every column: its COLUMNS·s
// additions are shared out over all WG invocations (item c·s + i), so a level costs each
// invocation ⌈COLUMNS·s/WG⌉ steps rather than COLUMNS. Which invocation adds a pair does not
// change the pair, so the sums are the same bits as one invocation per i.
fn sum_columns(lid: u32) {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    for (var item = lid; item < COLUMNS * s; item += WG) {
      let at = (item / s) * WG + item % s;
      acc[at] += acc[at + s];
    }
  }
  workgroupBarrier();
}

// False when the chunk must not run: an earlier epoch was refused. Every invocation calls it.
fn resident_begin(lid: u32) -> bool {
  if (lid == 0u) {
    refused = select(0u, 1u, atomicLoad(&status[0]) != 0u); // an earlier chunk went bad
  }
  if (workgroupUniformLoad(&refused) != 0u) {
    return false;
  }
  for (var q = lid; q < PARAMS; q += WG) {
    theta[q] = params[q];
  }
  workgroupBarrier();
  return true;
}

// Ends epoch e of the chunk over n_points points. Every invocation calls it, in uniform control flow.
fn resident_finish(lid: u32, e: u32, n_points: f32) -> bool {
  let current = theta_at;
  let next = PARAMS - current;
  sum_columns(lid);
  let loss = acc[PARAMS * WG] / n_points;
  var ok = is_finite(loss);
  for (var q = lid; q < PARAMS; q += WG) {
    let g = acc[q * WG];
    acc[q * WG + lid] = g; // kept for after the barrier, in this invocation's own column
    let update = adam_update_checked(AdamState(theta[current + q], m[q], v[q]), g, hyper, steps[e]);
    theta[next + q] = update.state.param;
    ok = ok && update.ok;
  }
  if (!ok) {
    refused = 1u; // every writer writes the same value
  }
  if (lid == 0u) {
    loss_history[e] = loss;
  }
  if (workgroupUniformLoad(&refused) != 0u) {
    if (lid == 0u) {
      flag_divergence(steps[e].epoch, refusal_reason(loss));
    }
    return false;
  }
  for (var q = lid; q < PARAMS; q += WG) {
    let state = adam_update(AdamState(theta[current + q], m[q], v[q]), acc[q * WG + lid], hyper, steps[e]);
    m[q] = state.m;
    v[q] = state.v;
  }
  theta_at = next;
  return true;
}

// Writes the current θ back to params at the end of the chunk.
fn resident_end(lid: u32) {
  for (var q = lid; q < PARAMS; q += WG) {
    params[q] = theta[theta_at + q];
  }
}
