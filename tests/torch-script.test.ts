// The page's "Download as PyTorch" script (src/app/modelfile.ts pytorchScript): the net and its
// weights, which loss it prints, and a training loop that trains the net again as the page did
// (seed, Adam, each run's epochs and learning rate). Python checks that it compiles; running it
// needs torch, which CI does not have.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pytorchScript } from '../src/app/modelfile';
import { paramLayout, singleHidden } from '../src/model/layout';
import { initParams } from '../src/model/init';
import { dataset } from './datasets';

describe('Download as PyTorch', () => {
  const layout = paramLayout(singleHidden(2));
  const data = dataset([-1, 0, 1], [0, 1, 0]);
  const params = initParams(43052n, layout);

  test('with the runs that trained it from epoch 0: a training loop with the seed, each run\'s epochs and lr', () => {
    const script = pytorchScript(params, layout, data, 5000, 0.3, { seed: 43052n, runs: [{ from: 0, to: 3000, lr: 0.001 }, { from: 3000, to: 5000, lr: 0.01 }] });
    expect(script).toContain('SEED = 43052');
    expect(script).toContain('RUNS = [(3000, 0.001), (2000, 0.01)]');
    expect(script).toContain('torch.optim.Adam(net.parameters(), lr=0.001)');
    expect(script).toContain("the last epoch's BCE loss, before its update");
    expect(script).toContain('of these parameters (after the last update)');
    const dir = mkdtempSync(join(tmpdir(), 'torch-script-'));
    writeFileSync(join(dir, 'model.py'), script);
    execFileSync('python3', ['-m', 'py_compile', join(dir, 'model.py')]);
  });

  test('without a whole history (an import of bare parameters) there is no loop to rerun, and it says which loss it prints', () => {
    const script = pytorchScript(params, layout, data, 200, undefined, { seed: 1n, runs: [{ from: 100, to: 200, lr: 0.001 }] });
    expect(script).not.toContain('RUNS =');
    expect(script).toContain('after the last update');
    const dir = mkdtempSync(join(tmpdir(), 'torch-script-'));
    writeFileSync(join(dir, 'model.py'), script);
    execFileSync('python3', ['-m', 'py_compile', join(dir, 'model.py')]);
  });
});
