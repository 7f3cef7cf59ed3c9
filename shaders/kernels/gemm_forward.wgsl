// gemm_forward: one Linear layer of the MLP with its epilogue, Y = epilogue(X·Wᵀ + b)
//   y       (N, OUT)  output, row-major
//   x       (N, IN)   input, row-major
//   params  flat      W (OUT, IN) row-major at w_offset, b (OUT) at b_offset
//   steps   (K)       the chunk's AdamStep; steps[epoch.k].epoch is the 1-based epoch number,
//                     which seeds the dropout mask so that every epoch drops different units
// EPILOGUE  0  y = z                          (the last layer: the logit)
//           1  y = activation(z)              (a hidden layer: ops/activation.wgsl's ACTIVATION)
//           2  y = relu(z)·keep_scale if kept, else 0   (inverted dropout, common/dropout.wgsl;
//              ReLU only: the backward mask reads the output, model/ops.ts refuses the others)
// with z = (Σ_i x[n,i]·W[o,i]) + b[o]: the dot product first, then the bias, as torch's addmm.
// Workgroup t (flattened from workgroup_id.xy) computes the TILE_M × TILE_N block t of Y, points
// down and outputs across, each invocation TM × TN of its elements (common/gemm_tiles.wgsl:
// A = X, B = Wᵀ, K = IN).
// Split-K, for an output of too few tiles to fill a GPU (MNIST's 1600×32 over K = 784, 05wk-1's
// 100×1 over K = 204 800): two dispatches of this kernel, with the same dims.
// SPLIT  0  the whole sum and the epilogue, as above (splits = 1, split_len = IN)
//        1  workgroup (t, s), s = workgroup_id.z < splits: the block t of the raw dot products over
//           i in [s·split_len, min(IN, (s+1)·split_len)), into y as partials (splits, N, OUT)
//        2  one invocation per output (flattened from workgroup_id.xy): z = (Σ_s partials[s,n,o]),
//           s ascending (loaded four at a time), then the bias and the epilogue; x binds the partials
// The order of every sum is fixed by split_len and the tiles alone, so reruns are bit-identical.
// Uses ops/adam.wgsl, ops/relu.wgsl, ops/sigmoid.wgsl, ops/activation.wgsl, common/epoch.wgsl, common/grid.wgsl, common/dropout.wgsl,
// common/gemm_tiles.wgsl.

struct GemmForwardDims {
  n: u32,
  in_dim: u32,
  out_dim: u32,
  w_offset: u32,
  b_offset: u32,
  dropout_seed: u32,
  layer: u32,            // the layer's index in the model: each layer gets its own mask
  drop_threshold: u32,   // round(p·2³²): a unit is kept when its hash is >= this
  keep_scale: f32,       // 1/(1-p)
  split_len: u32,        // inputs per split (IN when SPLIT = 0)
  splits: u32,           // 1 when SPLIT = 0
}

override EPILOGUE: u32 = 0;
override SPLIT: u32 = 0;

@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(4) var<uniform> dims: GemmForwardDims;
@group(0) @binding(5) var<uniform> epoch: EpochIndex;

const A_K_FASTEST = true;   // x[n·IN + i]
const B_C_FASTEST = false;  // W[o·IN + i]: along k

fn load_a(m: u32, k: u32) -> f32 {
  return x[m * dims.in_dim + k];
}

fn load_b(k: u32, c: u32) -> f32 {
  return params[dims.w_offset + c * dims.in_dim + k];
}

// The epilogue of one output: the bias, then the activation, then dropout, as the EPILOGUE override says.
var<private> dropout_stream_of_epoch: u32;
var<private> split: u32; // this workgroup's split s (SPLIT = 1)

fn gemm_store(n: u32, o: u32, dot: f32) {
  if (SPLIT == 1u) {
    y[(split * dims.n + n) * dims.out_dim + o] = dot;
  } else {
    epilogue_store(n, o, dot);
  }
}

fn epilogue_store(n: u32, o: u32, dot: f32) {
  var v = dot + params[dims.b_offset + o];
  if (EPILOGUE >= 1u) {
    v = activation_forward(v);
  }
  if (EPILOGUE == 2u) {
    v = select(0.0, v * dims.keep_scale, dropout_keep(dropout_stream_of_epoch, n * dims.out_dim + o, dims.drop_threshold));
  }
  y[n * dims.out_dim + o] = v;
}

@compute @workgroup_size(WG)
fn gemm_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) lid: u32) {
  if (EPILOGUE == 2u) {
    dropout_stream_of_epoch = dropout_stream(dims.dropout_seed, steps[epoch.k].epoch, dims.layer);
  }
  if (SPLIT == 2u) {
    let e = flat_invocation(wid, nwg, lid);
    let count = dims.n * dims.out_dim;
    if (e < count) {
      // Four splits a step: their loads issued together, then added in ascending s (the same
      // order, and the same bits, as one at a time; a split past the last is never added).
      var dot = 0.0;
      for (var s = 0u; s < dims.splits; s += 4u) {
        let more = dims.splits - s;
        let p0 = x[s * count + e];
        let p1 = select(0.0, x[min(s + 1u, dims.splits - 1u) * count + e], more > 1u);
        let p2 = select(0.0, x[min(s + 2u, dims.splits - 1u) * count + e], more > 2u);
        let p3 = select(0.0, x[min(s + 3u, dims.splits - 1u) * count + e], more > 3u);
        dot += p0;
        if (more > 1u) { dot += p1; }
        if (more > 2u) { dot += p2; }
        if (more > 3u) { dot += p3; }
      }
      epilogue_store(e / dims.out_dim, e % dims.out_dim, dot);
    }
    return;
  }
  split = wid.z; // the host dispatches exactly `splits` along z (1 when SPLIT = 0)
  // from wid.z, not the private copy: the uniformity analysis treats private variables as
  // varying, and the k range decides the barriers
  let k_begin = wid.z * dims.split_len;
  gemm_tile(flat_workgroup(vec3u(wid.xy, 0u), vec3u(nwg.xy, 1u)), lid, dims.n, dims.out_dim, k_begin, min(dims.in_dim, k_begin + dims.split_len));
}
