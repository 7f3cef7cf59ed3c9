// Command-line arguments of `npm run train`, parsed and validated without touching the GPU, so a
// bad argument is reported (exit code 2) before anything starts or is written.
import { DEFAULT_CONFIG, validateConfig, type TrainerConfig } from '../train/trainer';
import type { StrategyChoice } from '../train/strategy';

export interface CliArgs {
  data?: string;
  epochs: number;
  out?: string;
  config: TrainerConfig;
  help: boolean;
  /** Test aid: destroy the device once this epoch's loss arrives, to exercise recovery. */
  loseDeviceAt?: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: npm run train -- [options]

  --data FILE.csv      data set with columns x,y (prob optional); default: the lecture's
                       distribution from the built-in generator (2000 points, seed 43052)
  --seed N             parameter-init seed, torch.manual_seed compatible (default 43052)
  --hidden H           hidden width of Linear(1,H) -> ReLU -> Linear(H,1) (default 2)
  --lr X               Adam learning rate (default 0.001)
  --epochs N           epochs to train (default 6000)
  --strategy NAME      auto | unfused | fused | resident | piecewise (default auto)
  --workgroup-size N   workgroup size of the strategy's kernels (power of two, default per strategy)
  --chunk N            epochs per submit and per loss readback (default 250)
  --points-per-thread N  points each invocation sums in the reductions over N (default by adapter)
  --out FILE.json      write config, adapter, loss per epoch, params and seconds as JSON
  --lose-device-at N   (testing) destroy the GPU device after epoch N to exercise recovery
  --help               this text`;

const FLAGS = ['data', 'seed', 'hidden', 'lr', 'epochs', 'strategy', 'workgroup-size', 'chunk', 'points-per-thread', 'out', 'lose-device-at'] as const;
type Flag = (typeof FLAGS)[number];

function number(flag: string, raw: string): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} needs a number, got "${raw}"`);
  return v;
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
  const config: TrainerConfig = {
    hidden: num('hidden', DEFAULT_CONFIG.hidden),
    lr: num('lr', DEFAULT_CONFIG.lr),
    seed: num('seed', DEFAULT_CONFIG.seed),
    strategy: (given.get('strategy') ?? DEFAULT_CONFIG.strategy) as StrategyChoice,
    workgroupSize: given.has('workgroup-size') ? num('workgroup-size', 0) : undefined,
    chunkEpochs: num('chunk', DEFAULT_CONFIG.chunkEpochs),
    pointsPerThread: given.has('points-per-thread') ? num('points-per-thread', 0) : undefined,
  };
  const epochs = num('epochs', 6000);
  const problems = validateConfig(config).map((p) => p.replace(/^hidden width/, '--hidden').replace(/^learning rate/, '--lr').replace(/^seed/, '--seed').replace(/^strategy/, '--strategy').replace(/^workgroup size/, '--workgroup-size').replace(/^epochs per chunk/, '--chunk').replace(/^points per thread/, '--points-per-thread'));
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 10_000_000) problems.push(`--epochs must be an integer from 1 to 10000000, got ${epochs}`);
  const out = given.get('out');
  if (out !== undefined && out.trim() === '') problems.push('--out needs a file name');
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const loseDeviceAt = given.has('lose-device-at') ? num('lose-device-at', 0) : undefined;
  return { data: given.get('data'), epochs, out, config, help, loseDeviceAt };
}
