// The minibatch lessons' lab (view 'batches': 05wk-1 minibatches and three digits, 05wk-2's CNN):
// the model as torch's text, trained on the course's DataLoader batches by the page's engine (WebGPU,
// else the CPU), with the loss per step, the test loss and accuracy per epoch, the confusion matrix,
// test digits with the class read, and for a CNN its kernels and feature maps.
//
// Run control: Play trains in chunks of whole epochs sized to about a quarter second, so Pause acts
// within one chunk (an epoch is the smallest: the CNN's takes seconds on a software adapter, and the
// status says so); Reset builds the model text afresh from the seed. An edited model text waits for
// Reset (Play goes on with the model on screen, and says so). A model text or data the
// engine refuses is said beside the field, and the model on screen, its history and its optimizer
// state stay as they were.
import type { Dataset } from '../../data/dataset';
import { accuracy, cpuLoss } from '../../cpu/model';
import { modelFromText } from '../../model/ops';
import { paramLayout, type ParamLayout } from '../../model/layout';
import { ConfigError, DEFAULT_CONFIG, describeDivergence, type TrainerConfig } from '../../train/trainer';
import { StepLossChart } from '../charts';
import type { CourseRun } from '../lessons';
import type { Session } from '../session';
import { download } from '../files';
import { labRemedy } from '../status';
import { renderConfusion, renderDigits, renderMaps } from './render';
import { courseScript } from './torch-export';
import { confusionMatrix, mappedRows, shownRows } from './readout';

/** The page elements the lab drives (index.html's #batch-section). */
export interface BatchLabUi {
  section: HTMLElement;
  title: HTMLElement;
  mapsAbout: HTMLElement;
  about: HTMLElement;
  model: HTMLInputElement;
  modelProblem: HTMLElement;
  epochs: HTMLInputElement;
  epochsProblem: HTMLElement;
  play: HTMLButtonElement;
  reset: HTMLButtonElement;
  exportTorch: HTMLButtonElement;
  run: HTMLElement;
  status: HTMLElement;
  message: HTMLElement;
  lossChart: HTMLElement;
  lossSummary: HTMLElement;
  accuracy: HTMLElement;
  confusionHead: HTMLElement;
  confusionBody: HTMLElement;
  digits: HTMLElement;
  mapsSection: HTMLElement;
  kernels: HTMLElement;
  maps: HTMLElement;
}

/** Test digits drawn with the class read; feature maps for the first few of them. */
const SHOWN_DIGITS = 24;
const MAPPED_DIGITS = 3;
/** Rows the CPU engine's readout takes between pauses (the CNN: ~0.1 s of work). */
const READOUT_BLOCK = 64;
/** A chunk of epochs takes about this long, so Pause acts within it. */
const CHUNK_SECONDS = 0.25;

export interface BatchReadout {
  epoch: number;
  /** The full-batch training and test losses of the parameters now (after the last update). */
  trainLoss: number;
  testLoss: number;
  accuracy: { train: number; test: number };
  confusion: number[][];
}

export class BatchLab {
  private readonly chart: StepLossChart;
  private readonly classes: number;
  private layout: ParamLayout | undefined;
  private playing = false;
  private busy = false;
  private chunkEpochs = 1;
  /** Settles when the run in progress ends (Reset waits on it). */
  private idle: Promise<void> = Promise.resolve();
  /** The run in progress (or paused): the epoch it started from and the one it ends at. */
  private target: number | undefined;
  private runStart = 0;
  /** The model text the model on screen was built from. */
  private builtText = '';
  /** The last readout, for the page's tests and the status line. */
  last: BatchReadout | undefined;

  constructor(
    private readonly ui: BatchLabUi,
    private readonly course: CourseRun,
    private readonly train: Dataset,
    private readonly test: Dataset,
    private readonly session: Session,
  ) {
    this.classes = course.loss === 'CrossEntropyLoss' ? course.classNames.length : 1;
    ui.section.hidden = false;
    ui.about.replaceChildren('As the notebook trains it: ', Object.assign(document.createElement('code'), { textContent: course.torch }), '. The model below is torch’s text: edit it and press Reset to build another.');
    ui.title.textContent = course.batchSize ? `Train on minibatches of ${course.batchSize}` : 'Train (the full batch: one step an epoch)';
    ui.model.value = course.model;
    ui.epochs.value = String(course.epochs);
    this.chart = new StepLossChart(ui.lossChart, `${course.loss} per optimizer step, and the test loss per epoch`, course.loss, course.batchSize ? 'loss of each batch' : 'loss of each step (the full batch)');
    ui.play.addEventListener('click', () => void this.onPlay());
    ui.reset.addEventListener('click', () => void this.reset());
    ui.exportTorch.addEventListener('click', () => void this.exportTorch());
    ui.model.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.reset();
    });
    ui.model.addEventListener('input', () => this.noteEdited());
    ui.epochs.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void this.onPlay();
    });
  }

  get running(): boolean {
    return this.playing || this.busy;
  }

  /** The losses per step and the test loss per epoch on the chart. */
  chartValues(): { losses: number[]; tests: number[] } {
    return this.chart.values();
  }

  /** The model text parsed and lowered, with the course's loss and image shape; problems shown beside the field. */
  private config(): TrainerConfig | undefined {
    const parsed = modelFromText(this.ui.model.value, this.course.loss, this.course.input);
    const problems = 'problems' in parsed ? parsed.problems.map((p) => labRemedy(p.message)) : [];
    this.show(this.ui.modelProblem, problems.length > 0 ? `The model text: ${problems.join('; ')}` : undefined);
    this.ui.model.setAttribute('aria-invalid', String(problems.length > 0));
    if ('problems' in parsed) return undefined;
    const { optimizer, lr, seed, batchSize, shuffle } = this.course;
    return { ...DEFAULT_CONFIG, model: parsed.spec, optimizer, lr, seed, batchSize, shuffle: shuffle ?? false, chunkEpochs: 1 };
  }

  /** Says when the model text differs from the model on screen: Reset builds it, Play goes on with the old one. */
  private noteEdited(): void {
    const edited = this.session.engine !== undefined && this.ui.model.value.trim() !== this.builtText.trim();
    this.show(this.ui.modelProblem, edited ? 'The model text changed: Reset builds it from the seed; Play goes on training the model on screen.' : undefined);
  }

  /** What stopping takes: a chunk, which is at least an epoch (seconds for the CNN on a software adapter). */
  private stoppingText(then: string): string {
    return `${then} at the end of this chunk of epochs${this.session.ctx?.isSoftware || !this.session.ctx ? ' (an epoch can take seconds here)' : ''}…`;
  }

  /** Builds the model text afresh from the seed; on a problem, says so and keeps the model on screen. A run in progress stops first. */
  async reset(): Promise<boolean> {
    if (this.playing) {
      this.playing = false;
      this.session.requestStop();
      this.ui.status.textContent = this.stoppingText('Stopping, then Reset,');
      await this.idle;
    }
    if (this.busy) return false;
    this.show(this.ui.message, undefined); // an old refusal does not outlive the next try
    const config = this.config();
    if (!config) return false;
    this.busy = true;
    this.sync();
    try {
      const engine = await this.session.build(config, this.train, undefined, this.test);
      this.target = undefined;
      this.builtText = this.ui.model.value;
      this.layout = paramLayout(config.model);
      this.chart.clear();
      this.chart.stepsPerEpoch = engine.stepsPerEpoch;
      this.chart.horizon = engine.stepsPerEpoch * this.fieldEpochs();
      this.show(this.ui.message, undefined);
      const batches = config.batchSize ? `batches of ${config.batchSize}${config.shuffle ? ', shuffled each epoch' : ''}, ${engine.stepsPerEpoch} steps an epoch` : 'the full batch, one step an epoch';
      this.ui.run.textContent = `${this.train.n} training digits, ${this.test.n} test digits; ${config.optimizer === 'sgd' ? 'SGD' : 'Adam'} lr ${config.lr}, ${batches}; seed ${config.seed}. ${engine.description}`;
      await this.readout();
      this.ui.status.textContent = 'Fresh parameters from the seed: press Play.';
      return true;
    } catch (e) {
      this.fail(e, 'The model could not be built');
      return false;
    } finally {
      this.busy = false;
      this.sync();
    }
  }

  /** The epochs field's value, or the course's when the field is not a valid count. */
  private fieldEpochs(): number {
    const v = Number(this.ui.epochs.value);
    return Number.isInteger(v) && v >= 1 && v <= 10_000 ? v : this.course.epochs;
  }

  private async onPlay(): Promise<void> {
    if (this.playing) {
      this.playing = false;
      this.session.requestStop();
      this.ui.status.textContent = this.stoppingText('Pausing');
      return;
    }
    this.show(this.ui.message, undefined);
    const epochs = Number(this.ui.epochs.value);
    const bad = !Number.isInteger(epochs) || epochs < 1 || epochs > 10_000;
    this.show(this.ui.epochsProblem, bad ? 'epochs must be an integer from 1 to 10000' : undefined);
    this.ui.epochs.setAttribute('aria-invalid', String(bad));
    if (bad || this.busy) return;
    if (!this.session.engine && !(await this.reset())) return;
    // A run trains the field's epochs from where it started: a paused one resumes to that end (the field read again).
    if (this.target === undefined) this.runStart = this.session.engine!.epochsDone;
    this.target = this.runStart + epochs;
    await this.playTo(this.target);
  }

  /** Trains until `target` epochs are done (from the current state), or Pause. */
  async playTo(target: number): Promise<void> {
    const engine = this.session.engine;
    if (!engine || this.busy) return;
    this.playing = true;
    this.busy = true;
    this.session.clearStop();
    let done = () => {};
    this.idle = new Promise<void>((resolve) => (done = resolve));
    this.chart.horizon = engine.stepsPerEpoch * Math.max(target, engine.epochsDone);
    this.sync();
    try {
      while (this.playing && engine.epochsDone < target) {
        const n = Math.min(this.chunkEpochs, target - engine.epochsDone);
        this.ui.status.textContent = `Training: epoch ${engine.epochsDone + 1} of ${target} (step ${engine.stepsDone + 1})…`;
        const result = await this.session.train(n, (first, losses, tests) => this.chart.append(first, losses, Math.floor(first / engine.stepsPerEpoch), tests));
        if (result.diverged) {
          this.show(this.ui.message, `${describeDivergence(result.diverged)}.`);
          break;
        }
        if (result.epochs > 0) this.chunkEpochs = Math.max(1, Math.min(50, Math.round((CHUNK_SECONDS * result.epochs) / Math.max(result.seconds, 1e-3))));
        await this.readout();
        if (result.epochs < n) break; // paused between chunks
      }
      const done = engine.epochsDone;
      if (done >= target) this.target = undefined;
      this.ui.status.textContent = done >= target ? `Done: epoch ${done} (${engine.stepsDone} steps). Play trains ${this.ui.epochs.value} more.` : `Paused at epoch ${done} of ${target} (step ${engine.stepsDone}): Resume goes on.`;
    } catch (e) {
      this.fail(e, 'Training stopped');
    } finally {
      this.playing = false;
      this.busy = false;
      this.session.clearStop();
      this.sync();
      done();
    }
  }

  /** Accuracy, the confusion matrix, the digits and (CNN) the maps of the model as it is now. */
  private async readout(): Promise<void> {
    const engine = this.session.engine;
    if (!engine) return;
    const trainTrace = await this.forward(engine, this.train);
    const testTrace = await this.forward(engine, this.test);
    const trainProb = trainTrace.prob;
    const testProb = testTrace.prob;
    const confusion = confusionMatrix(testProb, this.test.y, this.classes);
    const testLoss = cpuLoss(testTrace.logit, this.test.y, engine.layout);
    this.last = { epoch: engine.epochsDone, trainLoss: cpuLoss(trainTrace.logit, this.train.y, engine.layout), testLoss, accuracy: { train: accuracy(trainProb, this.train.y, this.classes), test: accuracy(testProb, this.test.y, this.classes) }, confusion };
    const pct = (a: number) => `${(100 * a).toFixed(1)}%`;
    this.ui.accuracy.textContent = `Epoch ${engine.epochsDone}: accuracy ${pct(this.last.accuracy.train)} on the training digits, ${pct(this.last.accuracy.test)} on the test digits (${this.classes === 1 ? 'p > 0.5' : 'the argmax of the logits'}); test loss ${testLoss.toFixed(4)} now.`;
    const { losses, tests } = this.chart.values();
    this.ui.lossSummary.textContent =
      losses.length === 0 ? 'Not trained yet.' : `Step ${losses.length}: ${this.course.batchSize ? 'batch ' : ''}loss ${losses[losses.length - 1].toFixed(4)} (before its update)${tests.length > 0 ? `; the chart's test loss ${tests[tests.length - 1].toFixed(4)} is of the parameters at the start of epoch ${tests.length}` : ''}.`;
    const names = this.course.classNames;
    renderConfusion(this.ui.confusionHead, this.ui.confusionBody, confusion, names);
    renderDigits(this.ui.digits, this.test, testProb, shownRows(testProb, this.test.y, this.classes, names.length, SHOWN_DIGITS), this.classes, names);
    if (this.layout?.conv) renderMaps(this.ui, await engine.readParams(), this.layout.conv, this.test, mappedRows(this.test.n, MAPPED_DIGITS), names);
  }

  /** Downloads the model now as a PyTorch script, trained again by --train as the page trained it (torch-export.ts). */
  private async exportTorch(): Promise<void> {
    const engine = this.session.engine;
    if (!engine || !this.last || this.running) return;
    const c = engine.config;
    const text = courseScript(await engine.readParams(), engine.layout, this.train, this.course.trainCsv, { seed: c.seed, optimizer: c.optimizer ?? 'adam', lr: engine.learningRate, batchSize: c.batchSize, shuffle: c.shuffle ?? false, epochs: engine.epochsDone }, this.last.trainLoss);
    download('model.py', text, 'text/x-python');
  }

  /** The model on all rows of `d`, in blocks with a pause between, so the CPU engine never holds the page for long. */
  private async forward(engine: NonNullable<Session['engine']>, d: Dataset): Promise<{ logit: Float32Array; prob: Float32Array }> {
    const block = engine.kind === 'cpu' ? READOUT_BLOCK : d.n;
    const outputs = this.classes;
    const logit = new Float32Array(d.n * outputs);
    const prob = new Float32Array(d.n * outputs);
    for (let from = 0; from < d.n; from += block) {
      const to = Math.min(d.n, from + block);
      const t = await engine.forward(d.x.subarray(from * d.d, to * d.d) as Float32Array<ArrayBuffer>);
      logit.set(t.logit, from * outputs);
      prob.set(t.prob, from * outputs);
      if (to < d.n) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return { logit, prob };
  }

  private fail(e: unknown, what: string): void {
    const text = labRemedy(e instanceof ConfigError ? e.problems.map((p) => p.message).join('; ') : e instanceof Error ? e.message : String(e));
    if (e instanceof ConfigError) this.ui.model.setAttribute('aria-invalid', 'true'); // the digits are fixed: the model text is what to change
    this.show(this.ui.message, `${what}: ${text}. The model on screen and its history are kept.`);
  }

  private show(el: HTMLElement, text: string | undefined): void {
    el.textContent = text ?? '';
    el.hidden = !text;
  }

  private sync(): void {
    this.ui.play.textContent = this.playing ? 'Pause' : this.target !== undefined ? 'Resume' : 'Play';
    this.ui.reset.setAttribute('aria-disabled', String(this.busy && !this.playing)); // Reset stops a run, but waits out a build
    this.ui.exportTorch.setAttribute('aria-disabled', String(this.running || !this.last));
    this.ui.model.readOnly = this.busy;
  }
}
