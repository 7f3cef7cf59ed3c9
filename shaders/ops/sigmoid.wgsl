// sigmoid: P = 1 / (1 + exp(-Z)) element-wise, and its gradient.
//   forward   p = 1 / (1 + exp(-z))           (torch's CPU kernel, same order of operations)
//   backward  dz = dp · (1 - p) · p           (torch's sigmoid_backward, from the output p)

fn sigmoid_forward(z: f32) -> f32 {
  return 1.0 / (1.0 + exp(-z));
}

fn sigmoid_backward(dp: f32, p: f32) -> f32 {
  return dp * (1.0 - p) * p;
}
