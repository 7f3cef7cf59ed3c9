// The adapter's FMA throughput: each invocation runs ITERATIONS rounds of 8 independent vec4
// multiply-adds (8 chains, so no round waits on the last), 8 · 4 lanes · 2 = 64 FLOPs a round:
// with FUSED = 1 the fma() builtin, else `a * b + c` as the GEMM kernels write it (a software
// adapter may emulate fma() exactly, far slower than its own multiply and add). The sum is written so the compiler cannot drop the loop; the seed comes from memory so it
// cannot fold it. FLOPs: invocations · ITERATIONS · 64 (bench/cost.ts fmaKernelFlops).
override WG: u32 = 64;
override ITERATIONS: u32 = 1024;
override FUSED: bool = true;

fn mad(a: vec4<f32>, b: vec4<f32>, c: vec4<f32>) -> vec4<f32> {
  if (FUSED) {
    return fma(a, b, c);
  }
  return a * b + c;
}

@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> seed: vec4<f32>;

@compute @workgroup_size(WG)
fn peak_fma(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  let b = seed * 0.999;
  let c = seed * 0.001;
  var a0 = seed + f32(i & 7u);
  var a1 = a0 + 1.0;
  var a2 = a0 + 2.0;
  var a3 = a0 + 3.0;
  var a4 = a0 + 4.0;
  var a5 = a0 + 5.0;
  var a6 = a0 + 6.0;
  var a7 = a0 + 7.0;
  for (var k = 0u; k < ITERATIONS; k++) {
    a0 = mad(a0, b, c);
    a1 = mad(a1, b, c);
    a2 = mad(a2, b, c);
    a3 = mad(a3, b, c);
    a4 = mad(a4, b, c);
    a5 = mad(a5, b, c);
    a6 = mad(a6, b, c);
    a7 = mad(a7, b, c);
  }
  out[i] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
}
