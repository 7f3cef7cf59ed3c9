// The course's data sets, made as the notebooks make them: torch.manual_seed, then torch's CPU
// streams (src/data/torch-streams.ts) in the notebook's order. tests/lesson-data.test.ts holds
// them to ../shared/data/{step2000,curve2000,noise100}.csv.
import type { Dataset } from '../../data/dataset';
import { manualSeed, torchBernoulli, torchLinspace, torchRand, torchRandn, torchSigmoid } from '../../data/torch-streams';

const f = Math.fround;

/** 04wk-1, the step: seed 43052; u = 15x+6 (x < -0.2), -1 (-0.2 < x < 0.4), -3 elsewhere; y ~ Bernoulli(sigmoid(u)). */
export function stepData(): Dataset {
  const rng = manualSeed(43052);
  const x = torchLinspace(-1, 1, 2000);
  const u = x.map((v) => (v < -0.2 ? f(f(15 * v) + 6) : -0.2 < v && v < 0.4 ? -1 : -3));
  const prob = u.map(torchSigmoid);
  const y = torchBernoulli(rng, prob);
  return { x, d: 1, n: x.length, y, features: ['x'], target: 'y', prob, source: 'step2000 (torch.manual_seed(43052), as 04wk-1 makes it)' };
}

/** The step's true logit u at x: what bce-logits' net estimates before the sigmoid. */
export const stepLogit = (v: number): number => (v < -0.2 ? 15 * v + 6 : -0.2 < v && v < 0.4 ? -1 : -3);

/** 04wk-1, the curve: seed 43052; x = linspace(0, 2, 2000); y = exp(-x)·|cos 3x|·sin 3x + 0.05·randn. */
export function curveData(): Dataset {
  const rng = manualSeed(43052);
  const x = torchLinspace(0, 2, 2000);
  const eps = torchRandn(rng, 2000).map((e) => f(e * 0.05));
  const truth = x.map((v) => {
    const three = f(3 * v);
    return f(f(f(Math.exp(-v)) * f(Math.abs(f(Math.cos(three))))) * f(Math.sin(three)));
  });
  const y = truth.map((t, i) => f(t + eps[i]));
  return { x, d: 1, n: x.length, y, features: ['x'], target: 'y', truth, source: 'curve2000 (torch.manual_seed(43052), as 04wk-1 makes it)' };
}

/** 04wk-2, noise: seed 5; x = linspace(0, 1, 100); y = 0.01·randn: nothing to learn but noise. */
export function noiseData(): Dataset {
  const rng = manualSeed(5);
  const x = torchLinspace(0, 1, 100);
  const y = torchRandn(rng, 100).map((e) => f(e * 0.01));
  return { x, d: 1, n: x.length, y, features: ['x'], target: 'y', truth: new Float32Array(x.length), source: 'noise100 (torch.manual_seed(5), as 04wk-2 makes it)' };
}

/**
 * A 2-D set as ../shared/data makes them: torch.manual_seed(seed); x = torch.rand(n, 2)·2 − 1
 * (row-major: x1, x2 of each point in turn); prob from `logit` of each point; y ~ Bernoulli(prob).
 */
function planeData(seed: number, n: number, logit: (x1: number, x2: number) => number, name: string): Dataset {
  const rng = manualSeed(seed);
  const x = torchRand(rng, 2 * n).map((u) => f(f(2 * u) - 1));
  const prob = Float32Array.from({ length: n }, (_, i) => torchSigmoid(logit(x[2 * i], x[2 * i + 1])));
  const y = torchBernoulli(rng, prob);
  return { x, d: 2, n, y, features: ['x1', 'x2'], target: 'y', prob, source: `${name} (torch.manual_seed(${seed}); x uniform in [-1, 1]²)` };
}

/** Rings: seed 2024, 1000 points; prob = sigmoid(12·(0.55 − |x|)): inside a circle of radius 0.55. */
export const ringsData = (): Dataset => planeData(2024, 1000, (a, b) => f(12 * f(0.55 - f(Math.sqrt(f(f(a * a) + f(b * b)))))), 'rings1000');

/** XOR: seed 7, 800 points; prob = sigmoid(16·x1·x2): opposite quadrants alike. */
export const xorData = (): Dataset => planeData(7, 800, (a, b) => f(f(16 * a) * b), 'xor800');
