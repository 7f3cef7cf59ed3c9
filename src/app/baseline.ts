// Logistic regression, the title's foil: Linear(1,1) → Sigmoid on the same data with the same Adam,
// trained beside the network epoch for epoch. Two parameters and one pass over the points per epoch:
// the CPU does it in the time the page draws a frame. Its best curve is monotone in x, so it can never
// draw the bump the hidden layer draws.
import { adamUpdate, bce, bceBackward, DEFAULT_ADAM, sigmoid, sigmoidBackward } from '../cpu/ops';
import { MT19937 } from '../model/mt19937';
import { generatorSeed } from '../model/seed';

export class LogisticBaseline {
  /** w, b in float32, as torch stores them. */
  readonly params = new Float32Array(2);
  private readonly m = new Float32Array(2);
  private readonly v = new Float32Array(2);
  step = 0;
  /** w, b after every epoch: trail[2e], trail[2e + 1] after e epochs (the timeline shows any of them). */
  private trail = new Float32Array(2048);

  /** torch.manual_seed(seed); nn.Linear(1, 1): weight, then bias, each U(-1, 1). */
  constructor(seed: bigint) {
    const rng = new MT19937(generatorSeed(seed));
    this.params[0] = rng.uniform(-1, 1);
    this.params[1] = rng.uniform(-1, 1);
    this.trail.set(this.params);
  }

  /**
   * Trains the epochs a model file's runs record (each run's epochs at its lr, in order; epochs up
   * to `epochs` that no run covers at `lr`): the baseline of an imported model has trained as long
   * as the model. Returns each epoch's loss, `epochs` of them (fewer if it diverged).
   */
  replay(x: ArrayLike<number>, y: ArrayLike<number>, runs: readonly { from: number; to: number; lr: number }[], lr: number, epochs: number): Float32Array {
    const losses = new Float32Array(epochs);
    const upTo = (to: number, rate: number) => {
      const from = this.step;
      const n = Math.min(to, epochs) - from;
      if (n > 0) losses.set(this.train(x, y, n, rate), from);
    };
    for (const run of [...runs].sort((a, b) => a.from - b.from)) upTo(run.to, run.lr);
    upTo(epochs, lr);
    return losses.subarray(0, this.step);
  }

  /** w, b after `epoch` epochs (0 ≤ epoch ≤ step); the current ones beyond. */
  paramsAt(epoch: number): Float32Array {
    const e = Math.max(0, Math.min(epoch, this.step));
    return this.trail.subarray(2 * e, 2 * e + 2);
  }

  /** w·x + b after `epoch` epochs, at every x. */
  logitAt(x: ArrayLike<number>, epoch: number): Float32Array<ArrayBuffer> {
    const [w, b] = this.paramsAt(epoch);
    return Float32Array.from(x, (xi) => Math.fround(w * xi) + b);
  }

  /** The baseline's probability after `epoch` epochs, at every x: what the timeline shows at that epoch. */
  forwardAt(x: ArrayLike<number>, epoch: number): Float32Array<ArrayBuffer> {
    return this.logitAt(x, epoch).map(sigmoid);
  }

  /** Keeps w, b after this epoch in the trail, doubling it as needed. */
  private record(): void {
    if (2 * this.step + 2 > this.trail.length) {
      const grown = new Float32Array(2 * this.trail.length);
      grown.set(this.trail);
      this.trail = grown;
    }
    this.trail.set(this.params, 2 * this.step);
  }

  /** w·x + b at every x, before the sigmoid. */
  logit(x: ArrayLike<number>): Float32Array<ArrayBuffer> {
    const [w, b] = this.params;
    return Float32Array.from(x, (xi) => Math.fround(w * xi) + b);
  }

  forward(x: ArrayLike<number>): Float32Array<ArrayBuffer> {
    return this.logit(x).map(sigmoid);
  }

  /** Trains `epochs` epochs at `lr`; returns each epoch's loss (before its update, as the network's). */
  train(x: ArrayLike<number>, y: ArrayLike<number>, epochs: number, lr: number): Float32Array {
    const n = x.length;
    const losses = new Float32Array(epochs);
    const hyper = { ...DEFAULT_ADAM, lr };
    for (let e = 0; e < epochs; e++) {
      const [w, b] = this.params;
      let loss = 0;
      let gw = 0;
      let gb = 0;
      for (let i = 0; i < n; i++) {
        const p = sigmoid(Math.fround(w * x[i]) + b);
        loss += bce(p, y[i]);
        const dz = sigmoidBackward(bceBackward(p, y[i], n), p);
        gw += dz * x[i];
        gb += dz;
      }
      losses[e] = loss / n;
      if (!Number.isFinite(losses[e])) return losses.subarray(0, e);
      this.step++;
      [this.params[0], this.m[0], this.v[0]] = adamUpdate(w, this.m[0], this.v[0], gw, hyper, this.step);
      [this.params[1], this.m[1], this.v[1]] = adamUpdate(b, this.m[1], this.v[1], gb, hyper, this.step);
      this.record();
    }
    return losses;
  }
}
