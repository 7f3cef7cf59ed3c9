// The C loop baseline: the lecture's training as a plain float32 C loop on one thread
// (bench/c/single_hidden_loop.c), compiled here with the machine's C compiler (`$CC`, else `cc`) at
// -O2, on the same data and initial parameters as the strategies. The target "the lecture ≤ 1.2× the
// C loop" (issue #16) compares it with the fastest strategy in the same run. Where no compiler is
// found, the report says so and the target is left undecided.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dataset } from '../src/data/dataset';
import type { Baseline } from './core';

/** The C source, from the project root (where `npm run bench` runs). */
export const C_LOOP_SOURCE = resolve('bench/c/single_hidden_loop.c');

export interface CLoopCase {
  caseId: string;
  /** One feature (x) and a target in [0, 1]. */
  data: Pick<Dataset, 'x' | 'y' | 'n' | 'd'>;
  /** The flat initial parameters of Linear(1,H) -> ReLU -> Linear(H,1) (W1, b1, W2, b2). */
  init: Float32Array<ArrayBuffer>;
  hidden: number;
  lr: number;
  lossEpochs: number;
  /** At least this many seconds of timed epochs. */
  targetSeconds: number;
}

/** The C loop's result: a Baseline row, or why it could not run. */
export function cLoopBaseline(c: CLoopCase, compiler = process.env.CC || 'cc'): { baseline: Baseline } | { missing: string } {
  if (c.data.d !== 1) return { missing: `the C loop trains one input, not ${c.data.d}` };
  if (c.init.length !== 3 * c.hidden + 1) return { missing: `the C loop needs 1,${c.hidden},1's ${3 * c.hidden + 1} parameters, got ${c.init.length}` };
  const dir = mkdtempSync(join(tmpdir(), 'bench-cloop-'));
  try {
    const binary = join(dir, 'single_hidden_loop');
    const build = spawnSync(compiler, ['-O2', '-o', binary, C_LOOP_SOURCE, '-lm'], { encoding: 'utf8' });
    if (build.error || build.status !== 0) return { missing: `${compiler} -O2 could not build ${C_LOOP_SOURCE}: ${build.error?.message ?? build.stderr.trim()}` };
    const data = new Float32Array(2 * c.data.n);
    data.set(c.data.x);
    data.set(c.data.y, c.data.n);
    writeFileSync(join(dir, 'data.bin'), data);
    writeFileSync(join(dir, 'params.bin'), c.init);
    const run = spawnSync(binary, [join(dir, 'data.bin'), join(dir, 'params.bin'), String(c.hidden), String(c.lr), String(c.lossEpochs), String(c.targetSeconds)], { encoding: 'utf8', timeout: (60 + 4 * c.targetSeconds) * 1000 });
    if (run.error || run.status !== 0) return { missing: `the C loop failed: ${run.error?.message ?? run.stderr.trim()}` };
    let out: { loss: (number | null)[]; us_per_epoch: number };
    try {
      out = JSON.parse(run.stdout);
    } catch (e) {
      return { missing: `the C loop printed no JSON (${(e as Error).message}): ${run.stdout.slice(0, 200)}` };
    }
    const losses = out.loss.map((l) => l ?? NaN);
    return { baseline: { system: `C loop (${compiler} -O2, float32, 1 thread)`, case: c.caseId, epochs: losses.length, usPerEpoch: out.us_per_epoch, finalLoss: losses[losses.length - 1], losses } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
