// The PyTorch baseline's discovery (bench/torch.ts) without torch: fake pythons (small shell
// scripts) that lack torch, answer the probe, or also run the bench script, so the order of the
// candidates, the --python override, what the results record and the failure messages are checked
// on any machine.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findTorch, torchBaselines, torchCandidates, torchSystem, type TorchCase } from '../bench/torch';
import { generateLectureData } from '../src/data/generate';
import { singleHidden } from '../src/model/layout';

let dir: string;
/** A fake python: `body` is the shell script's text after the shebang. */
const fake = (name: string, body: string): string => {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
};

/** Answers the probe (`-c ...`) as a python with torch 9.9.9 and 4 threads would. */
const PROBE_OK = 'if [ "$1" = "-c" ]; then echo "3.12.1 9.9.9+cpu 4"; exit 0; fi';
/** A python without torch: every run fails as the import does. */
const NO_TORCH = 'echo "ModuleNotFoundError: No module named \'torch\'" >&2; exit 1';

let noTorch: string;
let probeOnly: string;
let benchOk: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-python-'));
  noTorch = fake('python-no-torch', NO_TORCH);
  probeOnly = fake('python-probe-only', `${PROBE_OK}\necho "Traceback: the script broke" >&2; exit 1`);
  // Runs "bench.py": one JSON line per case line on stdin, with the case id read back from it.
  benchOk = fake('python-torch', `${PROBE_OK}\nwhile read -r line; do id=$(echo "$line" | sed 's/.*"case":"\\([^"]*\\)".*/\\1/'); echo "{\\"case\\": \\"$id\\", \\"loss\\": 0.5, \\"us\\": 123.5, \\"epochs\\": 3}"; done`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lectureCase = (caseId: string): TorchCase => ({ caseId, data: generateLectureData(1, 20), spec: singleHidden(2), seed: 1n, lr: 0.001, lossEpochs: 3, targetSeconds: 0 });

describe('finding a python with torch', () => {
  test('the candidates: PATH python3 then /usr/bin/python3, or the --python flag alone', () => {
    expect(torchCandidates()).toEqual(['python3', '/usr/bin/python3']);
    expect(torchCandidates('/opt/venv/bin/python')).toEqual(['/opt/venv/bin/python']);
  });

  test('the first candidate that imports torch wins, and its path and versions are recorded', () => {
    const found = findTorch([join(dir, 'absent-python'), noTorch, benchOk, probeOnly]);
    expect(found).toEqual({ python: benchOk, pythonVersion: '3.12.1', torchVersion: '9.9.9+cpu', threads: 4 });
    if ('missing' in found) throw new Error(found.missing);
    expect(torchSystem(found)).toBe(`PyTorch 9.9.9+cpu (CPU, 4 threads; ${benchOk}, Python 3.12.1)`);
  });

  test('PATH is searched for python3 (a PATH whose python3 lacks torch falls through to the next candidate)', () => {
    const pathDir = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(pathDir, 'python3'), `#!/bin/sh\n${NO_TORCH}\n`);
    chmodSync(join(pathDir, 'python3'), 0o755);
    const env = { ...process.env, PATH: pathDir };
    expect(findTorch(['python3', benchOk], env)).toMatchObject({ python: benchOk });
    expect(findTorch(['python3'], env)).toEqual({ missing: 'python3 has no torch' });
  });

  test('no candidate: each one says why', () => {
    const absent = join(dir, 'absent-python');
    expect(findTorch([absent, noTorch])).toEqual({ missing: `no ${absent} (ENOENT); ${noTorch} has no torch` });
  });
});

describe('the baselines from the python found', () => {
  test('one baseline per case, named by the python that ran it', () => {
    const result = torchBaselines([lectureCase('lecture-1-2-1'), lectureCase('step2000-1-256-1')], benchOk, 30);
    if ('missing' in result) throw new Error(result.missing);
    expect(result.torch.python).toBe(benchOk);
    expect(result.baselines).toEqual([
      { system: result.system, case: 'lecture-1-2-1', epochs: 3, usPerEpoch: 123.5, finalLoss: 0.5 },
      { system: result.system, case: 'step2000-1-256-1', epochs: 3, usPerEpoch: 123.5, finalLoss: 0.5 },
    ]);
    expect(result.system).toContain(benchOk);
  });

  test('--python without torch is not silently replaced by another python', () => {
    expect(torchBaselines([lectureCase('lecture-1-2-1')], noTorch, 30)).toEqual({ missing: `${noTorch} has no torch` });
  });

  test('a python whose torch script fails says which python and what it printed', () => {
    const result = torchBaselines([lectureCase('lecture-1-2-1')], probeOnly, 30);
    expect(result).toHaveProperty('missing');
    expect((result as { missing: string }).missing).toMatch(new RegExp(`the torch script of ${probeOnly} failed: .*the script broke`));
  });
});
