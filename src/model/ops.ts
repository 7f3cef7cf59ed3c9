// The model as torch writes it: a list of typed ops, parsed from torch's own module text
// ("Linear(784,32), ReLU(), Linear(32,1), Sigmoid()", or `print(model)`'s
// "Linear(in_features=784, out_features=32, bias=True)"), and a loss ("BCELoss"). Each op says,
// in one descriptor, how it is written, how it changes the shape of a point, and which parameters
// it owns under which state_dict key; the model is then lowered to the layer table every kernel
// and strategy reads (model/layout.ts: Linear layers, their activation epilogues, the head).
//
// Adding an activation: its descriptor here (with `activation`), its name and code in
// model/layout.ts, its case in shaders/ops/activation.wgsl and its CPU twin in cpu/ops.ts.
import { convShape, HEADS, hiddenActivation, type Activation, type ConvSpec, type Head, type ModelSpec } from './layout';

/** One module of torch.nn.Sequential. */
export type Op =
  | { readonly kind: 'Linear'; readonly inFeatures: number; readonly outFeatures: number }
  | { readonly kind: 'ReLU' }
  | { readonly kind: 'Sigmoid' }
  | { readonly kind: 'Tanh' }
  | { readonly kind: 'Dropout'; readonly p: number }
  | { readonly kind: 'Flatten' }
  | { readonly kind: 'Conv2d'; readonly inChannels: number; readonly outChannels: number; readonly kernel: number }
  | { readonly kind: 'MaxPool2d'; readonly kernel: number };

export type OpKind = Op['kind'];

/** The losses, by torch's class name, and the head each one is (Sigmoid + BCELoss is the bce head). */
export const LOSSES = ['BCELoss', 'BCEWithLogitsLoss', 'MSELoss', 'CrossEntropyLoss'] as const;
export type LossName = (typeof LOSSES)[number];

const HEAD_OF_LOSS: Record<LossName, Head> = { BCELoss: 'bce', BCEWithLogitsLoss: 'bce-logits', MSELoss: 'mse', CrossEntropyLoss: 'ce' };
export const LOSS_OF_HEAD: Record<Head, LossName> = { bce: 'BCELoss', 'bce-logits': 'BCEWithLogitsLoss', mse: 'MSELoss', ce: 'CrossEntropyLoss' };

/** A parsed argument: a number, a tuple of numbers, a boolean or a bare word. */
type Arg = number | readonly number[] | boolean | string;
interface Args {
  readonly positional: readonly Arg[];
  readonly named: ReadonlyMap<string, Arg>;
}

/** A parameter an op owns: `weight` or `bias`, its shape as torch holds it, and the fan-in of torch's default init (U(±1/√fan_in)). */
export interface OpParam {
  readonly name: 'weight' | 'bias';
  readonly shape: readonly number[];
  readonly fanIn: number;
}

interface OpDescriptor {
  /** The op from its arguments (positional and keyword, as torch's constructor takes them), or what is wrong. */
  parse(args: Args): Op | string;
  /** torch's module text, as the course writes it. */
  text(op: Op): string;
  /** Parameters in state_dict order (the op's key is its index in the list): name suffix, torch's shape, and the fan-in of its init bound. */
  params(op: Op): readonly OpParam[];
  /** For an element-wise activation: the layer table's name of it (a hidden layer's epilogue). */
  readonly activation?: Activation;
}

/** nn.Linear's and nn.Conv2d's parameters: weight (out, …) then bias (out), both drawn U(±1/√fan_in) (kaiming_uniform with a = √5 reduces to that bound). */
const weightAndBias = (weight: readonly number[], fanIn: number): OpParam[] => [
  { name: 'weight', shape: weight, fanIn },
  { name: 'bias', shape: [weight[0]], fanIn },
];

const noArgs = (kind: 'ReLU' | 'Sigmoid' | 'Tanh' | 'Flatten') => (args: Args): Op | string => {
  if (kind === 'Flatten') {
    const start = args.named.get('start_dim') ?? args.positional[0] ?? 1;
    const end = args.named.get('end_dim') ?? args.positional[1] ?? -1;
    return start === 1 && end === -1 ? { kind } : `only Flatten() (start_dim=1, end_dim=-1) is supported, got start_dim=${argText(start)}, end_dim=${argText(end)}`;
  }
  const others = [...args.named.keys()].filter((k) => k !== 'inplace');
  if (args.positional.length > 0 || others.length > 0) return `${kind}() takes no arguments (but inplace)`;
  return { kind };
};

const OPS: Record<OpKind, OpDescriptor> = {
  Linear: {
    parse(args) {
      const inF = args.named.get('in_features') ?? args.positional[0];
      const outF = args.named.get('out_features') ?? args.positional[1];
      const bias = args.named.get('bias') ?? args.positional[2] ?? true;
      if (!isCount(inF) || !isCount(outF)) return `Linear needs two positive integers (in_features, out_features), got ${argText(inF)}, ${argText(outF)}`;
      if (bias !== true) return 'Linear(..., bias=False) is not supported: every Linear layer has a bias here';
      return { kind: 'Linear', inFeatures: inF, outFeatures: outF };
    },
    text: (op) => (op.kind === 'Linear' ? `Linear(${op.inFeatures},${op.outFeatures})` : ''),
    params: (op) => (op.kind === 'Linear' ? weightAndBias([op.outFeatures, op.inFeatures], op.inFeatures) : []),
  },
  ReLU: { parse: noArgs('ReLU'), text: () => 'ReLU()', params: () => [], activation: 'relu' },
  Sigmoid: { parse: noArgs('Sigmoid'), text: () => 'Sigmoid()', params: () => [], activation: 'sigmoid' },
  Tanh: { parse: noArgs('Tanh'), text: () => 'Tanh()', params: () => [], activation: 'tanh' },
  Flatten: { parse: noArgs('Flatten'), text: () => 'Flatten()', params: () => [] },
  Conv2d: {
    parse(args) {
      const inC = args.named.get('in_channels') ?? args.positional[0];
      const outC = args.named.get('out_channels') ?? args.positional[1];
      if (!isCount(inC) || !isCount(outC)) return `Conv2d needs positive integers in_channels, out_channels, got ${argText(inC)}, ${argText(outC)}`;
      const k = squareWindow('kernel_size', args.named.get('kernel_size') ?? args.positional[2]);
      if (typeof k === 'string') return k;
      const stride = args.named.get('stride') ?? args.positional[3];
      const padding = args.named.get('padding') ?? args.positional[4];
      if (!isDefault(stride, 1)) return `stride=${argText(stride)} is not supported yet: stride 1 only (as the course)`;
      if (!isDefault(padding, 0) && padding !== 'valid') return `padding=${argText(padding)} is not supported yet: no padding only (as the course)`;
      if (!isDefault(args.named.get('dilation'), 1)) return 'dilation is not supported: 1 only';
      if (!isDefault(args.named.get('groups'), 1)) return 'groups is not supported: 1 only';
      if ((args.named.get('bias') ?? true) !== true) return 'Conv2d(..., bias=False) is not supported: every conv has a bias here';
      return { kind: 'Conv2d', inChannels: inC, outChannels: outC, kernel: k };
    },
    text: (op) => (op.kind === 'Conv2d' ? `Conv2d(${op.inChannels},${op.outChannels},(${op.kernel}, ${op.kernel}))` : ''),
    params: (op) => (op.kind === 'Conv2d' ? weightAndBias([op.outChannels, op.inChannels, op.kernel, op.kernel], op.inChannels * op.kernel * op.kernel) : []),
  },
  MaxPool2d: {
    parse(args) {
      const k = squareWindow('kernel_size', args.named.get('kernel_size') ?? args.positional[0]);
      if (typeof k === 'string') return k;
      const stride = args.named.get('stride') ?? args.positional[1];
      if (stride !== undefined && stride !== 'None' && !isDefault(stride, k)) return `stride=${argText(stride)} is not supported: the stride is the window (${k}), torch's default`;
      if (!isDefault(args.named.get('padding') ?? args.positional[2], 0)) return 'padding is not supported: 0 only';
      if (!isDefault(args.named.get('dilation') ?? args.positional[3], 1)) return 'dilation is not supported: 1 only';
      if (args.named.get('ceil_mode') === true) return 'ceil_mode=True is not supported: floor mode only (torch\'s default)';
      return { kind: 'MaxPool2d', kernel: k };
    },
    text: (op) => (op.kind === 'MaxPool2d' ? `MaxPool2d((${op.kernel}, ${op.kernel}))` : ''),
    params: () => [],
  },
  Dropout: {
    parse(args) {
      const p = args.named.get('p') ?? args.positional[0] ?? 0.5;
      if (typeof p !== 'number' || !(p >= 0 && p < 1)) return `Dropout needs a probability p in [0, 1), got ${argText(p)}`;
      return { kind: 'Dropout', p };
    },
    text: (op) => (op.kind === 'Dropout' ? `Dropout(${op.p})` : ''),
    params: () => [],
  },
};

/** Ops the course uses later, named so that a message can say they are not built yet. */
const NOT_YET = ['Softmax', 'BatchNorm1d', 'Conv1d', 'AvgPool2d'];

/** A square window from `k` or `(k, k)`, or what is wrong with it. */
function squareWindow(what: string, v: Arg | undefined): number | string {
  const sides = typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : [];
  if (sides.length !== 2 || !sides.every((s) => Number.isInteger(s) && s >= 1)) return `${what} must be a positive integer or a pair (k, k), got ${argText(v)}`;
  if (sides[0] !== sides[1]) return `${what} (${sides.join(', ')}) is not square: only (k, k) windows are supported`;
  return sides[0];
}

/** Whether an argument is absent or equals `want` (as a number or every side of a tuple). */
const isDefault = (v: Arg | undefined, want: number) => v === undefined || v === want || (Array.isArray(v) && v.every((s) => s === want));

/** The op of an activation: the one whose descriptor names it (every activation has one: tests/model-text.test.ts). */
function opOfActivation(activation: Activation): Op {
  const kind = (Object.keys(OPS) as OpKind[]).find((k) => OPS[k].activation === activation);
  if (!kind) throw new Error(`no op descriptor for the activation ${activation}`);
  return { kind } as Op;
}

/** torch's module text of an activation: 'ReLU()', 'Sigmoid()', 'Tanh()'. */
export const activationText = (activation: Activation): string => modelText([opOfActivation(activation)]);

/** The layer table's activation of an op, when it is one. */
const activationOf = (op: Op | undefined): Activation | undefined => (op ? OPS[op.kind].activation : undefined);

const isCount = (v: Arg | undefined): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const argText = (v: Arg | undefined) => (v === undefined ? 'nothing' : Array.isArray(v) ? `(${v.join(', ')})` : String(v));

/** A problem with model text: what is wrong, and which op (0-based index in the list) when one. */
export interface ModelTextProblem {
  readonly message: string;
  readonly op?: number;
}

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function parseArg(raw: string): Arg | undefined {
  const s = raw.trim();
  if (s === 'True') return true;
  if (s === 'False') return false;
  const tuple = /^\((.*)\)$/.exec(s);
  if (tuple) {
    const items = tuple[1].split(',').map((t) => t.trim()).filter((t) => t !== '');
    const nums = items.map(Number);
    return items.length > 0 && nums.every(Number.isFinite) ? nums : undefined;
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
  if (/^[A-Za-z_]\w*$/.test(s)) return s;
  return undefined;
}

function parseArgs(inner: string): Args | string {
  const positional: Arg[] = [];
  const named = new Map<string, Arg>();
  if (inner.trim() === '') return { positional, named };
  for (const part of splitTopLevel(inner)) {
    const kw = /^([A-Za-z_]\w*)\s*=(.*)$/s.exec(part);
    const value = parseArg(kw ? kw[2] : part);
    if (value === undefined) return `cannot read the argument "${part}"`;
    if (kw) named.set(kw[1], value);
    else if (named.size > 0) return `a positional argument "${part}" after keyword arguments`;
    else positional.push(value);
  }
  return { positional, named };
}

/**
 * The ops of a model written as torch writes it: modules separated by commas, optionally wrapped in
 * `Sequential(...)` and prefixed by `torch.nn.` or `nn.`, each as the course writes it
 * (`Linear(784,32)`) or as `print(model)` does (`(0): Linear(in_features=784, out_features=32,
 * bias=True)`, one per line). Returns the ops, or the problems (each naming its op).
 */
export function parseModelText(text: string): { ops: Op[] } | { problems: ModelTextProblem[] } {
  let body = text.trim();
  const seq = /^(?:torch\.)?(?:nn\.)?Sequential\s*\(([\s\S]*)\)$/.exec(body);
  if (seq) body = seq[1];
  // print(model)'s lines: "(0): Linear(...)" with newlines instead of commas
  body = body.replace(/\(\d+\):\s*/g, '').replace(/\)\s*\n\s*(?=[A-Za-z])/g, '), ');
  if (body.trim() === '') return { problems: [{ message: 'the model is empty: list its modules, e.g. "Linear(1,2), ReLU(), Linear(2,1), Sigmoid()"' }] };
  const ops: Op[] = [];
  const problems: ModelTextProblem[] = [];
  splitTopLevel(body).forEach((part, index) => {
    const m = /^(?:torch\.)?(?:nn\.)?([A-Za-z]\w*)\s*\(([\s\S]*)\)$/.exec(part);
    if (!m) {
      problems.push({ op: index, message: `module ${index + 1} "${part}" is not of the form Name(arguments)` });
      return;
    }
    const [, name, inner] = m;
    const descriptor = (OPS as Record<string, OpDescriptor | undefined>)[name];
    if (!descriptor) {
      const soon = NOT_YET.includes(name) ? ' (not supported yet)' : '';
      problems.push({ op: index, message: `module ${index + 1}: unknown module ${name}${soon}; supported: ${Object.keys(OPS).join(', ')}` });
      return;
    }
    const args = parseArgs(inner);
    const op = typeof args === 'string' ? args : descriptor.parse(args);
    if (typeof op === 'string') problems.push({ op: index, message: `module ${index + 1} ${name}: ${op}` });
    else ops.push(op);
  });
  return problems.length > 0 ? { problems } : { ops };
}

/** torch's text of a model: "Linear(1,2), ReLU(), Linear(2,1), Sigmoid()". */
export function modelText(ops: readonly Op[]): string {
  return ops.map((op) => OPS[op.kind].text(op)).join(', ');
}

/** A loss by torch's class name (with or without `nn.` and `()`), or undefined. */
export function parseLoss(text: string): LossName | undefined {
  const name = text.trim().replace(/^(?:torch\.)?(?:nn\.)?/, '').replace(/\(\s*\)$/, '');
  return (LOSSES as readonly string[]).includes(name) ? (name as LossName) : undefined;
}

/**
 * The ops of a lowered model, as torch.nn.Sequential lists them: per hidden layer Linear, its
 * activation (ReLU() unless spec.activations says) and (with dropout) Dropout(p); then the last
 * Linear, and Sigmoid() for the bce head.
 */
export function opsOfSpec(spec: ModelSpec): Op[] {
  const ops: Op[] = [];
  const L = spec.layers;
  if (spec.conv) {
    const c = spec.conv;
    ops.push({ kind: 'Conv2d', inChannels: c.input[0], outChannels: c.outChannels, kernel: c.kernel }, { kind: 'ReLU' });
    if (c.pool > 1) ops.push({ kind: 'MaxPool2d', kernel: c.pool });
    ops.push({ kind: 'Flatten' });
  }
  for (let l = 0; l + 1 < L.length; l++) {
    ops.push({ kind: 'Linear', inFeatures: L[l], outFeatures: L[l + 1] });
    if (l + 2 < L.length) {
      ops.push(opOfActivation(hiddenActivation(spec, l)));
      if (spec.dropout > 0) ops.push({ kind: 'Dropout', p: spec.dropout });
    }
  }
  if (spec.head === 'bce') ops.push({ kind: 'Sigmoid' });
  return ops;
}

/** One parameter tensor of a model, where it sits in the flat block (floats), in torch's parameters() order. */
export interface ParamEntry extends OpParam {
  /** Its state_dict key: "0.weight", "0.bias", "2.weight", ... */
  readonly key: string;
  /** The index of its op in the Sequential. */
  readonly op: number;
  /** Elements (the product of the shape). */
  readonly size: number;
  /** Its first float in the flat block: the sizes of the entries before it. */
  readonly offset: number;
}

/** Every parameter of a model, in torch's parameters() order: the one list the flat layout, the init, the state_dict and the exports read. */
export function paramEntries(ops: readonly Op[]): ParamEntry[] {
  let offset = 0;
  return ops.flatMap((op, i) =>
    OPS[op.kind].params(op).map((p) => {
      const size = p.shape.reduce((a, b) => a * b, 1);
      const entry = { ...p, key: `${i}.${p.name}`, op: i, size, offset };
      offset += size;
      return entry;
    }),
  );
}

/** The state_dict keys of a model's parameters, in order: "0.weight", "0.bias", "2.weight", ... */
export function stateDictKeys(ops: readonly Op[]): { key: string; size: number }[] {
  return paramEntries(ops).map((p) => ({ key: p.key, size: p.size }));
}

/**
 * The layer table's spec of a list of ops and a loss: Linear layers with an activation (ReLU(),
 * Sigmoid() or Tanh(); Dropout after a ReLU) between them, and the head the last Linear and the loss
 * make (a final Sigmoid + BCELoss: bce; BCEWithLogitsLoss, MSELoss and CrossEntropyLoss on the last
 * Linear's output). A leading Flatten() of flat inputs is a view and is dropped. Returns the spec,
 * or a problem naming the op and what to write instead.
 */
export function lowerOps(ops: readonly Op[], loss: LossName, input?: readonly number[]): { spec: ModelSpec } | { problem: ModelTextProblem } {
  const layers: number[] = [];
  const activations: Activation[] = [];
  let dropout = 0;
  let i = 0;
  const fail = (message: string, op = i) => ({ problem: { message, op } });
  let conv: ConvSpec | undefined;
  const first = ops[0];
  if (first?.kind === 'Conv2d') {
    // The course's CNN stage: Conv2d → ReLU → [MaxPool2d] → Flatten.
    if (!input || input.length !== 3) return fail('Conv2d needs the shape of the images: give the input as C,H,W (e.g. --input 1,28,28)', 0);
    if (input[0] !== first.inChannels) return fail(`module 1 ${modelText([first])} takes ${first.inChannels} channel${first.inChannels === 1 ? '' : 's'}, but the input ${input.join(',')} has ${input[0]}`, 0);
    if (ops[1]?.kind !== 'ReLU') return fail('after Conv2d this trainer supports ReLU() (then optionally MaxPool2d, then Flatten())', 1);
    i = 2;
    let pool = 1;
    const p = ops[i];
    if (p?.kind === 'MaxPool2d') {
      pool = p.kernel;
      i++;
    }
    if (ops[i]?.kind !== 'Flatten') return fail('after the conv stage (Conv2d, ReLU, MaxPool2d) comes Flatten(), then the Linear layers', i);
    i++;
    conv = { input, outChannels: first.outChannels, kernel: first.kernel, pool };
  } else if (ops[i]?.kind === 'Flatten') i++;
  if (!conv && input && input.length > 1) return fail(`the input is ${input.join('×')} images, but the model starts with no Conv2d: flatten them (leave out the input shape) or begin with Conv2d`, 0);
  // A Sigmoid() that ends the model is the bce head's, not a hidden activation.
  const end = ops[ops.length - 1]?.kind === 'Sigmoid' ? ops.length - 1 : ops.length;
  while (i < end) {
    const op = ops[i];
    if (op.kind !== 'Linear') {
      return fail(`module ${i + 1} ${modelText([op])}: expected a Linear layer here (the model is Linear layers with ReLU(), Sigmoid() or Tanh() between them, Dropout after a ReLU)`);
    }
    if (layers.length === 0 && conv) {
      const { ph, pw } = convShape(conv);
      const flat = conv.outChannels * ph * pw;
      if (op.inFeatures !== flat) return fail(`module ${i + 1} ${modelText([op])} takes ${op.inFeatures} inputs, but the conv stage gives ${conv.outChannels}×${ph}×${pw} = ${flat}`);
    }
    if (layers.length > 0 && layers[layers.length - 1] !== op.inFeatures) {
      return fail(`module ${i + 1} ${modelText([op])} takes ${op.inFeatures} inputs, but the layer before gives ${layers[layers.length - 1]}`);
    }
    if (layers.length === 0) layers.push(op.inFeatures);
    layers.push(op.outFeatures);
    i++;
    if (i >= end) break;
    const activation = activationOf(ops[i]);
    if (!activation) return fail(`module ${i + 1} ${modelText([ops[i]])}: between two Linear layers this trainer supports ReLU(), Sigmoid() or Tanh() (then, after a ReLU, optionally Dropout(p))`);
    activations.push(activation);
    i++;
    const next = ops[i];
    if (next?.kind === 'Dropout') {
      if (activation !== 'relu') return fail(`module ${i + 1} Dropout(${next.p}): Dropout after a Sigmoid/Tanh is not supported (its backward mask is read from the output, which needs ReLU)`);
      if (dropout !== 0 && next.p !== dropout) return fail(`module ${i + 1} Dropout(${next.p}): every Dropout layer must have the same p (the first one has ${dropout})`);
      if (next.p > 0) dropout = next.p;
      i++;
    }
    if (i >= end) return fail('the model ends with an activation: it must end with a Linear layer (and Sigmoid() for BCELoss)', i - 1);
  }
  if (dropout > 0 && activations.some((a) => a !== 'relu')) {
    return fail(`Dropout after a Sigmoid/Tanh is not supported: Dropout(${dropout}) applies after every hidden activation, and its backward mask needs ReLU`, ops.findIndex((op) => op.kind === 'Dropout'));
  }
  const sigmoid = end < ops.length;
  if (layers.length < 2) return fail(conv ? 'after Flatten() the model needs a Linear layer' : 'the model needs a Linear layer', 0);
  const head = HEAD_OF_LOSS[loss];
  const outputs = layers[layers.length - 1];
  if (head === 'bce' && !sigmoid) return fail('BCELoss takes probabilities: end the model with Sigmoid(), or use BCEWithLogitsLoss on the last Linear\'s output', ops.length - 1);
  if (head !== 'bce' && sigmoid) {
    return fail(`${loss} here takes the last Linear's output: remove the final Sigmoid()${head === 'bce-logits' ? ' (BCEWithLogitsLoss applies the sigmoid itself), or use BCELoss' : ''}`, ops.length - 1);
  }
  if (head !== 'ce' && outputs !== 1) return fail(`${loss} needs one output, but the last Linear has ${outputs} (CrossEntropyLoss takes one logit per class)`, ops.length - (sigmoid ? 2 : 1));
  if (!HEADS.includes(head)) return fail(`unknown loss ${loss}`);
  const spec: ModelSpec = conv ? { layers, head, dropout, conv } : { layers, head, dropout };
  return { spec: activations.every((a) => a === 'relu') ? spec : { ...spec, activations } };
}

/**
 * A model from torch text and a loss name: parsed, then lowered. Problems come back as data with
 * the op they concern; the message of each names it.
 */
export function modelFromText(text: string, loss: string, input?: readonly number[]): { spec: ModelSpec; ops: Op[] } | { problems: ModelTextProblem[] } {
  const lossName = parseLoss(loss);
  if (!lossName) return { problems: [{ message: `unknown loss "${loss}"; one of ${LOSSES.join(', ')}` }] };
  const parsed = parseModelText(text);
  if ('problems' in parsed) return parsed;
  const lowered = lowerOps(parsed.ops, lossName, input);
  if ('problem' in lowered) return { problems: [lowered.problem] };
  return { spec: lowered.spec, ops: parsed.ops };
}
