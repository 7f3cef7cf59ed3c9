// `npm run bench -- --plan NAME`: calibrate the model on the H200's committed timings, plan every
// course case for the profile NAME, print both, and write bench-results/plan/NAME.json. No device.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchReport } from './core';
import { fitLatency, H200, H200_TARGETS, modelErrors, observations, planCases, PROFILES, type ModelError, type PlanProfile } from './plan';
import type { Latency } from './model';
import { markdownTable, num } from './table';

export const MODEL_NOTE =
  'MODELED, not measured: a latency-and-roofline model (bench/model.ts) of the plans the strategies build for this profile, ' +
  'its constants fitted to the H200 timings in bench-results/device/node.json (the plans that ran there, rebuilt); ' +
  'calibration.errors lists its error on them.';

/** The latencies of a profile: the H200's fit, or for an assumed profile the fit scaled (see PlanProfile.source). */
function profileLatency(p: PlanProfile, fitted: Latency): Latency {
  if (p === H200) return fitted;
  return { ...fitted, memoryNs: 1.5 * fitted.memoryNs, sharedNs: 1.5 * fitted.sharedNs, arithmeticNs: 1.5 * fitted.arithmeticNs, barrierNs: 1.5 * fitted.barrierNs };
}

const pct = (e: number) => `${e >= 0 ? '+' : ''}${(100 * e).toFixed(0)}%`;

function summary(errors: readonly ModelError[]) {
  const abs = errors.map((e) => Math.abs(e.error)).sort((a, b) => a - b);
  const median = abs[Math.floor(abs.length / 2)] ?? 0;
  return { observations: errors.length, median_abs_error: median, max_abs_error: abs[abs.length - 1] ?? 0, within_2x: errors.filter((e) => e.modeled_us / e.measured_us <= 2 && e.measured_us / e.modeled_us <= 2).length };
}

export async function runPlan(name: string, root: string, say: (line: string) => void): Promise<void> {
  const profile = PROFILES[name];
  if (!profile) throw new Error(`--plan: no profile ${name}; profiles: ${Object.keys(PROFILES).join(', ')}`);
  const reportPath = join(root, 'bench-results', 'device', 'node.json');
  if (!existsSync(reportPath)) throw new Error(`--plan calibrates on ${reportPath}, which is missing`);
  const device = JSON.parse(readFileSync(reportPath, 'utf8')) as BenchReport;
  const obs = await observations([...device.rows, ...device.grid]);
  const fitted = fitLatency(obs);
  const errors = modelErrors(obs, fitted);
  const epochs = errors.filter((e) => e.what.endsWith('(epoch)'));
  say(`model fitted on ${obs.length} H200 timings (${epochs.length} epochs, ${obs.length - epochs.length} per-kernel): ` + Object.entries(fitted).map(([k, v]) => `${k} ${num(v)}`).join(', '));
  const latency = profileLatency(profile, fitted);
  const cases = await planCases(profile, latency);
  const targets = profile === H200 ? H200_TARGETS : {};
  const out = {
    profile: profile.name,
    description: profile.description,
    note: MODEL_NOTE,
    source: profile.source,
    device: { sms: profile.sms, invocations_per_sm: profile.invocationsPerSm, limits: profile.limits, peaks: profile.peaks, latency },
    chunk_epochs: 250,
    cases: cases.map((c) => ({ ...c, ...(targets[c.id] !== undefined ? { target_us_per_epoch: targets[c.id], target_met: c.modeled_us_per_epoch <= targets[c.id] } : {}) })),
    calibration: { on: 'bench-results/device/node.json: the H200 run of the plans before this change (resident at 4 invocations, no split-K forward)', latency: fitted, errors_summary: { all: summary(errors), epochs: summary(epochs) }, errors },
  };
  const dir = join(root, 'bench-results', 'plan');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${profile.name}.json`), JSON.stringify(out, null, 2) + '\n');

  console.log(`\n${profile.description}: ${MODEL_NOTE}\n`);
  console.log(
    markdownTable(
      [['case', 'left'], ['auto picks', 'left'], ['modeled µs/epoch', 'right'], ['dispatches/epoch', 'right'], ['target', 'left'], ['other strategies (modeled µs/epoch)', 'left']],
      out.cases.map((c) => [
        c.id,
        c.strategy,
        num(c.modeled_us_per_epoch),
        num(c.alternatives[0].dispatches_per_epoch),
        'target_us_per_epoch' in c ? `≤ ${c.target_us_per_epoch}: ${c.target_met ? 'met' : 'missed'}` : '',
        c.alternatives.slice(1).map((a) => `${a.strategy} ${num(a.modeled_us_per_epoch)}`).join(', '),
      ]),
    ),
  );
  console.log(`\nThe model's error on the old plans' measured H200 epochs (GPU µs/epoch):\n`);
  console.log(markdownTable([['plan that ran', 'left'], ['measured', 'right'], ['modeled', 'right'], ['error', 'right']], epochs.map((e) => [e.what.replace(' (epoch)', ''), num(e.measured_us), num(e.modeled_us), pct(e.error)])));
  const s = out.calibration.errors_summary;
  console.log(`\nmedian |error| ${pct(s.epochs.median_abs_error)} on epochs (${s.epochs.within_2x}/${s.epochs.observations} within 2×), ${pct(s.all.median_abs_error)} on all ${s.all.observations} timings (${s.all.within_2x} within 2×)`);
  say(`wrote ${join(dir, `${profile.name}.json`)}`);
}
