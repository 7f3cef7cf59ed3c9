// split_sum: one row's split-K partials summed in ascending split order, the order every reduction
// of partials uses (split_k_reduce, gradient_reduce), so they write the same bits.
// Needs the kernel's `partials: array<f32>` binding.

// Σ_s partials[at + s] for s = 0 .. splits-1: four partials a step, their loads issued together,
// then added in ascending s (the same order, and the same bits, as one at a time; a split past the
// last is read clamped and never added).
fn split_row_sum(at: u32, splits: u32) -> f32 {
  var total = 0.0;
  let last = at + splits - 1u;
  for (var s = 0u; s < splits; s += 4u) {
    let more = splits - s;
    let p0 = partials[at + s];
    let p1 = partials[min(at + s + 1u, last)];
    let p2 = partials[min(at + s + 2u, last)];
    let p3 = partials[min(at + s + 3u, last)];
    total += p0;
    if (more > 1u) { total += p1; }
    if (more > 2u) { total += p2; }
    if (more > 3u) { total += p3; }
  }
  return total;
}
