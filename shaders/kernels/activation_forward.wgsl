// activation_forward: A = activation(A), in place (ops/activation.wgsl's ACTIVATION: ReLU, Sigmoid, Tanh)
//   act  (COUNT)  pre-activation in, activation out
// Invocations stride over the elements (common/grid.wgsl). In place because activation_backward
// takes the activation's output instead of the pre-activation (as torch's relu, sigmoid and tanh
// backward kernels do), which saves an (N, H) buffer.
// Uses ops/relu.wgsl, ops/sigmoid.wgsl, ops/activation.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> act: array<f32>;
@group(0) @binding(1) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn activation_forward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                              @builtin(local_invocation_index) lid: u32) {
  for (var i = flat_invocation(wid, nwg, lid); i < size.count; i += dispatch_invocations(nwg)) {
    act[i] = activation_forward(act[i]);
  }
}
