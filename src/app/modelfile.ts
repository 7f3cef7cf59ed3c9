// The model as a file: the page's JSON (parameters in torch's names and shapes, the epoch count, Adam's
// state, the runs with their learning rates, the loss history), what it accepts back (that, the CLI's
// --out, torch's nested [[…]] shapes), and a PyTorch script that rebuilds the net and checks its loss.
import type { Dataset } from '../data/dataset';
import { packParams, paramLayout, unpackParams, type ModelParams, type ParamLayout } from '../model/layout';
import type { TrainerConfig, TrainerState } from '../train/trainer';

export const MODEL_FORMAT = 'webgpu-dnn-lecture/model@1';

/** One run of Play: the epochs it covered and its learning rate. */
export interface RunRecord {
  from: number;
  to: number;
  lr: number;
}

export interface ModelFile {
  format: typeof MODEL_FORMAT;
  config: TrainerConfig;
  data: string;
  epochs: number;
  runs: RunRecord[];
  params: ModelParams;
  adam: { step: number; m: ModelParams; v: ModelParams };
  loss: number[];
}

export function modelFile(config: TrainerConfig, data: string, state: TrainerState, layout: ParamLayout, runs: RunRecord[], loss: ArrayLike<number>): ModelFile {
  return {
    format: MODEL_FORMAT,
    config,
    data,
    epochs: state.step,
    runs,
    params: unpackParams(state.params, layout), // API: model spec
    adam: { step: state.step, m: unpackParams(state.m, layout), v: unpackParams(state.v, layout) },
    loss: Array.from(loss),
  };
}

const NAMES = ['W1', 'b1', 'W2', 'b2'] as const;
const EXPECTED = 'expected {"params": {"W1", "b1", "W2", "b2"}} (what "Download the model" and the command line write), or {"W1", "b1", "W2", "b2"} alone';

/** What an import restores: parameters always; Adam's state and the epoch count when the file has them. */
export interface ImportedModel {
  hidden: number;
  state: TrainerState;
  hasAdam: boolean;
  runs: RunRecord[];
  loss: number[];
  lr?: number;
}

/** torch writes W1 as [[w], [w]] and W2 as [[w, w]]: flatten any nesting, as .flatten() would. */
const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

function tensors(raw: unknown, what: string): ModelParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RangeError(`${what} is not an object: ${EXPECTED}`);
  const obj = raw as Record<string, unknown>;
  const missing = NAMES.filter((n) => !(n in obj));
  if (missing.length > 0) throw new RangeError(`${what} has no ${missing.join(', ')}: ${EXPECTED}`);
  // API: model spec — packParams flattens nested arrays and takes deeper models (W3, b3, …) after the merge.
  return Object.fromEntries(NAMES.map((n) => [n, flat(obj[n])])) as unknown as ModelParams;
}

export function parseModelFile(text: string): ImportedModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`this is not JSON (${(e as Error).message}): ${EXPECTED}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new RangeError(EXPECTED);
  const obj = json as Record<string, unknown>;
  const params = packParams(tensors('params' in obj ? obj.params : obj, 'params' in obj ? 'its "params"' : 'the file'));
  const hidden = params.length === 0 ? 0 : (params.length - 1) / 3; // API: model spec
  const layout = paramLayout(hidden);
  const loss = Array.isArray(obj.loss) ? obj.loss.filter((v): v is number => typeof v === 'number') : [];
  const runs = Array.isArray(obj.runs) ? (obj.runs as RunRecord[]).filter((r) => Number.isInteger(r?.from) && Number.isInteger(r?.to) && typeof r?.lr === 'number') : [];
  const config = (obj.config ?? {}) as Partial<TrainerConfig>;
  const adam = obj.adam as { step?: unknown; m?: unknown; v?: unknown } | undefined;
  if (adam && typeof adam === 'object') {
    const step = adam.step;
    if (!Number.isInteger(step) || (step as number) < 0) throw new RangeError(`its "adam.step" must be a non-negative integer, got ${String(step)}`);
    const m = packParams(tensors(adam.m, 'its "adam.m"'));
    const v = packParams(tensors(adam.v, 'its "adam.v"'));
    if (m.length !== layout.count || v.length !== layout.count) throw new RangeError(`its Adam state does not match the parameters' width ${hidden}`);
    return { hidden, state: { params, m, v, step: step as number }, hasAdam: true, runs, loss: loss.slice(0, step as number), lr: config.lr };
  }
  const zeros = () => new Float32Array(layout.count);
  return { hidden, state: { params, m: zeros(), v: zeros(), step: 0 }, hasAdam: false, runs: [], loss: [], lr: config.lr };
}

const py = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
const pyList = (values: ArrayLike<number>) => `[${Array.from(values, py).join(', ')}]`;

/** A runnable script: the net as nn.Sequential, the weights loaded, the data inline, the loss printed. */
export function pytorchScript(params: ModelParams, data: Dataset, epochs: number, pageLoss: number | undefined): string {
  const h = params.W1.length; // API: model spec — one Linear per layer of the spec, ReLU between
  const inline = data.x.length <= 200_000;
  return [
    `# The network trained on the page "Overcoming the limits of logistic regression" after ${epochs} epochs,`,
    `# rebuilt in PyTorch: python3 model.py [data.csv]  (a CSV with columns x and y; by default the data inline below)`,
    'import csv',
    'import sys',
    '',
    'import torch',
    '',
    `net = torch.nn.Sequential(torch.nn.Linear(1, ${h}), torch.nn.ReLU(), torch.nn.Linear(${h}, 1), torch.nn.Sigmoid())`,
    'state = {',
    `    "0.weight": torch.tensor(${pyList(params.W1)}).reshape(${h}, 1),`,
    `    "0.bias": torch.tensor(${pyList(params.b1)}),`,
    `    "2.weight": torch.tensor(${pyList(params.W2)}).reshape(1, ${h}),`,
    `    "2.bias": torch.tensor(${pyList(params.b2)}),`,
    '}',
    'net.load_state_dict(state)',
    '',
    'if len(sys.argv) > 1:',
    '    with open(sys.argv[1], newline="") as f:',
    '        rows = list(csv.DictReader(f))',
    '    x = torch.tensor([float(r["x"]) for r in rows]).reshape(-1, 1)',
    '    y = torch.tensor([float(r["y"]) for r in rows]).reshape(-1, 1)',
    inline
      ? `else:  # ${data.source}, ${data.x.length} points\n    x = torch.tensor(${pyList(data.x)}).reshape(-1, 1)\n    y = torch.tensor(${pyList(data.y)}).reshape(-1, 1)`
      : `else:\n    sys.exit("pass the data as a CSV file (${data.x.length} points are too many to inline)")`,
    '',
    'with torch.no_grad():',
    '    loss = torch.nn.functional.binary_cross_entropy(net(x), y)',
    `print(f"BCE loss on {len(x)} points: {loss.item():.6f}${pageLoss === undefined ? '' : ` (the page: ${pageLoss.toFixed(6)})`}")`,
    '',
  ].join('\n');
}
