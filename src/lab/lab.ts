// The fusion lab on the demo page (`?lab`): choose a course case, strategies, GEMM tiles, device
// class and epochs; Run measures them in this browser on this GPU with the benchmark's own code
// (run.ts), one short phase at a time so the page stays responsive and Stop acts between phases;
// the results are the measured peaks, whole-step timings, per-kernel tables against the peaks,
// loss parity and the roofline; Export JSON writes the report as `npm run bench` writes it.
import './lab.css';
import { acquireGpu, type GpuContext } from '../gpu/context';
import { TILE_PRESET_NAMES } from '../gpu/gemm';
import { paramLayout } from '../model/layout';
import { STRATEGY_NAMES, type StrategyName } from '../train/strategy';
import { download, readTextFile } from '../app/files';
import { caseSpec, COURSE_CASES, courseCaseOf, CSV_FILES } from '../../bench/cases';
import { StoppedError, supportingStrategies, type BenchReport, type Row } from '../../bench/core';
import { classOf, DEVICE_CLASSES, withoutTimestamps, type LabDeviceClass } from './device-class';
import { lossParity } from './parity';
import { DEFAULT_LAB_CONFIG, labProblems, runLab, type LabConfig, type LabProblem, type LabProgress } from './run';
import { kernelTable, parityTable, peaksTable, roofline, rooflineSummary, stepsTable } from './view';

const TEMPLATE = `
<h2 id="flab-title">Fusion lab: the strategies on this GPU, kernel by kernel</h2>
<p class="muted">Runs the benchmark's own measurement (<code>npm run bench</code>) in this browser: the GPU's peaks, then each
chosen strategy on one of the course's shapes, every strategy from the same initial parameters. Per-kernel times come from
timestamp queries where the browser offers them.</p>
<p id="flab-adapter" class="muted">Looking for a GPU…</p>
<form id="flab-form" class="flab-form" novalidate>
  <label>Case <select id="flab-case"></select></label>
  <fieldset id="flab-strategies" aria-describedby="flab-strategies-problem">
    <legend>Strategies (the first checked is parity's reference)</legend>
  </fieldset>
  <span id="flab-strategies-problem" class="field-problem" hidden></span>
  <label>GEMM tiles (fused, unfused) <select id="flab-tiles"></select></label>
  <label>Device class <select id="flab-class"></select></label>
  <label>Loss epochs <input id="flab-epochs" type="number" min="1" max="1000" step="1" aria-describedby="flab-epochs-problem" /></label>
  <span id="flab-epochs-problem" class="field-problem" hidden></span>
  <label>Timed runs <input id="flab-runs" type="number" min="1" max="20" step="1" aria-describedby="flab-runs-problem" /></label>
  <span id="flab-runs-problem" class="field-problem" hidden></span>
  <label>Seconds per run <input id="flab-seconds" type="text" inputmode="decimal" aria-describedby="flab-seconds-problem" /></label>
  <span id="flab-seconds-problem" class="field-problem" hidden></span>
  <label class="flab-wide">The course's CSVs (optional: ${CSV_FILES.join(', ')}) <input id="flab-csv" type="file" accept=".csv,text/csv" multiple /></label>
  <p id="flab-data" class="muted flab-wide"></p>
  <div class="flab-buttons flab-wide">
    <button id="flab-run" type="submit">Run</button>
    <button id="flab-stop" type="button" class="secondary" aria-disabled="true">Stop</button>
    <button id="flab-export" type="button" class="secondary" aria-disabled="true">Export JSON</button>
  </div>
</form>
<div id="flab-progress" class="flab-progress" role="progressbar" aria-label="Progress of the lab run" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" aria-valuetext="not started"><div class="flab-progress-fill"></div></div>
<p id="flab-status" class="muted status-line" role="status" aria-live="polite">Not run yet: choose and press Run.</p>
<div id="flab-error" class="message error" role="alert" hidden></div>
<div id="flab-timestamps" class="message notice" hidden></div>
<div id="flab-results" hidden>
  <h3>Measured peaks</h3><div id="flab-peaks-box"></div>
  <h3>Whole-step timings</h3><div id="flab-steps-box"></div>
  <h3>Loss parity</h3><div id="flab-parity-box"></div>
  <h3>Per kernel</h3><p id="flab-profiling" class="muted"></p><div id="flab-kernels-box"></div>
  <h3>Roofline</h3>
  <figure class="flab-figure"><div id="flab-roofline-box"></div><figcaption id="flab-roofline-summary" class="summary"></figcaption></figure>
</div>`;

/** What the e2e tests read (window.fusionLab). */
export interface LabHandle {
  ready: boolean;
  running(): boolean;
  /** The last run's report (partial after Stop), or undefined. */
  report(): BenchReport | undefined;
  /** The longest gap between two 50 ms heartbeats during runs, ms: how long the page was unresponsive at worst. */
  longestStallMs(): number;
}

const optionOf = (value: string, text: string): HTMLOptionElement => Object.assign(document.createElement('option'), { value, textContent: text });

/** The browser's name and major version from its user agent ("Chrome 156"), for the report. */
export function browserName(ua: string = navigator.userAgent): string {
  // In this order: Edge's agent names Chrome too, and Chrome's names Safari.
  for (const [token, name] of [['Edg', 'Edge'], ['Firefox', 'Firefox'], ['Chrome', 'Chrome'], ['Version', 'Safari']]) {
    const m = new RegExp(`${token}/(\\d+)`).exec(ua);
    if (m) return `${name} ${m[1]}`;
  }
  return 'a browser';
}

/** Builds the lab at the top of `parent` and wires it; resolves once it knows whether there is a GPU. */
export async function mountLab(parent: HTMLElement): Promise<LabHandle> {
  const section = document.createElement('section');
  section.id = 'fusion-lab';
  section.className = 'flab';
  section.setAttribute('aria-labelledby', 'flab-title');
  section.innerHTML = TEMPLATE;
  parent.prepend(section);
  const $ = <T extends HTMLElement>(id: string) => section.querySelector<T>(`#${id}`)!;
  const ui = {
    adapter: $('flab-adapter'),
    form: $<HTMLFormElement>('flab-form'),
    caseSelect: $<HTMLSelectElement>('flab-case'),
    strategies: $<HTMLFieldSetElement>('flab-strategies'),
    tiles: $<HTMLSelectElement>('flab-tiles'),
    deviceClass: $<HTMLSelectElement>('flab-class'),
    epochs: $<HTMLInputElement>('flab-epochs'),
    runs: $<HTMLInputElement>('flab-runs'),
    seconds: $<HTMLInputElement>('flab-seconds'),
    csv: $<HTMLInputElement>('flab-csv'),
    data: $('flab-data'),
    run: $<HTMLButtonElement>('flab-run'),
    stop: $<HTMLButtonElement>('flab-stop'),
    export: $<HTMLButtonElement>('flab-export'),
    progress: $('flab-progress'),
    status: $('flab-status'),
    error: $('flab-error'),
    timestamps: $('flab-timestamps'),
    results: $('flab-results'),
  };

  // The controls.
  for (const c of COURSE_CASES) ui.caseSelect.append(optionOf(c.id, `${c.title}, N = ${('rows' in c.data && c.data.rows ? c.data.rows : c.data.n).toLocaleString('en')}`));
  const wanted = new URLSearchParams(location.search).get('lab');
  ui.caseSelect.value = wanted && courseCaseOf(wanted) ? wanted : DEFAULT_LAB_CONFIG.caseId;
  const boxes = new Map<StrategyName, HTMLInputElement>();
  for (const s of STRATEGY_NAMES) {
    const label = document.createElement('label');
    label.className = 'check';
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value: s, id: `flab-strategy-${s}`, checked: true });
    label.append(box, ` ${s}`);
    ui.strategies.append(label);
    boxes.set(s, box);
  }
  ui.tiles.append(optionOf('default', "the device class's default"), ...TILE_PRESET_NAMES.map((t) => optionOf(t, t)));
  ui.deviceClass.append(...DEVICE_CLASSES.map((c) => optionOf(c, c === 'adapter' ? "this adapter's" : `${c} (forced)`)));
  ui.epochs.value = String(DEFAULT_LAB_CONFIG.lossEpochs);
  ui.runs.value = String(DEFAULT_LAB_CONFIG.runs);
  ui.seconds.value = String(DEFAULT_LAB_CONFIG.runSeconds);

  /** Supported strategies stay enabled; the others are unchecked and say why. */
  const syncStrategies = () => {
    const cc = courseCaseOf(ui.caseSelect.value)!;
    const supported = supportingStrategies(paramLayout(caseSpec(cc)));
    for (const [s, box] of boxes) {
      const ok = supported.includes(s);
      box.disabled = !ok;
      if (!ok) box.checked = false;
      else if (!box.dataset.touched) box.checked = true;
      box.parentElement!.title = ok ? '' : `${s} cannot train ${cc.layers.join('-')}`;
    }
  };
  boxes.forEach((box) => box.addEventListener('change', () => (box.dataset.touched = '1')));
  ui.caseSelect.addEventListener('change', syncStrategies);
  syncStrategies();

  // The course's CSVs the visitor gives, by file name.
  const csvTexts: Record<string, string> = {};
  const describeData = () => {
    const given = Object.keys(csvTexts);
    ui.data.textContent = given.length ? `Using ${given.join(', ')}; the other cases use the page's own makers of their data.` : "Data: the page's own makers of the course's sets (step, curve, noise and MNIST are the CSVs' exact values; the lecture's and the rings' are their distributions).";
  };
  describeData();
  ui.csv.addEventListener('change', async () => {
    for (const file of ui.csv.files ?? []) csvTexts[file.name] = await readTextFile(file);
    describeData();
  });

  const readConfig = (): LabConfig => ({
    caseId: ui.caseSelect.value,
    strategies: STRATEGY_NAMES.filter((s) => boxes.get(s)!.checked),
    tiles: ui.tiles.value as LabConfig['tiles'],
    deviceClass: ui.deviceClass.value as LabDeviceClass,
    lossEpochs: Number(ui.epochs.value),
    runs: Number(ui.runs.value),
    runSeconds: Number(ui.seconds.value),
  });
  const fieldOf: Partial<Record<LabProblem['field'], HTMLElement>> = { strategies: ui.strategies, lossEpochs: ui.epochs, runs: ui.runs, runSeconds: ui.seconds };
  const problemOf: Partial<Record<LabProblem['field'], string>> = { strategies: 'flab-strategies-problem', lossEpochs: 'flab-epochs-problem', runs: 'flab-runs-problem', runSeconds: 'flab-seconds-problem' };
  const showProblems = (problems: LabProblem[]) => {
    for (const [field, id] of Object.entries(problemOf) as [LabProblem['field'], string][]) {
      const p = problems.find((x) => x.field === field);
      const span = $(id);
      span.hidden = !p;
      span.textContent = p?.message ?? '';
      fieldOf[field]?.setAttribute('aria-invalid', p ? 'true' : 'false');
    }
  };

  // The GPU.
  // ?labTimestamps=off runs the lab as on an adapter without timestamp queries.
  const timestampsOff = new URLSearchParams(location.search).get('labTimestamps') === 'off';
  let base: GpuContext | undefined;
  let gpuProblem = '';
  const acquire = async (): Promise<GpuContext | undefined> => {
    if (base && !base.isLost()) return base;
    try {
      const acquired = await acquireGpu(navigator.gpu);
      base = timestampsOff ? withoutTimestamps(acquired) : acquired;
      base.onError((e) => showError(e.message));
      const stamps = base.hasTimestamps ? 'yes (a browser may round them: Chromium to 100 µs unless started with --enable-webgpu-developer-features)' : acquired.hasTimestamps ? 'turned off by labTimestamps=off' : 'no';
      ui.adapter.textContent = `GPU: ${base.adapterName} (${classOf(base)} class${base.isSoftware ? ': a software adapter, correct but slow' : ''}); timestamp queries: ${stamps}.`;
      ui.deviceClass.options[0].textContent = `this adapter's (${classOf(base)})`;
      gpuProblem = '';
      return base;
    } catch (e) {
      gpuProblem = (e as Error).message;
      ui.adapter.textContent = `No GPU for the lab: ${gpuProblem}`;
      return undefined;
    }
  };
  const showError = (message: string) => {
    ui.error.hidden = false;
    ui.error.textContent = message;
  };

  // A run.
  let running = false;
  let stopRequested = false;
  let report: BenchReport | undefined;
  let longestStall = 0;
  const setProgress = (p: LabProgress) => {
    const percent = Math.round((100 * p.done) / p.total);
    ui.progress.setAttribute('aria-valuenow', String(percent));
    ui.progress.setAttribute('aria-valuetext', `${p.done} of ${p.total} steps: ${p.now}`);
    ui.progress.style.setProperty('--flab-progress', `${percent}%`);
    if (!stopRequested) ui.status.textContent = `${percent}%: ${p.now}…`;
  };
  const setRunning = (on: boolean) => {
    running = on;
    ui.run.setAttribute('aria-disabled', String(on));
    ui.stop.setAttribute('aria-disabled', String(!on));
    ui.export.setAttribute('aria-disabled', String(on || !report || report.rows.length === 0));
    for (const el of [ui.caseSelect, ui.tiles, ui.deviceClass, ui.epochs, ui.runs, ui.seconds, ui.csv]) el.disabled = on;
    boxes.forEach((box) => (box.disabled = on || box.parentElement!.title !== ''));
  };
  const render = (r: BenchReport) => {
    ui.results.hidden = false;
    $('flab-peaks-box').replaceChildren(peaksTable(r));
    $('flab-steps-box').replaceChildren(stepsTable(r));
    $('flab-parity-box').replaceChildren(parityTable(lossParity(r.rows)));
    $('flab-profiling').textContent = `Timed by ${r.profiling}. FLOPs and bytes per kernel from bench/cost.ts (compulsory traffic); "of roofline": achieved GFLOP/s over min(FMA peak, intensity × copy peak).`;
    const measured = r.rows.filter((x: Row) => x.kernels?.length);
    const notes = r.rows.filter((x) => !x.kernels?.length).map((x) => Object.assign(document.createElement('p'), { className: 'muted', textContent: x.skipped ? `${x.strategy}: does not fit (${x.skipped}).` : `${x.strategy}: one dispatch per chunk and no timestamp queries here, so no per-kernel time; its whole-step time is above.` }));
    $('flab-kernels-box').replaceChildren(...measured.map((x) => kernelTable(r, x)), ...notes);
    $('flab-roofline-box').replaceChildren(roofline(r));
    $('flab-roofline-summary').textContent = rooflineSummary(r);
  };

  const start = async () => {
    if (running) return;
    const config = readConfig();
    const problems = labProblems(config);
    showProblems(problems);
    if (problems.length) return;
    ui.error.hidden = true;
    const ctx = await acquire();
    if (!ctx) return showError(`The lab needs WebGPU: ${gpuProblem}`);
    ui.timestamps.hidden = ctx.hasTimestamps;
    ui.timestamps.textContent = 'This adapter offers no timestamp queries: the per-kernel times below are the wall time of one pass repeating each kernel (submit included), and the whole-step timings are wall time alone.';
    stopRequested = false;
    report = undefined;
    setRunning(true);
    let last = performance.now();
    longestStall = 0;
    const heartbeat = setInterval(() => {
      const now = performance.now();
      longestStall = Math.max(longestStall, now - last);
      last = now;
    }, 50);
    try {
      report = await runLab(ctx, config, csvTexts, browserName(), {
        onProgress: setProgress,
        shouldStop: () => stopRequested,
        log: (line) => console.log(`[lab] ${line}`),
        onRow: (_, partial) => {
          report = partial;
          render(partial);
        },
      });
      render(report);
      ui.status.textContent = `Done: ${report.rows.filter((r) => !r.skipped).length} of ${config.strategies.length} strategies measured on ${courseCaseOf(config.caseId)!.title}.`;
    } catch (e) {
      if (e instanceof StoppedError) {
        ui.status.textContent = `Stopped. ${report ? `${report.rows.length} strateg${report.rows.length === 1 ? 'y was' : 'ies were'} measured before it; they are shown and exported as they are.` : 'Nothing was measured yet.'}`;
      } else {
        const explained = await ctx.explain(e);
        showError(`The run failed: ${(explained as Error).message ?? String(explained)}`);
        ui.status.textContent = 'Failed.';
      }
    } finally {
      clearInterval(heartbeat);
      setRunning(false);
    }
  };
  ui.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (ui.run.getAttribute('aria-disabled') !== 'true') void start();
  });
  ui.stop.addEventListener('click', () => {
    if (!running) return;
    stopRequested = true;
    ui.status.textContent = 'Stopping at the end of this phase…';
  });
  ui.export.addEventListener('click', () => {
    if (ui.export.getAttribute('aria-disabled') === 'true' || !report) return;
    download(`fusion-lab-${report.rows[0]?.case ?? 'run'}.json`, JSON.stringify(report, null, 2) + '\n', 'application/json');
  });

  await acquire();
  const handle: LabHandle = { ready: true, running: () => running, report: () => report, longestStallMs: () => longestStall };
  (window as unknown as { fusionLab: LabHandle }).fusionLab = handle;
  return handle;
}
