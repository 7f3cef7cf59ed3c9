// The demo page: the lecture's bent line, the data, and the network learning it live, on the GPU when
// the browser has WebGPU and on the CPU when it does not.
import './style.css';
import { DataError, parseCsv } from '../data/csv';
import { linspace, type Dataset } from '../data/dataset';
import { generateLectureData } from '../data/generate';
import { loadLectureData } from '../data/lecture';
import { BENT_LINE_PARAMS, packParams, paramLayout, singleHidden, type Head } from '../model/layout';
import { gpuForwardWith } from '../train/forward';
import { describeDivergence, type TrainerConfig, type TrainerState, type TrainResult } from '../train/trainer';
import { LogisticBaseline } from './baseline';
import { ByHand } from './byhand';
import { DataChart, LossChart, Panels, renderPanels } from './charts';
import { cpuTrace } from './engine';
import { alternativesText, strategiesThatFit } from './fits';
import { loadCsvInWorker } from './csvload';
import { GpuError } from '../gpu/context';
import { download, lossCsv, readTextFile } from './files';
import { diagnose, drawDiagram, fmt, scoreOf } from './inside';
import { importProblem, modelFile, parseModelFile, pytorchScript, runsUpTo, type RunRecord } from './modelfile';
import { Session } from './session';
import { deeperFromUrl, hiddenOf, LR_PRESETS, loadSettingsFromUrl, modelChanges, readSettings as readForm, saveModelToUrl, writeSettings, type DataChoice, type ModelFrame, type PageSettings } from './settings';
import type { TimelineEntry } from './timeline';
import { deviceClassProblem, type DeviceClass } from '../gpu/plan';
import { LESSONS, lessonOf, type Lesson, type LessonData } from './lessons/index';
import { BatchLab, type BatchLabUi } from './batchlab/lab';
import { TimingLesson } from './lessons/timing';
// Issue #20 (the page as a new user meets it): labels checked at Load, bad link values dropped, the status line.
import { checkLabels, showLabelProblem } from './labels';
import { dropBadLinkValues, droppedNote } from './links';
import { fetchFailedMessage, noWebGpuNotice, pageRemedy, trainingStatus } from './status';
import { Ghosts, ghostLabel } from './ghosts';
import { nextPiece } from './pacing';
import { UnitFocus } from './unitfocus';
import { imageSide } from './weights';
import { DigitsView } from './views/digits';
import { HOLDOUT_EVERY, splitHoldout } from './holdout';
import { PlaneView } from './views/plane';
import { BASELINE_MAX_POINTS, CurveView } from './views/curve';
import type { LessonView } from './views/view';

export const LECTURE_CSV_URL = 'https://raw.githubusercontent.com/guebin/DL2024/main/posts/dnnex.csv';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  adapter: $('adapter'),
  gpuMessage: $('gpu-message'),
  gpuMessageText: $('gpu-message-text'),
  gpuDetails: $<HTMLDetailsElement>('gpu-details'),
  gpuDetailsText: $('gpu-details-text'),
  play: $<HTMLButtonElement>('play'),
  step: $<HTMLButtonElement>('step'),
  stepChunk: $<HTMLButtonElement>('step-chunk'),
  reset: $<HTMLButtonElement>('reset'),
  epochReadout: $('epoch-readout'),
  lossReadout: $('loss-readout'),
  rateReadout: $('rate-readout'),
  progress: $<HTMLProgressElement>('progress'),
  runStatus: $('run-status'),
  runMessage: $('run-message'),
  stale: $('stale'),
  staleText: $('stale-text'),
  restart: $<HTMLButtonElement>('restart'),
  continue: $<HTMLButtonElement>('continue'),
  scrubber: $<HTMLInputElement>('scrubber'),
  scrubberLabel: $('scrubber-label'),
  live: $<HTMLButtonElement>('live'),
  pin: $<HTMLButtonElement>('pin'),
  settings: $<HTMLFormElement>('settings'),
  speed: $<HTMLSelectElement>('speed'),
  lrPresets: $('lr-presets'),
  dataset: $<HTMLSelectElement>('dataset'),
  loadData: $<HTMLButtonElement>('load-data'),
  file: $<HTMLInputElement>('file'),
  dataInfo: $('data-info'),
  dataMessage: $('data-message'),
  engineInfo: $('engine-info'),
  deviceClass: $<HTMLSelectElement>('device-class'),
  holdout: $<HTMLInputElement>('holdout'),
  holdoutField: $('holdout-field'),
  announce: $('announce'),
  dataSummary: $('data-summary'),
  lossSummary: $('loss-summary'),
  diagram: document.getElementById('diagram') as unknown as SVGSVGElement,
  unitsSummary: $('units-summary'),
  panels: $('panels'),
  exportParams: $<HTMLButtonElement>('export-params'),
  exportTorch: $<HTMLButtonElement>('export-torch'),
  exportLoss: $<HTMLButtonElement>('export-loss'),
  importParams: $<HTMLInputElement>('import-params'),
  importMessage: $('import-message'),
  lessonList: $('lesson-list'),
  lessonTitle: $('lesson-title'),
  lessonModel: $('lesson-model'),
  lessonAbout: $('lesson-about'),
  dropout: $<HTMLInputElement>('dropout'),
  dropoutField: $('dropout-field'),
  dropoutLabel: $('dropout-label'),
  dataChoice: $('data-choice'),
  dataFigure: $('data-chart').parentElement!,
  logitFigure: $('logit-figure'),
  logitSummary: $('logit-summary'),
  digitsSection: $('digits-section'),
  digitsSummary: $('digits-summary'),
  digitsWrongTitle: $('digits-wrong-title'),
  timingSection: $('timing-section'),
  timingEpochs: $<HTMLInputElement>('timing-epochs'),
  timingEpochsProblem: $('timing-epochs-problem'),
  timingRun: $<HTMLButtonElement>('timing-run'),
  timingStop: $<HTMLButtonElement>('timing-stop'),
  lab: $('lab'),
  insideSection: $('inside-section'),
  unitPanelsBox: $('unit-panels').parentElement!,
  bentSection: $('bent-section'),
  ioSection: $('io-section'),
  linkMessage: $('link-message'),
  clearGhosts: $<HTMLButtonElement>('clear-ghosts'),
  unitKey: $('unit-key'),
  weightImages: $('weight-images'),
  insideAbout: $('inside-about'),
  diagramFigure: $('diagram-figure'),
  planeFigure: $('plane-figure'),
  planeSummary: $('plane-summary'),
};

/** The lesson on screen (`?lesson=`): its data, its model's frame, its view. */
const lesson: Lesson = lessonOf(new URLSearchParams(location.search));
const view = lesson.view;
const head = lesson.frame.head;
const LOSS_NAMES = { bce: 'BCE', 'bce-logits': 'BCEWithLogits', mse: 'MSE', ce: 'CrossEntropy' } as const;
const withBaseline = view === 'lecture';
/** Whether the loss chart's second curve is a test loss: the lessons with held-out points, and the lecture with its holdout on. */
const hasTest = () => view === 'overfit' || view === 'digits' || (view === 'lecture' && testData !== undefined);

function show(el: HTMLElement, text: string | undefined): void {
  el.textContent = text ?? '';
  el.hidden = !text;
}

const narrow = matchMedia('(max-width: 820px)').matches;
const regression = head === 'mse';
const dataChart = new DataChart(
  $('data-chart'),
  withBaseline
    ? 'The data: observed points, the true probability, the model’s estimate and logistic regression’s'
    : view === 'overfit'
      ? 'The data: the 80 training points, the 20 held-out ones, and the model’s estimate at every x'
      : `The data: observed points, the true ${regression ? 'curve' : 'probability'} and the model’s estimate`,
  { estimate: 'estimated (now)', baseline: withBaseline ? 'logistic regression' : '' },
  narrow ? 220 : 270,
  regression ? { range: 'auto', curve: view === 'overfit' ? 'the truth: 0' : 'true curve', y: 'y' } : undefined,
);
const lossChart = new LossChart(
  $('loss-chart'),
  withBaseline ? 'Training loss per epoch, the network and logistic regression (or the test loss, with a test set held out)' : hasTest() ? 'Training and test loss per epoch (test: evaluation mode, before each update)' : 'Training loss per epoch',
  narrow ? 150 : 190,
  { yLabel: `${LOSS_NAMES[head]} loss`, second: withBaseline ? 'logistic regression' : hasTest() ? 'test loss (evaluation mode)' : null, log: regression },
);
const unitCharts = new Panels($('unit-panels'), 130);
/** One hidden unit followed in the diagram and the panels (issue #20, src/app/unitfocus.ts). */
const unitFocus = new UnitFocus(ui.unitKey, ui.diagram, unitCharts);
const logitChart = new Panels($('logit-chart'), narrow ? 160 : 190);
/** The previous runs' curves, faded, across Restart (issue #20, src/app/ghosts.ts). */
const ghosts = new Ghosts(ui.clearGhosts, lossChart, dataChart, ui.play, hasTest);
/** The data as loaded (Load, a file, a link): the lecture's holdout splits it into `data` and `testData`. */
let loadedData: Dataset | undefined;
const byHand = new ByHand($<HTMLFormElement>('hand'), $('hand-chart'), $('hand-summary'));
/** The lesson's view beside the loss chart (src/app/views): the curve over x, the digits, the plane. */
const lessonView: LessonView =
  view === 'plane'
    ? new PlaneView($('plane-chart'), narrow ? 300 : 380, ui.planeSummary, head)
    : view === 'digits'
      ? new DigitsView({ sample: $('digits-sample'), wrong: $('digits-wrong'), wrongTitle: ui.digitsWrongTitle, summary: ui.digitsSummary, weights: ui.weightImages })
      : new CurveView({
          kind: view === 'overfit' ? 'overfit' : view === 'lecture' ? 'lecture' : 'fit',
          lessonId: lesson.id,
          head,
          dataChart,
          unitCharts,
          unitFocus,
          logitChart,
          unitsSummary: ui.unitsSummary,
          logitSummary: ui.logitSummary,
          lecture: withBaseline
            ? { byHand, baselineAt: (x: Float32Array, epoch: number) => (epoch <= baseline.step ? { prob: baseline.forwardAt(x, epoch), logit: baseline.logitAt(x, epoch) } : undefined) }
            : undefined,
        });

// ---- state

let session: Session;
/** The data set on the chart; the model trains on session.dataset, which differs until the user chooses. */
let data: Dataset;
let dataChoice: DataChoice = 'lecture';
let runs: RunRecord[] = [];
/** The run Play started: it ends at `target`; paused, Play resumes the epochs left. */
let run: { target: number; lr: number } | undefined;
let playing = false;
/** Actions in progress (building an engine, a step, loading data): Play and the rest wait for them. */
let busyCount = 0;
const isBusy = () => busyCount > 0;
let baseline = new LogisticBaseline(43052n);
/** The held-out points of the lesson, evaluated every epoch (none in the lecture). */
let testData: Dataset | undefined;
/** The timeline entry shown instead of the live model; undefined: live. */
let scrubbed: TimelineEntry | undefined;
let lastEstimate: Float32Array = new Float32Array(0);
let lastAnnounced = 0;
let buildCount = 0;

const engine = () => session?.engine;

/** The lesson's model frame (inputs, head, dropout switch): the form sets the rest. */
/**
 * What an imported model needs of the form beyond the lesson's frame: its hidden widths after the
 * first and its dropout p. With it the form describes the imported model (so Play continues it);
 * the hidden width field still sets the first width, the dropout switch still turns dropout off.
 */
let fileFrame: { deeper: readonly number[]; dropout: number } | undefined;
const frame = (): ModelFrame => {
  const switched = ui.dropout.checked && lesson.dropoutSwitch ? lesson.dropoutSwitch : lesson.frame.dropout;
  // The file's p while the switch says what the import set it to (on for p > 0).
  const dropout = fileFrame && ui.dropout.checked === fileFrame.dropout > 0 ? fileFrame.dropout : switched;
  return { ...lesson.frame, dropout, deeper: fileFrame?.deeper ?? [] };
};
const readSettings = () => readForm(frame());

function announce(text: string): void {
  ui.announce.textContent = text;
}

// ---- controls: what is enabled, what Play means now, and focus that never falls to <body>

function updateControls(): void {
  const idle = !playing && !isBusy();
  const hasModel = engine() !== undefined;
  const paused = run !== undefined && session.epochsDone < run.target;
  ui.play.textContent = playing ? 'Pause' : paused ? 'Resume' : 'Play';
  ui.play.setAttribute('aria-pressed', String(playing));
  const disable = (el: HTMLButtonElement | HTMLInputElement | HTMLSelectElement, off: boolean) => {
    if (el instanceof HTMLButtonElement) {
      // Buttons stay focusable while unavailable, so focus never falls to <body>; clicks are ignored.
      el.setAttribute('aria-disabled', String(off));
      el.disabled = false;
      return;
    }
    if (off && document.activeElement === el) ui.play.focus(); // before it is disabled, not after
    el.disabled = off;
  };
  ui.play.disabled = !hasModel; // never while it has focus: busy clicks are ignored instead
  for (const b of [ui.step, ui.stepChunk, ui.restart, ui.continue, ui.exportParams, ui.exportTorch]) disable(b, !idle || !hasModel);
  // Reset and Load need no model: after a failed build they are the way out (issue #20).
  for (const b of [ui.reset, ui.loadData]) disable(b, !idle);
  disable(ui.importParams, !idle || !hasModel);
  disable(ui.dataset, !idle);
  disable(ui.holdout, !idle);
  const entries = session?.timeline.all.length ?? 0;
  disable(ui.scrubber, !idle || entries < 2);
  disable(ui.live, !idle || scrubbed === undefined);
  disable(ui.pin, !idle || !hasModel);
  ui.epochReadout.textContent = String(session?.epochsDone ?? 0);
}

/** Settings that would change the model, against the model on screen; empty when there is nothing to choose. */
function staleChanges(): string[] {
  const eng = engine();
  if (!eng || eng.epochsDone === 0) return [];
  const { settings } = readSettings();
  const changes = settings ? modelChanges(settings.config, eng.config) : [];
  if (data !== session.dataset) changes.push(`data set ${data.source} (the model trained on ${session.dataset.source})`);
  return changes;
}

function updateStale(): boolean {
  const changes = staleChanges();
  if (changes.length > 0) {
    ui.staleText.textContent = `Changed since this model was built: ${changes.join('; ')}. Training more would not use them: restart with them, or continue the model shown.`;
  }
  ui.stale.hidden = changes.length === 0;
  return changes.length > 0;
}

function settingsOrShowProblems(): PageSettings | undefined {
  return readSettings().settings;
}

// ---- the model: build, train, redraw

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** A fresh model from the form's settings on the data on screen: every chart starts over. */
/** `keepRun`: the run on screen stays as a faded ghost (not when the points drawn change, as with the holdout). */
async function buildFresh(settings: PageSettings, keepRun = true): Promise<boolean> {
  // One busy action until the charts, Play's text (no Resume at epoch 0) and the timeline's label follow (issue #20).
  busyCount++;
  try {
    return await rebuildFresh(settings, keepRun);
  } finally {
    busyCount--;
    syncScrubber();
    updateControls();
  }
}

async function rebuildFresh(settings: PageSettings, keepRun: boolean): Promise<boolean> {
  // The run on screen becomes a faded ghost beside the next (issue #20, src/app/ghosts.ts).
  const previous = engine();
  const ghost = keepRun && previous && previous.epochsDone > 0 ? { label: ghostLabel(previous.config, settings.config, previous.epochsDone), estimate: lastEstimate } : undefined;
  const built = await build(settings.config, undefined);
  if (!built) return false;
  if (ghost) ghosts.keep(ghost.label, ghost.estimate);
  runs = [];
  run = undefined;
  scrubbed = undefined;
  session.timeline.clear();
  session.capture(0, true);
  baseline = new LogisticBaseline(settings.config.seed);
  lossChart.clear(settings.epochs);
  dataChart.clearOverlays();
  dataChart.setBaseline(undefined);
  ui.progress.value = 0;
  ui.lossReadout.textContent = '–';
  ui.rateReadout.textContent = '';
  ui.runStatus.textContent = `Fresh parameters from seed ${settings.config.seed}: press Play.`;
  saveModelToUrl(settings, dataChoice, ui.speed.value);
  await refreshNow();
  return true;
}

/** A new engine for `config` (continuing from `state` when given), with "preparing the GPU…" meanwhile. */
async function build(config: TrainerConfig, state: TrainerState | undefined): Promise<boolean> {
  busyCount++;
  updateControls();
  show(ui.runMessage, undefined);
  const previous = ui.runStatus.textContent;
  ui.runStatus.textContent = session.onGpu ? 'Preparing the GPU (compiling the shaders)…' : 'Preparing the model…';
  ui.runStatus.setAttribute('aria-busy', 'true');
  try {
    await session.build(config, data, state, testData);
    buildCount++;
    ui.runStatus.textContent = previous;
    ui.engineInfo.textContent = `Engine: ${engine()!.description}${session.ctx ? `; plans for ${session.ctx.plan.deviceClass === 'gpu' ? 'a GPU' : 'a software adapter'}${forcedClass ? ' (forced by the link)' : ''}` : ''}.`;
    return true;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    ui.runStatus.textContent = 'Not started: see the message above.';
    show(ui.runMessage, `The model could not be built: ${pageRemedy(message)}`); // issue #20: the page's remedies, not the CLI's
    if (e instanceof GpuError && e.kind === 'limit' && session.ctx && (config.strategy !== 'auto' || config.workgroupSize !== undefined)) offerAuto(config);
    return false;
  } finally {
    busyCount--;
    ui.runStatus.removeAttribute('aria-busy');
    updateControls();
    updateStale();
  }
}

/** After a chosen strategy that does not fit this device: which ones do, and a button that switches to auto. */
function offerAuto(config: TrainerConfig): void {
  const alternatives = strategiesThatFit(session.ctx!, config, data, testData);
  const ended = /[.!?]$/.test((ui.runMessage.textContent ?? '').trim());
  ui.runMessage.append(`${ended ? ' ' : '. '}${alternativesText(alternatives, config.strategy)} `);
  if (alternatives.fit.length === 0) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'use-auto';
  button.textContent = 'Use auto';
  button.addEventListener('click', async () => {
    writeSettings({ strategy: 'auto', workgroup: undefined });
    const settings = settingsOrShowProblems();
    if (settings && (await buildFresh(settings))) {
      ui.play.focus();
      announce(`Built with the ${engine()!.description}.`);
    }
  });
  ui.runMessage.append(button);
}

/** Applies the run settings that may change between runs (learning rate, engine), keeping the state. */
async function applyRunSettings(settings: PageSettings): Promise<boolean> {
  const eng = engine()!;
  const c = settings.config;
  if (sameEngineChoice(c, session.requested!)) {
    eng.learningRate = c.lr; // torch's param_groups: parameters, moments and step carry over
    return true;
  }
  // torch allows a new lr between runs (param_groups): parameters, moments and step carry over.
  const state = await eng.snapshot();
  return build({ ...eng.config, lr: c.lr, strategy: c.strategy, workgroupSize: c.workgroupSize }, state);
}

/**
 * Whether the form asks for the engine on screen: the user's choices against the user's choices
 * (`auto` against `auto`, not against the strategy auto resolved to), so Play rebuilds nothing
 * when nothing changed.
 */
function sameEngineChoice(form: TrainerConfig, chosen: TrainerConfig): boolean {
  return form.strategy === chosen.strategy && form.workgroupSize === chosen.workgroupSize;
}

/** The model on screen for the address bar: the user's strategy choice (`auto` stays auto), the current learning rate. */
function linkConfig(): TrainerConfig {
  return session.requested ?? engine()!.config;
}

function noteEpochs(lr: number, from: number, to: number): void {
  const last = runs[runs.length - 1];
  if (last && last.lr === lr && last.to === from) last.to = to;
  else runs.push({ from, to, lr });
}

let refreshRunning = false;
let refreshWanted = false;
let lastRefresh = 0;

/** Redraws the estimate, the diagram, the unit panels and the summaries: one pass in flight at a time. */
async function refreshView(): Promise<void> {
  if (!engine()) return;
  if (refreshRunning) {
    refreshWanted = true;
    return;
  }
  refreshRunning = true;
  lastRefresh = performance.now();
  // Held to the end of the redraw: a build meanwhile (Restart, Play's new strategy) destroys it only then.
  const lease = session.lease()!;
  const eng = lease.engine;
  try {
    const entry = scrubbed;
    const params = entry ? await lease.readSnapshot(entry) : await eng.readParams();
    const epoch = entry ? entry.epoch : eng.epochsDone;
    const at = entry ? `Snapshot at epoch ${epoch}` : `Epoch ${epoch}`;
    const traceOf = (x: Float32Array<ArrayBuffer>) => (entry ? eng.forwardWith(params, x) : eng.forward(x));
    drawDiagram(ui.diagram, params, eng.layout, epoch);
    const losses = lossChart.values();
    const second = lossChart.baselineValues();
    const drawn = await lessonView.refresh({ at, traceOf, params, layout: eng.layout, epoch, scrubbed: entry !== undefined }, data, testData);
    lastEstimate = drawn.estimate;
    ui.dataSummary.textContent = drawn.summary;
    ui.lossSummary.textContent =
      losses.length === 0
        ? 'No epochs yet.'
        : `${losses.length} epochs: the loss went from ${fmt(losses[0], 4)} to ${fmt(losses[losses.length - 1], 4)}` +
          (withBaseline && baseline.step > 0 ? `; logistic regression's to ${fmt(second[losses.length - 1], 4)}.` : hasTest() ? `; the test loss from ${fmt(second[0], 4)} to ${fmt(second[losses.length - 1], 4)} (lowest ${fmt(Math.min(...second), 4)} at epoch ${second.indexOf(Math.min(...second)) + 1}).` : '.');
  } catch (e) {
    reportError(e);
  } finally {
    lease.release();
    refreshRunning = false;
    if (refreshWanted) {
      refreshWanted = false;
      void refreshView();
    }
  }
}

/** A redraw of the model as it is now, after any redraw in flight: what the end of a run and a step show. */
async function refreshNow(): Promise<void> {
  while (refreshRunning) await nextFrame();
  refreshWanted = false;
  await refreshView();
}

/** At most ~8 redraws of the inside per second while training; the loss chart streams every epoch. */
function refreshSoon(): void {
  if (performance.now() - lastRefresh > 120) void refreshView();
  else refreshWanted ||= refreshRunning;
}

function reportError(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  show(ui.runMessage, message);
  ui.runStatus.textContent = 'Stopped: see the message above.';
}

/**
 * Logistic regression trains beside the network on the main thread, one pass over the points per
 * epoch: up to BASELINE_MAX_POINTS points (3000 epochs of 1.9 M points would hold the page ~2 minutes).
 */
const baselineTrains = () => withBaseline && session.dataset.n <= BASELINE_MAX_POINTS;

/** Trains `n` epochs as one piece, feeding the charts and the logistic baseline. */
async function trainPiece(n: number, lr: number): Promise<TrainResult> {
  const result = await session.train(n, (first, losses, testLosses) => {
    const second = testLosses ?? (baselineTrains() ? baseline.train(session.dataset.x, session.dataset.y, losses.length, lr) : undefined);
    lossChart.append(first, losses, second);
    noteEpochs(lr, first, first + losses.length);
    const epoch = first + losses.length;
    ui.epochReadout.textContent = String(epoch);
    ui.lossReadout.textContent = losses[losses.length - 1].toFixed(6);
    if (playing && run && !session.stopping) ui.runStatus.textContent = trainingStatus(epoch, run.target); // issue #20: the state, not the last build's words
    if (Math.floor(epoch / 1000) > Math.floor(lastAnnounced / 1000)) {
      announce(`Epoch ${epoch}, loss ${losses[losses.length - 1].toFixed(4)}.`);
      lastAnnounced = epoch;
    }
  });
  const epoch = session.epochsDone;
  if (session.timeline.isDue(epoch)) session.capture(epoch);
  return result;
}

function divergenceMessage(result: TrainResult, lr: number): string {
  return `Diverged at epoch ${result.diverged!.epoch}: ${describeDivergence(result.diverged!)}. Lower the learning rate (now ${lr}; try ${lr / 10}) and press Play to continue from epoch ${result.diverged!.epoch - 1}, or Reset.`;
}

/** Plays the run until its target, a pause, divergence or a lost device. */
async function play(): Promise<void> {
  if (!run) return;
  const lr = run.lr;
  playing = true;
  scrubbed = undefined;
  lossChart.showCursor(undefined);
  session.clearStop();
  show(ui.runMessage, undefined);
  updateControls();
  const start = session.epochsDone;
  lastAnnounced = start;
  lossChart.horizon = Math.max(lossChart.horizon, run.target);
  announce(`Training from epoch ${start} to ${run.target} at learning rate ${lr}.`);
  const t0 = performance.now();
  let stopped: string | undefined;
  let lastPiece = { epochs: 0, seconds: 0 }; // flat out, pieces of about half a second (issue #20, src/app/pacing.ts)
  try {
    while (session.epochsDone < run.target && !session.stopping) {
      const speed = ui.speed.value;
      if (speed !== 'max') await nextFrame();
      if (session.stopping) break;
      const done = session.epochsDone;
      // Paced: pieces end where a snapshot is due. Flat out: chunks of 250, a snapshot after each due one.
      const piece = speed === 'max' ? nextPiece(lastPiece.epochs, lastPiece.seconds) : Math.min(Number(speed), session.timeline.nextDue(done) - done);
      const pieceStart = performance.now();
      const result = await trainPiece(Math.min(run.target - done, piece), lr);
      lastPiece = { epochs: result.epochs, seconds: (performance.now() - pieceStart) / 1000 };
      ui.progress.value = (session.epochsDone - start) / (run.target - start);
      ui.rateReadout.textContent = `${(((session.epochsDone - start) / (performance.now() - t0)) * 1000).toFixed(0)} epochs/s`;
      refreshSoon();
      if (result.diverged) {
        stopped = divergenceMessage(result, lr);
        break;
      }
    }
  } catch (e) {
    stopped = e instanceof Error ? e.message : String(e);
  }
  const epoch = session.epochsDone;
  const loss = lossChart.values()[epoch - 1];
  await session.checkpoint().catch(() => undefined);
  await refreshNow();
  if (stopped) {
    show(ui.runMessage, stopped);
    ui.runStatus.textContent = `Stopped at epoch ${epoch}: see the message above.`;
    announce(`Stopped at epoch ${epoch}. ${stopped}`);
  } else if (epoch >= run.target) {
    session.capture(epoch, true);
    const lrs = new Set(runs.map((r) => r.lr));
    dataChart.addOverlay(`after ${epoch} epochs${lrs.size > 1 ? `, lr ${lr}` : ''}`, lastEstimate);
    const problem = diagnose(lossChart.values().subarray(start), (await engine()!.readParams()), engine()!.layout, data.x);
    if (problem) show(ui.runMessage, `Not learning at epoch ${epoch}: ${problem}`);
    ui.runStatus.textContent = problem
      ? `Finished epoch ${epoch}, but the model is not learning: see the message above.`
      : `Done: epoch ${epoch} · loss ${fmt(loss, 6)} · ${engine()!.description}.`;
    announce(problem ? `Finished at epoch ${epoch}, not learning: ${problem}` : `Done: epoch ${epoch}, loss ${loss.toFixed(4)}.`);
    run = undefined;
  } else {
    ui.runStatus.textContent = `Paused at epoch ${epoch}: Resume trains the ${run.target - epoch} epochs left.`;
    announce(`Paused at epoch ${epoch}.`);
  }
  playing = false;
  updateControls();
}

/** Play's choice: pause, resume, or a new run of "epochs per run" from the model on screen. */
async function onPlay(): Promise<void> {
  if (playing) {
    session.requestStop();
    ui.runStatus.textContent = 'Pausing after this piece…'; // issue #20: the click is seen at once
    return;
  }
  if (isBusy()) return;
  busyCount++;
  try {
    if (!(await ready())) return;
    if (!run || session.epochsDone >= run.target) {
      const settings = settingsOrShowProblems()!;
      run = { target: session.epochsDone + settings.epochs, lr: settings.config.lr };
    } else {
      run.lr = engine()!.config.lr;
    }
    playing = true;
  } finally {
    busyCount--;
  }
  await play();
}

/**
 * Before training: valid settings, no pending model change (or a model with no epochs yet, which is
 * rebuilt silently), and the run settings applied.
 */
async function ready(): Promise<boolean> {
  const settings = settingsOrShowProblems();
  if (!settings) {
    ui.runStatus.textContent = 'Fix the settings marked below first.';
    return false;
  }
  if (updateStale()) {
    ui.restart.focus();
    announce('The settings changed: restart with them, or continue the model shown.');
    return false;
  }
  const eng = engine();
  if (!eng || (eng.epochsDone === 0 && (modelChanges(settings.config, eng.config).length > 0 || data !== session.dataset))) return buildFresh(settings);
  if (!(await applyRunSettings(settings))) return false;
  saveModelToUrl({ ...settings, config: linkConfig() }, dataChoice, ui.speed.value);
  return true;
}

async function step(epochs: number): Promise<void> {
  if (playing || isBusy()) return;
  busyCount++;
  updateControls();
  try {
    if (!(await ready())) return;
    const lr = engine()!.config.lr;
    session.clearStop(); // a pause before it stopped the run, not this step
    const result = await trainPiece(epochs, lr);
    if (result.diverged) show(ui.runMessage, divergenceMessage(result, lr));
    else ui.runStatus.textContent = `Stepped to epoch ${session.epochsDone}${run && session.epochsDone < run.target ? `: Resume trains the ${run.target - session.epochsDone} left` : ''}.`;
    await session.checkpoint().catch(() => undefined);
    await refreshNow();
  } catch (e) {
    reportError(e);
  } finally {
    busyCount--;
    updateControls();
  }
}

/** Buttons are aria-disabled rather than disabled (they keep focus): their clicks are dropped here. */
document.addEventListener(
  'click',
  (e) => {
    const button = (e.target as Element | null)?.closest?.('button');
    if (button?.getAttribute('aria-disabled') === 'true') e.stopImmediatePropagation();
  },
  true,
);
ui.play.addEventListener('click', () => void onPlay());
ui.step.addEventListener('click', () => void step(1));
ui.stepChunk.addEventListener('click', () => void step(250));
ui.reset.addEventListener('click', async () => {
  const settings = settingsOrShowProblems();
  if (settings && (await buildFresh(settings))) announce(`Reset: fresh parameters from seed ${settings.config.seed}.`);
});
ui.restart.addEventListener('click', async () => {
  const settings = settingsOrShowProblems();
  if (settings && (await buildFresh(settings))) {
    ui.play.focus();
    announce('A new model with the new settings: press Play.');
  }
});
ui.continue.addEventListener('click', async () => {
  const eng = engine();
  if (!eng) return;
  writeSettings({ hidden: hiddenOf(eng.config), seed: String(eng.config.seed) });
  ui.dropout.checked = eng.config.model.dropout > 0;
  if (data !== session.dataset && !(await build(session.requested!, await eng.snapshot()))) return;
  updateStale();
  ui.play.focus();
  announce(`Continuing the model shown, at epoch ${session.epochsDone}.`);
});
ui.settings.addEventListener('input', () => updateStale());
ui.settings.addEventListener('change', () => {
  readSettings();
  updateStale();
});
ui.speed.addEventListener('change', () => {
  const eng = engine();
  if (eng) saveModelToUrl({ epochs: Number(new URLSearchParams(location.search).get('epochs') ?? lesson.defaults.epochs), config: linkConfig() }, dataChoice, ui.speed.value);
});
for (const lr of LR_PRESETS) {
  const option = document.createElement('option');
  option.value = String(lr);
  ui.lrPresets.append(option);
}

// ---- the timeline

function scrubTo(entry: TimelineEntry | undefined): void {
  scrubbed = entry;
  const entries = session.timeline.all;
  ui.scrubber.max = String(Math.max(0, entries.length - 1));
  if (entry) ui.scrubber.value = String(entries.indexOf(entry));
  else ui.scrubber.value = ui.scrubber.max;
  const text = entry ? `epoch ${entry.epoch}${entry.pinned ? ' (end of a run)' : ''}` : `live (epoch ${session.epochsDone})`;
  ui.scrubberLabel.textContent = text;
  ui.scrubber.setAttribute('aria-valuetext', text);
  lossChart.showCursor(entry?.epoch);
  updateControls();
  void refreshView();
}

ui.scrubber.addEventListener('input', () => scrubTo(session.timeline.all[Number(ui.scrubber.value)]));
ui.live.addEventListener('click', () => scrubTo(undefined));
ui.pin.addEventListener('click', () => dataChart.addOverlay(`epoch ${scrubbed?.epoch ?? session.epochsDone} (pinned)`, lastEstimate));
const syncScrubber = () => {
  if (scrubbed) return;
  ui.scrubber.max = String(Math.max(0, session.timeline.all.length - 1));
  ui.scrubber.value = ui.scrubber.max;
  ui.scrubberLabel.textContent = session.timelineOff ?? `live (epoch ${session.epochsDone})`;
};

// ---- data sets: a bad file leaves the current data, model and charts as they were

async function replaceData(choice: DataChoice, load: () => Promise<Dataset>): Promise<void> {
  show(ui.dataMessage, undefined);
  busyCount++;
  updateControls();
  let loaded: Dataset;
  try {
    loaded = await load();
  } catch (e) {
    const what = e instanceof DataError ? 'This data set was not loaded' : 'Could not load the data';
    show(ui.dataMessage, `${what}: ${pageRemedy(e instanceof Error ? e.message : String(e))}. The previous data and model are kept.`);
    return;
  } finally {
    busyCount--;
    updateControls();
  }
  // Labels checked at Load, the fix offered as a button (issue #20, src/app/labels.ts).
  const labelProblem = checkLabels(loaded, head);
  if (labelProblem) {
    showLabelProblem(ui.dataMessage, labelProblem, (fixed) => void replaceData(choice, async () => fixed));
    return;
  }
  dataChoice = choice;
  ui.dataset.value = choice;
  useData(loaded);
  const eng = engine();
  if (!eng || eng.epochsDone === 0) {
    const settings = settingsOrShowProblems();
    if (settings) await buildFresh(settings);
    ui.runStatus.textContent = 'New data: press Play.';
  } else {
    updateStale();
    await refreshNow();
  }
}

/**
 * The lecture's holdout switch: the data as loaded, split (or whole again), and a fresh run on it, so
 * the test loss covers the whole run; the previous runs' ghosts go (their points were others).
 */
ui.holdout.addEventListener('change', () => {
  const query = new URLSearchParams(location.search);
  if (ui.holdout.checked) query.set('holdout', '1');
  else query.delete('holdout');
  history.replaceState(null, '', `${location.pathname}?${query}${location.hash}`);
  if (!loadedData || isBusy()) return;
  if (ui.holdout.checked && loadedData.n < HOLDOUT_EVERY) {
    show(ui.dataMessage, `A test set needs at least ${HOLDOUT_EVERY} points; the data has ${loadedData.n}. The data and model on screen are kept.`);
    ui.holdout.checked = false;
    return;
  }
  void (async () => {
    ghosts.clear();
    useData(loadedData!);
    const settings = settingsOrShowProblems();
    if (settings && (await buildFresh(settings, false))) ui.runStatus.textContent = ui.holdout.checked ? `Every ${HOLDOUT_EVERY}th point held out as a test set: press Play.` : 'All the points train again: press Play.';
  })();
});

/** Makes `loaded` the data on screen: split by the lecture's holdout when it is on. */
function useData(loaded: Dataset): void {
  loadedData = loaded;
  if (view === 'lecture' && ui.holdout.checked && loaded.n >= HOLDOUT_EVERY) {
    const parts = splitHoldout(loaded);
    data = parts.train;
    testData = parts.test;
  } else if (view === 'lecture') {
    data = loaded;
    testData = undefined;
  } else data = loaded;
  lossChart.setSecondName(hasTest() ? 'test loss (evaluation mode)' : 'logistic regression');
  showDataset(data);
}

function showDataset(d: Dataset): void {
  ui.dataInfo.textContent = lessonView.showData(d, testData);
}

/** The biggest CSV the page reads: the worker holds its bytes and text while it parses (~10× the file). */
const MAX_CSV_BYTES = 512 * 1024 * 1024;

/** The CSV's progress bar, under the data line while a file is read and parsed in the worker. */
const csvProgress = (() => {
  const bar = document.createElement('progress');
  bar.id = 'csv-progress';
  bar.max = 1;
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-label', 'Reading the CSV file');
  bar.hidden = true;
  const text = document.createElement('span');
  text.id = 'csv-progress-text';
  text.className = 'muted';
  text.hidden = true;
  ui.dataInfo.after(bar, text);
  return { bar, text };
})();

function showCsvProgress(file: File, phase: 'reading' | 'parsing' | 'done', fraction?: number): void {
  const { bar, text } = csvProgress;
  bar.hidden = text.hidden = phase === 'done';
  const mb = (file.size / 1024 / 1024).toFixed(1);
  // Reading is the first tenth of the bar, parsing the rest; no fraction: indeterminate (one piece).
  if (fraction !== undefined) bar.value = phase === 'reading' ? 0.1 * fraction : 0.1 + 0.9 * fraction;
  else bar.removeAttribute('value');
  const percent = fraction === undefined ? '' : ` ${Math.round(100 * fraction)}%`;
  const words = phase === 'reading' ? `Reading ${file.name} (${mb} MB)…${percent}` : `Parsing ${file.name} (${mb} MB) in the background…${percent}`;
  bar.setAttribute('aria-valuetext', words);
  text.textContent = words;
}

async function loadFile(file: File): Promise<void> {
  await replaceData('file', async () => {
    if (file.size > MAX_CSV_BYTES) throw new Error(`${file.name} is ${file.size} bytes, more than the ${MAX_CSV_BYTES} this page reads`);
    showCsvProgress(file, 'reading', 0);
    try {
      return await loadCsvInWorker(file, (phase, fraction) => showCsvProgress(file, phase, fraction));
    } finally {
      showCsvProgress(file, 'done');
    }
  });
}

/** dnnex.csv from beside the page (src/data/lecture.ts); a page built without it says so and refuses, keeping the data on screen. */
const shippedLectureData = async (): Promise<Dataset> => {
  const { data: d, fallback } = await loadLectureData(document.baseURI);
  if (fallback) throw new Error(`${fallback}: choose “A CSV file of mine…” to load a copy`);
  return d;
};

const fetchLectureCsv = async () => {
  // Offline, fetch rejects with a bare "Failed to fetch": say what it means and what to do (issue #20).
  const response = await fetch(LECTURE_CSV_URL).catch((e: unknown) => {
    throw new Error(fetchFailedMessage(LECTURE_CSV_URL, e));
  });
  if (!response.ok) throw new Error(`${LECTURE_CSV_URL} answered ${response.status}`);
  return parseCsv(await response.text(), 'dnnex.csv (online)');
};

// Choosing in the list loads nothing (arrowing through it must not fetch): Load does, every time.
ui.loadData.addEventListener('click', () => {
  const choice = ui.dataset.value as DataChoice;
  if (choice === 'file') ui.file.click();
  else if (choice === 'generated') void replaceData('generated', async () => generateLectureData());
  else if (choice === 'lecture') void replaceData('lecture', shippedLectureData);
  else void replaceData('lecture-url', fetchLectureCsv);
});
ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  if (file) void loadFile(file).finally(() => (ui.file.value = ''));
});
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file && view === 'lecture') void loadFile(file);
  // issue #20: a CSV dropped on a lesson page is not silently ignored
  else if (file) show(ui.dataMessage, `${file.name} was not loaded: this lesson trains on its own data. Open the first lesson (the lecture) to train on a CSV of yours.`);
});

// ---- export and import

ui.exportParams.addEventListener('click', async () => {
  const eng = engine();
  if (!eng) return;
  const file = modelFile(eng.config, session.dataset.source, await eng.snapshot(), eng.layout, runs, lossChart.values());
  download('model.json', JSON.stringify(file, null, 2), 'application/json');
});
ui.exportTorch.addEventListener('click', async () => {
  const eng = engine();
  if (!eng) return;
  const params = await eng.readParams();
  const loss = scoreOf(cpuTrace(params, eng.layout, session.dataset.x), session.dataset.y, eng.layout.spec.head).loss;
  download('model.py', pytorchScript(params, eng.layout, session.dataset, eng.epochsDone, loss, { seed: eng.config.seed, runs }), 'text/x-python');
});
ui.exportLoss.addEventListener('click', () => download('loss.csv', lossCsv(lossChart.values()), 'text/csv'));
ui.importParams.addEventListener('change', async () => {
  const file = ui.importParams.files?.[0];
  ui.importParams.value = '';
  if (!file || !engine()) return;
  ui.importMessage.classList.remove('error');
  try {
    await importModel(file);
  } catch (e) {
    ui.importMessage.classList.add('error');
    show(ui.importMessage, `${file.name} was not loaded: ${e instanceof Error ? e.message : String(e)}. The model on screen is kept.`);
  }
});

/** The lessons whose page shows each head: where a refused file can be continued. */
const LESSONS_BY_HEAD: Partial<Record<Head, string[]>> = {};
for (const l of LESSONS) (LESSONS_BY_HEAD[l.frame.head] ??= []).push(l.id);

/**
 * Loads a model file and continues it: its layers, head and dropout, its parameters and (when it
 * has them) Adam's moments and step, so Play goes on exactly. A model this page cannot show is
 * refused before anything changes (importProblem says why).
 */
async function importModel(file: File): Promise<void> {
  const imported = parseModelFile(await readTextFile(file, 64 * 1024 * 1024), frame());
  const problem = importProblem(imported.model, { head, features: data.features, lessonsByHead: LESSONS_BY_HEAD });
  if (problem) throw new RangeError(problem);
  const settings = settingsOrShowProblems();
  const base = settings?.config ?? session.requested!;
  const config: TrainerConfig = { ...base, model: imported.model, lr: imported.lr ?? base.lr, seed: imported.seed ?? base.seed };
  if (!(await build(config, imported.state))) throw new Error(ui.runMessage.textContent ?? 'the model could not be built');
  fileFrame = { deeper: imported.model.layers.slice(2, -1), dropout: imported.model.dropout };
  writeSettings({ hidden: hiddenOf(config), lr: config.lr, seed: String(config.seed) });
  ui.dropout.checked = config.model.dropout > 0;
  runs = imported.runs;
  run = undefined;
  scrubbed = undefined;
  session.timeline.clear();
  session.capture(imported.state.step, true);
  baseline = new LogisticBaseline(config.seed);
  lossChart.clear(imported.state.step);
  // The baseline trains the imported epochs too, so "same epochs" holds (issue #20).
  const baseLosses = withBaseline ? baseline.replay(session.dataset.x, session.dataset.y, imported.runs, config.lr, imported.state.step) : undefined;
  if (imported.loss.length === imported.state.step && imported.loss.length > 0) lossChart.append(0, imported.loss, baseLosses);
  dataChart.clearOverlays();
  saveModelToUrl({ epochs: settings?.epochs ?? lesson.defaults.epochs, config: linkConfig() }, dataChoice, ui.speed.value);
  await refreshNow();
  updateControls();
  updateStale();
  const spec = imported.model;
  const what = `layers ${spec.layers.join('-')}, ${LOSS_NAMES[spec.head]} head${spec.dropout > 0 ? `, dropout ${spec.dropout}` : ''}`;
  show(
    ui.importMessage,
    imported.hasAdam
      ? `Loaded ${file.name}: ${what}, epoch ${imported.state.step}, with Adam's state: Play continues exactly where it stopped.`
      : `Loaded ${file.name}: ${what}. It has no Adam state, so Adam starts afresh and epochs count from 0 (as a new torch optimizer would).`,
  );
  ui.runStatus.textContent = `Loaded ${file.name} at epoch ${imported.state.step}: press Play to continue it.`;
}

// ---- start

async function renderBentLine(): Promise<void> {
  const x = linspace(-1, 1, 1001);
  const layout = paramLayout(singleHidden(2));
  const params = packParams(BENT_LINE_PARAMS, layout);
  const t = session.ctx ? await gpuForwardWith(session.ctx, params, layout, x) : cpuTrace(params, layout, x);
  const [{ preact, hidden }] = t.layers;
  const column = (m: Float32Array, j: number) => Array.from({ length: x.length }, (_, i) => m[2 * i + j]);
  const panels = [
    { title: 'x', caption: 'hidden unit 1 before the ReLU (weight 1)', values: column(preact, 0) },
    { title: '-x', caption: 'hidden unit 2 before the ReLU (weight -1)', values: column(preact, 1) },
    { title: 'relu(x)', caption: 'unit 1 after the ReLU', values: column(hidden, 0) },
    { title: 'relu(-x)', caption: 'unit 2 after the ReLU', values: column(hidden, 1) },
    { title: '-4.5·relu(x) - 9·relu(-x) + 4.5', caption: 'the second layer: a bent line', values: Array.from(t.logit) },
    { title: 'sigmoid(…)', caption: 'its sigmoid: a probability that logistic regression cannot draw', values: Array.from(t.prob) },
  ];
  renderPanels(ui.panels, x, panels);
  lectureHook.panels = Object.fromEntries(panels.map((p) => [p.title, p.values]));
}

/** A read-only view for the end-to-end tests (and the curious, from the console). */
const lectureHook = {
  ready: false,
  panels: {} as Record<string, number[]>,
  losses: () => Array.from(lossChart.values()),
  baselineLosses: () => Array.from(lossChart.baselineValues()),
  lossPoints: () => lossChart.length,
  overlays: () => dataChart.overlayLabels,
  epochs: () => session?.epochsDone ?? 0,
  running: () => playing || isBusy() || (batchLab?.running ?? false),
  engine: () => engine()?.kind,
  config: () => engine()?.config,
  runs: () => runs.map((r) => ({ ...r })),
  snapshots: () => session?.timeline.all.map((e) => e.epoch) ?? [],
  /** The timeline's slots and their bytes (fitted to the device's maxBufferSize), and why it is off. */
  timelineStore: () => ({ slots: session?.timeline.slots ?? 0, bytes: session?.snapshotBytes ?? 0, off: session?.timelineOff }),
  /** The data chart's x slots (every point, or two a pixel column when decimated) and a series' values (null: a gap). */
  chartSlots: () => dataChart.sortedX.length,
  chartSeries: (label: string) => dataChart.seriesValues(label),
  xTicks: () => dataChart.xTickLabels,
  /** Engines built so far (Play must not rebuild one when nothing changed). */
  builds: () => buildCount,
  /** The curve drawn as the estimate (live or scrubbed), in the data's order. */
  estimate: () => Array.from(lastEstimate),
  params: async () => Array.from((await engine()?.readParams()) ?? []),
  handLoss: () => byHand.loss(),
  adapter: () => session?.ctx?.adapterName,
  /** What a lost device looks like to WebGPU (tests of the recovery). */
  loseDevice: () => session?.ctx?.device.destroy(),
  recovered: () => session?.settled(),
  lesson: () => lesson.id,
  /** The test loss of every epoch (evaluation mode, before its update), in lessons with held-out points. */
  testLosses: () => (hasTest() ? Array.from(lossChart.baselineValues()) : []),
  /** Train and test accuracy, and the misclassified test digits, as the digits view last drew them. */
  accuracy: () => (lessonView instanceof DigitsView ? lessonView.last : undefined),
  timing: (): { hidden: number; cpu?: number; gpu?: number; gpuNote?: string }[] => [],
  timingRunning: () => false,
  /** The minibatch lab: losses per step, test losses per epoch, the last readout (accuracy, confusion). */
  batch: (): unknown => undefined,
  /** Issue #20: the loss chart's y range as drawn, the estimate's legend name. */
  lossRange: () => lossChart.yRange,
  lossTicks: () => lossChart.yTicks,
  unitAlphas: () => unitCharts.alphas(),
  estimateLabel: () => dataChart.estimateLabel,
  ghosts: () => ({ loss: lossChart.ghostLabels, data: dataChart.ghostLabels, losses: lossChart.ghostValues(), second: lossChart.ghostSecondValues() }),
};
(window as unknown as { lecture: typeof lectureHook }).lecture = lectureHook;


/** The lesson list, the title and the sections this lesson shows. */
function showLesson(): void {
  for (const l of LESSONS) {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `?lesson=${l.id}`;
    link.textContent = l.short;
    if (l.id === lesson.id) link.setAttribute('aria-current', 'page');
    item.append(link);
    ui.lessonList.append(item);
  }
  ui.lessonTitle.textContent = lesson.title;
  ui.lessonModel.textContent = lesson.model;
  ui.lessonAbout.textContent = lesson.about;
  document.title = `${lesson.title} · on WebGPU`;
  ui.dataChoice.hidden = view !== 'lecture';
  ui.holdoutField.hidden = view !== 'lecture';
  ui.bentSection.hidden = view !== 'lecture';
  ui.logitFigure.hidden = head !== 'bce-logits';
  ui.dataFigure.hidden = view === 'digits' || view === 'plane';
  ui.planeFigure.hidden = view !== 'plane';
  ui.unitPanelsBox.hidden = lesson.frame.inputs !== 1;
  // Images as input (MNIST): each unit's weight image instead of a diagram of 8 of 784 pixels (issue #20).
  if (lesson.frame.inputs === 2) {
    ui.insideAbout.textContent = 'Each hidden unit is a ReLU of a plane, relu(w1·x1 + w2·x2 + b): zero on one side of the line w1·x1 + w2·x2 + b = 0, rising on the other. The output layer adds the units up, weighted, and the sigmoid turns the sum into the probability the heatmap shows. Live while training, and at any point of the timeline.';
  }
  if (imageSide(lesson.frame.inputs) !== undefined) {
    const side = imageSide(lesson.frame.inputs)!;
    ui.diagramFigure.hidden = true;
    ui.weightImages.hidden = false;
    ui.insideAbout.textContent = `Each hidden unit weighs all ${lesson.frame.inputs} pixels and takes the ReLU of the sum. Its ${side}×${side} weights, drawn as an image (white: a bright pixel there raises the unit, black: lowers it, grey: no effect), show the strokes it looks for; the output layer weighs the units' answers. Live while training, and at any point of the timeline.`;
  }
  ui.digitsSection.hidden = view !== 'digits';
  ui.timingSection.hidden = view !== 'timing';
  for (const el of [ui.lab, ui.insideSection, ui.ioSection]) el.hidden = view === 'timing' || view === 'batches';
  ui.dropoutField.hidden = lesson.dropoutSwitch === undefined;
  if (lesson.dropoutSwitch !== undefined) ui.dropoutLabel.textContent = `Dropout p = ${lesson.dropoutSwitch} after the ReLU (training only)`;
  const { hidden, seed, lr, epochs } = lesson.defaults;
  writeSettings({ hidden, seed, lr, epochs });
  const query = new URLSearchParams(location.search);
  const dropout = Number(query.get('dropout') ?? 0);
  ui.dropout.checked = dropout > 0;
  if (query.get('epochs')) ui.timingEpochs.value = query.get('epochs')!;
  // A link to an imported model: its layers, and its dropout p where the lesson has no switch for it.
  const deep = deeperFromUrl(query, lesson.frame.inputs);
  const fileDropout = dropout > 0 && dropout < 1 && dropout !== lesson.dropoutSwitch ? dropout : undefined;
  if (deep || fileDropout !== undefined) fileFrame = { deeper: deep?.deeper ?? [], dropout: fileDropout ?? (ui.dropout.checked && lesson.dropoutSwitch ? lesson.dropoutSwitch : 0) };
}

/** The minibatch lessons (view 'batches'): their own lab, src/app/batchlab. */
let batchLab: BatchLab | undefined;
async function startBatchLab(loaded: LessonData): Promise<void> {
  const byId = <T extends HTMLElement = HTMLElement>(id: string) => $<T>(`batch-${id}`);
  const labUi: BatchLabUi = {
    section: byId('section'), title: byId('title'), mapsAbout: byId('maps-about'), about: byId('about'), model: byId<HTMLInputElement>('model'), modelProblem: byId('model-problem'),
    epochs: byId<HTMLInputElement>('epochs'), epochsProblem: byId('epochs-problem'), play: byId<HTMLButtonElement>('play'), reset: byId<HTMLButtonElement>('reset'), exportTorch: byId<HTMLButtonElement>('export'),
    run: byId('run'), status: byId('status'), message: byId('message'), lossChart: byId('loss-chart'), lossSummary: byId('loss-summary'), accuracy: byId('accuracy'),
    confusionHead: byId('confusion-head'), confusionBody: byId('confusion-body'), digits: byId('digits'), mapsSection: byId('maps-section'), kernels: byId('kernels'), maps: byId('maps'),
  };
  const lab = new BatchLab(labUi, lesson.course!, loaded.train, loaded.test!, session);
  batchLab = lab;
  lectureHook.batch = () => ({ ...lab.chartValues(), readout: lab.last, epochs: session.engine?.epochsDone ?? 0, steps: session.engine?.stepsDone ?? 0, engine: session.engine?.kind });
  await lab.reset();
}

/** 05wk-1: the table and chart of CPU against GPU, measured on Measure. */
function startTiming(): void {
  const timing = new TimingLesson({ body: $('timing-body'), chart: $('timing-chart'), status: $('timing-status'), summary: $('timing-summary') }, data, session.ctx, BigInt(lesson.defaults.seed));
  lectureHook.timing = () => timing.rows.map((r) => ({ ...r }));
  lectureHook.timingRunning = () => timing.running;
  const sync = () => {
    ui.timingRun.setAttribute('aria-disabled', String(timing.running));
    ui.timingStop.setAttribute('aria-disabled', String(!timing.running));
  };
  ui.timingRun.addEventListener('click', async () => {
    const epochs = Number(ui.timingEpochs.value);
    const bad = !Number.isInteger(epochs) || epochs < 1 || epochs > 100_000;
    show(ui.timingEpochsProblem, bad ? 'epochs must be an integer from 1 to 100000' : undefined);
    ui.timingEpochs.setAttribute('aria-invalid', String(bad));
    if (bad || timing.running) return;
    const query = new URLSearchParams(location.search);
    query.set('epochs', String(epochs));
    history.replaceState(null, '', `${location.pathname}?${query}${location.hash}`);
    const done = timing.run(epochs);
    sync();
    await done;
    sync();
  });
  ui.timingStop.addEventListener('click', () => timing.stop());
}

/**
 * `?device-class=gpu|software` forces one class's plans on this adapter (issue #16: the GPU plans
 * run and are tested on a software adapter); Advanced's "Plans for" sets it and reloads.
 */
const forcedClass = ((): DeviceClass | undefined => {
  const value = new URLSearchParams(location.search).get('device-class');
  return value !== null && !deviceClassProblem(value) ? (value as DeviceClass) : undefined;
})();
ui.deviceClass.value = forcedClass ?? '';
ui.deviceClass.addEventListener('change', () => {
  const query = new URLSearchParams(location.search);
  if (ui.deviceClass.value) query.set('device-class', ui.deviceClass.value);
  else query.delete('device-class');
  location.search = query.toString();
});

async function main(): Promise<void> {
  showLesson();
  const classValue = new URLSearchParams(location.search).get('device-class');
  const classProblem = classValue === null ? undefined : deviceClassProblem(classValue);
  const fromUrl = loadSettingsFromUrl();
  // A link's values the form refuses are dropped for the lesson's, with a note (issue #20, src/app/links.ts).
  const linkDefaults = { hidden: String(lesson.defaults.hidden), seed: String(lesson.defaults.seed), lr: String(lesson.defaults.lr), epochs: String(lesson.defaults.epochs), strategy: 'auto', workgroup: '' };
  const dropped = droppedNote(dropBadLinkValues(new URLSearchParams(location.search), readSettings().problems, linkDefaults), linkDefaults);
  show(ui.linkMessage, [dropped, classProblem && `The link's ${classProblem}: this adapter's own plans are used.`].filter(Boolean).join(' ') || undefined);
  if (fromUrl.speed && [...ui.speed.options].some((o) => o.value === fromUrl.speed)) ui.speed.value = fromUrl.speed;
  else if (matchMedia('(prefers-reduced-motion: reduce)').matches) ui.speed.value = 'max'; // issue #20: no epoch-by-epoch animation
  ui.runStatus.textContent = 'Loading the lesson’s data…';
  const loaded = await lesson.load();
  ui.runStatus.textContent = 'Not trained yet.';
  data = loaded.train;
  testData = loaded.test;
  if (view === 'lecture') {
    ui.holdout.checked = new URLSearchParams(location.search).get('holdout') === '1';
    useData(loaded.train);
  } else if (view !== 'batches') showDataset(data); // the batch lab draws its own digits
  updateControls();
  session = new Session(data, navigator.gpu, {
    onGpuError: (error, recovering) => {
      show(ui.runMessage, recovering ? `${error.message}. Acquiring a new device and restoring the state of the last run or pause…` : error.message);
    },
    onRecovered: (epochs) => {
      lossChart.truncate(epochs);
      runs = runsUpTo(runs, epochs); // the rolled-back epochs were never trained, as far as the model knows
      show(ui.runMessage, `Recovered on a new device (${session.ctx?.adapterName}) at epoch ${epochs}; Play continues from there.`);
      updateControls();
      void refreshView();
    },
  });
  await session.start({ deviceClass: forcedClass });
  if (session.ctx) {
    ui.adapter.textContent = `GPU: ${session.ctx.adapterName}.`;
    ui.adapter.classList.toggle('software', session.ctx.isSoftware);
  } else {
    ui.adapter.textContent = 'No WebGPU here: running on the CPU (slower).';
    ui.gpuMessageText.textContent = noWebGpuNotice(navigator.gpu !== undefined); // issue #20: no adapter is not an old browser
    ui.gpuDetailsText.textContent = session.cpuReason ?? '';
    ui.gpuDetails.hidden = !session.cpuReason;
    ui.gpuMessage.hidden = false;
  }
  if (view === 'timing') {
    startTiming();
    lectureHook.ready = true;
    return;
  }
  if (view === 'batches') {
    await startBatchLab(loaded);
    lectureHook.ready = true;
    return;
  }
  if (loaded.note) show(ui.dataMessage, loaded.note);
  if (view === 'lecture' && fromUrl.data === 'generated') {
    await replaceData('generated', async () => generateLectureData());
  } else if (view === 'lecture' && fromUrl.data === 'lecture-url') {
    await replaceData('lecture-url', fetchLectureCsv);
  } else if (view === 'lecture' && fromUrl.data === 'file') {
    show(ui.dataMessage, 'The link names a CSV file of its author: choose “A CSV file of mine…” and press Load to use yours. Until then, the built-in data.');
  }
  const { hidden, seed, lr, epochs } = lesson.defaults;
  const settings = settingsOrShowProblems() ?? (writeSettings({ hidden, seed, lr, epochs }), settingsOrShowProblems()!);
  if (!engine()) await buildFresh(settings);
  if (view === 'lecture') {
    try {
      await renderBentLine();
    } catch (e) {
      ui.panels.textContent = `The panels could not be computed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  updateControls();
  lectureHook.ready = true;
}

const observer = new MutationObserver(syncScrubber);
observer.observe(ui.epochReadout, { childList: true, characterData: true, subtree: true });

void main().catch((e) => {
  reportError(e);
  lectureHook.ready = true;
});

