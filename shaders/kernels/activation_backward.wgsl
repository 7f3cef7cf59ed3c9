// activation_backward: G = activation_backward(G, A), in place (ops/activation.wgsl's ACTIVATION)
//   grad  (COUNT)  dA in, dZ out
//   act   (COUNT)  the activation activation_forward wrote (ReLU: positive exactly where z > 0)
// Invocations stride over the elements (common/grid.wgsl).
// Uses ops/relu.wgsl, ops/sigmoid.wgsl, ops/activation.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> grad: array<f32>;
@group(0) @binding(1) var<storage, read> act: array<f32>;
@group(0) @binding(2) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn activation_backward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                               @builtin(local_invocation_index) lid: u32) {
  for (var i = flat_invocation(wid, nwg, lid); i < size.count; i += dispatch_invocations(nwg)) {
    grad[i] = activation_backward(grad[i], act[i]);
  }
}
