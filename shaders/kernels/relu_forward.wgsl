// relu_forward: A = relu(A), in place
//   act  (COUNT)  pre-activation in, activation out
// Invocations stride over the elements (common/grid.wgsl). In place because relu_backward can
// test the activation instead of the pre-activation (max(z, 0) > 0 exactly when z > 0), which
// saves an (N, H) buffer.
// Uses ops/relu.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> act: array<f32>;
@group(0) @binding(1) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn relu_forward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                      @builtin(local_invocation_index) lid: u32) {
  for (var i = flat_invocation(wid, nwg, lid); i < size.count; i += dispatch_invocations(nwg)) {
    act[i] = relu_forward(act[i]);
  }
}
