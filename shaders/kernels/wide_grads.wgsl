// wide_grads: the gradients of the wide strategy, unit by unit (kernel 3 of 3; layout in
// common/wide.wgsl).
//   grads   (P)            output: dW1, db1, dW2 at the layer table's offsets, and db2
//   params  (P)            the flat block; this kernel reads W1, b1, W2
//   x       (⌈N/4⌉) vec4f  the inputs, zero-padded (buffers.ts padToVec4)
//   dlogit  (⌈N/4⌉) vec4f  from wide_head, zero-padded
// Invocations stride over the units (common/grid.wgsl: one unit an invocation on a GPU plan, a few
// workgroups looping over them on a software one). For unit j, the points in ascending order, four
// loaded at a time: z = w_j·x + b_j recomputed as the forward computed it, then
//   dW2_j = Σ dlogit·relu(z)   dz = dlogit·v_j·[z > 0]   dW1_j = Σ dz·x   db1_j = Σ dz
// and unit 0's invocation also writes db2 = Σ dlogit, in the same order. No (N,H) buffer.
// Uses ops/linear.wgsl, ops/relu.wgsl, common/grid.wgsl and common/wide.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> grads: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<vec4f>;
@group(0) @binding(3) var<storage, read> dlogit: array<vec4f>;
@group(0) @binding(4) var<uniform> dims: WideDims;

@compute @workgroup_size(WG)
fn wide_grads(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
              @builtin(local_invocation_index) lid: u32) {
  let n = dims.n;
  for (var j = flat_invocation(wid, nwg, lid); j < dims.hidden; j += dispatch_invocations(nwg)) {
    let w = params[dims.w1 + j];
    let b = params[dims.b1 + j];
    let v = params[dims.w2 + j];
    var acc = vec4f(0.0); // (dW1, db1, dW2, db2)
    for (var q = 0u; 4u * q < n; q++) {
      let xs = x[q];
      let ds = dlogit[q];
      acc = wide_unit_grads(acc, xs.x, ds.x, w, b, v);
      if (4u * q + 1u < n) { acc = wide_unit_grads(acc, xs.y, ds.y, w, b, v); }
      if (4u * q + 2u < n) { acc = wide_unit_grads(acc, xs.z, ds.z, w, b, v); }
      if (4u * q + 3u < n) { acc = wide_unit_grads(acc, xs.w, ds.w, w, b, v); }
    }
    grads[dims.w1 + j] = acc.x;
    grads[dims.b1 + j] = acc.y;
    grads[dims.w2 + j] = acc.z;
    if (j == 0u) {
      grads[dims.b2] = acc.w;
    }
  }
}
