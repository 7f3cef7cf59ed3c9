// Training that survives a lost device: a snapshot of params and Adam state at every checkpoint
// (a cold readback every `checkpointEvery` epochs, never per epoch); when the device is lost, a new
// one is acquired, the trainer rebuilt and the last checkpoint restored, and training goes on from
// there. The loss stream rewinds to the checkpoint, so the history has no gap and no duplicate.
import { GpuError, type GpuContext } from '../gpu/context';
import type { Dataset } from '../data/dataset';
import { Trainer, type Divergence, type TrainerState } from './trainer';

export interface RecoveryEvents {
  /** Losses (and test losses) of epochs first+1 .. first+losses.length; after a recovery `first` restarts at the checkpoint. */
  onLoss?: (first: number, losses: Float32Array, testLosses?: Float32Array) => void;
  /** The device was lost; training resumes at `epoch` on `ctx`. */
  onRecovered?: (error: GpuError, epoch: number, ctx: GpuContext) => void;
}

export interface ResilientResult {
  epochs: number;
  seconds: number;
  lastLoss: number;
  lastTestLoss?: number;
  recoveries: number;
  diverged?: Divergence;
}

export class ResilientTraining {
  private checkpoint: TrainerState | undefined;

  constructor(
    public ctx: GpuContext,
    public trainer: Trainer,
    private readonly data: Dataset,
    private readonly test: Dataset | undefined,
    private readonly acquire: () => Promise<GpuContext>,
    private readonly checkpointEvery = 1000,
    private readonly maxRecoveries = 3,
  ) {}

  async train(epochs: number, events: RecoveryEvents = {}): Promise<ResilientResult> {
    this.checkpoint ??= await this.trainer.snapshot();
    const start = this.trainer.epochsDone;
    const target = start + epochs;
    let recoveries = 0;
    let seconds = 0;
    let lastLoss = NaN;
    let lastTestLoss: number | undefined;
    let diverged: Divergence | undefined;
    while (this.trainer.epochsDone < target) {
      try {
        const r = await this.trainer.train(Math.min(this.checkpointEvery, target - this.trainer.epochsDone), { onLoss: events.onLoss });
        seconds += r.seconds;
        lastLoss = r.lastLoss;
        lastTestLoss = r.lastTestLoss;
        if (r.diverged) {
          diverged = r.diverged;
          break;
        }
        this.checkpoint = await this.trainer.snapshot();
      } catch (e) {
        if (!(e instanceof GpuError && e.kind === 'device-lost') || recoveries >= this.maxRecoveries) throw e;
        recoveries++;
        const { config, learningRate } = this.trainer;
        this.ctx = await this.acquire();
        this.trainer = await Trainer.create(this.ctx, this.data, config, this.test);
        this.trainer.learningRate = learningRate;
        this.trainer.restore(this.checkpoint);
        events.onRecovered?.(e, this.checkpoint.step / this.trainer.batches.stepsPerEpoch, this.ctx);
      }
    }
    return { epochs: this.trainer.epochsDone - start, seconds, lastLoss, lastTestLoss, recoveries, diverged };
  }
}
