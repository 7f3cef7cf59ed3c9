// The model as a file: the page's JSON (parameters in torch's names and shapes, the epoch count, Adam's
// state, the runs with their learning rates, the loss history), what it accepts back (that, the CLI's
// --out, torch's nested [[…]] shapes), and a PyTorch script that rebuilds the net and checks its loss.
import type { Dataset } from '../data/dataset';
import { HEADS, layersOfParams, packParams, paramLayout, unpackParams, type Activation, type Head, type ModelParams, type ModelSpec, type ParamLayout } from '../model/layout';
import { parseSeed } from '../model/seed';
import { activationText } from '../model/ops';
import type { TrainerConfig, TrainerState } from '../train/trainer';

export const MODEL_FORMAT = 'webgpu-dnn-lecture/model@1';

/** One run of Play: the epochs it covered and its learning rate. */
export interface RunRecord {
  from: number;
  to: number;
  lr: number;
}

/** The configuration as JSON has it: the seed as a decimal string (torch's seeds reach 2^64 - 1). */
export type FileConfig = Omit<TrainerConfig, 'seed'> & { seed: string };

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  config: FileConfig;
  /** The lesson the model was trained in (`?lesson=`). */
  lesson?: string;
  data: string;
  epochs: number;
  runs: RunRecord[];
  params: ModelParams;
  adam: { step: number; m: ModelParams; v: ModelParams };
  loss: number[];
}

export function modelFile(config: TrainerConfig, data: string, state: TrainerState, layout: ParamLayout, runs: RunRecord[], loss: ArrayLike<number>, lesson?: string): ModelFile {
  return {
    format: MODEL_FORMAT,
    config: { ...config, seed: String(config.seed) },
    lesson,
    data,
    epochs: state.step,
    runs,
    params: unpackParams(state.params, layout),
    adam: { step: state.step, m: unpackParams(state.m, layout), v: unpackParams(state.v, layout) },
    loss: Array.from(loss),
  };
}

const EXPECTED = 'expected {"params": {"W1", "b1", "W2", "b2"}} (what "Download the model" and the command line write; deeper models add W3, b3, …), or {"W1", "b1", "W2", "b2"} alone';

/** What an import restores: parameters always; Adam's state and the epoch count when the file has them. */
export interface ImportedModel {
  model: ModelSpec;
  state: TrainerState;
  hasAdam: boolean;
  runs: RunRecord[];
  loss: number[];
  lr?: number;
  seed?: bigint;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model a set of named params describes (W1, b1, W2, b2, …, torch's shapes or flat), or the RangeError saying what was expected. */
function layersOf(raw: unknown, what: string): number[] {
  if (!isObject(raw)) throw new RangeError(`${what} is not an object: ${EXPECTED}`);
  const layers = layersOfParams(raw);
  if (layers) return layers;
  const missing = ['W1', 'b1', 'W2', 'b2'].filter((n) => !Array.isArray(raw[n]));
  throw new RangeError(missing.length > 0 ? `${what} has no ${missing.join(', ')}: ${EXPECTED}` : `${what}: the shapes of W1, b1, W2, b2, … do not chain into layers: ${EXPECTED}`);
}

/**
 * Reads a model file. The layers come from the parameters' shapes; the head and dropout from the
 * file's config when it has them, else from `fallback` (the lesson on screen).
 */
export function parseModelFile(text: string, fallback: Pick<ModelSpec, 'head' | 'dropout'>): ImportedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`this is not JSON (${(e as Error).message}): ${EXPECTED}`);
  }
  if (!isObject(json)) throw new RangeError(EXPECTED);
  const raw = 'params' in json ? json.params : json;
  const what = 'params' in json ? 'its "params"' : 'the file';
  const layers = layersOf(raw, what);
  const config = isObject(json.config) ? json.config : {};
  const spec = isObject(config.model) ? config.model : {};
  const head = HEADS.includes(spec.head as Head) ? (spec.head as Head) : fallback.head;
  const dropout = typeof spec.dropout === 'number' ? spec.dropout : fallback.dropout;
  // hidden activations when the file names them (absent: ReLU); paramLayout refuses a wrong list
  const activations = Array.isArray(spec.activations) ? (spec.activations as Activation[]) : undefined;
  const model: ModelSpec = activations ? { layers, head, dropout, activations } : { layers, head, dropout };
  const layout = paramLayout(model);
  const params = packParams(raw as Record<string, unknown>, layout);
  const loss = Array.isArray(json.loss) ? json.loss.filter((v): v is number => typeof v === 'number') : [];
  const runs = Array.isArray(json.runs) ? (json.runs as RunRecord[]).filter((r) => Number.isInteger(r?.from) && Number.isInteger(r?.to) && typeof r?.lr === 'number') : [];
  const lr = typeof config.lr === 'number' ? config.lr : undefined;
  const seedText = typeof config.seed === 'string' || typeof config.seed === 'number' ? parseSeed(String(config.seed)) : undefined;
  const seed = seedText && 'seed' in seedText ? seedText.seed : undefined;
  const adam = json.adam;
  if (isObject(adam)) {
    const step = adam.step;
    if (!Number.isInteger(step) || (step as number) < 0) throw new RangeError(`its "adam.step" must be a non-negative integer, got ${String(step)}`);
    const moments = (v: unknown, name: string) => {
      if (!isObject(v)) throw new RangeError(`its "adam.${name}" is not an object: ${EXPECTED}`);
      try {
        return packParams(v, layout);
      } catch (e) {
        throw new RangeError(`its Adam state does not match the parameters' layers ${layers.join(',')}: adam.${name}.${(e as Error).message}`);
      }
    };
    const state = { params, m: moments(adam.m, 'm'), v: moments(adam.v, 'v'), step: step as number };
    return { model, state, hasAdam: true, runs, loss: loss.slice(0, step as number), lr, seed };
  }
  const zeros = () => new Float32Array(layout.count);
  return { model, state: { params, m: zeros(), v: zeros(), step: 0 }, hasAdam: false, runs: [], loss: [], lr, seed };
}

/** A float as Python writes it (1.0, not 1), and a list of them: the numbers of the PyTorch scripts. */
export const py = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
export const pyList = (values: ArrayLike<number>) => `[${Array.from(values, py).join(', ')}]`;
/** The PyTorch scripts' first lines: the imports, and `--train` told apart from the data file's path. */
export const SCRIPT_PREAMBLE = ['import csv', 'import sys', '', 'import torch', '', 'TRAIN = "--train" in sys.argv[1:]', 'ARGS = [a for a in sys.argv[1:] if a != "--train"]'];

/** The loss torch computes for each head, on the network's output. */
const TORCH_LOSS: Record<Head, { name: string; call: string }> = {
  bce: { name: 'BCE', call: 'torch.nn.functional.binary_cross_entropy(net(x), y)' },
  'bce-logits': { name: 'BCEWithLogits', call: 'torch.nn.functional.binary_cross_entropy_with_logits(net(x), y)' },
  mse: { name: 'MSE', call: 'torch.nn.functional.mse_loss(net(x), y)' },
  ce: { name: 'CrossEntropy', call: 'torch.nn.functional.cross_entropy(net(x), y.reshape(-1).long())' },
};

/** The net as torch's modules, in order, and the index of each Linear in the Sequential (its state_dict prefix). */
function torchModules(layout: ParamLayout): { modules: string[]; linearAt: number[] } {
  const modules: string[] = [];
  const linearAt: number[] = [];
  for (const l of layout.layers) {
    linearAt.push(modules.length);
    modules.push(`torch.nn.Linear(${l.inDim}, ${l.outDim})`);
    if (l.activation !== 'identity') {
      modules.push(`torch.nn.${activationText(l.activation)}`);
      if (layout.spec.dropout > 0) modules.push(`torch.nn.Dropout(${layout.spec.dropout})`);
    }
  }
  if (layout.spec.head === 'bce') modules.push('torch.nn.Sigmoid()');
  return { modules, linearAt };
}

/** How the page trained the model: torch's seed and each run's epochs and learning rate (Adam, full batch). */
export interface TrainingRecord {
  seed: bigint;
  runs: readonly RunRecord[];
}

/**
 * A runnable script: the net as nn.Sequential, the weights loaded, the data inline, the loss of
 * these parameters printed (the loss after the last update; the page's loss chart shows each
 * epoch's loss before its update). With `training`, `python3 model.py --train [data.csv]` trains the
 * same net again from torch.manual_seed, with Adam at each run's learning rate, full batch, as the
 * page did, and prints the last epoch's loss before its update, as the page's chart shows it.
 */
export function pytorchScript(params: Float32Array, layout: ParamLayout, data: Dataset, epochs: number, pageLoss: number | undefined, training?: TrainingRecord): string {
  const { modules, linearAt } = torchModules(layout);
  const named = unpackParams(params, layout);
  const loss = TORCH_LOSS[layout.spec.head];
  const inline = data.x.length <= 200_000;
  const features = data.features.map((f) => JSON.stringify(f)).join(', ');
  const runs = (training?.runs ?? []).filter((r) => r.to > r.from);
  // Trained again only when the runs cover every epoch from 0 (not, e.g., after an import of bare parameters).
  const whole = runs.length > 0 && runs[0].from === 0 && runs.every((r, i) => i === 0 || r.from === runs[i - 1].to) && runs[runs.length - 1].to === epochs;
  if (!whole) training = undefined;
  return [
    `# The network trained on the page "Overcoming the limits of logistic regression" after ${epochs} epochs,`,
    `# rebuilt in PyTorch: python3 model.py [--train] [data.csv]  (a CSV with the columns ${data.features.join(', ')} and ${data.target}; by default the data inline below)`,
    '# Without --train: the loss of the page\'s parameters, i.e. after the last update (the page\'s loss chart shows each epoch\'s loss before its update).',
    ...(training ? ['# With --train: the same net trained again from torch.manual_seed, as the page trained it, then the last epoch\'s loss before its update.'] : []),
    ...SCRIPT_PREAMBLE,
    ...(training
      ? [
          `SEED = ${training.seed.toString()}`,
          `RUNS = [${runs.map((r) => `(${r.to - r.from}, ${py(r.lr)})`).join(', ')}]  # (epochs, Adam's learning rate) of each run on the page`,
          '',
          'torch.manual_seed(SEED)  # the page\'s init is this generator\'s, draw for draw',
        ]
      : []),
    `net = torch.nn.Sequential(${modules.join(', ')})`,
    'state = {',
    ...layout.layers.flatMap((l, i) => [
      `    "${linearAt[i]}.weight": torch.tensor(${pyList(named[`W${l.index + 1}`])}).reshape(${l.outDim}, ${l.inDim}),`,
      `    "${linearAt[i]}.bias": torch.tensor(${pyList(named[`b${l.index + 1}`])}),`,
    ]),
    '}',
    'if not TRAIN:',
    '    net.load_state_dict(state)',
    '',
    'if ARGS:',
    '    with open(ARGS[0], newline="") as f:',
    '        rows = list(csv.DictReader(f))',
    `    x = torch.tensor([[float(r[c]) for c in (${features},)] for r in rows])`,
    `    y = torch.tensor([float(r[${JSON.stringify(data.target)}]) for r in rows]).reshape(-1, 1)`,
    inline
      ? `else:  # ${data.source.replace(/[\r\n]/g, ' ')}, ${data.n} points\n    x = torch.tensor(${pyList(data.x)}).reshape(-1, ${data.d})\n    y = torch.tensor(${pyList(data.y)}).reshape(-1, 1)`
      : `else:\n    sys.exit("pass the data as a CSV file (${data.n} points of ${data.d} features are too many to inline)")`,
    '',
    ...(training
      ? [
          'if TRAIN:',
          '    net.train()  # dropout on while training (torch draws its own masks, not the page\'s)',
          `    optimizer = torch.optim.Adam(net.parameters(), lr=${runs.length > 0 ? py(runs[0].lr) : '0.001'})`,
          '    done = 0',
          '    for run_epochs, lr in RUNS:',
          '        for group in optimizer.param_groups:',
          '            group["lr"] = lr',
          '        for _ in range(run_epochs):',
          `            loss = ${loss.call}`,
          '            optimizer.zero_grad()',
          '            loss.backward()',
          '            optimizer.step()',
          '            done += 1',
          `    print(f"trained {done} epochs: the last epoch's ${loss.name} loss, before its update: {loss.item():.6f}")`,
          '',
        ]
      : []),
    'net.eval()  # evaluation mode: dropout off, as the page evaluates',
    'with torch.no_grad():',
    `    loss = ${loss.call}`,
    `print(f"${loss.name} loss on {len(x)} points of these parameters (after the last update): {loss.item():.6f}${pageLoss === undefined ? '' : ` (the page: ${pageLoss.toFixed(6)})`}")`,
    '',
  ].join('\n');
}

/** What the page on screen can show and train: its lesson's head, the data's feature count. */
export interface PageFrame {
  head: Head;
  /** Features of the data on screen. */
  features: readonly string[];
  /** Lessons (`?lesson=` ids) whose page shows each head, for the refusal's advice. */
  lessonsByHead: Partial<Record<Head, readonly string[]>>;
}

/**
 * Why the page cannot take an imported model (checked before anything changes), or undefined: a
 * head other than the lesson's (its charts, its loss and its summaries are the lesson's), or inputs
 * other than the data's features. Depth, widths and dropout are all the page's to show.
 */
export function importProblem(model: ModelSpec, page: PageFrame): string | undefined {
  if (model.head !== page.head) {
    const where = page.lessonsByHead[model.head] ?? [];
    return `its model has the ${model.head} head, and this lesson's page shows ${page.head} models${where.length > 0 ? `: open ?lesson=${where[0]} to continue it` : ''}`;
  }
  // The lecture's form and drawings describe a hidden layer; logistic regression (layers D,1) is the minibatch lab's (its model text).
  if (model.layers.length < 3) return `its model has no hidden layer (layers ${model.layers.join(',')}), which this page's form cannot describe: train it with the command line, or type it in a 05wk lesson's model text`;
  const d = page.features.length;
  if (model.layers[0] !== d) {
    return `its model takes ${model.layers[0]} input${model.layers[0] === 1 ? '' : 's'}, and the data on screen has ${d} feature${d === 1 ? '' : 's'} (${page.features.join(', ')}): load its data first`;
  }
  return undefined;
}

/** The runs up to `epoch`: what a model restored to an earlier state (a lost device) has trained. */
export function runsUpTo(runs: readonly RunRecord[], epoch: number): RunRecord[] {
  return runs.filter((r) => r.from < epoch).map((r) => ({ ...r, to: Math.min(r.to, epoch) }));
}
