// The benchmark's Markdown: the course table with the other systems side by side, the first steps
// of every strategy against PyTorch's trajectory (the goldens), the per-kernel table against the
// measured peaks, the 05wk-1 table, the targets, and the N × H grid. Every number goes through table.ts.
import { COURSE_CASES, courseCaseOf, shapeText } from './cases';
import type { Baseline, BenchReport, GoldenPrefix, KernelRow, Row } from './core';
import { loss, markdownTable, num, percent, seconds, times, type Column } from './table';

/** The fastest measured strategy of a case, or undefined. */
export function fastest(rows: readonly Row[], caseId: string): Row | undefined {
  return rows.filter((r) => r.case === caseId && !r.skipped).sort((a, b) => a.usPerEpoch - b.usPerEpoch)[0];
}

/** The PyTorch CPU time of a case: measured in this run, else the issue author's reference figure (labelled). */
export function torchUs(report: BenchReport, caseId: string): { us: number; measured: boolean } | undefined {
  const b = report.baselines.find((x) => x.case === caseId && x.system.startsWith('PyTorch'));
  if (b) return { us: b.usPerEpoch, measured: true };
  const ref = courseCaseOf(caseId)?.torchReferenceUs;
  return ref === undefined ? undefined : { us: ref, measured: false };
}

/** A row's shape: the case's (with its conv stage), else its layers. */
const layersOf = (r: { case: string; layers: number[] }) => shapeText(courseCaseOf(r.case) ?? r);
/** A row's optimizer steps per epoch (1: the full batch). */
const stepsOf = (r: Pick<Row, 'stepsPerEpoch'>) => r.stepsPerEpoch ?? 1;
const isTorch = (b: Baseline) => b.system.startsWith('PyTorch');

/** Why PyTorch has no row here, as the table says it: "not installed here" when no python had torch. */
export function torchAbsence(r: BenchReport): string | undefined {
  const why = r.unavailable['PyTorch CPU'];
  if (why === undefined) return undefined;
  return /has no torch|^no /.test(why) ? `PyTorch CPU: not installed here (${why})` : `PyTorch CPU: not measured (${why})`;
}
const usCell = (r: Row) => (r.skipped ? (/^N·H over|^not run/.test(r.skipped) ? 'skipped (time)' : 'does not fit') : `${r.runs === 1 ? '~' : ''}${num(r.usPerEpoch)}`);

function header(r: BenchReport): string[] {
  return [
    `### ${r.runtime}: ${r.adapter} (${r.version}, ${r.date.slice(0, 10)})`,
    '',
    `Measured peaks: **${num(r.peaks.gflops)} GFLOP/s** multiply-add (${r.peaks.fmaInvocations} invocations × 1024 rounds of 8 independent vec4 multiply-adds; fma(): ${num(r.peaks.fusedGflops)}, a·b + c: ${num(r.peaks.mulAddGflops)}), **${num(r.peaks.gbps)} GB/s** copy (${(r.peaks.copyBytes / 2 ** 20).toFixed(0)} MiB read and written), timed by ${r.peaks.timing}. Per-kernel times: ${r.profiling}.`,
  ];
}

/** The course's shapes: every strategy and every other system, their time and their loss after the same epochs. */
export function courseTable(r: BenchReport): string {
  const columns: Column[] = [['shape', 'left'], ['N', 'right'], ['system', 'left'], ['wg', 'right'], ['µs/epoch', 'right'], ['GPU µs/epoch', 'right'], ['dispatches/epoch', 'right'], [`loss (epoch)`, 'right'], ['÷ fastest strategy', 'right']];
  const rows: string[][] = [];
  const ids = [...new Set(r.rows.map((x) => x.case))];
  for (const id of ids) {
    const best = fastest(r.rows, id);
    const title = courseCaseOf(id)?.title ?? id;
    for (const x of r.rows.filter((y) => y.case === id)) {
      const bold = x === best ? '**' : '';
      rows.push([title, String(x.n), `${bold}${x.strategy}${bold}`, x.workgroupSize ? String(x.workgroupSize) : '–', usCell(x), num(x.gpuUsPerEpoch), x.skipped ? '–' : num(x.dispatchesPerEpoch), x.skipped ? '–' : `${loss(x.finalLoss)} (${x.lossEpoch})`, best && !x.skipped ? times(x.usPerEpoch / best.usPerEpoch) : '–']);
    }
    for (const b of r.baselines.filter((y) => y.case === id)) {
      const ours = best?.losses[b.epochs * stepsOf(best) - 1];
      const delta = ours === undefined ? '' : `, ours ${loss(ours)}`;
      rows.push([title, String(best?.n ?? ''), b.system, '–', num(b.usPerEpoch), '–', '–', `${loss(b.finalLoss)} (${b.epochs}${delta})`, best ? times(b.usPerEpoch / best.usPerEpoch) : '–']);
    }
    const t = torchUs(r, id);
    if (t && !t.measured) rows.push([title, String(best?.n ?? ''), 'PyTorch CPU (reference figure, not measured here)', '–', num(t.us), '–', '–', '–', best ? times(t.us / best.usPerEpoch) : '–']);
    const absent = torchAbsence(r);
    if (!t && absent) rows.push([title, String(best?.n ?? ''), absent, '–', '–', '–', '–', '–', '–']);
  }
  return markdownTable(columns, rows);
}

const gflops = (k: KernelRow) => k.flops / k.us / 1e3;
const gbps = (k: KernelRow) => k.bytes / k.us / 1e3;

/**
 * Per kernel, per case and strategy: GPU µs per epoch (per optimizer step of B rows for a
 * minibatch case, said in the shape), its share, achieved GFLOP/s and GB/s against the measured peaks.
 */
export function kernelTable(r: BenchReport, caseIds?: readonly string[]): string {
  const columns: Column[] = [['shape', 'left'], ['strategy', 'left'], ['kernel', 'left'], ['dispatches/epoch', 'right'], ['µs/epoch', 'right'], ['share', 'right'], ['FLOP/byte', 'right'], ['GFLOP/s', 'right'], ['of FMA peak', 'right'], ['GB/s', 'right'], ['of copy peak', 'right']];
  const rows: string[][] = [];
  for (const x of r.rows) {
    if (!x.kernels || (caseIds && !caseIds.includes(x.case))) continue;
    const total = x.kernels.reduce((a, k) => a + k.us, 0);
    for (const k of x.kernels) {
      const per = x.kernelsPer === 'step' ? `, per step of B=${x.batchSize}` : '';
      rows.push([`${layersOf(x)} N=${x.n}${per}`, x.strategy, k.name, num(k.dispatches), num(k.us), percent(k.us / total), num(k.flops / k.bytes), num(gflops(k)), percent(gflops(k) / r.peaks.gflops), num(gbps(k)), percent(gbps(k) / r.peaks.gbps)]);
    }
  }
  return markdownTable(columns, rows);
}

/** The GEMM kernels of a row taken together: their FLOPs over their time, as a fraction of the FMA peak. */
export function gemmShareOfPeak(r: BenchReport, row: Row): number | undefined {
  const gemms = row.kernels?.filter((k) => k.name.startsWith('gemm_'));
  if (!gemms || gemms.length === 0) return undefined;
  const flops = gemms.reduce((a, k) => a + k.flops, 0);
  const us = gemms.reduce((a, k) => a + k.us, 0);
  return flops / us / 1e3 / r.peaks.gflops;
}

/** The steps a parity table shows: 1, 2 and each epoch's last, up to `count`. */
export function shownSteps(count: number, stepsPerEpoch: number): number[] {
  const steps = [1, 2];
  for (let e = stepsPerEpoch; e <= count; e += stepsPerEpoch) steps.push(e);
  return [...new Set(steps.filter((s) => s <= count))].sort((a, b) => a - b);
}

/** How far a run's losses are from the golden's over their common steps: the largest |Δ|, its ratio to the band, the first step outside it. */
export function goldenDistance(losses: readonly number[], g: GoldenPrefix): { steps: number; largest: number; ratio: number; firstOutside?: number } {
  const steps = Math.min(losses.length, g.loss.length);
  let largest = 0;
  let ratio = 0;
  let firstOutside: number | undefined;
  for (let i = 0; i < steps; i++) {
    const d = Math.abs(losses[i] - g.loss[i]);
    const within = d <= g.tolerance[i]; // a NaN loss is outside
    largest = Math.max(largest, Number.isNaN(d) ? Infinity : d);
    ratio = Math.max(ratio, Number.isNaN(d) ? Infinity : d / g.tolerance[i]);
    if (!within && firstOutside === undefined) firstOutside = i + 1;
  }
  return { steps, largest, ratio, firstOutside };
}

/** Per case with a golden: the first steps' losses of PyTorch 1.13 (the golden), every strategy and a PyTorch measured here, and how far each is. */
export function parityTables(r: BenchReport): string {
  const parts: string[] = [];
  for (const [id, g] of Object.entries(r.goldens ?? {})) {
    const steps = shownSteps(g.loss.length, g.stepsPerEpoch);
    const columns: Column[] = [['system', 'left'], ...steps.map((s): Column => [`step ${s}`, 'right']), ['steps compared', 'right'], ['largest |Δ|', 'right'], ['÷ tolerance', 'right'], ['within the band', 'left']];
    const rows: string[][] = [['PyTorch 1.13 (golden)', ...steps.map((s) => loss(g.loss[s - 1])), String(g.loss.length), '–', '–', '–']];
    const runs: [string, readonly number[]][] = [
      ...r.rows.filter((x) => x.case === id && !x.skipped).map((x): [string, number[]] => [x.strategy, x.losses]),
      ...r.baselines.filter((b) => b.case === id && isTorch(b) && b.losses).map((b): [string, number[]] => [b.system, b.losses!]),
    ];
    for (const [system, losses] of runs) {
      const d = goldenDistance(losses, g);
      rows.push([system, ...steps.map((s) => loss(losses[s - 1])), String(d.steps), d.largest.toExponential(1), d.ratio.toPrecision(2), d.firstOutside === undefined ? 'yes' : `no (from step ${d.firstOutside})`]);
    }
    const absent = r.baselines.some((b) => b.case === id && isTorch(b)) ? undefined : torchAbsence(r);
    parts.push(`**${courseCaseOf(id)?.title ?? id}** against \`../shared/golden/${g.file}\` (${g.stepsPerEpoch} optimizer step${g.stepsPerEpoch === 1 ? '' : 's'} an epoch; the band is the golden's tolerance[i])${absent ? `; ${absent}` : ''}:`, '', markdownTable(columns, rows), '');
  }
  return parts.join('\n');
}

/** The 05wk-1 table: 1000 epochs of 1-H-1 MSE on 100 points, the CPU engine against the GPU, with the lecture's Colab numbers. */
export function wk05Table(r: BenchReport): string {
  const columns: Column[] = [['H', 'right'], ['CPU s', 'right'], ['GPU s', 'right'], ['CPU ÷ GPU', 'right'], ['what', 'left']];
  const rows: string[][] = [];
  for (const c of COURSE_CASES.filter((x) => x.colab)) {
    const h = String(c.layers[1]);
    const epochs = c.colab!.epochs;
    const cpu = r.cpuEngine.find((x) => x.case === c.id);
    const gpu = fastest(r.rows, c.id);
    if (cpu || gpu) {
      const cpuS = cpu ? cpu.secondsPerEpoch * epochs : undefined;
      const gpuS = gpu ? (gpu.usPerEpoch * epochs) / 1e6 : undefined;
      const how = [cpu ? `CPU engine (float64 JS)${cpu.epochsTimed < epochs ? `, ${cpu.epochsTimed} epoch${cpu.epochsTimed === 1 ? '' : 's'} timed and scaled to ${epochs}` : ''}` : 'CPU engine not run', gpu ? `GPU ${gpu.strategy}, µs/epoch × ${epochs}` : 'GPU: no strategy fits'];
      rows.push([h, seconds(cpuS), seconds(gpuS), cpuS && gpuS ? times(cpuS / gpuS) : '–', `this run: ${how.join('; ')}`]);
    }
    rows.push([h, seconds(c.colab!.cpuSeconds), seconds(c.colab!.gpuSeconds), times(c.colab!.cpuSeconds / c.colab!.gpuSeconds), 'the lecture on Colab (reference)']);
  }
  return markdownTable(columns, rows);
}

/** The issue's targets, met or not, with the measured ratio. */
export function targetsTable(r: BenchReport): string {
  const columns: Column[] = [['target', 'left'], ['measured', 'left'], ['', 'left']];
  const rows: string[][] = [];
  const versusTorch = (id: string, factor: number) => {
    const best = fastest(r.rows, id);
    const t = torchUs(r, id);
    if (!best || !t) return;
    const ratio = t.us / best.usPerEpoch;
    // Only PyTorch measured in this run decides: a reference figure is another machine's, another day's.
    rows.push([
      `${courseCaseOf(id)!.title}: ≥ ${factor}× faster than PyTorch CPU`,
      `${best.strategy} ${num(best.usPerEpoch)} µs/epoch against ${num(t.us)} (${t.measured ? 'measured in this run' : 'reference figure from another machine, not measured here'}): ${times(ratio)}`,
      t.measured ? (ratio >= factor ? 'met' : 'missed') : 'not decided: no PyTorch in this run',
    ]);
  };
  versusTorch('lecture-1-2-1', 5);
  // The C loop runs beside the Node runtime (bench/cloop.ts): the floor of a CPU adapter's epoch.
  const lecture = fastest(r.rows, 'lecture-1-2-1');
  const cLoop = r.baselines.find((b) => b.case === 'lecture-1-2-1' && b.system.startsWith('C loop'));
  if (lecture && cLoop) {
    const ratio = lecture.usPerEpoch / cLoop.usPerEpoch;
    rows.push([`${courseCaseOf('lecture-1-2-1')!.title}: ≤ 1.2× the C loop`, `${lecture.strategy} ${num(lecture.usPerEpoch)} µs/epoch against ${cLoop.system}'s ${num(cLoop.usPerEpoch)}: ${times(ratio)}`, ratio <= 1.2 ? 'met' : 'missed']);
  }
  const mnist = r.rows.filter((x) => x.case === 'mnist37-784-32-1' && !x.skipped);
  for (const x of mnist) {
    const share = gemmShareOfPeak(r, x);
    if (share !== undefined) rows.push([`MNIST 784-32-1 (${x.strategy}): GEMMs ≥ 50% of the FMA peak`, `${percent(share)} of ${num(r.peaks.gflops)} GFLOP/s`, share >= 0.5 ? 'met' : 'missed']);
  }
  const best = fastest(r.rows, 'mnist37-784-32-1');
  const tf = r.baselines.find((b) => b.case === 'mnist37-784-32-1' && b.system.startsWith('TensorFlow'));
  if (best && tf) {
    const ratio = tf.usPerEpoch / best.usPerEpoch;
    rows.push(['MNIST 784-32-1: ≥ 5× faster than TF.js WebGPU', `${best.strategy} ${num(best.usPerEpoch)} µs/epoch against ${num(tf.usPerEpoch)}: ${times(ratio)}`, ratio >= 5 ? 'met' : 'missed']);
  }
  for (const id of ['step2000-1-256-1', 'curve2000-1-1024-1', 'noise100-1-20480-1']) versusTorch(id, 2);
  return markdownTable(columns, rows);
}

/** The N × H grid of the lecture's family. */
export function gridTable(r: BenchReport): string {
  const columns: Column[] = [['N', 'right'], ['H', 'right'], ['strategy', 'left'], ['wg', 'right'], ['µs/epoch', 'right'], ['GPU µs/epoch', 'right'], ['dispatches/epoch', 'right'], ['points·epochs/s', 'right']];
  const rows = r.grid.map((x) => {
    const peers = r.grid.filter((y) => y.n === x.n && y.layers[1] === x.layers[1]);
    const win = !x.skipped && fastest(peers, x.case) === x;
    return [String(x.n), String(x.layers[1]), x.strategy, x.workgroupSize ? String(x.workgroupSize) : '–', win ? `**${usCell(x)}**` : usCell(x), num(x.gpuUsPerEpoch), x.skipped ? '–' : num(x.dispatchesPerEpoch), x.skipped ? '–' : num(x.n / (x.usPerEpoch / 1e6))];
  });
  return markdownTable(columns, rows);
}

export function markdown(r: BenchReport): string {
  const unavailable = Object.entries(r.unavailable).map(([system, why]) => `${system}: not available (${why}).`);
  const standIns = Object.entries(r.dataSources).filter(([, s]) => s.startsWith('random stand-in')).map(([id]) => id);
  if (standIns.length) unavailable.push(`No ../shared/data here: ${standIns.join(', ')} ran on random stand-ins of the same shape (times comparable, losses not the course's).`);
  return [
    ...header(r),
    '',
    `µs/epoch: wall time from the first submit to the last loss read back, median of ${r.quick ? 'a few' : 'several'} runs after a warm-up (~: from the first epochs alone, for cases of about a second per epoch); GPU µs/epoch: timestamp queries around each chunk pass; loss (epoch): the training loss of that epoch from the case's initial parameters, the same for every system; **bold**: the fastest strategy.`,
    ...(unavailable.length ? ['', ...unavailable] : []),
    '',
    '#### The course\'s shapes',
    '',
    courseTable(r),
    '',
    ...(r.goldens && Object.keys(r.goldens).length ? ["#### Against PyTorch's trajectory: the first optimizer steps of every strategy and the golden", '', parityTables(r)] : []),
    '#### The targets',
    '',
    targetsTable(r),
    '',
    '#### 05wk-1: 1000 epochs of 1-H-1 on 100 points',
    '',
    wk05Table(r),
    '',
    '#### Per kernel (GPU time per epoch, or per optimizer step where the shape says so; FLOPs and bytes from bench/cost.ts, the conv and pool kernels from their step builders, src/gpu/conv.ts CONV_COSTS)',
    '',
    kernelTable(r),
    '',
    '#### The lecture\'s family: N × H grid (generated data)',
    '',
    gridTable(r),
    '',
  ].join('\n');
}
