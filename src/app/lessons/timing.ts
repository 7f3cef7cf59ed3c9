// 05wk-1: 1000 epochs of Linear(1,H) → ReLU → Linear(H,1) with MSE and Adam on 100 points, for
// H = 512, 20480 and 204800, on this page's GPU engine and on its CPU engine, beside the lecture's
// timings (its notebook ran on an NVIDIA GeForce RTX 3090). Each model is built (shaders compiled, parameters initialised) before the clock
// starts; the time is the engine's own, from the first epoch's submit to the last loss read back.
import type { Dataset } from '../../data/dataset';
import type { GpuContext } from '../../gpu/context';
import { singleHidden } from '../../model/layout';
import { DEFAULT_CONFIG, type TrainerConfig } from '../../train/trainer';
import { TimingChart, type TimingSeries } from '../charts';
import { CpuEngine, GpuEngine, type Engine } from '../engine';
import { fmt } from '../inside';
import { COLAB_SECONDS, TIMING_WIDTHS } from './index';
import { nextPiece } from '../pacing';

export interface TimingRow {
  hidden: number;
  cpu?: number;
  gpu?: number;
  /** Why the GPU column is empty (no WebGPU, a failure). */
  gpuNote?: string;
  cpuNote?: string;
}

/** The CPU engine holds the page for this long per slice here: fewer yields, a fairer clock. */
const TIMING_SLICE_MS = 200;

export class TimingLesson {
  readonly rows: TimingRow[] = TIMING_WIDTHS.map((hidden) => ({ hidden }));
  running = false;
  private stopRequested = false;
  private readonly chart: TimingChart;
  private readonly cells: { cpu: HTMLTableCellElement; gpu: HTMLTableCellElement }[] = [];

  constructor(
    private readonly ui: { body: HTMLElement; chart: HTMLElement; status: HTMLElement; summary: HTMLElement },
    private readonly data: Dataset,
    private readonly gpu: GpuContext | undefined,
    private readonly seed: bigint,
  ) {
    for (const row of this.rows) {
      const tr = document.createElement('tr');
      const [colabCpu, colabGpu] = COLAB_SECONDS[row.hidden as (typeof TIMING_WIDTHS)[number]];
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = String(row.hidden);
      const cell = (text: string) => {
        const td = document.createElement('td');
        td.textContent = text;
        return td;
      };
      const cpu = cell('–');
      const gpuCell = cell(gpu ? '–' : 'cannot be measured: no WebGPU here');
      if (!gpu) gpuCell.className = 'note';
      tr.append(th, cpu, gpuCell, cell(String(colabCpu)), cell(String(colabGpu)));
      ui.body.append(tr);
      this.cells.push({ cpu, gpu: gpuCell });
    }
    if (!gpu) this.rows.forEach((r) => (r.gpuNote = 'cannot be measured: no WebGPU here'));
    this.chart = new TimingChart(ui.chart, 'Seconds against the hidden width, log scales: this page on its CPU and GPU engines, and the lecture on its RTX 3090 machine', TIMING_WIDTHS, this.series());
    this.summarize();
  }

  private series(): TimingSeries[] {
    const colab = (k: 0 | 1) => TIMING_WIDTHS.map((h) => COLAB_SECONDS[h][k]);
    return [
      { label: 'this CPU engine', values: this.rows.map((r) => r.cpu ?? null), color: '#d55e00' },
      { label: 'this GPU', values: this.rows.map((r) => r.gpu ?? null), color: '#0072b2' },
      { label: 'the lecture, CPU', values: colab(0), color: '#e69f00', dash: [6, 4] },
      { label: 'the lecture, RTX 3090', values: colab(1), color: '#56b4e9', dash: [6, 4] },
    ];
  }

  /** Stops after the piece in flight (half a second or so): the rows measured so far stay. */
  stop(): void {
    if (!this.running) return;
    this.stopRequested = true;
    this.ui.status.textContent = 'Stopping after this piece…';
  }

  /** Measures every width on both engines, the GPU first; a stop ends it between models. */
  async run(epochs: number): Promise<void> {
    this.running = true;
    this.stopRequested = false;
    try {
      for (let i = 0; i < this.rows.length; i++) {
        if (this.gpu) await this.measure(i, 'gpu', epochs);
        if (this.stopRequested) break;
        await this.measure(i, 'cpu', epochs);
        if (this.stopRequested) break;
      }
      this.ui.status.textContent = this.stopRequested ? 'Stopped: the rows measured so far stay.' : `Done: ${epochs} epochs for each width on ${this.gpu ? 'both engines' : 'the CPU engine (no WebGPU here)'}.`;
    } finally {
      this.running = false;
      this.summarize();
    }
  }

  private async measure(i: number, kind: 'cpu' | 'gpu', epochs: number): Promise<void> {
    const row = this.rows[i];
    const cell = this.cells[i][kind];
    const config: TrainerConfig = { ...DEFAULT_CONFIG, model: singleHidden(row.hidden, 'mse'), seed: this.seed };
    this.ui.status.textContent = `H = ${row.hidden} on the ${kind === 'gpu' ? 'GPU' : 'CPU'}: building the model…`;
    cell.textContent = 'running…';
    let engine: Engine | undefined;
    try {
      if (kind === 'gpu') engine = await GpuEngine.create(this.gpu!, this.data, config);
      else {
        const cpu = new CpuEngine(this.data, config);
        cpu.sliceMs = TIMING_SLICE_MS;
        engine = cpu;
      }
      this.ui.status.textContent = `H = ${row.hidden} on the ${kind === 'gpu' ? 'GPU' : 'CPU'}: training ${epochs} epochs…`;
      const result = await this.trainInPieces(engine, epochs, (done, seconds) => {
        const left = done > 0 ? (seconds / done) * (epochs - done) : NaN;
        const estimate = Number.isFinite(left) ? `, about ${fmt(left, 2)} s left` : '';
        cell.textContent = `${done} of ${epochs} epochs${estimate}`;
        if (!this.stopRequested) this.ui.status.textContent = `H = ${row.hidden} on the ${kind === 'gpu' ? 'GPU' : 'CPU'}: ${done} of ${epochs} epochs${estimate}…`;
      });
      if (result.epochs < epochs) {
        cell.textContent = `stopped after ${result.epochs} epochs`;
        return;
      }
      row[kind] = result.seconds;
      cell.textContent = fmt(result.seconds, 3);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      row[kind === 'gpu' ? 'gpuNote' : 'cpuNote'] = message;
      cell.textContent = `failed: ${message}`;
      cell.className = 'note';
    } finally {
      engine?.destroy();
      this.summarize();
    }
  }

  /**
   * Trains `epochs` epochs in pieces of about half a second (src/app/pacing.ts), so Stop acts
   * within one and `progress` shows the epochs done and the seconds trained; the time is the sum
   * of the engine's own times, the pieces' starts and ends included (as its chunks' are).
   */
  private async trainInPieces(engine: Engine, epochs: number, progress: (done: number, seconds: number) => void): Promise<{ epochs: number; seconds: number }> {
    let done = 0;
    let seconds = 0;
    let last = { epochs: 0, seconds: 0 };
    while (done < epochs && !this.stopRequested) {
      const piece = Math.min(epochs - done, nextPiece(last.epochs, last.seconds));
      const result = await engine.train(piece, { shouldStop: () => this.stopRequested });
      done += result.epochs;
      seconds += result.seconds;
      last = { epochs: result.epochs, seconds: result.seconds };
      progress(done, seconds);
      if (result.diverged || result.epochs < piece) break;
    }
    return { epochs: done, seconds };
  }

  private summarize(): void {
    this.chart.update(this.series());
    const done = this.rows.filter((r) => r.cpu !== undefined || r.gpu !== undefined);
    this.ui.summary.textContent =
      done.length === 0
        ? `The lecture (its notebook ran on an NVIDIA GeForce RTX 3090): CPU ${TIMING_WIDTHS.map((h) => `${COLAB_SECONDS[h][0]} s`).join(', ')} and RTX 3090 ${TIMING_WIDTHS.map((h) => `${COLAB_SECONDS[h][1]} s`).join(', ')} for H = ${TIMING_WIDTHS.join(', ')}: the GPU pays only for wide layers.`
        : done
            .map((r) => `H = ${r.hidden}: CPU engine ${r.cpu === undefined ? 'not measured' : `${fmt(r.cpu, 3)} s`}, GPU ${r.gpu === undefined ? r.gpuNote ?? 'not measured' : `${fmt(r.gpu, 3)} s`}${r.cpu !== undefined && r.gpu !== undefined ? ` (the GPU ${r.gpu < r.cpu ? `${fmt(r.cpu / r.gpu, 2)}× faster` : `${fmt(r.gpu / r.cpu, 2)}× slower`})` : ''}`)
            .join('; ') +
          '.' +
          (this.gpu?.isSoftware ? ` This GPU is a software adapter (${this.gpu.adapterName}): its "GPU" runs on the CPU's cores, so it cannot show what a graphics card gains; the dashed lines show what the lecture's RTX 3090 did.` : '');
  }
}
