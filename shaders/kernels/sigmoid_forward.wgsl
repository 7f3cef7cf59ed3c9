// sigmoid_forward: P = sigmoid(Z), in place
//   out  (COUNT)  logits in, probabilities out
// One invocation per element. Uses ops/sigmoid.wgsl, common/grid.wgsl.

override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> size: Count;

@compute @workgroup_size(WG)
fn sigmoid_forward_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                           @builtin(local_invocation_index) lid: u32) {
  let i = flat_invocation(wid, nwg, lid);
  if (i < size.count) {
    out[i] = sigmoid_forward(out[i]);
  }
}
