// wide_logits: the forward of the wide strategy without the (N,H) activations (kernel 1 of 3;
// layout in common/wide.wgsl).
//   partials  (S, N)  output: partials[s·N + n], slice s's part of point n's logit (without b2)
//   params    (P)     the flat block; this kernel reads W1, b1, W2
//   x         (N)     the inputs
// A 2-D grid: workgroup (s, t) takes slice s for points t·WG .. t·WG + WG - 1, one point an
// invocation. Each invocation walks its slice's units in ascending order, loading four units'
// (w, b, v) at a time (their loads issued together) and adding their terms in order: the same sum
// as one unit at a time. Every invocation of a workgroup reads the same units (a broadcast).
// Uses ops/linear.wgsl, ops/relu.wgsl and common/wide.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> partials: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<uniform> dims: WideDims;

@compute @workgroup_size(WG)
fn wide_logits(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let s = wid.x;
  let i = wid.y * WG + lid;
  if (i >= dims.n) {
    return;
  }
  let xi = x[i];
  let end = min(dims.hidden, (s + 1u) * dims.slice_len);
  var j = s * dims.slice_len;
  var acc = 0.0;
  while (j + 4u <= end) {
    let w = vec4f(params[dims.w1 + j], params[dims.w1 + j + 1u], params[dims.w1 + j + 2u], params[dims.w1 + j + 3u]);
    let b = vec4f(params[dims.b1 + j], params[dims.b1 + j + 1u], params[dims.b1 + j + 2u], params[dims.b1 + j + 3u]);
    let v = vec4f(params[dims.w2 + j], params[dims.w2 + j + 1u], params[dims.w2 + j + 2u], params[dims.w2 + j + 3u]);
    acc = wide_unit_term(acc, xi, w.x, b.x, v.x);
    acc = wide_unit_term(acc, xi, w.y, b.y, v.y);
    acc = wide_unit_term(acc, xi, w.z, b.z, v.z);
    acc = wide_unit_term(acc, xi, w.w, b.w, v.w);
    j += 4u;
  }
  while (j < end) {
    acc = wide_unit_term(acc, xi, params[dims.w1 + j], params[dims.b1 + j], params[dims.w2 + j]);
    j += 1u;
  }
  partials[s * dims.n + i] = acc;
}
