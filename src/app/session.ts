// The page's training session: the engine (WebGPU when the browser offers it, else the CPU), the data
// set, the timeline of parameter snapshots and the last good state. Recovers from a lost device by
// acquiring a new one and restoring the state saved at the end of the last run or pause, so the loss
// history never has a gap or a repeated epoch.
import { acquireGpu, GpuError, type GpuContext } from '../gpu/context';
import type { Dataset } from '../data/dataset';
import type { TrainerConfig, TrainerState, TrainResult } from '../train/trainer';
import { CpuEngine, cpuParamStore, GpuEngine, gpuParamStore, type Engine, type ParamStore } from './engine';
import { Timeline, type TimelineEntry } from './timeline';

export interface SessionEvents {
  /** A GPU problem to show; `recovering` when a new device is being acquired. */
  onGpuError(error: GpuError, recovering: boolean): void;
  /** A new device is ready and the state of `epochs` epochs is restored. */
  onRecovered(epochs: number): void;
}

/** Snapshots kept per model: a few hundred, whatever the run's length. */
export const SNAPSHOT_SLOTS = 256;

export class Session {
  ctx: GpuContext | undefined;
  /** Why the GPU is not used (no WebGPU, no adapter), when it is not. */
  cpuReason: string | undefined;
  engine: Engine | undefined;
  readonly timeline = new Timeline(SNAPSHOT_SLOTS);
  private store: ParamStore | undefined;
  private lastGood: TrainerState | undefined;
  private stopRequested = false;
  private test: Dataset | undefined;
  private recovering: Promise<void> | undefined;

  constructor(
    private data: Dataset,
    private readonly gpu: GPU | undefined,
    private readonly events: SessionEvents,
  ) {}

  /** WebGPU if it works here, else the CPU engine (and the reason, for the page to explain). */
  async start(): Promise<void> {
    try {
      this.ctx = await acquireGpu(this.gpu);
      this.watch(this.ctx);
    } catch (e) {
      this.ctx = undefined;
      this.cpuReason = e instanceof Error ? e.message : String(e);
    }
  }

  get onGpu(): boolean {
    return this.ctx !== undefined;
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
    const config = this.engine?.config;
    this.engine = undefined; // its buffers died with the device
    this.store = undefined;
    try {
      this.ctx = await acquireGpu(this.gpu);
    } catch (e) {
      this.ctx = undefined;
      this.events.onGpuError(e instanceof GpuError ? e : new GpuError('no-device', String(e)), false);
      return;
    }
    this.watch(this.ctx);
    let epochs = 0;
    if (config) {
      await this.build(config, this.data, this.lastGood, this.test);
      epochs = this.lastGood?.step ?? 0;
    }
    this.timeline.clear();
    this.capture(epochs, true);
    this.events.onRecovered(epochs);
  }

  /** Waits for a device-loss recovery in progress, if any. */
  async settled(): Promise<void> {
    await this.recovering;
  }

  get dataset(): Dataset {
    return this.data;
  }

  /** The held-out points the model is evaluated on every epoch, when the lesson has them. */
  get testSet(): Dataset | undefined {
    return this.test;
  }

  get epochsDone(): number {
    return this.engine?.epochsDone ?? 0;
  }

  /**
   * A new engine for `config` on `data`, continuing from `state` when given (a new learning rate,
   * other data, a file), else from the seed's fresh parameters. Throws, changing nothing, when the
   * settings or the data cannot be used.
   */
  async build(config: TrainerConfig, data: Dataset, state?: TrainerState, test?: Dataset): Promise<Engine> {
    const engine: Engine = this.ctx ? await GpuEngine.create(this.ctx, data, config, test) : new CpuEngine(data, config, test);
    try {
      if (state) engine.restore(state);
    } catch (e) {
      engine.destroy();
      throw e;
    }
    const old = this.engine;
    this.engine = engine;
    this.data = data;
    this.test = test;
    old?.destroy();
    if (!this.store || old?.layout.count !== engine.layout.count) {
      this.store?.destroy();
      this.store = this.ctx ? gpuParamStore(this.ctx, SNAPSHOT_SLOTS, engine.layout.count) : cpuParamStore(SNAPSHOT_SLOTS, engine.layout.count);
      this.timeline.clear();
    }
    this.lastGood = await engine.snapshot();
    return engine;
  }

  /** Saves the state a lost device comes back to: the end of a run, a pause. */
  async checkpoint(): Promise<void> {
    if (this.engine) this.lastGood = await this.engine.snapshot();
  }

  /** Snapshots the current parameters into the timeline (on the GPU: a buffer copy, no readback). */
  capture(epoch: number, pinned = false): void {
    if (!this.engine || !this.store) return;
    const slot = this.timeline.record(epoch, pinned);
    if (slot !== undefined) this.engine.capture(this.store, slot);
  }

  async readSnapshot(entry: TimelineEntry): Promise<Float32Array<ArrayBuffer>> {
    if (!this.store) throw new Error('no snapshots');
    return this.store.read(entry.slot);
  }

  requestStop(): void {
    this.stopRequested = true;
  }

  clearStop(): void {
    this.stopRequested = false;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Trains up to `epochs` more epochs; stops early between chunks on pause or device loss. */
  async train(epochs: number, onLoss: (first: number, losses: Float32Array, testLosses?: Float32Array) => void): Promise<TrainResult> {
    const engine = this.engine;
    if (!engine) throw new GpuError('no-device', 'press Reset first');
    return engine.train(epochs, { onLoss, shouldStop: () => this.stopRequested });
  }
}
