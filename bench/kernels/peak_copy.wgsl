// The adapter's memory bandwidth: out = in, one vec4 per invocation per round of a grid-stride
// loop. Bytes: each byte read once and written once (bench/cost.ts copyKernelBytes).
override WG: u32 = 64;

@group(0) @binding(0) var<storage, read_write> dst: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn peak_copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * groups.y * WG;
  for (var i = gid.x + gid.y * groups.x * WG; i < arrayLength(&src); i += stride) {
    dst[i] = src[i];
  }
}
