// The one recovery wrapper over an Engine, for the CLI and the page: a snapshot of params and Adam
// state at every checkpoint (a cold readback every `checkpointEvery` epochs, never per epoch, or
// when the caller asks: the page at the end of a run or a pause); when the device is lost, a new
// engine is built on a new device (`rebuild`: acquire, create), given the learning rate and the last
// checkpoint, and training goes on from there. The loss stream rewinds to the checkpoint (the next
// onLoss's first step is the checkpoint's), so the history has no gap and no duplicate.
import { GpuError } from '../gpu/context';
import type { Engine } from './engine';
import type { Divergence, TrainerState, TrainOptions } from './trainer';

export interface RecoveryEvents {
  /** Losses of optimizer steps first+1 .. (Engine.train); after a recovery `first` restarts at the checkpoint. */
  onLoss?: TrainOptions['onLoss'];
  /** Checked between chunks, as Engine.train's. */
  shouldStop?: () => boolean;
  /** The device was lost; training resumes at `epoch` on `engine`. */
  onRecovered?: (error: GpuError, epoch: number, engine: Engine) => void;
}

export interface ResilientResult {
  /** Epochs this call added, across recoveries. */
  epochs: number;
  seconds: number;
  lastLoss: number;
  lastTestLoss?: number;
  recoveries: number;
  diverged?: Divergence;
}

/** A fresh engine on a fresh device, for the same data and configuration (throws as acquiring and creating do). */
export type EngineRebuild = (error: GpuError) => Promise<Engine>;

export const isDeviceLost = (e: unknown): e is GpuError => e instanceof GpuError && e.kind === 'device-lost';

export class ResilientTraining {
  private saved: TrainerState | undefined;

  constructor(
    public engine: Engine,
    private readonly rebuild: EngineRebuild,
    private readonly checkpointEvery = 1000,
    private readonly maxRecoveries = 3,
  ) {}

  /** The state a lost device comes back to (undefined before the first checkpoint). */
  get checkpointState(): TrainerState | undefined {
    return this.saved;
  }

  /** Saves the engine's current state as the checkpoint (a readback on the GPU). */
  async checkpoint(): Promise<TrainerState> {
    this.saved = await this.engine.snapshot();
    return this.saved;
  }

  /** Takes `state` as the checkpoint (a state just restored, a file). */
  setCheckpoint(state: TrainerState): void {
    this.saved = state;
  }

  /**
   * After a lost device: a new engine from `rebuild`, with the old engine's learning rate and the
   * checkpoint's state (the seed's fresh parameters without one). Returns it, now `engine`; the old
   * one is not destroyed (its buffers died with the device; a reader may still hold it).
   */
  async recover(error: GpuError): Promise<Engine> {
    const learningRate = this.engine.learningRate;
    const fresh = await this.rebuild(error);
    try {
      fresh.learningRate = learningRate;
      if (this.saved) fresh.restore(this.saved);
    } catch (e) {
      fresh.destroy();
      throw e;
    }
    this.engine = fresh;
    return fresh;
  }

  /**
   * Trains `epochs` more epochs, checkpointing every `checkpointEvery`, recovering from up to
   * `maxRecoveries` lost devices. Stops at a divergence (reported, the engine keeps the last good
   * step) or when `shouldStop` says so. Rethrows anything but a lost device.
   */
  async train(epochs: number, events: RecoveryEvents = {}): Promise<ResilientResult> {
    if (!this.saved) await this.checkpoint();
    const start = this.engine.epochsDone;
    const target = start + epochs;
    let recoveries = 0;
    let seconds = 0;
    let lastLoss = NaN;
    let lastTestLoss: number | undefined;
    let diverged: Divergence | undefined;
    while (this.engine.epochsDone < target && !(events.shouldStop?.() ?? false)) {
      try {
        const r = await this.engine.train(Math.min(this.checkpointEvery, target - this.engine.epochsDone), { onLoss: events.onLoss, shouldStop: events.shouldStop });
        seconds += r.seconds;
        lastLoss = r.lastLoss;
        lastTestLoss = r.lastTestLoss;
        if (r.diverged) {
          diverged = r.diverged;
          break;
        }
        await this.checkpoint();
      } catch (e) {
        if (!isDeviceLost(e) || recoveries >= this.maxRecoveries) throw e;
        recoveries++;
        const engine = await this.recover(e);
        events.onRecovered?.(e, engine.epochsDone, engine);
      }
    }
    return { epochs: this.engine.epochsDone - start, seconds, lastLoss, lastTestLoss, recoveries, diverged };
  }
}
