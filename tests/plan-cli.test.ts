// `npm run train -- --device-class gpu`: a GPU's plans (resident's 256 invocations, workgroup tiles,
// split-K forward GEMMs, one element per invocation) forced on this software adapter reproduce
// PyTorch's goldens: the lecture and a prefix of MNIST 3 vs 7 with its test loss. The GPU plans
// are slow on two CPU cores (MNIST ~2.5 s an epoch), hence the prefix.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { COURSE, LECTURE } from './shared';

const root = join(__dirname, '..');
const shared = (name: string) => join(root, '..', 'shared', 'data', name);
const build = join(root, 'dist-node', 'plan-cli-test');
const cli = join(build, 'train.js');
const dir = mkdtempSync(join(tmpdir(), 'plan-cli-test-'));

function train(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.node.config.ts', '--outDir', build], { cwd: root, stdio: 'pipe' });
});

describe('npm run train -- --device-class gpu', () => {
  test('the lecture, 300 epochs: resident with 256 invocations, every loss within 1e-4 of PyTorch', () => {
    const out = join(dir, 'lecture.json');
    const r = train('--data', shared('dnnex.csv'), '--epochs', '300', '--device-class', 'gpu', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/strategy resident \(workgroup 256\), adapter .*, gpu plans/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.deviceClass).toBe('gpu');
    expect(report.loss).toHaveLength(300);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - LECTURE.loss[i]), `epoch ${i + 1}`).toBeLessThan(1e-4));
  });

  test('MNIST 3 vs 7, 3 epochs with its test set: fused with the split-K forward, train and test loss within the golden band', () => {
    const out = join(dir, 'mnist.json');
    const golden = COURSE['mnist37-h32-bce'].golden;
    const args = ['--data', shared('mnist37-train.csv'), '--test', shared('mnist37-test.csv'), '--layers', '784,32,1', '--epochs', '3', '--chunk', '3'];
    const r = train(...args, '--device-class', 'gpu', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/strategy fused .*, gpu plans/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.loss).toHaveLength(3);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - golden.loss[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(golden.tolerance[i]));
    report.test_loss.forEach((l: number, i: number) => expect(Math.abs(l - golden.test_loss![i]), `test epoch ${i + 1}`).toBeLessThanOrEqual(golden.test_tolerance![i]));
  });

  test('a class that is not one: exit 2, the flag named', () => {
    const r = train('--device-class', 'tpu', '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--device-class: device class must be one of gpu, software, got tpu/);
  });
});
