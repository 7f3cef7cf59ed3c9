// Command-line arguments of `npm run train`, parsed and validated without touching the GPU, so a
// bad argument is reported (exit code 2) before anything starts or is written.
import { DEFAULT_CONFIG, validateConfig, type ConfigProblem, type TrainerConfig } from '../train/trainer';
import type { StrategyChoice } from '../train/strategy';
import { HEADS, type Head, type ModelSpec } from '../model/layout';
import { LOSS_OF_HEAD, LOSSES, modelFromText, parseLoss } from '../model/ops';
import { OPTIMIZERS, type OptimizerName } from '../train/optimizer';
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
  /**
   * The run's settings. `config.model` is final for --model and --layers; for --hidden and the
   * default it is resolved against the data (resolveModel): D follows the features, C the classes.
   */
  config: TrainerConfig;
  /** How the model was given: its inputs (and for ce its classes) may follow the data. */
  model: ModelRequest;
  /** --one-hot: the target column's class indices become probability rows (CrossEntropyLoss). */
  oneHot: boolean;
  help: boolean;
  /** Test aid: destroy the device once this epoch's loss arrives, to exercise recovery. */
  loseDeviceAt?: number;
  /** Forces one class's plans (--device-class); the adapter's own class when absent. */
  deviceClass?: DeviceClass;
  /** --engine: the GPU Trainer (default) or the CPU engine, both through train/engine.ts's Engine. */
  engine: EngineKind;
}

export type EngineKind = 'gpu' | 'cpu';
const ENGINES: readonly EngineKind[] = ['gpu', 'cpu'];

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
  --one-hot            read the target column as class indices made one-hot rows (CrossEntropyLoss)
  model
  --model "TEXT"       the model as torch writes it, e.g. "Linear(784,32), ReLU(), Linear(32,3)":
                       Linear; between Linears ReLU, Sigmoid or Tanh (Dropout(p) after a ReLU);
                       Sigmoid last, for BCELoss; Flatten; a CNN starts
                       Conv2d(C,O,(k,k)), ReLU(), MaxPool2d((p,p)), Flatten() (stride 1, no padding)
  --input C,H,W        the image shape of the feature columns (row-major, as torch's reshape), for Conv2d
  --loss NAME          BCELoss | BCEWithLogitsLoss | MSELoss | CrossEntropyLoss (default: BCELoss
                       after a final Sigmoid(); with --layers/--hidden, the --head's)
  --layers D,H1,...,C  layer sizes, Linear layers with ReLU between (default D,2,1: D the features)
  --hidden H           one hidden layer of H units: --layers D,H,1 (D the features; C the classes for ce)
  --head NAME          bce (Sigmoid + BCELoss, default) | bce-logits (BCEWithLogitsLoss) | mse (MSELoss)
                       | ce (CrossEntropyLoss); the short form of --loss for --layers and --hidden
  --dropout P          dropout after every hidden ReLU while training, 0 <= P < 1 (default 0)
  training
  --seed N             torch.manual_seed compatible, any integer in [-2^63, 2^64-1] (default 43052)
  --optimizer NAME     adam (torch.optim.Adam, default) | sgd (torch.optim.SGD, momentum 0)
  --lr X               learning rate, >= 0 (default 0.001)
  --epochs N           epochs to train (default 6000)
  --batch-size B       rows per minibatch, as DataLoader(batch_size=B): one optimizer step per batch,
                       the last one shorter (default: the full batch)
  --shuffle            a new row order every epoch, as torch 1.13's DataLoader(shuffle=True) draws it
  --strategy NAME      auto | unfused | fused | resident | piecewise | wide (default auto)
  --workgroup-size N   workgroup size of the strategy's kernels (power of two, default per strategy)
  --chunk N            epochs per submit and per loss readback (default 250)
  --points-per-thread N  points each invocation sums in the reductions over N (default by adapter)
  --tiles NAME         GEMM tiling of fused and unfused: naive | small | medium | large | software
                       (default: software on a CPU adapter, medium on a GPU)
  --device-class C     gpu | software: plan workgroups, tiles, splits and auto's choice for this
                       class on any adapter (default: the adapter's own class)
  --engine E           gpu (WebGPU on Dawn, default) | cpu (the CPU engine, src/cpu: the same
                       training step for step, float32 state, no GPU needed; slower)
  output
  --out FILE.json      write config, adapter, loss per optimizer step (one per epoch in full batch),
                       test_loss per epoch, accuracy, params, seconds
  --lose-device-at N   (testing) destroy the GPU device after epoch N to exercise recovery
  --help               this text`;

const FLAGS = [
  'data', 'test', 'holdout', 'features', 'target', 'delimiter', 'layers', 'hidden', 'head', 'dropout', 'model', 'loss',
  'seed', 'optimizer', 'lr', 'epochs', 'batch-size', 'strategy', 'workgroup-size', 'chunk', 'points-per-thread', 'tiles', 'out', 'lose-device-at',
  'shuffle', 'one-hot', 'device-class', 'input', 'engine',
] as const;
type Flag = (typeof FLAGS)[number];
/** Flags that take no value: present means true. */
const SWITCHES: readonly Flag[] = ['shuffle', 'one-hot'];

/** How the model was given on the command line. */
export type ModelRequest =
  | { kind: 'text' } // --model: final
  | { kind: 'layers' } // --layers: final
  | { kind: 'hidden'; hidden: number } // --hidden H, or the default H = 2: D and C follow the data

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
  optimizer: '--optimizer',
  batchSize: '--batch-size',
  shuffle: '--shuffle',
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

/** The head of --head or --loss (for --layers and --hidden), checking that they agree. */
function headOf(given: Map<Flag, string>): Head {
  const loss = given.has('loss') ? parseLoss(given.get('loss')!) : undefined;
  if (given.has('loss') && !loss) throw new UsageError(`--loss must be one of ${LOSSES.join(', ')}, got "${given.get('loss')}"`);
  const head = (given.get('head') ?? (loss ? (Object.keys(LOSS_OF_HEAD) as Head[]).find((h) => LOSS_OF_HEAD[h] === loss) : 'bce')) as Head;
  if (!HEADS.includes(head)) throw new UsageError(`--head must be one of ${HEADS.join(', ')}, got "${head}"`);
  if (loss && LOSS_OF_HEAD[head] !== loss) throw new UsageError(`--head ${head} is ${LOSS_OF_HEAD[head]}, not --loss ${loss}: give one of them`);
  return head;
}

function modelSpec(given: Map<Flag, string>, num: (flag: Flag, fallback: number) => number): { spec: ModelSpec; request: ModelRequest } {
  const ways = (['model', 'layers', 'hidden'] as const).filter((f) => given.has(f));
  if (ways.length > 1) throw new UsageError(`give one of --model, --layers and --hidden, not ${ways.map((f) => `--${f}`).join(' and ')}`);
  if (given.has('model')) {
    if (given.has('head') || given.has('dropout')) throw new UsageError('with --model, the loss is --loss and dropout a Dropout(p) module: --head and --dropout are for --layers and --hidden');
    const text = given.get('model')!;
    const lossText = given.get('loss') ?? (/Sigmoid\s*\(\s*\)\s*\)?\s*$/.test(text) ? 'BCELoss' : undefined);
    if (lossText === undefined) throw new UsageError(`--model needs --loss: one of ${LOSSES.join(', ')} (BCELoss is the default only after a final Sigmoid())`);
    const input = given.has('input') ? list(given.get('input')!).map((v) => number('input', v)) : undefined;
    if (input && (input.length !== 3 || !input.every((v) => Number.isInteger(v) && v >= 1))) throw new UsageError(`--input must be the image shape C,H,W (three positive integers, e.g. 1,28,28), got "${given.get('input')}"`);
    const made = modelFromText(text, lossText, input);
    if ('problems' in made) throw new UsageError(made.problems.map((p) => `--${p.message.startsWith('unknown loss') ? 'loss' : 'model'}: ${p.message}`).join('\n'));
    return { spec: made.spec, request: { kind: 'text' } };
  }
  if (given.has('input')) throw new UsageError('--input gives the image shape of a --model that starts with Conv2d');
  const head = headOf(given);
  const dropout = num('dropout', 0);
  if (given.has('layers')) return { spec: { layers: list(given.get('layers')!).map((v) => number('layers', v)), head, dropout }, request: { kind: 'layers' } };
  const hidden = num('hidden', DEFAULT_CONFIG.model.layers[1]);
  // Inputs and outputs are placeholders until resolveModel sees the data.
  return { spec: { layers: [1, hidden, head === 'ce' ? 2 : 1], head, dropout }, request: { kind: 'hidden', hidden } };
}

/**
 * The model for the data: --model and --layers are taken as given (the trainer checks their inputs
 * against the features); for --hidden H and the default, the inputs follow the features and, for
 * CrossEntropyLoss, the outputs the classes (the largest class index + 1).
 */
export function resolveModel(args: Pick<CliArgs, 'config' | 'model'>, data: { d: number; y: Float32Array; targetColumns?: number }): ModelSpec {
  const spec = args.config.model;
  if (args.model.kind !== 'hidden') return spec;
  let outputs = 1;
  if (spec.head === 'ce') outputs = data.targetColumns && data.targetColumns > 1 ? data.targetColumns : Math.max(1, ...Array.from(data.y, (v) => (Number.isInteger(v) ? v + 1 : 1)));
  return { ...spec, layers: [data.d, args.model.hidden, outputs] };
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
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !FLAGS.includes(m[1] as Flag)) throw new UsageError(`unknown argument "${arg}"`);
    const flag = m[1] as Flag;
    if (SWITCHES.includes(flag) && m[2] === undefined) {
      if (given.has(flag)) throw new UsageError(`--${flag} given twice`);
      given.set(flag, 'true');
      continue;
    }
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
  const model = modelSpec(given, num);
  const optimizer = (given.get('optimizer') ?? 'adam') as OptimizerName;
  if (!OPTIMIZERS.includes(optimizer)) throw new UsageError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, got "${optimizer}"`);
  for (const flag of SWITCHES) {
    if (given.has(flag) && !['true', 'false'].includes(given.get(flag)!)) throw new UsageError(`--${flag} takes no value (or =true, =false), got "${given.get(flag)}"`);
  }
  const config: TrainerConfig = {
    model: model.spec,
    optimizer,
    batchSize: given.has('batch-size') ? num('batch-size', 0) : undefined,
    shuffle: given.get('shuffle') === 'true',
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
  if (given.get('one-hot') === 'true' && config.model.head !== 'ce') problems.push('--one-hot makes probability rows for CrossEntropyLoss: give --loss CrossEntropyLoss (or --head ce)');
  const deviceClass = given.get('device-class');
  const classProblem = deviceClass === undefined ? undefined : deviceClassProblem(deviceClass);
  if (classProblem) problems.push(`--device-class: ${classProblem}`);
  const engine = (given.get('engine') ?? 'gpu') as EngineKind;
  if (!ENGINES.includes(engine)) problems.push(`--engine must be one of ${ENGINES.join(', ')}, got "${engine}"`);
  if (engine === 'cpu' && given.has('lose-device-at')) problems.push('--lose-device-at loses a GPU device: it needs --engine gpu');
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
    model: model.request,
    oneHot: given.get('one-hot') === 'true',
    help,
    loseDeviceAt,
    deviceClass: deviceClass as DeviceClass | undefined,
    engine,
  };
}
