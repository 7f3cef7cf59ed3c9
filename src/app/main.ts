// The demo page: the lecture's bent line, the data, and the network learning it live on the GPU.
import './style.css';
import { DataError, parseCsv } from '../data/csv';
import { linspace, type Dataset } from '../data/dataset';
import { generateLectureData } from '../data/generate';
import { ENABLE_WEBGPU_HELP, GpuError, type GpuContext } from '../gpu/context';
import { BENT_LINE_PARAMS, packParams, paramLayout, unpackParams, type ModelParams } from '../model/layout';
import { gpuForwardWith } from '../train/forward';
import { describeDivergence } from '../train/trainer';
import { DataChart, LossChart, renderPanels } from './charts';
import { download, lossCsv, readTextFile } from './files';
import { Session } from './session';
import { loadSettingsFromUrl, readSettings, saveSettingsToUrl, type PageSettings } from './settings';

export const LECTURE_CSV_URL = 'https://raw.githubusercontent.com/guebin/DL2024/main/posts/dnnex.csv';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  adapter: $('adapter'),
  gpuMessage: $('gpu-message'),
  panels: $('panels'),
  dataset: $<HTMLSelectElement>('dataset'),
  file: $<HTMLInputElement>('file'),
  dataInfo: $('data-info'),
  dataMessage: $('data-message'),
  settingsMessage: $('settings-message'),
  train: $<HTMLButtonElement>('train'),
  more: $<HTMLButtonElement>('more'),
  pause: $<HTMLButtonElement>('pause'),
  reset: $<HTMLButtonElement>('reset'),
  progress: $<HTMLProgressElement>('progress'),
  status: $('status'),
  epochs: $<HTMLInputElement>('epochs'),
  exportParams: $<HTMLButtonElement>('export-params'),
  exportLoss: $<HTMLButtonElement>('export-loss'),
  importParams: $<HTMLInputElement>('import-params'),
};

function show(el: HTMLElement, text: string | undefined): void {
  el.textContent = text ?? '';
  el.hidden = !text;
}

const lossChart = new LossChart($('loss-chart'));
const dataChart = new DataChart($('data-chart'));
let session: Session | undefined;
let running = false;
let datasetChoice = 'generated';

function setBusy(busy: boolean): void {
  running = busy;
  const gpu = session?.ctx !== undefined;
  for (const b of [ui.train, ui.more, ui.reset, ui.exportParams]) b.disabled = busy || !gpu;
  ui.importParams.disabled = busy || !gpu;
  ui.dataset.disabled = busy;
  ui.pause.disabled = !busy;
}

function showDataset(d: Dataset): void {
  dataChart.setData(d.x, d.y, d.prob);
  ui.dataInfo.textContent = `${d.source}: ${d.x.length} points${d.prob ? ', with the true probability' : ''}`;
}

function settingsOrShowProblems(): PageSettings | undefined {
  const { settings, problems } = readSettings();
  show(ui.settingsMessage, problems.size > 0 ? [...problems.values()].join('\n') : undefined);
  if (settings) saveSettingsToUrl(settings);
  return settings;
}

/** Redraws the current model's curve; at most one forward pass in flight, never in the training path. */
let estimateInFlight = false;
let estimateWanted = false;
async function refreshEstimate(): Promise<void> {
  const trainer = session?.activeTrainer;
  if (!trainer) return;
  if (estimateInFlight) {
    estimateWanted = true;
    return;
  }
  estimateInFlight = true;
  try {
    const { prob } = await trainer.forward(session!.dataset.x);
    dataChart.setEstimate(prob);
  } finally {
    estimateInFlight = false;
    if (estimateWanted) {
      estimateWanted = false;
      void refreshEstimate();
    }
  }
}

function reportError(e: unknown, where: HTMLElement = ui.gpuMessage): void {
  const message = e instanceof Error ? e.message : String(e);
  show(where, message);
  ui.status.textContent = 'Stopped: see the message above.';
}

/** Runs one user action at a time, with the controls disabled meanwhile. */
async function exclusive(action: () => Promise<unknown>): Promise<void> {
  if (running) return;
  setBusy(true);
  try {
    await action();
  } catch (e) {
    reportError(e);
  } finally {
    setBusy(false);
  }
}

async function runEpochs(epochs: number): Promise<void> {
  if (!session) return;
  const start = session.epochsDone;
  const t0 = performance.now();
  ui.progress.value = 0;
  try {
    const result = await session.train(epochs, (first, losses) => {
      lossChart.append(first, losses);
      const done = first + losses.length - start;
      ui.progress.value = done / epochs;
      const rate = (done / (performance.now() - t0)) * 1000;
      ui.status.textContent = `epoch ${first + losses.length} · loss ${losses[losses.length - 1].toFixed(6)} · ${rate.toFixed(0)} epochs/s`;
      void refreshEstimate();
    });
    const total = session.epochsDone;
    const { prob } = await session.activeTrainer!.forward(session.dataset.x);
    dataChart.setEstimate(prob);
    if (result.diverged) {
      show(ui.gpuMessage, `${describeDivergence(result.diverged)}. Lower the learning rate and press Train.`);
      ui.status.textContent = `Stopped at epoch ${result.diverged.epoch}.`;
      return;
    }
    dataChart.addOverlay(`after ${total} epochs`, prob);
    ui.status.textContent =
      `${result.epochs < epochs ? 'Paused at' : 'Done:'} epoch ${total} · loss ${result.lastLoss.toFixed(6)} · ` +
      `${(result.epochs / result.seconds).toFixed(0)} epochs/s · ${session.activeTrainer!.strategy.name} strategy`;
  } catch (e) {
    reportError(e);
  }
}

async function resetRun(settings: PageSettings): Promise<boolean> {
  show(ui.gpuMessage, undefined);
  try {
    await session!.reset(settings.config);
  } catch (e) {
    reportError(e, e instanceof RangeError || (e instanceof GpuError && e.kind === 'limit') ? ui.settingsMessage : ui.gpuMessage);
    return false;
  }
  lossChart.truncate(0);
  dataChart.clearOverlays();
  ui.progress.value = 0;
  ui.status.textContent = `Fresh parameters from seed ${settings.config.seed}.`;
  await refreshEstimate();
  return true;
}

ui.train.addEventListener('click', () => {
  const settings = settingsOrShowProblems();
  if (settings) void exclusive(async () => (await resetRun(settings)) && (await runEpochs(settings.epochs)));
});

ui.more.addEventListener('click', () => {
  const settings = settingsOrShowProblems();
  if (!settings) return;
  void exclusive(async () => {
    if (session?.activeTrainer || (await resetRun(settings))) await runEpochs(settings.epochs);
  });
});

ui.pause.addEventListener('click', () => session?.requestStop());

ui.reset.addEventListener('click', () => {
  const settings = settingsOrShowProblems();
  if (settings) void exclusive(() => resetRun(settings));
});

ui.epochs.addEventListener('input', () => (ui.more.textContent = `Train ${ui.epochs.value || 'N'} more`));
document.getElementById('settings')!.addEventListener('change', () => settingsOrShowProblems());

// ---- data sets: a bad file leaves the current data, model and charts as they were

async function useData(choice: string, load: () => Promise<Dataset>): Promise<void> {
  await exclusive(() => replaceData(choice, load));
}

async function replaceData(choice: string, load: () => Promise<Dataset>): Promise<void> {
  show(ui.dataMessage, undefined);
  try {
    const data = await load();
    if (session) await session.setData(data);
    showDataset(data);
    lossChart.truncate(0);
    datasetChoice = ui.dataset.value = choice;
    ui.status.textContent = 'New data: press Train.';
  } catch (e) {
    ui.dataset.value = datasetChoice;
    const what = e instanceof DataError ? 'This data set was not loaded' : 'Could not load the data';
    show(ui.dataMessage, `${what}: ${e instanceof Error ? e.message : String(e)}. The previous data and model are kept.`);
  }
}

async function loadFile(file: File): Promise<void> {
  await useData('file', async () => parseCsv(await readTextFile(file), file.name));
}

ui.dataset.addEventListener('change', () => {
  const choice = ui.dataset.value;
  if (choice === 'file') {
    ui.file.click();
    ui.dataset.value = datasetChoice; // until a file is actually loaded
  } else if (choice === 'generated') {
    void useData('generated', async () => generateLectureData());
  } else {
    void useData('lecture-url', async () => {
      const response = await fetch(LECTURE_CSV_URL);
      if (!response.ok) throw new Error(`${LECTURE_CSV_URL} answered ${response.status}`);
      return parseCsv(await response.text(), 'dnnex.csv (online)');
    });
  }
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
  if (file) void loadFile(file);
});

// ---- export and import

ui.exportParams.addEventListener('click', async () => {
  const trainer = session?.activeTrainer;
  if (!trainer) return;
  const params = unpackParams(await trainer.readParams(), trainer.layout);
  download('params.json', JSON.stringify({ config: trainer.config, epochs: trainer.epochsDone, params }, null, 2), 'application/json');
});
ui.exportLoss.addEventListener('click', () => download('loss.csv', lossCsv(lossChart.values()), 'text/csv'));
ui.importParams.addEventListener('change', async () => {
  const file = ui.importParams.files?.[0];
  ui.importParams.value = '';
  const settings = settingsOrShowProblems();
  if (!file || !settings || !session) return;
  try {
    const json = JSON.parse(await readTextFile(file, 64 * 1024 * 1024)) as { params?: ModelParams };
    const flat = packParams(json.params ?? (json as unknown as ModelParams));
    const hidden = flat.length === 0 ? 0 : (flat.length - 1) / 3;
    (document.getElementById('hidden') as HTMLInputElement).value = String(hidden);
    const config = { ...settings.config, hidden };
    await session.loadParams(flat, config);
    saveSettingsToUrl({ ...settings, config });
    lossChart.truncate(0);
    dataChart.clearOverlays();
    await refreshEstimate();
    ui.status.textContent = `Loaded parameters of width ${hidden} from ${file.name}: Train N more continues from them.`;
  } catch (e) {
    show(ui.settingsMessage, `${file.name} was not loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
});

// ---- start

async function renderBentLine(ctx: GpuContext): Promise<void> {
  const x = linspace(-1, 1, 1001);
  const t = await gpuForwardWith(ctx, packParams(BENT_LINE_PARAMS), paramLayout(2), x);
  const column = (m: Float32Array, j: number) => Array.from({ length: x.length }, (_, i) => m[2 * i + j]);
  const panels = [
    { title: 'x', caption: 'hidden unit 1 before the ReLU (weight 1)', values: column(t.preact, 0) },
    { title: '-x', caption: 'hidden unit 2 before the ReLU (weight -1)', values: column(t.preact, 1) },
    { title: 'relu(x)', caption: 'unit 1 after the ReLU', values: column(t.hidden, 0) },
    { title: 'relu(-x)', caption: 'unit 2 after the ReLU', values: column(t.hidden, 1) },
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
  lossPoints: () => lossChart.length,
  overlays: () => dataChart.overlayLabels,
  epochs: () => session?.epochsDone ?? 0,
  running: () => running,
  adapter: () => session?.ctx?.adapterName,
  /** What a lost device looks like to WebGPU (tests of the recovery). */
  loseDevice: () => session?.ctx?.device.destroy(),
  recovered: () => session?.settled(),
};
(window as unknown as { lecture: typeof lectureHook }).lecture = lectureHook;

async function main(): Promise<void> {
  loadSettingsFromUrl();
  ui.more.textContent = `Train ${ui.epochs.value} more`;
  settingsOrShowProblems();
  const data = generateLectureData();
  showDataset(data);
  setBusy(false);
  session = new Session(data, navigator.gpu, {
    onGpuError: (error, recovering) => {
      show(ui.gpuMessage, recovering ? `${error.message}. Acquiring a new device and restoring the last finished run…` : error.message);
    },
    onRecovered: (ctx, epochs) => {
      lossChart.truncate(epochs);
      show(ui.gpuMessage, `Recovered on a new device (${ctx.adapterName}) at epoch ${epochs}; Train N more continues from there.`);
      setBusy(running);
      void refreshEstimate();
    },
  });
  try {
    const ctx = await session.start();
    ui.adapter.textContent = `GPU adapter: ${ctx.adapterName}`;
    ui.adapter.classList.toggle('software', ctx.isSoftware);
    setBusy(false);
    await renderBentLine(ctx);
  } catch (e) {
    session = undefined;
    ui.adapter.textContent = 'No GPU adapter.';
    show(ui.gpuMessage, e instanceof GpuError ? e.message : `WebGPU failed to start: ${String(e)}. ${ENABLE_WEBGPU_HELP}`);
    ui.panels.textContent = 'The panels are computed on the GPU, which this browser does not offer.';
    setBusy(false);
  }
  lectureHook.ready = true;
}

void main();
