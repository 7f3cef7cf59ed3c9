// sigmoid_backward: G = G ⊙ (1 - P) ⊙ P, in place
//   grad  (COUNT)  dP in, dZ out
//   prob  (COUNT)  the sigmoid's output
// One invocation per element. Uses ops/sigmoid.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> grad: array<f32>;
@group(0) @binding(1) var<storage, read> prob: array<f32>;
@group(0) @binding(2) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn sigmoid_backward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                            @builtin(local_invocation_index) lid: u32) {
  let i = flat_invocation(wid, nwg, lid);
  if (i < size.count) {
    grad[i] = sigmoid_backward(grad[i], prob[i]);
  }
}
