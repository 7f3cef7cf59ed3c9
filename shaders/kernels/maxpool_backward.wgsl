// maxpool_backward: the gradient at MaxPool2d's input, routed to each window's argmax
//   dx      (N, C, H, W)    output: dOut[n,c,y/k,x/k] where argmax there is y·W + x, else 0
//   dout    (N, C, PH, PW)  the gradient at the pool's output
//   argmax  (N, C, PH, PW)  u32, from maxpool_forward.wgsl (or conv2d_pool_forward.wgsl)
//   pooled  (N, C, PH, PW)  the pool's output (read only with MASK = 1; bind any buffer else)
// MASK  0  the pool alone
//       1  a ReLU before the pool too: dx = 0 unless pooled > 0, as relu_backward on the relu'd
//          activation at the argmax (its value there is the pooled value)
// Every input element is written once, by its own invocation (a gather from its window: windows do
// not overlap), so no atomics and no separate clear. Invocations stride over N·C·H·W elements
// (common/grid.wgsl). Uses ops/relu.wgsl, ops/maxpool.wgsl and common/grid.wgsl.

override WG: u32 = 64;
override MASK: u32 = 0;

@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> argmax: array<u32>;
@group(0) @binding(3) var<storage, read> pooled: array<f32>;
@group(0) @binding(4) var<uniform> dims: MaxPoolDims;

@compute @workgroup_size(WG)
fn maxpool_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_index) lid: u32) {
  let per_plane = dims.h * dims.w;
  for (var e = flat_invocation(wid, nwg, lid); e < dims.planes * per_plane; e += dispatch_invocations(nwg)) {
    let i = e % per_plane;
    let pi = (i / dims.w) / dims.k;
    let pj = (i % dims.w) / dims.k;
    var g = 0.0;
    if (pi < dims.ph && pj < dims.pw) {
      let o = ((e / per_plane) * dims.ph + pi) * dims.pw + pj;
      if (argmax[o] == i) {
        g = dout[o];
        if (MASK == 1u) {
          g = relu_backward(g, pooled[o]);
        }
      }
    }
    dx[e] = g;
  }
}
