// The page's GPU session: device, data set, trainer and the last good state. Recovers from a lost
// device by acquiring a new one and restoring the state saved at the end of the last finished run,
// so the loss history never has a gap or a repeated epoch.
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import type { Dataset } from '../data/dataset';
import { initParams } from '../model/init';
import { Trainer, type TrainerConfig, type TrainerState, type TrainResult } from '../train/trainer';

export interface SessionEvents {
  /** A GPU problem to show; `recovering` when a new device is being acquired. */
  onGpuError(error: GpuError, recovering: boolean): void;
  /** A new device is ready and the state of `epochs` epochs is restored. */
  onRecovered(ctx: GpuContext, epochs: number): void;
}

const sameConfig = (a: TrainerConfig, b: TrainerConfig) =>
  a.hidden === b.hidden && a.lr === b.lr && a.seed === b.seed && a.strategy === b.strategy && a.workgroupSize === b.workgroupSize;

export class Session {
  ctx: GpuContext | undefined;
  private trainer: Trainer | undefined;
  private config: TrainerConfig | undefined;
  private lastGood: TrainerState | undefined;
  private stopRequested = false;
  private recovering: Promise<void> | undefined;

  constructor(
    private data: Dataset,
    private readonly gpu: GPU | undefined,
    private readonly events: SessionEvents,
  ) {}

  async start(): Promise<GpuContext> {
    this.ctx = await acquireGpu(this.gpu);
    this.watch(this.ctx);
    return this.ctx;
  }

  private watch(ctx: GpuContext): void {
    ctx.onError((e) => {
      if (e.kind !== 'device-lost') this.events.onGpuError(e, false);
    });
    void ctx.lost.then((error) => {
      if (this.ctx !== ctx) return; // an old device, already replaced
      this.stopRequested = true;
      this.events.onGpuError(error, true);
      this.recovering = this.recover().finally(() => (this.recovering = undefined));
    });
  }

  private async recover(): Promise<void> {
    this.trainer = undefined; // its buffers died with the device
    try {
      this.ctx = await acquireGpu(this.gpu);
    } catch (e) {
      this.ctx = undefined;
      this.events.onGpuError(e instanceof GpuError ? e : new GpuError('no-device', String(e)), false);
      return;
    }
    this.watch(this.ctx);
    let epochs = 0;
    if (this.config) {
      this.trainer = await Trainer.create(this.ctx, this.data, this.config);
      if (this.lastGood) {
        this.trainer.restore(this.lastGood);
        epochs = this.lastGood.step;
      }
    }
    this.events.onRecovered(this.ctx, epochs);
  }

  get epochsDone(): number {
    return this.trainer?.epochsDone ?? 0;
  }

  get dataset(): Dataset {
    return this.data;
  }

  get activeTrainer(): Trainer | undefined {
    return this.trainer;
  }

  /** Waits for a device-loss recovery in progress, if any. */
  async settled(): Promise<void> {
    await this.recovering;
  }

  /** A new data set: training starts over. Throws (and changes nothing) if it cannot be used. */
  async setData(data: Dataset): Promise<void> {
    if (this.ctx && this.config) {
      const trainer = await Trainer.create(this.ctx, data, this.config); // validates size limits first
      this.replaceTrainer(trainer);
    }
    this.data = data;
  }

  /** Fresh parameters from the seed; a new trainer if the settings changed. */
  async reset(config: TrainerConfig): Promise<Trainer> {
    if (!this.ctx) throw new GpuError('no-device', 'no GPU device');
    if (this.trainer && this.config && sameConfig(this.config, config)) {
      this.trainer.setParams(initParams(config.seed, config.hidden));
    } else {
      this.replaceTrainer(await Trainer.create(this.ctx, this.data, config));
    }
    this.config = config;
    this.lastGood = await this.trainer!.snapshot();
    return this.trainer!;
  }

  private replaceTrainer(trainer: Trainer): void {
    this.trainer?.destroy();
    this.trainer = trainer;
    this.lastGood = undefined;
  }

  /** Loads parameters (Adam restarts) into the current trainer. */
  async loadParams(flat: Float32Array<ArrayBuffer>, config: TrainerConfig): Promise<void> {
    await this.reset(config);
    this.trainer!.setParams(flat);
    this.lastGood = await this.trainer!.snapshot();
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  /** Trains `epochs` more epochs from the current state; stops early on pause or device loss. */
  async train(epochs: number, onLoss: (first: number, losses: Float32Array) => void): Promise<TrainResult> {
    const trainer = this.trainer;
    if (!trainer) throw new GpuError('no-device', 'press Reset or Train first');
    this.stopRequested = false;
    const result = await trainer.train(epochs, { onLoss, shouldStop: () => this.stopRequested });
    if (this.trainer === trainer) this.lastGood = await trainer.snapshot();
    return result;
  }
}
