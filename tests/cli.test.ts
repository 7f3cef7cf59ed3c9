// The command line end to end: build it as `npm run train` does, run it on Dawn, read what it says
// and writes; bad input exits with code 2, a message, and no file.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { accuracy } from '../src/cpu/model';
import { parseCsv } from '../src/data/csv';
import { STRATEGY_NAMES } from '../src/train/strategy';
import { COURSE, LECTURE, STEP_GOLDENS } from './shared';

const root = join(__dirname, '..');
const shared = (name: string) => join(root, '..', 'shared', 'data', name);
const dnnex = shared('dnnex.csv');
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
    const summary = /final loss ([\d.]+), .*?([\d.]+) s \(/.exec(r.stdout);
    expect(summary, r.stdout).not.toBeNull();
    expect(Number(summary![1])).toBeCloseTo(LECTURE.loss[499], 5);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ seed: '43052', model: { layers: [1, 2, 1], head: 'bce', dropout: 0 }, lr: 0.001, epochs: 500, features: ['x'], target: 'y' });
    expect(report.adapter).toMatch(/\S/);
    expect(report.loss).toHaveLength(500);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - LECTURE.loss[i])).toBeLessThan(1e-4));
    expect(Object.keys(report.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(report.params.W1).toHaveLength(2);
    expect(report.seconds).toBeGreaterThan(0);
  });

  test('MNIST 3 vs 7 (784-32-1): final loss, train and test accuracy, test loss per epoch, as PyTorch', () => {
    const out = join(dir, 'mnist.json');
    const golden = COURSE['mnist37-h32-bce'].golden;
    const r = train('--data', shared('mnist37-train.csv'), '--test', shared('mnist37-test.csv'), '--layers', '784,32,1', '--epochs', '200', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/final loss [\d.]+, test loss [\d.]+, accuracy [\d.]+% train \/ [\d.]+% test/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.loss).toHaveLength(200);
    expect(report.test_loss).toHaveLength(200);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - golden.loss[i]), `epoch ${i + 1}`).toBeLessThanOrEqual(golden.tolerance[i]));
    report.test_loss.forEach((l: number, i: number) => expect(Math.abs(l - golden.test_loss![i]), `test epoch ${i + 1}`).toBeLessThanOrEqual(golden.test_tolerance![i]));
    // PyTorch's predictions after 200 epochs give its train accuracy; ours comes from our own
    // predictions, and may differ by a point whose probability sits within rounding of 0.5.
    const labels = parseCsv(readFileSync(shared('mnist37-train.csv')), 'mnist37-train.csv').y;
    const torchTrain = accuracy(golden.checkpoints['200'].prob!, labels);
    expect(Math.abs(report.accuracy.train - torchTrain)).toBeLessThanOrEqual(1 / 1600);
    expect(report.accuracy.test).toBeGreaterThan(0.9);
    expect(Object.keys(report.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(report.params.W1).toHaveLength(32 * 784);
  });

  test('--holdout: the last rows are the test set, as the lecture splits x_all[:80] / x_all[80:]', () => {
    const out = join(dir, 'noise.json');
    const golden = COURSE['noise100-h512-mse-holdout'].golden;
    const r = train('--data', shared('noise100.csv'), '--holdout', '0.2', '--hidden', '512', '--head', 'mse', '--seed', '1', '--epochs', '100', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ points: 80, testPoints: 20 });
    expect(report.accuracy).toBeUndefined(); // mse: no classes
    report.test_loss.forEach((l: number, i: number) => expect(Math.abs(l - golden.test_loss![i])).toBeLessThanOrEqual(golden.test_tolerance![i]));
  });

  test('seeds as torch takes them: -1, 2^32-1 and 2^64-1 train the same model; lr 0 keeps the loss constant', () => {
    const runs = ['-1', '4294967295', '18446744073709551615'].map((seed) => {
      const out = join(dir, `seed${seed}.json`);
      const r = train('--epochs', '5', '--seed', seed, '--lr', '0', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8'));
    });
    expect(runs[2].config.seed).toBe('18446744073709551615'); // exact, not rounded through a float
    expect(runs[1].params).toEqual(runs[0].params);
    expect(runs[2].params).toEqual(runs[0].params);
    expect(new Set(runs[0].loss).size).toBe(1);
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
    expect(report.diverged).toEqual({ epoch: 1, step: 1, loss: false, update: true });
    expect(report.params).toEqual(LECTURE.init);
  });

  // The two 05wk-1 commands, whole: every optimizer step and every epoch's test loss within the band.
  test.each([
    ['mnist01-h32-sgd-b256-shuffle', ['--data', shared('mnist01-train.csv'), '--test', shared('mnist01-test.csv'), '--model', 'Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', '--loss', 'BCELoss', '--optimizer', 'sgd', '--lr', '0.001', '--seed', '1', '--epochs', '100', '--batch-size', '256', '--shuffle']],
    ['mnist012-h32-ce', ['--data', shared('mnist012-train.csv'), '--test', shared('mnist012-test.csv'), '--model', 'Linear(784,32), ReLU(), Linear(32,3)', '--loss', 'CrossEntropyLoss', '--seed', '43052', '--epochs', '100']],
  ] as const)('05wk-1 %s: the issue\'s command matches the golden at every step', (name, args) => {
    const { golden } = STEP_GOLDENS[name];
    const out = join(dir, `${name}.json`);
    const r = spawnSync(process.execPath, [cli, ...args, '--out', out], { encoding: 'utf8', cwd: root, timeout: 600_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/final loss [\d.]+, test loss [\d.]+, accuracy [\d.]+% train \/ [\d.]+% test/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ modelText: golden.config.model.join(', '), loss: golden.config.loss, stepsPerEpoch: golden.config.steps_per_epoch });
    expect(report.loss).toHaveLength(golden.loss.length);
    expect(report.test_loss).toHaveLength(golden.test_loss.length);
    const outside = (ours: number[], want: number[], band: number[]) => ours.filter((v, i) => !(Math.abs(v - want[i]) <= band[i])).length;
    expect(outside(report.loss, golden.loss, golden.tolerance), 'steps outside the band').toBe(0);
    expect(outside(report.test_loss, golden.test_loss, golden.test_tolerance), 'test epochs outside the band').toBe(0);
    // Our predictions, not torch's: a point within rounding of the decision boundary may differ.
    expect(Math.abs(report.accuracy.train - golden.accuracy.train)).toBeLessThanOrEqual(2 / report.config.points);
    expect(Math.abs(report.accuracy.test - golden.accuracy.test)).toBeLessThanOrEqual(2 / report.config.testPoints);
  }, 600_000);

  test('--one-hot: probability rows train bit for bit as the class indices they encode', () => {
    const base = ['--data', shared('mnist012-test.csv'), '--model', 'Linear(784,8), ReLU(), Linear(8,3)', '--loss', 'CrossEntropyLoss', '--epochs', '3', '--batch-size', '300'];
    const runs = [[], ['--one-hot']].map((extra, i) => {
      const out = join(dir, `onehot${i}.json`);
      const r = train(...base, ...extra, '--out', out);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8'));
    });
    expect(runs[1].loss).toHaveLength(9);
    expect(runs[1].loss).toEqual(runs[0].loss);
    expect(runs[1].params).toEqual(runs[0].params);
    expect(runs[1].accuracy).toEqual(runs[0].accuracy);
  });

  test('without --layers or --model the inputs follow the features (two columns: 2-2-1)', () => {
    const out = join(dir, 'rings.json');
    const r = train('--data', shared('rings1000.csv'), '--epochs', '5', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).config.model.layers).toEqual([2, 2, 1]);
  });

  // --engine cpu: the same command through the same Engine interface on the CPU engine (train/cpu-engine.ts).
  test('--engine cpu, the lecture: the first 300 epochs within 1e-4 of PyTorch, the GPU run\'s summary line and JSON', () => {
    const out = join(dir, 'cpu-lecture.json');
    const r = train('--data', dnnex, '--epochs', '300', '--engine', 'cpu', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('epoch 300/300');
    expect(r.stdout).toMatch(/^trained 300 epochs on 2000 points: final loss [\d.]+, accuracy [\d.]+% train, [\d.]+ s \(\d+ µs\/epoch\), engine cpu/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(report)).toEqual(['config', 'adapter', 'deviceClass', 'loss', 'accuracy', 'params', 'seconds']);
    expect(report.config).toMatchObject({ engine: 'cpu', seed: '43052', model: { layers: [1, 2, 1], head: 'bce', dropout: 0 }, lr: 0.001, epochs: 300, stepsPerEpoch: 1, features: ['x'], target: 'y' });
    expect(report.loss).toHaveLength(300);
    report.loss.forEach((l: number, i: number) => expect(Math.abs(l - LECTURE.loss[i]), `epoch ${i + 1}`).toBeLessThan(1e-4));
    expect(Object.keys(report.params)).toEqual(['W1', 'b1', 'W2', 'b2']);
  });

  test('--engine cpu, 05wk-1 mnist01-h32-sgd-b256-shuffle: every step of the first 2 epochs and their test losses within the golden band', () => {
    const { golden } = STEP_GOLDENS['mnist01-h32-sgd-b256-shuffle'];
    const out = join(dir, 'cpu-shuffle.json');
    const args = ['--data', shared('mnist01-train.csv'), '--test', shared('mnist01-test.csv'), '--model', 'Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', '--loss', 'BCELoss', '--optimizer', 'sgd', '--lr', '0.001', '--seed', '1', '--epochs', '2', '--batch-size', '256', '--shuffle'];
    const r = train(...args, '--engine', 'cpu', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trained 2 epochs \(14 steps of batch 256, shuffled\) on 1600 points: final loss [\d.]+, test loss [\d.]+, accuracy [\d.]+% train \/ [\d.]+% test/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config).toMatchObject({ engine: 'cpu', stepsPerEpoch: golden.config.steps_per_epoch, batchSize: 256, shuffle: true, optimizer: 'sgd' });
    expect(report.loss).toHaveLength(2 * golden.config.steps_per_epoch);
    expect(report.test_loss).toHaveLength(2);
    const outside = (ours: number[], want: number[], band: number[]) => ours.filter((v, i) => !(Math.abs(v - want[i]) <= band[i])).length;
    expect(outside(report.loss, golden.loss, golden.tolerance), 'steps outside the band').toBe(0);
    expect(outside(report.test_loss, golden.test_loss, golden.test_tolerance), 'test epochs outside the band').toBe(0);
  });

  test('--engine cpu, a diverging learning rate: exit 1 and the GPU engine\'s report (epoch 1, the update), the initial parameters written', () => {
    const out = join(dir, 'cpu-diverged.json');
    const r = train('--data', dnnex, '--epochs', '100', '--lr', '1e38', '--engine', 'cpu', '--out', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('training stopped at epoch 1');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.diverged).toEqual({ epoch: 1, step: 1, loss: false, update: true });
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
    [['--strategy', 'magic'], '--strategy: strategy must be one of'],
    [['--epochs', '-3'], '--epochs'],
    [['--bogus'], 'unknown argument'],
    [['--points-per-thread', '0'], '--points-per-thread: points per thread must be'],
    [['--workgroup-size', '48'], '--workgroup-size: workgroup size must be a power of two'],
    [['--data', '/no/such.csv'], 'cannot read /no/such.csv'],
    [['--layers', '2,4,1'], '--data: layers start with 2 inputs, but the data set has 1 feature'],
    [['--layers', '1,4,2'], '--layers: the last layer must have one output'],
    [['--dropout', '1'], '--dropout: dropout must be a probability in [0, 1)'],
    [['--head', 'hinge'], '--head must be one of bce, bce-logits, mse'],
    [['--seed', '18446744073709551616'], '--seed: seed must be an integer'],
    [['--holdout', '1'], '--holdout must be a fraction'],
    [['--data', shared('curve2000.csv')], 'outside [0, 1]'],
    [['--strategy', 'piecewise', '--layers', '1,3,3,1'], '--strategy: piecewise'],
    [['--model', 'Linear(1,2), ReLU(), Linear(2,1)', '--loss', 'BCELoss'], '--model: BCELoss takes probabilities: end the model with Sigmoid()'],
    [['--model', 'Linear(1,2), ReLU(), Linear(2,1)'], '--model needs --loss'],
    [['--model', 'Linear(1,2), ReLU(), Linear(2,1), Sigmoid()', '--layers', '1,2,1'], 'give one of --model, --layers and --hidden'],
    [['--model', 'Linear(1,2), Softmax(), Linear(2,1)', '--loss', 'MSELoss'], 'unknown module Softmax (not supported yet)'],
    [['--model', 'Linear(1,2), Tanh(), Dropout(0.5), Linear(2,1)', '--loss', 'MSELoss'], '--model: module 3 Dropout(0.5): Dropout after a Sigmoid/Tanh is not supported'],
    [['--strategy', 'resident', '--model', 'Linear(1,2), Tanh(), Linear(2,1), Sigmoid()', '--loss', 'BCELoss'], '--strategy: resident supports relu hidden layers only, not tanh (layer 1)'],
    [['--loss', 'HingeLoss'], '--loss must be one of BCELoss'],
    [['--optimizer', 'rmsprop'], '--optimizer must be one of adam, sgd'],
    [['--batch-size', '0'], '--batch-size: batch size must be a whole number of rows'],
    [['--shuffle=maybe'], '--shuffle takes no value'],
    [['--one-hot'], '--one-hot makes probability rows for CrossEntropyLoss'],
    [['--strategy', 'resident', '--batch-size', '100'], '--strategy: resident trains full batches only'],
    [['--strategy', 'piecewise', '--optimizer', 'sgd'], '--strategy: piecewise runs adam only'],
    [['--data', shared('mnist012-test.csv'), '--model', 'Linear(784,4), ReLU(), Linear(4,2)', '--loss', 'CrossEntropyLoss'], 'CrossEntropyLoss takes class indices 0 to 1'],
    [['--engine', 'tpu'], '--engine must be one of gpu, cpu'],
    [['--engine', 'cpu', '--lose-device-at', '5'], '--lose-device-at loses a GPU device: it needs --engine gpu'],
    [['--engine', 'cpu', '--lr', '-1'], '--lr: learning rate must be a number >= 0'],
    [['--engine', 'cpu', '--layers', '2,4,1'], '--data: layers start with 2 inputs, but the data set has 1 feature'],
  ])('bad argument %j: exit 2 with a message', (args, message) => {
    const r = train(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
