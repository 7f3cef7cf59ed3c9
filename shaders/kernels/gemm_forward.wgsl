// gemm_forward: one Linear layer of the MLP with its epilogue, Y = epilogue(X·Wᵀ + b)
//   y       (N, OUT)  output, row-major
//   x       (N, IN)   input, row-major
//   params  flat      W (OUT, IN) row-major at w_offset, b (OUT) at b_offset
//   steps   (K)       the chunk's AdamStep; steps[epoch.k].epoch is the 1-based epoch number,
//                     which seeds the dropout mask so that every epoch drops different units
// EPILOGUE  0  y = z                          (the last layer: the logit)
//           1  y = relu(z)
//           2  y = relu(z)·keep_scale if kept, else 0   (inverted dropout, common/dropout.wgsl)
// with z = (Σ_i x[n,i]·W[o,i]) + b[o]: the dot product first, then the bias, as torch's addmm.
// Workgroup t (flattened from workgroup_id.xy) computes the TILE_M × TILE_N block t of Y, points
// down and outputs across, each invocation TM × TN of its elements (common/gemm_tiles.wgsl:
// A = X, B = Wᵀ, K = IN). Uses ops/adam.wgsl, ops/relu.wgsl, common/epoch.wgsl, common/grid.wgsl,
// common/dropout.wgsl, common/gemm_tiles.wgsl.

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
}

override EPILOGUE: u32 = 0;

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

// The epilogue of one output: the bias, then ReLU, then dropout, as the EPILOGUE override says.
var<private> dropout_stream_of_epoch: u32;

fn gemm_store(n: u32, o: u32, dot: f32) {
  var v = dot + params[dims.b_offset + o];
  if (EPILOGUE >= 1u) {
    v = relu_forward(v);
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
  gemm_tile(flat_workgroup(wid, nwg), lid, dims.n, dims.out_dim, 0u, dims.in_dim);
}
