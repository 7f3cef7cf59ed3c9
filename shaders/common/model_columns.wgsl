// model_columns: forward, loss and backward of Linear(1,H) -> ReLU -> Linear(H,1) -> head (the
// loss of ops/head.wgsl on the logit) for a run of points, added into the calling invocation's
// own column of partial sums (common/resident_chunk.wgsl clears and sums the columns). The
// resident kernel's model for 1-H-1.
//
//   theta  (THETA_COPIES, P)  the parameters, copied into workgroup memory by the kernel; the
//                             current copy starts at theta_at (resident keeps two: it writes an
//                             epoch's update into the copy that epoch did not read)
//   acc    (COLUMNS, WG)      column c of invocation t at c·WG + t: the P gradients, then the loss
//
// Each invocation takes a contiguous run of points. Up to four hidden units everything lives in
// vec4 registers; wider layers take points in blocks of BLOCK, four units at a time, so each
// group's weights are read once per block and its gradient sums stay in registers. Each invocation
// owns its column, so accumulating needs no barrier; one tree at the end does.
// The gradient at the logit is ops/head.wgsl's: NaN where the logit is not finite.
// Needs from the kernel: `override WG`, the inputs and labels as `xs`, `ys: array<vec4f>` (the
// buffers are zero-padded to a multiple of 4 points), ops/{linear,relu,sigmoid,bce,head}.wgsl and
// common/finite.wgsl.

override HIDDEN: u32 = 2;
override PARAMS: u32 = 3u * HIDDEN + 1u;
override COLUMNS: u32 = PARAMS + 1u;
override THETA_COPIES: u32 = 1u;

const BLOCK: u32 = 32u;

var<workgroup> theta: array<f32, THETA_COPIES * PARAMS>;
// Where the current parameters start in theta: 0, or PARAMS for resident's second copy.
var<private> theta_at: u32 = 0u;
var<workgroup> acc: array<f32, WG * COLUMNS>;

// Adds points first .. end-1 (this invocation's contiguous run; first is a multiple of 4) into
// column lid. n_points is N as a float, the mean's divisor in the loss gradient.
fn accumulate_points(lid: u32, first: u32, end: u32, n_points: f32) {
  if (HIDDEN <= 4u) {
    accumulate_points_in_registers(lid, first, end, n_points);
  } else {
    accumulate_points_in_blocks(lid, first, end, n_points);
  }
}

// The model of the register path: up to four hidden units in vec4s. Unused units have zero
// weights and bias: they add exact zeros to the logit and get gradients that are never written.
var<private> reg_w1: vec4f;
var<private> reg_b1: vec4f;
var<private> reg_w2: vec4f;
var<private> reg_b2: f32;

struct RegisterSums {
  w1: vec4f,
  b1: vec4f,
  w2: vec4f,
  b2: f32,
  loss: f32,
}

// Four hidden units at a time, each op applied per component through the scalar formulas of
// ops/, so no formula is written twice.
fn preact4(x: f32, w1: vec4f, b1: vec4f) -> vec4f {
  return vec4f(linear_forward_term(0.0, x, w1.x), linear_forward_term(0.0, x, w1.y),
               linear_forward_term(0.0, x, w1.z), linear_forward_term(0.0, x, w1.w)) + b1;
}

fn relu4(z: vec4f) -> vec4f {
  return vec4f(relu_forward(z.x), relu_forward(z.y), relu_forward(z.z), relu_forward(z.w));
}

// The logit's running sum over four more units, in unit order (as the unfused kernels add).
fn logit_terms4(acc: f32, h: vec4f, w2: vec4f) -> f32 {
  var logit = acc;
  logit = linear_forward_term(logit, h.x, w2.x);
  logit = linear_forward_term(logit, h.y, w2.y);
  logit = linear_forward_term(logit, h.z, w2.z);
  return linear_forward_term(logit, h.w, w2.w);
}

// dZ1 of four units from the logit's gradient.
fn hidden_grad4(dz2: f32, w2: vec4f, z: vec4f) -> vec4f {
  return vec4f(relu_backward(linear_backward_input_term(0.0, dz2, w2.x), z.x),
               relu_backward(linear_backward_input_term(0.0, dz2, w2.y), z.y),
               relu_backward(linear_backward_input_term(0.0, dz2, w2.z), z.z),
               relu_backward(linear_backward_input_term(0.0, dz2, w2.w), z.w));
}

fn weight_grad4(dy: vec4f, x: f32) -> vec4f {
  return vec4f(linear_backward_weight_term(dy.x, x), linear_backward_weight_term(dy.y, x),
               linear_backward_weight_term(dy.z, x), linear_backward_weight_term(dy.w, x));
}

fn weight_grad4_by(dy: f32, h: vec4f) -> vec4f {
  return vec4f(linear_backward_weight_term(dy, h.x), linear_backward_weight_term(dy, h.y),
               linear_backward_weight_term(dy, h.z), linear_backward_weight_term(dy, h.w));
}

// One point through the whole model (up to four units, in registers).
fn add_point(s: ptr<function, RegisterSums>, x: f32, y: f32, n_points: f32) {
  let z1 = preact4(x, reg_w1, reg_b1);
  let h = relu4(z1);
  let z2 = logit_terms4(0.0, h, reg_w2) + reg_b2;
  let dz2 = head_dlogit(z2, y, n_points);
  let dz1 = hidden_grad4(dz2, reg_w2, z1);
  (*s).loss += head_loss(z2, y);
  (*s).b2 += dz2;
  (*s).w1 += weight_grad4(dz1, x);
  (*s).b1 += dz1;
  (*s).w2 += weight_grad4_by(dz2, h);
}

// Up to four hidden units: the model and every running sum live in registers, and points come in
// fours (one vec4 load of x and one of y), so the loop touches memory twice per four points.
fn accumulate_points_in_registers(lid: u32, first: u32, end: u32, n_points: f32) {
  reg_w1 = vec4f(0.0);
  reg_b1 = vec4f(0.0);
  reg_w2 = vec4f(0.0);
  for (var j = 0u; j < HIDDEN; j++) {
    reg_w1[j] = theta[theta_at + j];
    reg_b1[j] = theta[theta_at + HIDDEN + j];
    reg_w2[j] = theta[theta_at + 2u * HIDDEN + j];
  }
  reg_b2 = theta[theta_at + 3u * HIDDEN];
  var s = RegisterSums(vec4f(0.0), vec4f(0.0), vec4f(0.0), 0.0, 0.0);
  for (var n = first; n < end; n += 4u) {
    let x = xs[n / 4u];
    let y = ys[n / 4u];
    add_point(&s, x.x, y.x, n_points);
    if (n + 1u < end) { add_point(&s, x.y, y.y, n_points); }
    if (n + 2u < end) { add_point(&s, x.z, y.z, n_points); }
    if (n + 3u < end) { add_point(&s, x.w, y.w, n_points); }
  }
  for (var j = 0u; j < HIDDEN; j++) {
    acc[j * WG + lid] += s.w1[j];
    acc[(HIDDEN + j) * WG + lid] += s.b1[j];
    acc[(2u * HIDDEN + j) * WG + lid] += s.w2[j];
  }
  acc[3u * HIDDEN * WG + lid] += s.b2;
  acc[PARAMS * WG + lid] += s.loss;
}

// Units j .. j+3 of a flat parameter block starting at `at` of the current parameters, zero past HIDDEN.
fn theta4(at: u32, j: u32) -> vec4f {
  var v = vec4f(0.0);
  for (var i = 0u; i < 4u && j + i < HIDDEN; i++) {
    v[i] = theta[theta_at + at + j + i];
  }
  return v;
}

// Any width: points in blocks of BLOCK, four units at a time; each group's weights are read once
// per block and its gradient sums stay in registers. Units past HIDDEN in the last group have zero
// weights: they add exact zeros and their gradients are never written.
fn accumulate_points_in_blocks(lid: u32, first: u32, end: u32, n_points: f32) {
  let w1 = 0u;
  let b1 = HIDDEN;
  let w2 = 2u * HIDDEN;
  let b2 = 3u * HIDDEN;
  var x: array<f32, BLOCK>;
  var logit: array<f32, BLOCK>;
  var dz2: array<f32, BLOCK>;
  for (var start = first; start < end; start += BLOCK) {
    let count = min(BLOCK, end - start);
    for (var k = 0u; k < count; k++) {
      x[k] = xs[(start + k) / 4u][(start + k) % 4u];
      logit[k] = 0.0;
    }
    // forward: the logit of every point of the block, four units at a time, in unit order
    for (var j = 0u; j < HIDDEN; j += 4u) {
      let w1j = theta4(w1, j);
      let b1j = theta4(b1, j);
      let w2j = theta4(w2, j);
      for (var k = 0u; k < count; k++) {
        logit[k] = logit_terms4(logit[k], relu4(preact4(x[k], w1j, b1j)), w2j);
      }
    }
    // loss and the gradient at the logit
    var loss = 0.0;
    var g_b2 = 0.0;
    for (var k = 0u; k < count; k++) {
      let y = ys[(start + k) / 4u][(start + k) % 4u];
      let z2 = logit[k] + theta[theta_at + b2];
      dz2[k] = head_dlogit(z2, y, n_points);
      loss += head_loss(z2, y);
      g_b2 += dz2[k];
    }
    acc[PARAMS * WG + lid] += loss;
    acc[b2 * WG + lid] += g_b2;
    // backward, four units at a time; the activations are recomputed (two multiply-adds a unit)
    // rather than kept in an (H, BLOCK) array the compiler cannot size (H is an override)
    for (var j = 0u; j < HIDDEN; j += 4u) {
      let w1j = theta4(w1, j);
      let b1j = theta4(b1, j);
      let w2j = theta4(w2, j);
      var g_w1 = vec4f(0.0);
      var g_b1 = vec4f(0.0);
      var g_w2 = vec4f(0.0);
      for (var k = 0u; k < count; k++) {
        let z1 = preact4(x[k], w1j, b1j);
        let dz1 = hidden_grad4(dz2[k], w2j, z1);
        g_w1 += weight_grad4(dz1, x[k]);
        g_b1 += dz1;
        g_w2 += weight_grad4_by(dz2[k], relu4(z1));
      }
      for (var i = 0u; i < 4u && j + i < HIDDEN; i++) {
        acc[(w1 + j + i) * WG + lid] += g_w1[i];
        acc[(b1 + j + i) * WG + lid] += g_b1[i];
        acc[(w2 + j + i) * WG + lid] += g_w2[i];
      }
    }
  }
}

