// Command-line arguments of `npm run train`, parsed and validated without touching the GPU, so a
// bad argument is reported (exit code 2) before anything starts or is written.
import { DEFAULT_CONFIG, validateConfig, type ConfigProblem, type TrainerConfig } from '../train/trainer';
import type { StrategyChoice } from '../train/strategy';
import { HEADS, singleHidden, type Head, type ModelSpec } from '../model/layout';
import { parseSeed } from '../model/seed';
import type { TilePresetName } from '../gpu/gemm';
import { deviceClassProblem, type DeviceClass } from '../gpu/plan';

export interface CliArgs {
  data?: string;
  /** A separate test set (`--test`), or the last fraction of the data's rows (`--holdout`). */
  test?: string;
  holdout?: number;
  features?: string[];
  target?: string;
  delimiter?: string;
  epochs: number;
  out?: string;
  config: TrainerConfig;
  help: boolean;
  /** Test aid: destroy the device once this epoch's loss arrives, to exercise recovery. */
  loseDeviceAt?: number;
  /** Forces one class's plans (--device-class); the adapter's own class when absent. */
  deviceClass?: DeviceClass;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run train -- [options]

  data
  --data FILE.csv      training data; default: the lecture's distribution from the built-in
                       generator (2000 points, seed 43052, columns x, prob, y)
  --features a,b,...   input columns (default: every column except the target, prob and truth)
  --target NAME        target column (default y)
  --test FILE.csv      a test set, evaluated every epoch (test loss, test accuracy)
  --holdout F          or: the last fraction F of the data's rows as the test set (0 < F < 1)
  --delimiter C        the CSV delimiter (default: detected; , ; tab |)
  model
  --layers D,H1,...,1  layer sizes, Linear layers with ReLU between (default 1,2,1)
  --hidden H           short for --layers 1,H,1
  --head NAME          bce (Sigmoid + BCELoss, default) | bce-logits (BCEWithLogitsLoss) | mse (MSELoss)
  --dropout P          dropout after every hidden ReLU while training, 0 <= P < 1 (default 0)
  training
  --seed N             torch.manual_seed compatible, any integer in [-2^63, 2^64-1] (default 43052)
  --lr X               Adam learning rate, >= 0 (default 0.001)
  --epochs N           epochs to train (default 6000)
  --strategy NAME      auto | unfused | fused | resident | piecewise (default auto)
  --workgroup-size N   workgroup size of the strategy's kernels (power of two, default per strategy)
  --chunk N            epochs per submit and per loss readback (default 250)
  --points-per-thread N  points each invocation sums in the reductions over N (default by adapter)
  --tiles NAME         GEMM tiling of fused and unfused: naive | small | medium | large | software
                       (default: software on a CPU adapter, medium on a GPU)
  --device-class C     gpu | software: plan workgroups, tiles, splits and auto's choice for this
                       class on any adapter (default: the adapter's own class)
  output
  --out FILE.json      write config, adapter, loss (and test_loss) per epoch, accuracy, params, seconds
  --lose-device-at N   (testing) destroy the GPU device after epoch N to exercise recovery
  --help               this text`;

const FLAGS = [
  'data', 'test', 'holdout', 'features', 'target', 'delimiter', 'layers', 'hidden', 'head', 'dropout',
  'seed', 'lr', 'epochs', 'strategy', 'workgroup-size', 'chunk', 'points-per-thread', 'tiles', 'out', 'lose-device-at',
  'device-class',
] as const;
type Flag = (typeof FLAGS)[number];

/** The command-line flag of each configuration field, so a problem names what to change. */
const FLAG_OF: Record<ConfigProblem['field'], string> = {
  layers: '--layers',
  head: '--head',
  dropout: '--dropout',
  lr: '--lr',
  seed: '--seed',
  strategy: '--strategy',
  workgroupSize: '--workgroup-size',
  chunkEpochs: '--chunk',
  pointsPerThread: '--points-per-thread',
  tiles: '--tiles',
  data: '--data',
  test: '--test',
};

/** A problem as the command line shows it: the flag, then the message. */
export function describeProblem(p: ConfigProblem): string {
  return `${FLAG_OF[p.field]}: ${p.message}`;
}

function number(flag: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} needs a number, got "${raw}"`);
  return v;
}

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim());
}

function modelSpec(given: Map<Flag, string>, num: (flag: Flag, fallback: number) => number): ModelSpec {
  if (given.has('layers') && given.has('hidden')) throw new UsageError('give --layers or --hidden, not both (--hidden H is short for --layers 1,H,1)');
  const head = (given.get('head') ?? 'bce') as Head;
  if (!HEADS.includes(head)) throw new UsageError(`--head must be one of ${HEADS.join(', ')}, got "${head}"`);
  const dropout = num('dropout', 0);
  if (given.has('layers')) return { layers: list(given.get('layers')!).map((v) => number('layers', v)), head, dropout };
  return { ...singleHidden(num('hidden', DEFAULT_CONFIG.model.layers[1]), head), dropout };
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const given = new Map<Flag, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !FLAGS.includes(m[1] as Flag)) throw new UsageError(`unknown argument "${arg}"`);
    const flag = m[1] as Flag;
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${flag} needs a value`);
    if (given.has(flag)) throw new UsageError(`--${flag} given twice`);
    given.set(flag, value);
  }
  const num = (flag: Flag, fallback: number) => (given.has(flag) ? number(flag, given.get(flag)!) : fallback);
  let seed = DEFAULT_CONFIG.seed;
  if (given.has('seed')) {
    const parsed = parseSeed(given.get('seed')!);
    if ('message' in parsed) throw new UsageError(`--seed: ${parsed.message}`);
    seed = parsed.seed;
  }
  const config: TrainerConfig = {
    model: modelSpec(given, num),
    lr: num('lr', DEFAULT_CONFIG.lr),
    seed,
    strategy: (given.get('strategy') ?? DEFAULT_CONFIG.strategy) as StrategyChoice,
    workgroupSize: given.has('workgroup-size') ? num('workgroup-size', 0) : undefined,
    chunkEpochs: num('chunk', DEFAULT_CONFIG.chunkEpochs),
    pointsPerThread: given.has('points-per-thread') ? num('points-per-thread', 0) : undefined,
    tiles: given.get('tiles') as TilePresetName | undefined,
  };
  const epochs = num('epochs', 6000);
  const problems = validateConfig(config).map(describeProblem);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 10_000_000) problems.push(`--epochs must be an integer from 1 to 10000000, got ${epochs}`);
  const out = given.get('out');
  if (out !== undefined && out.trim() === '') problems.push('--out needs a file name');
  const holdout = given.has('holdout') ? num('holdout', 0) : undefined;
  if (holdout !== undefined && !(holdout > 0 && holdout < 1)) problems.push(`--holdout must be a fraction between 0 and 1 (exclusive), got ${holdout}`);
  if (holdout !== undefined && given.has('test')) problems.push('give --test or --holdout, not both');
  const delimiter = given.get('delimiter');
  if (delimiter !== undefined && ![',', ';', '\t', '|', 'tab'].includes(delimiter)) problems.push(`--delimiter must be one of , ; tab |, got "${delimiter}"`);
  const deviceClass = given.get('device-class');
  const classProblem = deviceClass === undefined ? undefined : deviceClassProblem(deviceClass);
  if (classProblem) problems.push(`--device-class: ${classProblem}`);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const loseDeviceAt = given.has('lose-device-at') ? num('lose-device-at', 0) : undefined;
  return {
    data: given.get('data'),
    test: given.get('test'),
    holdout,
    features: given.has('features') ? list(given.get('features')!) : undefined,
    target: given.get('target'),
    delimiter: delimiter === 'tab' ? '\t' : delimiter,
    epochs,
    out,
    config,
    help,
    loseDeviceAt,
    deviceClass: deviceClass as DeviceClass | undefined,
  };
}
