// maxpool_forward: MaxPool2d((k,k)), stride k, floor mode, with torch's argmax (ops/maxpool.wgsl)
//   out     (N, C, PH, PW)  output: the max of each k × k window
//   argmax  (N, C, PH, PW)  output (u32): y·W + x of the value taken, in its input plane
//   x       (N, C, H, W)    input
// Invocations stride over the N·C·PH·PW outputs (common/grid.wgsl), one window each, scanned p then q.
// Uses ops/maxpool.wgsl and common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<uniform> dims: MaxPoolDims;

@compute @workgroup_size(WG)
fn maxpool_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let per_plane = dims.ph * dims.pw;
  for (var e = flat_invocation(wid, nwg, lid); e < dims.planes * per_plane; e += dispatch_invocations(nwg)) {
    let plane = e / per_plane;
    let y0 = ((e % per_plane) / dims.pw) * dims.k;
    let x0 = (e % dims.pw) * dims.k;
    let base = plane * dims.h * dims.w;
    // torch starts from -inf and the first element; taking the first element outright is the same
    var at = y0 * dims.w + x0;
    var best = x[base + at];
    for (var p = 0u; p < dims.k; p++) {
      for (var q = 0u; q < dims.k; q++) {
        let i = (y0 + p) * dims.w + x0 + q;
        let v = x[base + i];
        if ((p != 0u || q != 0u) && pool_takes(v, best)) {
          best = v;
          at = i;
        }
      }
    }
    out[e] = best;
    argmax[e] = at;
  }
}
