// torch's CPU random streams, as the course's notebooks draw from them after torch.manual_seed:
// linspace, randn (normal_) and bernoulli on float32 tensors, from the MT19937 of src/model. Each
// is written from ATen's CPU kernels (torch 1.13) and checked against the course's CSVs
// (tests/lesson-data.test.ts): x and the Bernoulli labels bit for bit, randn within 1 ulp (ATen
// computes log, cos and sin in float with SLEEF; here in double, rounded once per operation).
import { MT19937 } from '../model/mt19937';
import { generatorSeed } from '../model/seed';

const f = Math.fround;

/** torch.manual_seed(seed): the CPU generator. */
export function manualSeed(seed: bigint | number): MT19937 {
  return new MT19937(generatorSeed(BigInt(seed)));
}

/**
 * torch.linspace(start, end, steps) in float32 (RangeFactoriesKernel.cpp): step = (end - start) /
 * (steps - 1) in float; the first half counts up from start, the second half down from end. The
 * kernel runs in vectors of 8 floats (AVX2): each vector takes its first element the scalar way
 * (one fused multiply-add) and adds i·step (rounded) for the others (Vectorized::arange); the tail
 * that fills no vector is scalar. Matches the course's CSVs bit for bit; 16 lanes (AVX-512) would not.
 */
export function torchLinspace(start: number, end: number, steps: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(steps);
  if (steps === 1) out[0] = start;
  if (steps <= 1) return out;
  const [s, e] = [f(start), f(end)];
  const step = f((e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
    // start + step·idx is contracted into one fused multiply-add by the compiler: one rounding.
  const scalar = (idx: number) => (idx < halfway ? f(s + step * idx) : f(e - step * (steps - idx - 1)));
  const lanes = 8; // Vectorized<float>::size() with AVX2, the build that wrote the course's CSVs
  const vectorEnd = steps - (steps % lanes);
  for (let idx = 0; idx < vectorEnd; idx += lanes) {
    const base = scalar(idx);
    for (let i = 0; i < lanes; i++) out[idx + i] = i === 0 ? base : f(base + f(i * step));
  }
  for (let idx = vectorEnd; idx < steps; idx++) out[idx] = scalar(idx);
  return out;
}

/** torch's uniform_(0, 1) on a float: 24 random bits scaled to [0, 1). */
const uniform01 = (rng: MT19937) => (rng.nextU32() & 0xffffff) * 2 ** -24;

// ATen's normal_fill_16_AVX2 (torch 1.13 on an AVX2 CPU, as the CSVs were written) computes the
// log, sine and cosine with avx_mathfun.h: Cephes' float polynomials, ported here operation by
// operation in float32. `fused` says where the compiler contracted a multiply and an add into one
// FMA (GCC does, on these vector expressions): measured against the CSVs.
const FUSED = true;
/** a·b + c in float32: one rounding when fused (the product of two floats is exact in double), two when not. */
const madd = (a: number, b: number, c: number) => (FUSED ? f(a * b + c) : f(f(a * b) + c));

const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(f);
const [LOG_Q1, LOG_Q2, SQRTHF] = [-2.12194440e-4, 0.693359375, 0.707106781186547524].map(f);
const floatView = new Float32Array(1);
const bitsView = new Int32Array(floatView.buffer);

/** avx_mathfun's log256_ps for one positive float. */
function cephesLogf(v: number): number {
  floatView[0] = Math.max(v, 1.17549435e-38);
  const exponent = (bitsView[0] >>> 23) - 0x7f;
  bitsView[0] = (bitsView[0] & ~0x7f800000) | 0x3f000000; // mantissa in [0.5, 1)
  let x = floatView[0];
  let e = f(exponent + 1);
  if (x < SQRTHF) {
    e = f(e - 1);
    x = f(f(x - 1) + x);
  } else x = f(x - 1);
  const z = f(x * x);
  let y = LOG_P[0];
  for (let i = 1; i < LOG_P.length; i++) y = madd(y, x, LOG_P[i]);
  y = f(f(y * x) * z);
  y = madd(e, LOG_Q1, y);
  y = madd(-z, 0.5, y);
  x = f(x + y);
  return madd(e, LOG_Q2, x);
}

const [FOPI, DP1, DP2, DP3] = [1.27323954473516, -0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8].map(f);
const SINCOF = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(f);
const COSCOF = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(f);

/** avx_mathfun's sincos256_ps for one float in [0, 2π). */
function cephesSinCosf(theta: number): { sin: number; cos: number } {
  let x = Math.abs(theta);
  let j = Math.trunc(f(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  x = madd(y, DP1, x);
  x = madd(y, DP2, x);
  x = madd(y, DP3, x);
  const sinNegative = (j & 4) !== 0 !== theta < 0;
  const cosNegative = ((j - 2) & 4) === 0;
  const z = f(x * x);
  let c = madd(COSCOF[0], z, COSCOF[1]);
  c = madd(c, z, COSCOF[2]);
  c = f(f(c * z) * z);
  c = madd(-z, 0.5, c);
  c = f(c + 1);
  let s = madd(SINCOF[0], z, SINCOF[1]);
  s = madd(s, z, SINCOF[2]);
  s = f(s * z);
  s = madd(s, x, x);
  const [sin, cos] = (j & 2) === 0 ? [s, c] : [c, s];
  return { sin: sinNegative ? -sin : sin, cos: cosNegative ? -cos : cos };
}

const TWO_PI = f(2 * Math.PI);

/** ATen's normal_fill_16: Box–Muller on 16 uniforms in place, the first 8 paired with the last 8. */
function normalFill16(data: Float32Array, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[at + j]);
    const u2 = data[at + j + 8];
    const radius = f(Math.sqrt(f(-2 * cephesLogf(u1))));
    const { sin, cos } = cephesSinCosf(f(TWO_PI * u2));
    data[at + j] = f(f(radius * cos) * std + mean);
    data[at + j + 8] = f(f(radius * sin) * std + mean);
  }
}

/**
 * torch.randn(n) (normal_(mean, std) on a contiguous float tensor): n ≥ 16 fills with uniforms and
 * transforms them 16 at a time; a tail of n % 16 redraws 16 uniforms over the last 16 and
 * transforms those. Fewer than 16 points take torch's scalar path, which this does not reproduce.
 */
export function torchRandn(rng: MT19937, n: number, mean = 0, std = 1): Float32Array<ArrayBuffer> {
  if (n < 16) throw new RangeError(`torchRandn reproduces torch's vectorised path only, for 16 or more values; got ${n}`);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = uniform01(rng);
  for (let i = 0; i + 16 <= n; i += 16) normalFill16(data, i, mean, std);
  if (n % 16 !== 0) {
    const at = n - 16;
    for (let i = 0; i < 16; i++) data[at + i] = uniform01(rng);
    normalFill16(data, at, mean, std);
  }
  return data;
}

/** torch.rand(n) on a float tensor: one 24-bit uniform in [0, 1) per element, in order. */
export function torchRand(rng: MT19937, n: number): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, () => uniform01(rng));
}

/** torch.bernoulli(p): one uniform per element, in order; 1 where it is below p. */
export function torchBernoulli(rng: MT19937, p: ArrayLike<number>): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: p.length }, (_, i) => (uniform01(rng) < p[i] ? 1 : 0));
}

/** torch.sigmoid on a float, as its vectorised kernel: 1 / (1 + exp(-z)), each operation in float. */
export const torchSigmoid = (z: number): number => f(1 / f(1 + f(Math.exp(-z))));
