// The command line end to end: build it as `npm run train` does, run it on Dawn, read what it says
// and writes; bad input exits with code 2, a message, and no file.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { STRATEGY_NAMES } from '../src/train/strategy';
import { LECTURE } from './shared';

const root = join(__dirname, '..');
const dnnex = join(root, '..', 'shared', 'data', 'dnnex.csv');
// Built inside the repository so the bundle resolves `webgpu` from node_modules, as npm run train's does.
const build = join(root, 'dist-node', 'cli-test');
const cli = join(build, 'train.js');
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));

function train(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.node.config.ts', '--outDir', build], { cwd: root, stdio: 'pipe' });
});

describe('npm run train', () => {
  test('a short lecture run: summary line and JSON that match PyTorch', () => {
    const out = join(dir, 'run.json');
    const r = train('--data', dnnex, '--epochs', '500', '--out', out);
    expect(r.stderr).toContain('epoch 500/500');
    expect(r.code).toBe(0);
    const summary = /final loss ([\d.]+), ([\d.]+) s/.exec(r.stdout);
    expect(summary, r.stdout).not.toBeNull();
    expect(Number(summary![1])).toBeCloseTo(LECTURE.loss[499], 5);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ seed: 43052, hidden: 2, lr: 0.001, epochs: 500 });
    expect(report.adapter).toMatch(/\S/);
    expect(report.loss).toHaveLength(500);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - LECTURE.loss[i])).toBeLessThan(1e-4));
    expect(Object.keys(report.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(report.params.W1).toHaveLength(2);
    expect(report.seconds).toBeGreaterThan(0);
  });

  test('every strategy and the default generated data run', () => {
    for (const strategy of STRATEGY_NAMES) {
      const r = train('--epochs', '20', '--hidden', '3', '--strategy', strategy);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`strategy ${strategy}`);
      expect(r.stdout).toContain('on 2000 points');
    }
  });

  test('a lost device mid-run: reported, recovered, and the JSON holds every epoch once', () => {
    const out = join(dir, 'lost.json');
    const r = train('--data', dnnex, '--epochs', '1200', '--chunk', '100', '--lose-device-at', '700', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('device was lost');
    expect(r.stderr).toContain('resuming from epoch');
    expect(r.stdout).toContain('1 device loss recovered');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.loss).toHaveLength(1200);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - LECTURE.loss[i])).toBeLessThan(1e-4));
  });

  test('a diverging learning rate: exit 1, the epoch named, the last good parameters written', () => {
    const out = join(dir, 'diverged.json');
    const r = train('--data', dnnex, '--epochs', '100', '--lr', '1e38', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('training stopped at epoch 1');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.diverged).toEqual({ epoch: 1, loss: false, update: true });
    expect(report.params).toEqual(LECTURE.init);
  });

  test('a malformed CSV: exit 2, the line and column named, nothing written', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y\n0.1,1\n0.2,abc\n');
    const out = join(dir, 'never.json');
    const r = train('--data', bad, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('line 3, column y');
    expect(existsSync(out)).toBe(false);
  });

  test.each([
    [['--hidden', '0'], '--hidden'],
    [['--lr', 'fast'], '--lr needs a number'],
    [['--strategy', 'magic'], '--strategy must be one of'],
    [['--epochs', '-3'], '--epochs'],
    [['--bogus'], 'unknown argument'],
    [['--points-per-thread', '0'], '--points-per-thread must be'],
    [['--workgroup-size', '48'], '--workgroup-size must be a power of two'],
    [['--data', '/no/such.csv'], 'cannot read /no/such.csv'],
  ])('bad argument %j: exit 2 with a message', (args, message) => {
    const r = train(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
