// resident_mlp: K whole epochs of any small MLP [D, H1, ..., Hk, 1] (forward, loss, backward,
// reduction, Adam) in one dispatch of one workgroup, the parameters held in workgroup memory
// between epochs. The general sibling of resident_epochs (which stays the path for [1, H, 1]).
//   params, m, v  (P)      θ read at the start and written back at the end; m, v updated in place
//   loss_history  (K)      mean loss of each epoch of the dispatch
//   status        (2)      divergence status (common/status.wgsl): the dispatch stops at a bad epoch
//   x             (N, D)   inputs, row-major; y (N) labels
//   steps         (K)      per-epoch Adam scalars
//   dims                   N, K and the layer table (in, out, W offset, b offset of each Linear)
// Invocation t takes its contiguous run of ceil(N/WG) points, in order, and for each point runs
// the forward pass through the layer table (one point's pre-activations in private arrays of
// MAX_WIDTH units per layer), the head's loss and dlogit (ops/head.wgsl), and the backward pass,
// adding the point's gradient of every parameter, and its loss, into its own column of acc:
// no barrier while accumulating. A fixed tree over the columns (pairs (t, t + s), s = WG/2 .. 1,
// as common/model_columns.wgsl's sum_columns) gives each gradient and the loss sum.
// All or nothing, exactly as resident_epochs: θ has two copies; an epoch reads one and writes
// every new θ (adam_update_checked) into the other; invocation t owns parameters q ≡ t (mod WG)
// and keeps their gradients in its own column; one barrier decides: if any update or the loss
// failed, the epoch is flagged (refusal_reason) and nothing changes, and later epochs of the
// chunk update nothing; else the owners write m and v and the copies swap.
// Limits: widths (D included) up to MAX_WIDTH, up to MAX_LAYERS Linear layers (the host refuses
// others); workgroup memory 4·2P + 4·WG·(P+1) + 4 bytes, each variable rounded up to 16, must fit
// maxComputeWorkgroupStorageSize (the host checks). PARAMS is an override because it sizes
// workgroup memory; every other size comes from the table.
// Uses ops/{linear,relu,sigmoid,bce,head,adam}.wgsl, common/{finite,status,resident_chunk}.wgsl.

const MAX_WIDTH: u32 = 32u;
const MAX_LAYERS: u32 = 8u;

// One Linear layer of the flat block: Y (N, out_dim) = X (N, in_dim)·Wᵀ + b, W at w, b at b.
struct MlpLayer {
  in_dim: u32,
  out_dim: u32,
  w: u32,
  b: u32,
}

struct ResidentMlpDims {
  n: u32,
  epochs: u32,
  layers: u32,
  _pad: u32,
  table: array<MlpLayer, MAX_LAYERS>,
}

override WG: u32 = 4;
override PARAMS: u32 = 4u;
override COLUMNS: u32 = PARAMS + 1u;

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> loss_history: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: array<atomic<u32>, 2>;
@group(0) @binding(5) var<storage, read> xs: array<f32>;
@group(0) @binding(6) var<storage, read> ys: array<f32>;
@group(0) @binding(7) var<storage, read> steps: array<AdamStep>;
@group(0) @binding(8) var<uniform> hyper: AdamHyper;
@group(0) @binding(9) var<uniform> dims: ResidentMlpDims;

// Two copies of θ: the current one starts at theta_at (0 or PARAMS).
var<workgroup> theta: array<f32, 2 * PARAMS>;
var<private> theta_at: u32 = 0u;
// Column c of invocation t at c·WG + t: the P gradients, then the loss.
var<workgroup> acc: array<f32, WG * COLUMNS>;
// Set when an epoch must be refused (or an earlier chunk went bad); read back uniformly so the
// whole workgroup leaves the loop together.
var<workgroup> refused: u32;

// One point: units[0] its inputs, units[l] (l ≥ 1) hidden layer l's pre-activations (before ReLU).
var<private> units: array<array<f32, MAX_WIDTH>, MAX_LAYERS>;
// The gradient at the current layer's outputs, and at its inputs.
var<private> grad_out: array<f32, MAX_WIDTH>;
var<private> grad_in: array<f32, MAX_WIDTH>;

// Input i of Linear layer l: the point's feature, or the ReLU of the previous layer's unit.
fn layer_input(l: u32, i: u32) -> f32 {
  if (l == 0u) {
    return units[0][i];
  }
  return relu_forward(units[l][i]);
}

// The forward pass of point n; returns its logit and keeps the pre-activations in units.
fn forward_point(n: u32) -> f32 {
  let d = dims.table[0].in_dim;
  for (var i = 0u; i < d; i++) {
    units[0][i] = xs[n * d + i];
  }
  var logit = 0.0;
  for (var l = 0u; l < dims.layers; l++) {
    let layer = dims.table[l];
    for (var o = 0u; o < layer.out_dim; o++) {
      var z = theta[theta_at + layer.b + o]; // starts at the bias, as the other kernels do
      let row = theta_at + layer.w + o * layer.in_dim;
      for (var i = 0u; i < layer.in_dim; i++) {
        z = linear_forward_term(z, layer_input(l, i), theta[row + i]);
      }
      if (l + 1u < dims.layers) {
        units[l + 1u][o] = z;
      } else {
        logit = z;
      }
    }
  }
  return logit;
}

// The backward pass of the point forward_point last saw, from the gradient at its logit: adds
// every parameter's gradient into column lid.
fn backward_point(lid: u32, dlogit: f32) {
  grad_out[0] = dlogit;
  for (var back = 0u; back < dims.layers; back++) {
    let l = dims.layers - 1u - back;
    let layer = dims.table[l];
    for (var o = 0u; o < layer.out_dim; o++) {
      let dy = grad_out[o];
      acc[(layer.b + o) * WG + lid] += dy;
      let row = layer.w + o * layer.in_dim;
      for (var i = 0u; i < layer.in_dim; i++) {
        acc[(row + i) * WG + lid] += linear_backward_weight_term(dy, layer_input(l, i));
      }
    }
    if (l > 0u) {
      for (var i = 0u; i < layer.in_dim; i++) {
        var g = 0.0;
        for (var o = 0u; o < layer.out_dim; o++) {
          g = linear_backward_input_term(g, grad_out[o], theta[theta_at + layer.w + o * layer.in_dim + i]);
        }
        grad_in[i] = relu_backward(g, units[l][i]);
      }
      for (var i = 0u; i < layer.in_dim; i++) {
        grad_out[i] = grad_in[i];
      }
    }
  }
}


@compute @workgroup_size(WG)
fn resident_mlp(@builtin(local_invocation_index) lid: u32) {
  let n_points = f32(dims.n);
  let per_invocation = (dims.n + WG - 1u) / WG;
  let first = min(dims.n, lid * per_invocation);
  let end = min(dims.n, first + per_invocation);
  if (!resident_begin(lid)) {
    return;
  }

  for (var e = 0u; e < dims.epochs; e++) {
    clear_column(lid);
    for (var n = first; n < end; n++) {
      let y = ys[n];
      let logit = forward_point(n);
      acc[PARAMS * WG + lid] += head_loss(logit, y);
      backward_point(lid, head_dlogit(logit, y, n_points));
    }
    if (!resident_finish(lid, e, n_points)) {
      break;
    }
  }

  resident_end(lid);
}
