// Minibatches as torch's DataLoader(TensorDataset(x, y), batch_size=B, shuffle=...) makes them:
// each epoch visits the rows in an order (file order, or a fresh permutation with shuffle) in
// batches of B, the last one shorter when B does not divide N (drop_last=False). One optimizer step
// per batch; its loss is the mean over the batch.
//
// The shuffled order, as torch 1.13 draws it (measured against the goldens' `order`):
//   - the global generator (torch.manual_seed's MT19937) has drawn one u32 per parameter for the
//     init (model/init.ts);
//   - at each epoch's start, `iter(loader)` draws the iterator's base seed, a random64 (two u32),
//     then RandomSampler draws its seed, another random64 = (hi << 32 | lo) mod 2^63, and seeds a
//     fresh generator with it: MT19937 keeps the low 32 bits, lo;
//   - torch.randperm(N) on that generator: r = [0, 1, ..., N-1]; for i in 0..N-2,
//     z = random() mod (N - i), swap r[i] and r[i + z] (aten randperm_cpu).
// Dropout's draws from the global generator are not reproduced (our masks are a counter-based
// hash), so with dropout and shuffle the orders after the first epoch differ from torch's.
import { MT19937 } from '../model/mt19937';
import { generatorSeed } from '../model/seed';

/** How an epoch is cut into optimizer steps. */
export interface BatchPlan {
  /** N, the training points. */
  readonly n: number;
  /** B: the rows of every batch but the last (N for full batch). */
  readonly batchSize: number;
  /** S = ceil(N / B), the optimizer steps of one epoch. */
  readonly stepsPerEpoch: number;
  /** The last batch's rows: N - (S - 1)·B, in 1..B. */
  readonly lastBatch: number;
  readonly shuffle: boolean;
  /** False for the full batch in file order: the data is used as it lies, no gather. */
  readonly gathered: boolean;
}

/** The plan for N points; `batchSize` undefined (or ≥ N) is the full batch. */
export function batchPlan(n: number, batchSize: number | undefined, shuffle: boolean): BatchPlan {
  const b = Math.min(batchSize ?? n, n);
  const steps = Math.ceil(n / b);
  return { n, batchSize: b, stepsPerEpoch: steps, lastBatch: n - (steps - 1) * b, shuffle, gathered: shuffle || b < n };
}

/** The rows of batch j (0-based) of an epoch under a plan. */
export const batchRows = (plan: BatchPlan, j: number): number => (j === plan.stepsPerEpoch - 1 ? plan.lastBatch : plan.batchSize);

/** torch.randperm(n, generator) on the CPU for n < 2^24: the Fisher–Yates walk of aten's randperm_cpu. */
export function randperm(n: number, rng: MT19937): Uint32Array<ArrayBuffer> {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = rng.nextU32() % (n - i);
    const t = r[i];
    r[i] = r[i + z];
    r[i + z] = t;
  }
  return r;
}

/**
 * The row order of every epoch of a run: the identity without shuffle, else torch's DataLoader
 * permutations from the global generator of `seed` after `initDraws` u32 draws (the init's).
 * Epochs are 1-based; asking for an earlier epoch than the last replays the stream from the seed.
 */
export class EpochOrders {
  private rng: MT19937;
  private nextEpoch = 1;

  constructor(
    private readonly seed: bigint,
    private readonly initDraws: number,
    private readonly plan: BatchPlan,
  ) {
    this.rng = this.fresh();
  }

  /** Epoch `epoch`'s order of the N rows. */
  order(epoch: number): Uint32Array<ArrayBuffer> {
    const n = this.plan.n;
    if (!this.plan.shuffle) return Uint32Array.from({ length: n }, (_, i) => i);
    if (epoch < this.nextEpoch) {
      this.rng = this.fresh();
      this.nextEpoch = 1;
    }
    for (; this.nextEpoch < epoch; this.nextEpoch++) for (let i = 0; i < 4; i++) this.rng.nextU32();
    this.rng.nextU32(); // the iterator's base seed: hi,
    this.rng.nextU32(); // lo
    this.rng.nextU32(); // the sampler's seed: hi (dropped by MT19937's 32-bit seeding),
    const samplerSeed = this.rng.nextU32(); // lo
    this.nextEpoch = epoch + 1;
    return randperm(n, new MT19937(samplerSeed));
  }

  private fresh(): MT19937 {
    const rng = new MT19937(generatorSeed(this.seed));
    for (let i = 0; i < this.initDraws; i++) rng.nextU32();
    return rng;
  }
}
