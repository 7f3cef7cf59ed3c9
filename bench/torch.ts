// PyTorch on the CPU, side by side, when a `python3` with torch is present (never installed by
// us): the course's networks as the course writes them (nn.Sequential, Adam, full batch), from
// torch.manual_seed(seed), which gives the same initial parameters as initParams. The script and
// the data (float32 files) go to a temporary folder; the script prints one JSON line per case.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../src/data/dataset';
import type { ModelSpec } from '../src/model/layout';
import type { Baseline } from './core';

export interface TorchCase {
  caseId: string;
  data: Dataset;
  spec: ModelSpec;
  seed: bigint;
  lr: number;
  /** Epochs for the loss (from the initial parameters), and at least this many seconds of timed epochs. */
  lossEpochs: number;
  targetSeconds: number;
}

const SCRIPT = String.raw`
import json, sys, time
import torch
from torch import nn

def model(layers):
    mods = []
    for i in range(len(layers) - 1):
        mods.append(nn.Linear(layers[i], layers[i + 1]))
        if i + 2 < len(layers):
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)

def load(path, shape):
    with open(path, 'rb') as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)

for line in sys.stdin:
    c = json.loads(line)
    x = load(c['x'], (c['n'], c['d']))
    y = load(c['y'], (c['n'], 1))
    head = c['head']
    loss_fn = {'bce': nn.BCELoss(), 'bce-logits': nn.BCEWithLogitsLoss(), 'mse': nn.MSELoss()}[head]
    def run(epochs, timed_seconds=0.0):
        torch.manual_seed(int(c['seed']))
        net = model(c['layers'])
        opt = torch.optim.Adam(net.parameters(), lr=c['lr'])
        last = None
        start = time.perf_counter()
        done = 0
        while done < epochs or time.perf_counter() - start < timed_seconds:
            out = net(x)
            if head == 'bce':
                out = torch.sigmoid(out)
            loss = loss_fn(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if done == epochs:
                last = loss.item()
        return last, (time.perf_counter() - start) / done
    run(2)
    last, per_epoch = run(c['epochs'], c['seconds'])
    print(json.dumps({'case': c['case'], 'loss': last, 'us': per_epoch * 1e6, 'epochs': c['epochs']}), flush=True)
`;

const PROBE = 'import torch, sys; print(torch.__version__, torch.get_num_threads())';

/** torch's version and thread count, or why it is not available. */
export function torchAvailable(python = 'python3'): { version: string } | { missing: string } {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { missing: `no ${python} (${r.error.message})` };
  if (r.status !== 0) return { missing: `${python} has no torch` };
  const [version, threads] = r.stdout.trim().split(/\s+/);
  return { version: `${version}, ${threads} threads` };
}

/** Trains each case in one python3 process; returns what it measured and the system's name. */
export function torchBaselines(cases: TorchCase[], python = 'python3', timeoutSeconds = 600): { system: string; baselines: Baseline[] } | { missing: string } {
  const probe = torchAvailable(python);
  if ('missing' in probe) return probe;
  const system = `PyTorch ${probe.version} (CPU)`;
  const dir = mkdtempSync(join(tmpdir(), 'bench-torch-'));
  try {
    writeFileSync(join(dir, 'bench.py'), SCRIPT);
    const input = cases.map((c, i) => {
      const x = join(dir, `x${i}.f32`);
      const y = join(dir, `y${i}.f32`);
      writeFileSync(x, c.data.x);
      writeFileSync(y, c.data.y);
      return JSON.stringify({ case: c.caseId, x, y, n: c.data.n, d: c.data.d, layers: c.spec.layers, head: c.spec.head, seed: c.seed.toString(), lr: c.lr, epochs: c.lossEpochs, seconds: c.targetSeconds });
    });
    const r = spawnSync(python, [join(dir, 'bench.py')], { input: input.join('\n') + '\n', encoding: 'utf8', timeout: timeoutSeconds * 1000, maxBuffer: 1 << 24 });
    const baselines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { case: string; loss: number; us: number; epochs: number })
      .map((o) => ({ system, case: o.case, epochs: o.epochs, usPerEpoch: o.us, finalLoss: o.loss }));
    if (baselines.length === 0) return { missing: `the torch script failed: ${(r.stderr || r.error?.message || '').slice(-300)}` };
    return { system, baselines };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
