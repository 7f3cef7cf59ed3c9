// dropout_inplace: V[i] = kept(i) ? V[i]·keep_scale : 0, in place, for one hidden layer's (N, OUT)
// values in one epoch. The same op runs forward (on the ReLU's output) and backward (on the
// gradient at it): inverted dropout's Jacobian is the same diagonal mask·scale. The mask is
// common/dropout.wgsl's hash of (seed, epoch, layer, element i = n·OUT + o), the very mask the fused
// strategy's gemm_forward epilogue draws. The unfused strategy's op; invocations stride over the
// elements (common/grid.wgsl).
//   values  (COUNT)  in place
//   steps   (K)      the chunk's AdamStep: steps[epoch.k].epoch seeds the mask
// Uses ops/adam.wgsl, common/grid.wgsl, common/epoch.wgsl, common/dropout.wgsl.

override WG: u32 = 64;

struct DropoutDims {
  count: u32,
  seed: u32,
  layer: u32,
  drop_threshold: u32, // round(p·2³²)
  keep_scale: f32,     // 1/(1-p)
}

@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@group(0) @binding(1) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(2) var<uniform> dims: DropoutDims;
@group(0) @binding(3) var<uniform> epoch: EpochIndex;

@compute @workgroup_size(WG)
fn dropout_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                   @builtin(local_invocation_index) lid: u32) {
  let stream = dropout_stream(dims.seed, steps[epoch.k].epoch, dims.layer);
  for (var i = flat_invocation(wid, nwg, lid); i < dims.count; i += dispatch_invocations(nwg)) {
    values[i] = select(0.0, values[i] * dims.keep_scale, dropout_keep(stream, i, dims.drop_threshold));
  }
}
