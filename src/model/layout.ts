// The model as data: a spec (layer sizes, head, dropout) and the table of its Linear layers in the
// flat parameter block, built once. Parameters, gradients and both Adam moments share this layout,
// each in one GPU buffer, in torch's parameters() order and shapes:
//
//   W1 (H1, D) | b1 (H1) | W2 (H2, H1) | b2 (H2) | ... | Wk+1 (1, Hk) | bk+1 (1)
//
// Every kernel, strategy, the CPU model, the init and the export read offsets from this table;
// nothing else computes one. The lecture is layers [1, 2, 1] with the bce head.
import { opsOfSpec, paramEntries, type ParamEntry } from './ops';

/** The loss heads: the last Linear's output (the logit) against the target, torch's semantics. */
export const HEADS = ['bce', 'bce-logits', 'mse', 'ce'] as const;
/**
 * bce: Sigmoid then BCELoss; bce-logits: BCEWithLogitsLoss; mse: MSELoss (one output each);
 * ce: CrossEntropyLoss (LogSoftmax + NLLLoss) over C ≥ 1 logits, targets class indices or
 * probability rows. All with mean reduction.
 */
export type Head = (typeof HEADS)[number];

/** The heads of one output, computed point by point in ops/head.wgsl (the ones every strategy supports). */
export const POINT_HEADS = ['bce', 'bce-logits', 'mse'] as const satisfies readonly Head[];

/** The index of each head in WGSL (ops/head.wgsl's HEAD override); ce has its own kernel (ops/cross_entropy.wgsl). */
export const HEAD_CODE: Record<Head, number> = { bce: 0, 'bce-logits': 1, mse: 2, ce: 3 };

/** Classification heads report accuracy (probability > 0.5, or the argmax for ce) and need targets in [0, 1] (class indices for ce). */
export const isClassifier = (head: Head): boolean => head !== 'mse';

/**
 * A convolution stage in front of the Linear layers, as the course's first CNN:
 * Conv2d(C, O, (k,k)) → ReLU → MaxPool2d((pool, pool)) → Flatten (pool 1: no pooling). The images are
 * the data's C·H·W feature columns, row-major (torch's reshape); the Linear layers then start with
 * O·PH·PW inputs, PH = floor((H-k+1)/pool).
 */
export interface ConvSpec {
  /** (C, H, W) of one image. */
  readonly input: readonly number[];
  readonly outChannels: number;
  readonly kernel: number;
  readonly pool: number;
}

/** The hidden layers' activations (torch's ReLU, Sigmoid, Tanh), element-wise after a Linear layer. */
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * The index of each activation in WGSL (ops/activation.wgsl's ACTIVATION override): the one table
 * every builder reads (gemm_forward's epilogue, gemm_backward_input's mask, the unfused kernels).
 */
export const ACTIVATION_CODE: Record<Activation, number> = { relu: 0, sigmoid: 1, tanh: 2 };

export interface ModelSpec {
  /** [D, H1, ..., Hk, C]: inputs, hidden widths, outputs (one logit or value; C class logits for ce). D follows the conv stage when there is one. */
  readonly layers: readonly number[];
  /** The convolution stage before the Linear layers (the CNN), if any. */
  readonly conv?: ConvSpec;
  readonly head: Head;
  /** Dropout probability after every hidden ReLU while training (0: none); identity when evaluating. */
  readonly dropout: number;
  /** Per hidden layer, its activation (layers.length - 2 of them); absent: ReLU everywhere. Dropout needs ReLU. */
  readonly activations?: readonly Activation[];
}

/** Hidden layer l's (0-based) activation: spec.activations[l], ReLU when absent. */
export const hiddenActivation = (spec: ModelSpec, l: number): Activation => spec.activations?.[l] ?? 'relu';

/** Bounds checked before anything is allocated (the device's own limits are checked later). */
export const MODEL_LIMITS = { maxInputs: 65536, maxWidth: 1 << 20, maxHiddenLayers: 16, maxParams: 1 << 26, maxClasses: 1024 } as const;

/** One Linear layer: Y (N, out) = X (N, in) · Wᵀ + b, W at `w` (out, in), b at `b` (out). */
export interface LinearLayer {
  readonly index: number; // 0-based; torch names its params W{index+1}, b{index+1}
  readonly inDim: number;
  readonly outDim: number;
  readonly w: number;
  readonly b: number;
  /** Hidden layers are followed by their activation (and dropout); the last one feeds the head. */
  readonly hidden: boolean;
  /** What follows the Linear: a hidden layer's activation, 'identity' for the last layer (its logit goes to the head). */
  readonly activation: Activation | 'identity';
  /** Its index in torch.nn.Sequential (model/ops.ts opsOfSpec): its parameters are `${key}.weight`, `${key}.bias`. */
  readonly key: number;
}

/** The conv stage in the flat block: op 0 of the Sequential, so first: Wt (O, C, k, k) at `w`, b (O) at `b`. */
export interface ConvLayer {
  /** Image channels, height, width; output channels; kernel side. */
  readonly c: number;
  readonly h: number;
  readonly width: number;
  readonly o: number;
  readonly k: number;
  readonly pool: number;
  readonly w: number;
  readonly b: number;
  /** C·H·W, the data's features. */
  readonly inFeatures: number;
  /** O·PH·PW after the pool: the first Linear layer's inputs. */
  readonly outFeatures: number;
  readonly key: number;
}

/** The conv stage's output sizes: the conv's OH, OW and the pooled PH, PW. */
export function convShape(c: Pick<ConvSpec, 'input' | 'kernel' | 'pool'>): { oh: number; ow: number; ph: number; pw: number } {
  const oh = c.input[1] - c.kernel + 1;
  const ow = c.input[2] - c.kernel + 1;
  return { oh, ow, ph: Math.floor(oh / c.pool), pw: Math.floor(ow / c.pool) };
}

/** The shape of one data row when the model reads it as more than a flat vector (a conv stage's (C, H, W)), else undefined. */
export function inputShape(spec: Pick<ModelSpec, 'conv'>): readonly number[] | undefined {
  return spec.conv?.input;
}

/** The features a model reads from each data row: C·H·W with a conv stage, else layers[0]. */
export function modelInputs(spec: Pick<ModelSpec, 'layers' | 'conv'>): number {
  return spec.conv ? spec.conv.input.reduce((a, b) => a * b, 1) : spec.layers[0];
}

export interface ParamLayout {
  readonly spec: ModelSpec;
  /** The conv stage, first in the flat block, when the model has one. */
  readonly conv?: ConvLayer;
  readonly layers: readonly LinearLayer[];
  /** Total parameters. */
  readonly count: number;
  /** D, the number of input features. */
  readonly inputs: number;
  /** The widest layer output, for per-point scratch. */
  readonly maxWidth: number;
  /** C, the last layer's outputs: 1, or the classes of the ce head. */
  readonly outputs: number;
  /** Every parameter tensor in torch's parameters() order, with its key, shape, fan-in and offset (model/ops.ts paramEntries). */
  readonly params: readonly ParamEntry[];
}

/** The lecture's family, Linear(1,H) -> ReLU -> Linear(H,1) with a head (`--hidden H`). */
export function singleHidden(hidden: number, head: Head = 'bce'): ModelSpec {
  return { layers: [1, hidden, 1], head, dropout: 0 };
}

/** What is wrong with a spec, as messages naming the setting; empty when valid. */
export function specProblems(spec: ModelSpec): { field: 'layers' | 'head' | 'dropout'; message: string }[] {
  const problems: { field: 'layers' | 'head' | 'dropout'; message: string }[] = [];
  const L = spec.layers;
  const { maxInputs, maxWidth, maxHiddenLayers, maxParams } = MODEL_LIMITS;
  if (!Array.isArray(L) || L.length < 2) {
    problems.push({ field: 'layers', message: `layers must list at least the inputs and the output (e.g. 1,2,1, or 784,1 for logistic regression), got ${String(L)}` });
  } else if (!L.every((v) => Number.isInteger(v) && v >= 1)) {
    problems.push({ field: 'layers', message: `layers must be positive integers, got ${L.join(',')}` });
  } else if (L[L.length - 1] !== 1 && spec.head !== 'ce') {
    problems.push({ field: 'layers', message: `the last layer must have one output (the logit or the value), got ${L[L.length - 1]}; CrossEntropyLoss takes one logit per class` });
  } else if (L[L.length - 1] > MODEL_LIMITS.maxClasses) {
    problems.push({ field: 'layers', message: `at most ${MODEL_LIMITS.maxClasses} classes, got ${L[L.length - 1]}` });
  } else if (L[0] > maxInputs) {
    problems.push({ field: 'layers', message: `at most ${maxInputs} inputs, got ${L[0]}` });
  } else if (L.length - 2 > maxHiddenLayers) {
    problems.push({ field: 'layers', message: `at most ${maxHiddenLayers} hidden layers, got ${L.length - 2}` });
  } else if (L.slice(1, -1).some((h) => h > maxWidth)) {
    problems.push({ field: 'layers', message: `hidden widths must be at most ${maxWidth}, got ${L.join(',')}` });
  } else if (paramCount(L) > maxParams) {
    problems.push({ field: 'layers', message: `layers ${L.join(',')} have ${paramCount(L)} parameters, over the limit of ${maxParams}` });
  }
  if (spec.conv) problems.push(...convProblems(spec.conv, L[0]));
  if (!HEADS.includes(spec.head)) problems.push({ field: 'head', message: `head must be one of ${HEADS.join(', ')}, got ${spec.head}` });
  if (!(Number.isFinite(spec.dropout) && spec.dropout >= 0 && spec.dropout < 1)) {
    problems.push({ field: 'dropout', message: `dropout must be a probability in [0, 1), got ${spec.dropout}` });
  }
  problems.push(...activationProblems(spec));
  return problems;
}

function convProblems(c: ConvSpec, linearInputs: number): { field: 'layers'; message: string }[] {
  const fail = (message: string) => [{ field: 'layers' as const, message }];
  const ints = [...c.input, c.outChannels, c.kernel, c.pool];
  if (c.input.length !== 3 || !ints.every((v) => Number.isInteger(v) && v >= 1)) return fail(`the image shape (C, H, W), channels, kernel and pool must be positive integers, got input ${c.input.join(',')}`);
  if (c.kernel > c.input[1] || c.kernel > c.input[2]) return fail(`the ${c.kernel}×${c.kernel} kernel is larger than the ${c.input[1]}×${c.input[2]} images`);
  const { oh, ow, ph, pw } = convShape(c);
  if (c.pool > oh || c.pool > ow) return fail(`the ${c.pool}×${c.pool} pool is larger than the conv's ${oh}×${ow} output`);
  if (modelInputs({ layers: [], conv: c }) > MODEL_LIMITS.maxInputs) return fail(`at most ${MODEL_LIMITS.maxInputs} inputs, got ${c.input.join('×')}`);
  const flat = c.outChannels * ph * pw;
  if (linearInputs !== flat) return fail(`the first Linear after Flatten takes ${linearInputs} inputs, but the conv stage gives ${c.outChannels}×${ph}×${pw} = ${flat}`);
  return [];
}

/** Problems with spec.activations: under `layers` (what the hidden layers are), or `dropout` (which needs ReLU). */
function activationProblems(spec: ModelSpec): { field: 'layers' | 'dropout'; message: string }[] {
  const a = spec.activations;
  if (a === undefined) return [];
  const hidden = Array.isArray(spec.layers) ? spec.layers.length - 2 : 0;
  if (!Array.isArray(a) || a.length !== hidden) return [{ field: 'layers', message: `activations must list one per hidden layer (${hidden}), got ${String(a)}` }];
  const bad = a.find((v) => !ACTIVATIONS.includes(v));
  if (bad !== undefined) return [{ field: 'layers', message: `activations must be ${ACTIVATIONS.join(', ')}, got ${String(bad)}` }];
  if (spec.dropout > 0 && a.some((v) => v !== 'relu')) {
    return [{ field: 'dropout', message: `dropout needs ReLU hidden layers (its backward mask is read from the output), got ${a.join(', ')}` }];
  }
  return [];
}

function paramCount(layers: readonly number[]): number {
  let count = 0;
  for (let l = 0; l + 1 < layers.length; l++) count += layers[l + 1] * layers[l] + layers[l + 1];
  return count;
}

/** The layer table of a spec. Throws a RangeError naming the problem when the spec is invalid. */
export function paramLayout(spec: ModelSpec): ParamLayout {
  const problems = specProblems(spec);
  if (problems.length > 0) throw new RangeError(problems.map((p) => p.message).join('; '));
  const layers: LinearLayer[] = [];
  const keys = opsOfSpec(spec).flatMap((op, i) => (op.kind === 'Linear' ? [i] : []));
  let at = 0;
  let conv: ConvLayer | undefined;
  if (spec.conv) {
    const [c, h, width] = spec.conv.input;
    const { outChannels: o, kernel: k, pool } = spec.conv;
    const { ph, pw } = convShape(spec.conv);
    conv = { c, h, width, o, k, pool, w: 0, b: o * c * k * k, inFeatures: c * h * width, outFeatures: o * ph * pw, key: 0 };
    at = o * c * k * k + o;
  }
  for (let l = 0; l + 1 < spec.layers.length; l++) {
    const inDim = spec.layers[l];
    const outDim = spec.layers[l + 1];
    const hidden = l + 2 < spec.layers.length;
    layers.push({ index: l, inDim, outDim, w: at, b: at + outDim * inDim, hidden, activation: hidden ? hiddenActivation(spec, l) : 'identity', key: keys[l] });
    at += outDim * inDim + outDim;
  }
  const params = paramEntries(opsOfSpec(spec));
  const offsets = [...(conv ? [conv.w, conv.b] : []), ...layers.flatMap((l) => [l.w, l.b])];
  if (params.length !== offsets.length || params.some((p, i) => p.offset !== offsets[i])) throw new Error('internal: the layer table and the ops\' parameters disagree on the flat layout');
  return { spec, conv, layers, count: at, inputs: modelInputs(spec), maxWidth: Math.max(...spec.layers), outputs: spec.layers[spec.layers.length - 1], params };
}

/** Whether the model is the lecture's family: one input, one hidden ReLU layer, one output. */
export function isSingleHidden(layout: ParamLayout): boolean {
  // Only the two Linear layers own parameters: no input stage in front of them.
  return layout.layers.length === 2 && layout.inputs === 1 && layout.params.length === 4 && layout.layers[0].activation === 'relu';
}

/** Parameters by name, each flattened in torch's shape (W1, b1, ..., Wk, bk); what --out and the page export. */
export type ModelParams = Record<string, number[]>;

export const weightName = (l: LinearLayer) => `W${l.index + 1}`;
export const biasName = (l: LinearLayer) => `b${l.index + 1}`;

export function unpackParams(flat: Float32Array | Float64Array, layout: ParamLayout): ModelParams {
  // W1, b1, ... name Linear layers; a model with other parameters (a CNN's) is named by its state_dict keys.
  if (layout.params.length !== 2 * layout.layers.length) return stateDict(flat, layout);
  const out: ModelParams = {};
  for (const l of layout.layers) {
    out[weightName(l)] = Array.from(flat.subarray(l.w, l.w + l.outDim * l.inDim));
    out[biasName(l)] = Array.from(flat.subarray(l.b, l.b + l.outDim));
  }
  return out;
}

/**
 * The flat block from named params, for this layout. Nested arrays in torch's shapes
 * (`W1: [[0.1], [0.2]]`, as `tensor.tolist()` writes them) are flattened first. Throws a RangeError
 * naming the first parameter that is missing, of the wrong size or not a finite number.
 */
export function packParams(params: Record<string, unknown>, layout: ParamLayout): Float32Array<ArrayBuffer> {
  const flat = new Float32Array(layout.count);
  for (const p of layout.params) {
    const name = paramName(p, layout);
    const shape = `(${p.shape.join(', ')})`;
    const raw = stateDictValue(params[name] ?? params[p.key]);
    if (!Array.isArray(raw)) throw new RangeError(`${name} is missing: expected ${p.size} numbers, shape ${shape}`);
    const values = (raw as unknown[]).flat(Infinity);
    if (values.length !== p.size) throw new RangeError(`${name} holds ${values.length} numbers, layers ${layout.spec.layers.join(',')} need ${p.size} (shape ${shape})`);
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] is not a finite number`);
      flat[p.offset + i] = v;
    });
  }
  return flat;
}

/** A parameter's name in our files: W1, b1, ... for a Linear layer's (the lecture's names), its state_dict key otherwise. */
function paramName(p: ParamEntry, layout: ParamLayout): string {
  const l = layout.layers.find((x) => x.key === p.op);
  return l ? (p.name === 'weight' ? weightName(l) : biasName(l)) : p.key;
}

/** A state_dict entry as the goldens write it ({shape, data}) or a plain (nested) array. */
function stateDictValue(v: unknown): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as { data?: unknown }).data) ? (v as { data: unknown[] }).data : v;
}

/** Parameters by torch's state_dict key ("0.weight", "0.bias", "2.weight", ...), each flattened row-major. */
export function stateDict(flat: Float32Array | Float64Array, layout: ParamLayout): ModelParams {
  return Object.fromEntries(layout.params.map((p) => [p.key, Array.from(flat.subarray(p.offset, p.offset + p.size))]));
}

/** The layers a set of named params describes (W1's shape gives D and H1, and so on), or undefined. */
export function layersOfParams(params: Record<string, unknown>): number[] | undefined {
  const layers: number[] = [];
  for (let k = 1; Array.isArray(params[`W${k}`]) && Array.isArray(params[`b${k}`]); k++) {
    const w = params[`W${k}`] as unknown[];
    const out = (params[`b${k}`] as unknown[]).flat(Infinity).length;
    const count = w.flat(Infinity).length;
    if (out < 1 || count % out !== 0) return undefined;
    if (k === 1) layers.push(count / out);
    else if (count / out !== layers[layers.length - 1]) return undefined;
    layers.push(out);
  }
  return layers.length >= 3 ? layers : undefined;
}

/** The lecture's bent line by hand: W1=[[1],[-1]], b1=0, W2=[[-4.5,-9]], b2=4.5. */
export const BENT_LINE_PARAMS: ModelParams = { W1: [1, -1], b1: [0, 0], W2: [-4.5, -9], b2: [4.5] };
