// PyTorch on the CPU, side by side in the same run, wherever a python with torch is present (never
// installed by us): `--python PATH` alone when given, else `python3` on PATH, then /usr/bin/python3
// (a pyenv or venv python3 on PATH may lack the torch the system one has). The first candidate whose
// probe imports torch is used; which one, its Python and torch versions go into the results (the
// system's name). The course's networks as the course writes them (nn.Sequential, Adam, full
// batch or DataLoader(batch_size=B) in file order; the CNN as Conv2d → ReLU → MaxPool2d → Flatten
// in front of the Linear layers, CrossEntropyLoss for the ce head), from torch.manual_seed(seed),
// which gives the same initial parameters as initParams. The script and the data (float32 files)
// go to a temporary folder; the script prints one JSON line per case (an error line for a case it
// could not run). A committed reference figure is never a substitute: without torch the targets
// that need it are left undecided (bench/markdown.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../src/data/dataset';
import type { ModelSpec } from '../src/model/layout';
import { courseCaseOf } from './cases';
import type { Baseline } from './core';

export interface TorchCase {
  caseId: string;
  data: Dataset;
  spec: ModelSpec;
  seed: bigint;
  lr: number;
  /** Epochs for the loss (from the initial parameters; at most the course case's maxLossEpochs), and at least this many seconds of timed epochs. */
  lossEpochs: number;
  targetSeconds: number;
  /** Rows per optimizer step; absent: the course case's own (cases.ts), else the full batch. */
  batchSize?: number;
}

const SCRIPT = String.raw`
import json, sys, time
import torch
from torch import nn

def model(layers, conv):
    mods = []
    if conv:
        k, p = conv['kernel'], conv['pool']
        mods += [nn.Conv2d(conv['input'][0], conv['out'], (k, k)), nn.ReLU(), nn.MaxPool2d((p, p)), nn.Flatten()]
    for i in range(len(layers) - 1):
        mods.append(nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers):
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)

def load(path, shape):
    with open(path, 'rb') as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)

def train_case(c):
    n, conv, head = c['n'], c['conv'], c['head']
    x = load(c['x'], (n, c['d']))
    if conv:
        x = x.reshape((n, *conv['input']))
    y = load(c['y'], (n,)).long() if head == 'ce' else load(c['y'], (n, 1))
    loss_fn = {'bce': nn.BCELoss(), 'bce-logits': nn.BCEWithLogitsLoss(), 'mse': nn.MSELoss(), 'ce': nn.CrossEntropyLoss()}[head]
    b = c['batch'] or n
    def run(epochs, timed_seconds=0.0):
        torch.manual_seed(int(c['seed']))
        net = model(c['layers'], conv)
        opt = torch.optim.Adam(net.parameters(), lr=c['lr'])
        losses = []
        start = time.perf_counter()
        done = 0
        while done < epochs or time.perf_counter() - start < timed_seconds:
            for i in range(0, n, b):  # DataLoader(batch_size=b, shuffle=False, drop_last=False)
                out = net(x[i:i + b])
                if head == 'bce':
                    out = torch.sigmoid(out)
                loss = loss_fn(out, y[i:i + b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                if done < epochs:
                    losses.append(loss.item())
            done += 1
        return losses, (time.perf_counter() - start) / done
    run(2)
    losses, per_epoch = run(c['epochs'], c['seconds'])
    return {'case': c['case'], 'loss': losses[-1], 'losses': losses, 'us': per_epoch * 1e6, 'epochs': c['epochs']}

for line in sys.stdin:
    c = json.loads(line)
    try:
        result = train_case(c)
    except Exception as e:
        result = {'case': c['case'], 'error': (type(e).__name__ + ': ' + str(e))[:300]}
    print(json.dumps(result), flush=True)
`;

const PROBE = 'import sys, torch; print(sys.version.split()[0], torch.__version__, torch.get_num_threads())';

/** One line of the script's output: a case's measurement, or why it failed. */
type TorchLine = { case: string; loss: number; losses: number[]; us: number; epochs: number } | { case: string; error: string };

/**
 * The script's input line for one case: the data files, the model (the Linear layers, the conv stage
 * or null), the head, seed, lr, batch size (null: full batch), the loss epochs and timed seconds.
 */
export function torchCaseLine(c: TorchCase, x: string, y: string) {
  const own = courseCaseOf(c.caseId);
  const conv = c.spec.conv ? { input: [...c.spec.conv.input], out: c.spec.conv.outChannels, kernel: c.spec.conv.kernel, pool: c.spec.conv.pool } : null;
  const epochs = Math.min(c.lossEpochs, own?.maxLossEpochs ?? Infinity);
  return { case: c.caseId, x, y, n: c.data.n, d: c.data.d, layers: c.spec.layers, conv, head: c.spec.head, seed: c.seed.toString(), lr: c.lr, batch: c.batchSize ?? own?.batchSize ?? null, epochs, seconds: c.targetSeconds };
}

/** The python executables to try, in order: the flag's alone when given, else PATH's python3 then the system's. */
export function torchCandidates(flag?: string): string[] {
  return flag ? [flag] : ['python3', '/usr/bin/python3'];
}

/** A python that imports torch: which executable, and the versions it reported. */
export interface TorchPython {
  python: string;
  pythonVersion: string;
  torchVersion: string;
  threads: number;
}

/** Why no candidate could run torch: one reason per candidate tried, joined. */
export interface TorchMissing {
  missing: string;
}

/** Probes one python: its torch's version and thread count, or why it has none. */
export function probeTorch(python: string, env: NodeJS.ProcessEnv = process.env): TorchPython | TorchMissing {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000, env });
  if (r.error) return { missing: `no ${python} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})` };
  if (r.status !== 0) return { missing: `${python} has no torch${/No module named/.test(r.stderr) ? '' : ` (exit ${r.status})`}` };
  const [pythonVersion, torchVersion, threads] = r.stdout.trim().split(/\s+/);
  if (!torchVersion || !Number.isFinite(Number(threads))) return { missing: `${python}'s torch probe printed ${JSON.stringify(r.stdout.slice(0, 100))}` };
  return { python, pythonVersion, torchVersion, threads: Number(threads) };
}

/** The first candidate that imports torch, or every candidate's reason. */
export function findTorch(candidates: readonly string[], env: NodeJS.ProcessEnv = process.env): TorchPython | TorchMissing {
  const reasons: string[] = [];
  for (const python of [...new Set(candidates)]) {
    const probe = probeTorch(python, env);
    if (!('missing' in probe)) return probe;
    reasons.push(probe.missing);
  }
  return { missing: reasons.join('; ') };
}

/** The baselines' system name: torch's version, threads, and which python ran it. */
export function torchSystem(t: TorchPython): string {
  return `PyTorch ${t.torchVersion} (CPU, ${t.threads} threads; ${t.python}, Python ${t.pythonVersion})`;
}

/**
 * Trains each case in one process of the first python with torch (`python`: that executable alone,
 * as `--python` gives it; otherwise torchCandidates()); returns what it measured, the system's name
 * and the python used, or why no python could run torch.
 */
export function torchBaselines(cases: TorchCase[], python?: string, timeoutSeconds = 600, env: NodeJS.ProcessEnv = process.env): { system: string; baselines: Baseline[]; torch: TorchPython } | TorchMissing {
  const found = findTorch(torchCandidates(python), env);
  if ('missing' in found) return found;
  const system = torchSystem(found);
  const dir = mkdtempSync(join(tmpdir(), 'bench-torch-'));
  try {
    writeFileSync(join(dir, 'bench.py'), SCRIPT);
    const input = cases.map((c, i) => {
      const x = join(dir, `x${i}.f32`);
      const y = join(dir, `y${i}.f32`);
      writeFileSync(x, c.data.x);
      writeFileSync(y, c.data.y);
      return JSON.stringify(torchCaseLine(c, x, y));
    });
    const r = spawnSync(found.python, [join(dir, 'bench.py')], { input: input.join('\n') + '\n', encoding: 'utf8', timeout: timeoutSeconds * 1000, maxBuffer: 1 << 24, env });
    const baselines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as TorchLine)
      .map((o): Baseline => ('error' in o ? { system: `${system}, failed: ${o.error}`, case: o.case, epochs: 0, usPerEpoch: NaN, finalLoss: NaN } : { system, case: o.case, epochs: o.epochs, usPerEpoch: o.us, finalLoss: o.loss, losses: o.losses }));
    if (baselines.length === 0) return { missing: `the torch script of ${found.python} failed: ${(r.stderr || r.error?.message || '').slice(-300)}` };
    return { system, baselines, torch: found };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
