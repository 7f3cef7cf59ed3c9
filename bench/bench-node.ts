// npm run bench: the benchmark in Node (Dawn) and in headless Chromium, written to bench-results/
// as JSON, Markdown and a chart. Flags: --quick (small sizes), --node-only, --browser-only, and
// --cases strategy:N:H[:wg],... (just those cases, written to bench-results/cases/ so that the
// committed full tables stay whole).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireGpu } from '../src/gpu/context';
import { CHROMIUM, WEBGPU_FLAGS } from '../src/node/chromium';
import { nodeGpu } from '../src/node/gpu';
import { chartHtml } from './chart';
import { FULL_PLAN, QUICK_PLAN, markdown, parseCases, runBench, type BenchPlan, type BenchReport } from './core';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const casesAt = argv.indexOf('--cases');
const cases = casesAt >= 0 ? parseCases(argv[casesAt + 1] ?? '') : undefined;
const plan: BenchPlan = cases ? { ...FULL_PLAN, cases, sweeps: [] } : quick ? QUICK_PLAN : FULL_PLAN;
const out = join(process.cwd(), 'bench-results', cases ? 'cases' : '');
async function nodeRuntime(): Promise<BenchReport> {
  const ctx = await acquireGpu(await nodeGpu());
  try {
    return await runBench(ctx, 'Node (Dawn)', plan, (line) => console.log(`[node] ${line}`));
  } finally {
    ctx.destroy();
  }
}

async function browserRuntime(): Promise<BenchReport> {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright');
  // Dependencies bundled up front, no discovery: a late discovery reloads the page mid-run.
  const server = await createServer({ root: process.cwd(), logLevel: 'warn', server: { host: '127.0.0.1', port: 0 }, optimizeDeps: { noDiscovery: true, include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-core/dist/register_all_gradients', '@tensorflow/tfjs-backend-webgpu'] } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: WEBGPU_FLAGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'log' && console.log(`[browser] ${m.text()}`));
    await page.goto(`${server.resolvedUrls!.local[0]}bench/browser.html`);
    await page.waitForFunction(() => 'runBench' in window, null, { timeout: 60_000 });
    const baselineEpochs = cases ? 0 : quick ? 20 : 100; // the TensorFlow.js baseline (0: none)
    return await page.evaluate(([p, e]) => (window as unknown as { runBench: (plan: BenchPlan, baselineEpochs: number) => Promise<BenchReport> }).runBench(p, e), [plan, baselineEpochs] as const);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const reports: BenchReport[] = [];
  const runtimes: [string, () => Promise<BenchReport>][] = [];
  if (!args.has('--browser-only')) runtimes.push(['node', nodeRuntime]);
  if (!args.has('--node-only')) runtimes.push(['browser', browserRuntime]);
  for (const [name, run] of runtimes) {
    const report = await run();
    reports.push(report);
    writeFileSync(join(out, `${name}.json`), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, `${name}.md`), markdown(report));
    console.log('\n' + markdown(report));
  }
  const uplot = join(process.cwd(), 'node_modules', 'uplot', 'dist');
  writeFileSync(join(out, 'chart.html'), chartHtml(reports, readFileSync(join(uplot, 'uPlot.iife.min.js'), 'utf8'), readFileSync(join(uplot, 'uPlot.min.css'), 'utf8')));
  console.log(`wrote ${out}/{${runtimes.map(([n]) => n).join(',')}}.{json,md} and chart.html`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
