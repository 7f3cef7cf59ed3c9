// The lecture's training as a plain C loop: Linear(1,H) -> ReLU -> Linear(H,1) -> Sigmoid, BCELoss,
// torch.optim.Adam, full batch, float32, one thread. The floor a strategy on a CPU adapter is held
// against in the benchmark ("the lecture ≤ 1.2× the C loop", issue #16): it does only the epoch's
// arithmetic, with no dispatch, no buffer and no check. bench/cloop.ts compiles it (cc -O2) and
// runs it on the same data and initial parameters as the strategies.
//
//   single_hidden_loop DATA PARAMS H LR LOSS_EPOCHS MIN_SECONDS
//     DATA    float32 x (N) then y (N)
//     PARAMS  float32 W1 (H), b1 (H), W2 (H), b2 (1): the flat layout (model/layout.ts)
//   prints one JSON line: {"n", "hidden", "loss": [LOSS_EPOCHS mean losses, each before its update],
//   "us_per_epoch", "epochs_timed"}; timing continues from the loss run's parameters.
//
// Per point the forward and the backward are one pass (the activations are never stored):
//   z_j = W1_j x + b1_j, a_j = relu(z_j), u = b2 + Σ_j W2_j a_j, p = sigmoid(u)
//   loss = -(y·max(log p, -100) + (1-y)·max(log(1-p), -100))      (torch's BCELoss clamps)
//   dL/du = (p - y) / max(p(1-p), 1e-12) · p(1-p) / N             (its gradient clamp, then sigmoid')
// Adam as torch: m ← β1 m + (1-β1) g, v ← β2 v + (1-β2) g², p ← p - lr/(1-β1^t) · m / (√v/√(1-β2^t) + ε),
// its scalars (1-β, the step size, √(1-β2^t)) computed in double and rounded to float, as torch does.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static float *read_floats(const char *path, size_t count) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  float *out = malloc(count * sizeof(float));
  if (fread(out, sizeof(float), count, f) != count) { fprintf(stderr, "%s holds fewer than %zu floats\n", path, count); exit(2); }
  fclose(f);
  return out;
}

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// One epoch: the mean loss of the parameters before the update, then the update.
static float epoch(const float *x, const float *y, size_t n, int h, float *p, float *g, float *m, float *v, int t, double lr) {
  const double beta1 = 0.9, beta2 = 0.999;
  const float b1 = (float)beta1, b2 = (float)beta2, one_b1 = (float)(1.0 - beta1), one_b2 = (float)(1.0 - beta2), eps = 1e-8f;
  float *w1 = p, *c1 = p + h, *w2 = p + 2 * h, *c2 = p + 3 * h;
  float *gw1 = g, *gc1 = g + h, *gw2 = g + 2 * h, *gc2 = g + 3 * h;
  const int count = 3 * h + 1;
  for (int k = 0; k < count; k++) g[k] = 0.0f;
  float loss = 0.0f;
  const float inv_n = 1.0f / (float)n;
  for (size_t i = 0; i < n; i++) {
    float u = *c2;
    for (int j = 0; j < h; j++) {
      float z = w1[j] * x[i] + c1[j];
      u += w2[j] * (z > 0.0f ? z : 0.0f);
    }
    float pr = 1.0f / (1.0f + expf(-u));
    loss -= y[i] * fmaxf(logf(pr), -100.0f) + (1.0f - y[i]) * fmaxf(logf(1.0f - pr), -100.0f);
    float s = pr * (1.0f - pr);
    float du = (pr - y[i]) / fmaxf(s, 1e-12f) * s * inv_n;
    *gc2 += du;
    for (int j = 0; j < h; j++) {
      float z = w1[j] * x[i] + c1[j];
      if (z > 0.0f) {
        gw2[j] += du * z;
        float dz = du * w2[j];
        gw1[j] += dz * x[i];
        gc1[j] += dz;
      }
    }
  }
  const float step = (float)(lr / (1.0 - pow(beta1, t)));
  const float bc2 = (float)sqrt(1.0 - pow(beta2, t));
  for (int k = 0; k < count; k++) {
    m[k] = b1 * m[k] + one_b1 * g[k];
    v[k] = b2 * v[k] + one_b2 * g[k] * g[k];
    p[k] -= step * m[k] / (sqrtf(v[k]) / bc2 + eps);
  }
  return loss * inv_n;
}

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: %s DATA PARAMS H LR LOSS_EPOCHS MIN_SECONDS\n", argv[0]); return 2; }
  const int h = atoi(argv[3]);
  const double lr = atof(argv[4]);
  const int loss_epochs = atoi(argv[5]);
  const double min_seconds = atof(argv[6]);
  FILE *f = fopen(argv[1], "rb");
  if (!f || h < 1 || loss_epochs < 1 || !(min_seconds > 0)) { fprintf(stderr, "bad arguments: H and LOSS_EPOCHS must be positive integers, MIN_SECONDS a positive number\n"); return 2; }
  fseek(f, 0, SEEK_END);
  const size_t n = (size_t)ftell(f) / (2 * sizeof(float));
  fclose(f);
  float *data = read_floats(argv[1], 2 * n);
  const int count = 3 * h + 1;
  float *p = read_floats(argv[2], count);
  float *g = calloc(count, sizeof(float)), *m = calloc(count, sizeof(float)), *v = calloc(count, sizeof(float));
  int t = 0;
  printf("{\"n\":%zu,\"hidden\":%d,\"loss\":[", n, h);
  for (int e = 0; e < loss_epochs; e++) {
    const float loss = epoch(data, data + n, n, h, p, g, m, v, ++t, lr);
    if (isfinite(loss)) printf("%s%.9g", e ? "," : "", loss);
    else printf("%snull", e ? "," : ""); // a diverged loss: JSON has no NaN
  }
  long timed = 0;
  double start = now_seconds(), elapsed = 0.0;
  for (long batch = 1; elapsed < min_seconds; batch *= 2) {
    for (long e = 0; e < batch; e++) epoch(data, data + n, n, h, p, g, m, v, ++t, lr);
    timed += batch;
    elapsed = now_seconds() - start;
  }
  printf("],\"us_per_epoch\":%.6g,\"epochs_timed\":%ld}\n", elapsed / timed * 1e6, timed);
  return 0;
}
