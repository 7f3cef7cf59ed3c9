// activation: a hidden layer's element-wise activation A = f(Z), chosen by the ACTIVATION override
// (model/layout.ts ACTIVATION_CODE), and its gradient from the activation's OUTPUT a, as torch's
// backward kernels take it (so no pre-activation buffer is kept):
//   ACTIVATION  0  ReLU     a = max(z, 0)            dz = dy where a > 0, else 0 (threshold_backward)
//              1  Sigmoid  a = 1 / (1 + exp(-z))    dz = dy · (1 - a) · a       (sigmoid_backward)
//              2  Tanh     a = tanh(z)              dz = dy · (1 - a²)          (tanh_backward)
// ReLU's backward from the output is exact: max(z, 0) > 0 exactly when z > 0. torch's float32
// formulas, in torch's order of operations (ATen's CPU kernels). Uses ops/relu.wgsl and
// ops/sigmoid.wgsl.

override ACTIVATION: u32 = 0;

fn tanh_forward(z: f32) -> f32 {
  return tanh(z);
}

fn tanh_backward(dy: f32, a: f32) -> f32 {
  return dy * (1.0 - a * a);
}

fn activation_forward(z: f32) -> f32 {
  if (ACTIVATION == 1u) {
    return sigmoid_forward(z);
  }
  if (ACTIVATION == 2u) {
    return tanh_forward(z);
  }
  return relu_forward(z);
}

fn activation_backward(dy: f32, a: f32) -> f32 {
  if (ACTIVATION == 1u) {
    return sigmoid_backward(dy, a);
  }
  if (ACTIVATION == 2u) {
    return tanh_backward(dy, a);
  }
  return relu_backward(dy, a);
}
