// The page's training session: the engine (WebGPU when the browser offers it, else the CPU), the data
// set, the timeline of parameter snapshots and the leases of redraws. Recovers from a lost device
// through the one recovery wrapper (train/recovery.ts): a new device, a new engine, the state saved
// at the end of the last run or pause restored, so the loss history never has a gap or a repeated epoch.
import { acquireGpu, GpuError, type AcquireOptions, type GpuContext } from '../gpu/context';
import type { Dataset } from '../data/dataset';
import { checkRun } from '../train/checks';
import { CpuEngine, cpuParamStore, GpuEngine, gpuParamStore, type Engine, type ParamStore } from '../train/engine';
import { ResilientTraining } from '../train/recovery';
import { ConfigError, type TrainerConfig, type TrainerState, type TrainResult } from '../train/trainer';
import { snapshotPlan, Timeline, type TimelineEntry } from './timeline';

export interface SessionEvents {
  /** A GPU problem to show; `recovering` when a new device is being acquired. */
  onGpuError(error: GpuError, recovering: boolean): void;
  /** A new device is ready and the state of `epochs` epochs is restored. */
  onRecovered(epochs: number): void;
}

/** Snapshots kept per model: a few hundred, whatever the run's length (fewer when they do not fit: timeline.ts snapshotPlan). */
export const SNAPSHOT_SLOTS = 256;

/** An engine kept alive while a reader (a redraw) uses it, though a newer one replaced it. */
export interface EngineLease {
  readonly engine: Engine;
  /** A snapshot of the timeline as it was at the lease (from the store the lease holds). */
  readSnapshot(entry: TimelineEntry): Promise<Float32Array<ArrayBuffer>>;
  release(): void;
}

export class Session {
  ctx: GpuContext | undefined;
  /** Why the GPU is not used (no WebGPU, no adapter), when it is not. */
  cpuReason: string | undefined;
  engine: Engine | undefined;
  /** Parameter snapshots by epoch; its slots are fitted to the model and the device at each build. */
  timeline = new Timeline(SNAPSHOT_SLOTS);
  /** Why the timeline is off for this model (snapshots do not fit), when it is. */
  timelineOff: string | undefined;
  private store: ParamStore | undefined;
  /** The configuration as the user chose it (strategy `auto`, no workgroup size), not as the engine resolved it. */
  private requestedConfig: TrainerConfig | undefined;
  /** Readers of each engine or store, and those replaced while read (destroyed at the last release). */
  private readonly readers = new Map<Engine | ParamStore, number>();
  private readonly retired = new Set<Engine | ParamStore>();
  /** The engine and its checkpoint (the last good state), with the recovery from a lost device. */
  private run: ResilientTraining | undefined;
  /** How devices are acquired (start's options), the first and every new one after a loss. */
  private acquireOptions: Pick<AcquireOptions, 'deviceClass'> = {};
  private stopRequested = false;
  private test: Dataset | undefined;
  private recovering: Promise<void> | undefined;

  constructor(
    private data: Dataset,
    private readonly gpu: GPU | undefined,
    private readonly events: SessionEvents,
  ) {}

  /**
   * WebGPU if it works here, else the CPU engine (and the reason, for the page to explain).
   * `deviceClass` forces the plans of one device class (gpu/context.ts AcquireOptions), here and
   * on every device acquired after a loss.
   */
  async start(options: { deviceClass?: 'gpu' | 'software' } = {}): Promise<void> {
    this.acquireOptions = { deviceClass: options.deviceClass };
    try {
      this.ctx = await acquireGpu(this.gpu, this.acquireOptions);
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
      this.recovering = this.recover(error).finally(() => (this.recovering = undefined));
    });
  }

  /** A new device, and through the wrapper a new engine at the checkpoint; the page is told either way. */
  private async recover(error: GpuError): Promise<void> {
    const run = this.run;
    const hadEngine = this.engine !== undefined;
    this.engine = undefined; // its buffers died with the device
    this.store = undefined;
    let engine: Engine | undefined;
    try {
      if (run && hadEngine) engine = await run.recover(error);
      else await this.acquire();
    } catch (e) {
      this.ctx = undefined;
      this.events.onGpuError(e instanceof GpuError ? e : new GpuError('no-device', e instanceof Error ? e.message : String(e)), false);
      return;
    }
    if (engine) this.install(engine);
    const epochs = engine?.epochsDone ?? 0;
    this.timeline.clear();
    this.capture(epochs, true);
    this.events.onRecovered(epochs);
  }

  /** A new device (start's options), watched; it becomes `ctx`. */
  private async acquire(): Promise<GpuContext> {
    const ctx = await acquireGpu(this.gpu, this.acquireOptions);
    this.ctx = ctx;
    this.watch(ctx);
    return ctx;
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
   * settings or the data cannot be used (ConfigError: train/checks.ts checkRun's problems).
   */
  async build(config: TrainerConfig, data: Dataset, state?: TrainerState, test?: Dataset): Promise<Engine> {
    const problems = checkRun(config, data, test);
    if (problems.length > 0) throw new ConfigError(problems);
    const engine = await this.createEngine(config, data, test);
    try {
      if (state) engine.restore(state);
    } catch (e) {
      engine.destroy();
      throw e;
    }
    this.requestedConfig = { ...config };
    this.data = data;
    this.test = test;
    // After a lost device: a new device, then the same configuration on the same data (the wrapper restores the checkpoint).
    const run = new ResilientTraining(engine, async () => {
      const ctx = await this.acquire();
      return GpuEngine.create(ctx, data, config, test);
    });
    this.run = run;
    this.install(engine);
    await run.checkpoint();
    return engine;
  }

  /** The GPU engine on the current device, else the CPU engine. */
  private createEngine(config: TrainerConfig, data: Dataset, test?: Dataset): Promise<Engine> | Engine {
    return this.ctx ? GpuEngine.create(this.ctx, data, config, test) : new CpuEngine(data, config, test);
  }

  /** Makes `engine` the current one: the old one retired, the snapshot store fitted to the model and the device. */
  private install(engine: Engine): void {
    const old = this.engine;
    this.engine = engine;
    if (old) this.retire(old);
    if (!this.store || old?.layout.count !== engine.layout.count) {
      if (this.store) this.retire(this.store);
      this.store = undefined;
      const plan = snapshotPlan(engine.layout.count, SNAPSHOT_SLOTS, this.ctx ? this.ctx.device.limits.maxBufferSize : Infinity);
      this.timeline = new Timeline(plan.slots);
      this.timelineOff = plan.off;
      if (plan.slots > 0) this.store = this.ctx ? gpuParamStore(this.ctx, plan.slots, engine.layout.count) : cpuParamStore(plan.slots, engine.layout.count);
    }
  }

  /** The configuration of the model on screen as the user chose it: `auto` stays auto (links, rebuild checks). */
  get requested(): TrainerConfig | undefined {
    return this.requestedConfig && this.engine ? { ...this.requestedConfig, lr: this.engine.config.lr } : undefined;
  }

  /**
   * The current engine, kept alive until `release` even if a build replaces it meanwhile: what a
   * redraw holds, so it never submits on a destroyed engine. Undefined without an engine.
   */
  lease(): EngineLease | undefined {
    const engine = this.engine;
    if (!engine) return undefined;
    const store = this.store;
    const held = [engine, ...(store ? [store] : [])];
    for (const r of held) this.readers.set(r, (this.readers.get(r) ?? 0) + 1);
    let released = false;
    return {
      engine,
      readSnapshot: (entry) => (store ? store.read(entry.slot) : Promise.reject(new Error('no snapshots'))),
      release: () => {
        if (released) return;
        released = true;
        for (const r of held) {
          const left = (this.readers.get(r) ?? 1) - 1;
          if (left > 0) this.readers.set(r, left);
          else {
            this.readers.delete(r);
            if (this.retired.delete(r)) r.destroy();
          }
        }
      },
    };
  }

  /** Destroys a replaced engine or store now, or at its last reader's release. */
  private retire(r: Engine | ParamStore): void {
    if (this.readers.has(r)) this.retired.add(r);
    else r.destroy();
  }

  /** Saves the state a lost device comes back to: the end of a run, a pause. */
  async checkpoint(): Promise<void> {
    if (this.engine && this.run) await this.run.checkpoint();
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

  /** Bytes the snapshot store holds (0 with the timeline off). */
  get snapshotBytes(): number {
    return this.store && this.engine ? this.store.slots * this.engine.layout.count * 4 : 0;
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
