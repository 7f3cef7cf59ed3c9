// npm run bench: the benchmark in Node (Dawn) and in headless Chromium, with TensorFlow.js (browser)
// and PyTorch CPU (Node, when python3 has torch) side by side, written to bench-results/ as JSON,
// Markdown and one HTML report. Flags:
//   --quick          the quick plan (under 3 minutes on the project's 2-core machine), to bench-results/quick/
//   --node-only, --browser-only
//   --case id,id     just those course cases (bench/cases.ts), written to bench-results/cases/
//   --device-report  for a machine with a real adapter: the quick plan in Node only (no Chromium,
//                    no TF.js), bounded to 4 minutes, written to bench-results/device/
//   --data DIR       the shared CSVs (default ../shared/data); cases whose file is missing run on
//                    random stand-ins of the same shape
//   --python PATH    the python whose torch runs the PyTorch baseline (default: python3 on PATH,
//                    then /usr/bin/python3; the first that imports torch)
//   --rewrite        measure nothing: rewrite the Markdown and the HTML report from the JSON files
//   --device-class C gpu | software: plan for that class on this adapter, in Node and in Chromium (default: the adapter's own)
//   --plan NAME      measure nothing, no device: each course case's plan for the profile NAME (h200,
//                    integrated) with the model's µs/epoch, to bench-results/plan/NAME.json (MODELED)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { acquireGpu } from '../src/gpu/context';
import { deviceClassProblem, type DeviceClass } from '../src/gpu/plan';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';
import { nodeGpu } from '../src/node/gpu';
import { cpuTrain } from '../src/cpu/model';
import { DEFAULT_ADAM } from '../src/cpu/ops';
import { initParams } from '../src/model/init';
import { paramLayout } from '../src/model/layout';
import { caseSpec, COURSE_CASES, courseCaseOf, loadData, SHARED_FILES } from './cases';
import { reportHtml } from './chart';
import { FULL_PLAN, QUICK_PLAN, runBench, type BenchPlan, type BenchReport, type CpuEngineRow } from './core';
import { markdown } from './markdown';
import { runPlan } from './plan-run';
import { torchBaselines, type TorchCase } from './torch';
import { cLoopBaseline } from './cloop';
import { num } from './table';

const argv = process.argv.slice(2);
const args = new Set(argv);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const deviceReport = args.has('--device-report');
const caseIds = option('--case')?.split(',');
const deviceClassFlag = option('--device-class');
if (deviceClassFlag !== undefined && deviceClassProblem(deviceClassFlag)) throw new Error(`--device-class: ${deviceClassProblem(deviceClassFlag)}`);
const deviceClass = deviceClassFlag as DeviceClass | undefined;
const base: BenchPlan = deviceReport || args.has('--quick') ? QUICK_PLAN : FULL_PLAN;
/** The device report's bound: cases not started by then are skipped; the process ends by HARD_LIMIT whatever happens. */
const DEVICE_DEADLINE_SECONDS = 150;
const DEVICE_HARD_LIMIT_SECONDS = 235;
const plan: BenchPlan = {
  ...base,
  ...(caseIds ? { caseIds, grid: { ...base.grid, sizes: [] } } : {}),
  ...(deviceReport ? { deadlineSeconds: DEVICE_DEADLINE_SECONDS } : {}),
};
// Only the full run writes bench-results/ itself (the committed tables); the others their own folder.
const out = join(process.cwd(), 'bench-results', deviceReport ? 'device' : caseIds ? 'cases' : args.has('--quick') ? 'quick' : '');
const dataDir = resolve(option('--data') ?? join(process.cwd(), '..', 'shared', 'data'));
const started = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function readCsvs(): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const f of SHARED_FILES) if (existsSync(join(dataDir, f))) texts[f] = readFileSync(join(dataDir, f), 'utf8');
  const missing = SHARED_FILES.filter((f) => !(f in texts));
  if (missing.length) say(`not found in ${dataDir}: ${missing.join(', ')}; those cases run on random stand-ins of the same shape`);
  return texts;
}

function dawnVersion(): string {
  try {
    return `Dawn, npm webgpu ${JSON.parse(readFileSync(join(process.cwd(), 'node_modules', 'webgpu', 'package.json'), 'utf8')).version}`;
  } catch {
    return 'Dawn, npm webgpu';
  }
}

/** The 05wk-1 cases on the CPU engine (float64 JS): a few epochs timed, at most `budget` seconds each, scaled to the lecture's epochs in the table. */
function cpuEngine(csvs: Record<string, string>, budget: number): CpuEngineRow[] {
  const rows: CpuEngineRow[] = [];
  for (const c of COURSE_CASES.filter((x) => x.colab && plan.caseIds.includes(x.id))) {
    const data = loadData(c.data, csvs, c.head);
    const layout = paramLayout(caseSpec(c));
    const init = initParams(c.seed, layout);
    const hyper = { ...DEFAULT_ADAM, lr: c.lr };
    let epochs = 1;
    let seconds = 0;
    for (;;) {
      const start = performance.now();
      cpuTrain(init, layout, data.x, data.y, hyper, epochs);
      seconds = (performance.now() - start) / 1000;
      if (epochs >= c.colab!.epochs || seconds * 4 > budget) break;
      epochs = Math.min(c.colab!.epochs, Math.max(epochs * 2, Math.floor((epochs * budget) / 2 / Math.max(seconds, 1e-4))));
    }
    rows.push({ case: c.id, epochsTimed: epochs, secondsPerEpoch: seconds / epochs });
    say(`cpu engine ${c.id}: ${((seconds / epochs) * 1e3).toFixed(2)} ms/epoch over ${epochs} epochs`);
  }
  return rows;
}

async function nodeRuntime(csvs: Record<string, string>): Promise<BenchReport> {
  const ctx = await acquireGpu(await nodeGpu({ preciseTimestamps: true }), { deviceClass });
  say(`Node: ${ctx.adapterName}${ctx.isSoftware ? ' (software adapter)' : ''}, ${ctx.plan.deviceClass} plans, timestamps ${ctx.hasTimestamps ? 'yes' : 'no'}`);
  let report: BenchReport;
  try {
    report = await runBench(ctx, 'Node (Dawn)', plan, csvs, (line) => say(`[node] ${line}`));
  } finally {
    ctx.destroy();
  }
  report.version = dawnVersion();
  report.cpuEngine = cpuEngine(csvs, plan.quick ? 1 : 4);
  const torchCases: TorchCase[] = plan.caseIds.map((id) => {
    const c = courseCaseOf(id)!;
    return { caseId: id, data: loadData(c.data, csvs, c.head), spec: caseSpec(c), seed: c.seed, lr: c.lr, lossEpochs: plan.lossEpochs, targetSeconds: plan.targetRunSeconds };
  });
  say('PyTorch CPU: ...');
  const torch = torchBaselines(torchCases, option('--python'), deviceReport ? 60 : 900);
  if ('missing' in torch) report.unavailable['PyTorch CPU'] = torch.missing;
  else report.baselines.push(...torch.baselines);
  say(`PyTorch CPU: ${'missing' in torch ? `not available (${torch.missing})` : `${torch.baselines.length} cases by ${torch.system}`}`);
  // The lecture as a plain C loop, the floor of a CPU adapter's epoch (bench/cloop.ts).
  const lecture = courseCaseOf('lecture-1-2-1')!;
  if (plan.caseIds.includes(lecture.id)) {
    const spec = caseSpec(lecture);
    const c = cLoopBaseline({ caseId: lecture.id, data: loadData(lecture.data, csvs, lecture.head), init: initParams(lecture.seed, paramLayout(spec)), hidden: spec.layers[1], lr: lecture.lr, lossEpochs: plan.lossEpochs, targetSeconds: plan.targetRunSeconds });
    if ('missing' in c) report.unavailable['C loop'] = c.missing;
    else report.baselines.push(c.baseline);
    say(`C loop: ${'missing' in c ? `not available (${c.missing})` : `${num(c.baseline.usPerEpoch)} µs/epoch, loss ${c.baseline.finalLoss.toPrecision(5)} at epoch ${c.baseline.epochs}`}`);
  }
  return report;
}

async function browserRuntime(csvs: Record<string, string>): Promise<BenchReport> {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright');
  // Dependencies bundled up front, no discovery: a late discovery reloads the page mid-run.
  const server = await createServer({ root: process.cwd(), logLevel: 'warn', server: { host: '127.0.0.1', port: 0 }, optimizeDeps: { noDiscovery: true, include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-core/dist/register_all_gradients', '@tensorflow/tfjs-backend-webgpu', 'papaparse'] } });
  await server.listen();
  // Developer features: timestamps at full resolution (Chromium rounds them to 100 µs otherwise).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...WEBGPU_FLAGS, '--enable-webgpu-developer-features'] });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'log' && say(`[browser] ${m.text()}`));
    await page.goto(`${server.resolvedUrls!.local[0]}bench/browser.html`);
    await page.waitForFunction(() => 'runBench' in window, null, { timeout: 60_000 });
    const report = await page.evaluate(([p, texts, c]) => (window as unknown as { runBench: (plan: BenchPlan, csvs: Record<string, string>, deviceClass: DeviceClass | null) => Promise<BenchReport> }).runBench(p, texts, c), [plan, csvs, deviceClass ?? null] as const);
    report.version = `Chromium ${browser.version()}`;
    return report;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** --rewrite: the tables and the report again from the JSON of the last run (after a change to their format). */
function rewrite(): void {
  const reports = ['node', 'browser'].filter((name) => existsSync(join(out, `${name}.json`))).map((name) => {
    const report = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8')) as BenchReport;
    writeFileSync(join(out, `${name}.md`), markdown(report));
    return report;
  });
  writeFileSync(join(out, 'report.html'), reportHtml(reports));
  say(`rewrote the Markdown of ${reports.length} runtime(s) and report.html in ${out}`);
}

async function main(): Promise<void> {
  if (args.has('--rewrite')) return rewrite();
  const planProfile = option('--plan');
  if (planProfile !== undefined) return runPlan(planProfile, process.cwd(), say);
  if (deviceReport) {
    setTimeout(() => {
      console.error(`bench: the device report passed ${DEVICE_HARD_LIMIT_SECONDS} s; stopping (what was written stays)`);
      process.exit(2);
    }, DEVICE_HARD_LIMIT_SECONDS * 1000).unref();
  }
  mkdirSync(out, { recursive: true });
  const csvs = readCsvs();
  const runtimes: [string, (csvs: Record<string, string>) => Promise<BenchReport>][] = [];
  if (!args.has('--browser-only')) runtimes.push(['node', nodeRuntime]);
  if (!args.has('--node-only') && !deviceReport) runtimes.push(['browser', browserRuntime]);
  const reports: BenchReport[] = [];
  for (const [name, run] of runtimes) {
    const report = await run(csvs);
    reports.push(report);
    writeFileSync(join(out, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, `${name}.md`), markdown(report));
    writeFileSync(join(out, 'report.html'), reportHtml(reports));
    console.log('\n' + markdown(report));
  }
  say(`wrote ${out}/{${runtimes.map(([n]) => n).join(',')}}.{json,md} and report.html`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
