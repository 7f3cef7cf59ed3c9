// The one place that says what each kernel must compute and move: FLOPs and bytes of one dispatch,
// derived from the layer table, N and the step's own label and grid (never measured). Achieved
// GFLOP/s and GB/s are these over the measured time; the roofline puts each kernel under the
// adapter's measured ceilings. Bytes are the compulsory traffic (each operand read once, each
// output written once, 4 bytes a float); FLOPs count a multiply-add as two and any other
// arithmetic or transcendental step as one. The formulas are listed in the README's benchmark section.
import type { ParamLayout } from '../src/model/layout';
import type { Step } from '../src/train/steps';

export interface Cost {
  flops: number;
  bytes: number;
}

/** What the cost of a dispatch depends on, as the benchmark reads it off a Step. */
export interface StepShape {
  /** The kernel's file (Step.kernel.spec.file). */
  file: string;
  /** The bind group's label (gemm kernels name their IN→OUT there; element-wise ones their hidden layer, 1-based). */
  label: string;
  /** The pipeline's label, which lists its override constants (gemm_backward_input's MASK). */
  pipelineLabel: string;
  workgroups: readonly number[];
  workgroupSize: number;
  /** The cost its builder gave it (Step.cost: the conv and pool kernels), which stepCost returns as is. */
  cost?: Cost;
}

/** What the benchmark and the plan model read off a Step. */
export function stepShape(s: Step): StepShape {
  return { file: s.kernel.spec.file, label: s.group.label, pipelineLabel: s.kernel.pipeline.label, workgroups: s.workgroups.map((w) => w ?? 1), workgroupSize: s.kernel.workgroupSize, cost: s.cost };
}

/** FLOPs per logit of ce_points: max, exp(z - max), the sum, then softmax - onehot and the 1/N scale (8 steps), plus the log and the loss per point. */
export const CE_FLOPS_PER_LOGIT = 8;
const CE_FLOPS_PER_POINT = 2;

/** An override constant in a pipeline's label (`"MASK":1`), as a number (true 1, false 0), or undefined. */
const constant = (pipelineLabel: string, name: string): number | undefined => {
  const m = new RegExp(`"${name}":(\\d+|true|false)`).exec(pipelineLabel);
  return m ? (m[1] === 'true' ? 1 : m[1] === 'false' ? 0 : Number(m[1])) : undefined;
};

/**
 * CrossEntropyLoss per point over C logits: reads the logits (N, C) and the targets (N indices, or
 * (N, C) rows with TARGET_ROWS), writes what the pipeline asks: the loss (N), dlogit (N, C), prob (N, C).
 */
export function cePointsCost(n: number, classes: number, pipelineLabel: string): Cost {
  const rows = constant(pipelineLabel, 'TARGET_ROWS') === 1;
  const writes = (constant(pipelineLabel, 'WRITE_LOSS') ?? 1) + ((constant(pipelineLabel, 'WRITE_DLOGIT') ?? 1) + (constant(pipelineLabel, 'WRITE_PROB') ?? 0)) * classes;
  return { flops: n * (CE_FLOPS_PER_LOGIT * classes + CE_FLOPS_PER_POINT), bytes: F * n * (classes + (rows ? classes : 1) + writes) };
}

/** Per-point work of the head (sigmoid, log, loss, its gradient) in FLOPs, and of one Adam update per parameter. */
export const HEAD_FLOPS_PER_POINT = 8;
export const ADAM_FLOPS_PER_PARAM = 12;

const F = 4; // bytes per float

const gemm = (n: number, inDim: number, outDim: number, extraBytes = 0): Cost => ({
  flops: 2 * n * inDim * outDim,
  bytes: F * (n * inDim + inDim * outDim + n * outDim) + extraBytes,
});

/** The cost of each kernel, by file. */
export const COSTS = {
  /** Y (N,OUT) = X (N,IN)·Wᵀ + b: 2·N·IN·OUT; X, W, Y once. */
  gemmForward: (n: number, inDim: number, outDim: number): Cost => gemm(n, inDim, outDim),
  /** Split-K partials (SPLIT 1): the product's FLOPs, X and W once, `splits` (N, OUT) blocks written. */
  gemmForwardSplit: (n: number, inDim: number, outDim: number, splits: number): Cost => ({
    flops: 2 * n * inDim * outDim,
    bytes: F * (n * inDim + inDim * outDim + splits * n * outDim),
  }),
  /** Split-K reduce (SPLIT 2): the splits added per output, the bias; partials read, Y written. */
  gemmForwardSplitReduce: (n: number, outDim: number, splits: number): Cost => ({ flops: splits * n * outDim, bytes: F * (splits * n * outDim + n * outDim + outDim) }),
  /** dX (N,IN) = dY (N,OUT)·W: 2·N·IN·OUT; dY, W, dX once, plus the mask's activations (N,IN) when masked. */
  gemmBackwardInput: (n: number, inDim: number, outDim: number, masked: boolean): Cost => gemm(n, inDim, outDim, masked ? F * n * inDim : 0),
  /** dW (OUT,IN), db (OUT) as `splits` partial sums over N: 2·N·IN·OUT + N·OUT; dY, X once, the partials written. */
  gemmBackwardWeights: (n: number, inDim: number, outDim: number, splits: number): Cost => ({
    flops: 2 * n * inDim * outDim + n * outDim,
    bytes: F * (n * outDim + n * inDim + (outDim * inDim + outDim) * splits),
  }),
  /** rows sums of `splits` partials: read all, write rows. */
  splitKReduce: (rows: number, splits: number): Cost => ({ flops: rows * splits, bytes: F * (rows * splits + rows) }),
  /** In place over `count` floats: read, the activation (counted as one FLOP, as ReLU's compare), write. */
  activationForward: (count: number): Cost => ({ flops: count, bytes: 2 * F * count }),
  /** dZ ← activation_backward(dZ, act) (ReLU: dZ·[act > 0]): read dZ and act, write dZ. */
  activationBackward: (count: number): Cost => ({ flops: count, bytes: 3 * F * count }),
  /** In place: a hash, a compare and a scale per element. */
  dropoutInplace: (count: number): Cost => ({ flops: 4 * count, bytes: 2 * F * count }),
  /** Per point: read the logit and the target, write each output asked for. */
  headPoints: (n: number, outputs: number): Cost => ({ flops: HEAD_FLOPS_PER_POINT * n, bytes: F * n * (2 + outputs) }),
  /** The mean of N per-point losses. */
  reduceRows: (n: number): Cost => ({ flops: n, bytes: F * (n + 1) }),
  /** Reads θ, m, v and the gradients to decide whether every update is finite. */
  adamCheck: (p: number): Cost => ({ flops: ADAM_FLOPS_PER_PARAM * p, bytes: 4 * F * p }),
  /** Reads θ, m, v, g; writes θ, m, v. */
  adamStep: (p: number): Cost => ({ flops: ADAM_FLOPS_PER_PARAM * p, bytes: 7 * F * p }),
  /** H binary searches over the N sorted inputs (log₂N probes each) and the H² ranking of the switch points. */
  piecewiseSegments: (n: number, h: number): Cost => ({ flops: 2 * h * Math.ceil(Math.log2(n + 1)) + h * h, bytes: F * (3 * h + 1 + h * Math.ceil(Math.log2(n + 1))) }),
  /**
   * Per point one line, the head and two sums. Reads x, y and the H+1 lines; writes the (segment, run)
   * pairs that overlap (at most runs + H + 1 of them, 8 bytes each) and a loss per run.
   */
  piecewisePoints: (n: number, h: number, runs: number): Cost => ({ flops: (4 + HEAD_FLOPS_PER_POINT) * n, bytes: 2 * F * n + 2 * F * (h + 1) + 2 * F * (runs + h + 1) + 2 * F * runs }),
  /** Reads the overlapping pairs and the runs' losses, sums per unit over the segments where it is on, then Adam over 3H+1 parameters. */
  piecewiseReduceAdam: (h: number, runs: number): Cost => ({
    flops: 2 * (runs + h + 1) + 4 * h * h + ADAM_FLOPS_PER_PARAM * (3 * h + 1),
    bytes: 2 * F * (runs + h + 1) + 2 * F * runs + 7 * F * (3 * h + 1),
  }),
  /**
   * One epoch of Linear(1,H) -> ReLU -> Linear(H,1) in workgroup memory: forward 4·N·H, backward
   * 6·N·H (dW2, dz1 and dW1, db1), the head per point, Adam; only x and y come from memory.
   */
  residentEpoch: (n: number, h: number): Cost => ({
    flops: 10 * n * h + HEAD_FLOPS_PER_POINT * n + ADAM_FLOPS_PER_PARAM * (3 * h + 1),
    bytes: 2 * F * n,
  }),
  /**
   * One epoch of any model in resident_mlp: per point and weight, a multiply-add forward, one for
   * dW and one for dX (2 + 2 + 2 flops; the first layer's dX is skipped, ignored here), the head per
   * point, Adam; only x (N, D) and y come from memory.
   */
  residentMlpEpoch: (n: number, layout: ParamLayout): Cost => ({
    flops: 6 * n * layout.count + HEAD_FLOPS_PER_POINT * n + ADAM_FLOPS_PER_PARAM * layout.count,
    bytes: F * n * (layout.inputs + 1),
  }),
  /**
   * wide_logits: per point and unit v·relu(w·x + b) added to the slice's sum (a multiply-add, the
   * ReLU, a multiply-add: 5 FLOPs); W1, b1, W2 and x read once, the (S, N) partials written.
   */
  wideLogits: (n: number, h: number, slices: number): Cost => ({ flops: 5 * n * h, bytes: F * (3 * h + n + slices * n) }),
  /** wide_head: the S partials summed per point, the head, the mean; partials and y read, dlogit and the loss written. */
  wideHead: (n: number, slices: number): Cost => ({ flops: slices * n + HEAD_FLOPS_PER_POINT * n + n, bytes: F * (slices * n + 2 * n + 2) }),
  /**
   * wide_grads: per point and unit z recomputed (2), dz = dlogit·v masked (2), dW2, dW1 (2 each)
   * and db1 (1): 9 FLOPs; W1, b1, W2, x and dlogit read once, dW1, db1, dW2, db2 written.
   */
  wideGrads: (n: number, h: number): Cost => ({ flops: 9 * n * h + n, bytes: F * (6 * h + 2 * n + 1) }),
} as const;

const dims = (label: string): [number, number] | undefined => {
  const m = /(\d+)→(\d+)/.exec(label);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};
/** The 1-based hidden layer an element-wise step's label ends with (unfused relu 2, ...). */
const hiddenCount = (label: string, layout: ParamLayout, n: number): number => {
  const k = Number(/(\d+)$/.exec(label)?.[1] ?? NaN);
  return n * layout.layers[k - 1].outDim;
};
const invocations = (s: StepShape) => s.workgroups.reduce((a, b) => a * b, 1) * s.workgroupSize;

/** A step's display name: the kernel file, with the layer dims for the GEMMs and the convs (per-layer rows in the tables: `conv2d_pool_forward 1×28×28→16 k5`). */
export function kernelName(s: Pick<StepShape, 'file' | 'label'>): string {
  if (s.file.startsWith('conv2d_')) {
    const m = /(\d+×\d+×\d+→\d+ k\d+)/.exec(s.label);
    return m ? `${s.file} ${m[1]}` : s.file;
  }
  const d = dims(s.label);
  const split = / split-K reduce/.test(s.label) ? ' split-K reduce' : / split-K/.test(s.label) ? ' split-K' : '';
  return d && s.file.startsWith('gemm_') ? `${s.file} ${d[0]}→${d[1]}${split}` : s.file;
}

/** The split count in a split-K step's label (gemm.ts gemmForwardSteps: "… split-K 13", "… split-K reduce 13"). */
const splitCount = (label: string): number => Number(/split-K (?:reduce )?(\d+)/.exec(label)?.[1] ?? 1);

/** The slice count in a wide step's label (train/wide.ts: "wide head 453 slices", "wide logits 453 slices of 453"). */
export const wideSlices = (label: string): number => Number(/(\d+) slices/.exec(label)?.[1] ?? NaN);
/** The units per slice in wide_logits' label. */
export const wideSliceLen = (label: string): number => Number(/slices of (\d+)/.exec(label)?.[1] ?? NaN);

/** FLOPs and bytes of one dispatch of `s`, for the model `layout` over n points. Throws on a kernel it does not know. */
export function stepCost(s: StepShape, layout: ParamLayout, n: number, piecewiseRuns = 0): Cost {
  if (s.cost) return s.cost;
  const h = layout.layers[0].outDim;
  switch (s.file) {
    case 'gemm_forward':
    case 'gemm_backward_input':
    case 'gemm_backward_weights': {
      const d = dims(s.label);
      if (!d) throw new Error(`no IN→OUT in the label of ${s.file}: ${s.label}`);
      if (s.file === 'gemm_forward') {
        if (/"SPLIT":1/.test(s.pipelineLabel)) return COSTS.gemmForwardSplit(n, d[0], d[1], splitCount(s.label));
        if (/"SPLIT":2/.test(s.pipelineLabel)) return COSTS.gemmForwardSplitReduce(n, d[1], splitCount(s.label));
        return COSTS.gemmForward(n, d[0], d[1]);
      }
      if (s.file === 'gemm_backward_input') return COSTS.gemmBackwardInput(n, d[0], d[1], /"MASK":1/.test(s.pipelineLabel));
      return COSTS.gemmBackwardWeights(n, d[0], d[1], s.workgroups[2] ?? 1);
    }
    case 'split_k_reduce': {
      const m = /(\d+)×(\d+)/.exec(s.label);
      if (!m) throw new Error(`no rows×splits in the label of split_k_reduce: ${s.label}`);
      return COSTS.splitKReduce(Number(m[1]), Number(m[2]));
    }
    case 'activation_forward':
      return COSTS.activationForward(hiddenCount(s.label, layout, n));
    case 'activation_backward':
      return COSTS.activationBackward(hiddenCount(s.label, layout, n));
    case 'dropout_inplace':
      return COSTS.dropoutInplace(hiddenCount(s.label, layout, n));
    case 'head_points':
      return COSTS.headPoints(n, (s.pipelineLabel.match(/"WRITE_(LOSS|DLOGIT|PROB)":1/g) ?? []).length);
    case 'ce_points':
      return cePointsCost(n, layout.outputs, s.pipelineLabel);
    case 'reduce_rows':
      return COSTS.reduceRows(n);
    case 'adam_check':
      return COSTS.adamCheck(layout.count);
    case 'adam_step':
      return COSTS.adamStep(layout.count);
    case 'piecewise_segments':
      return COSTS.piecewiseSegments(n, h);
    case 'piecewise_points':
      return COSTS.piecewisePoints(n, h, piecewiseRuns || invocations(s));
    case 'piecewise_reduce_adam':
      return COSTS.piecewiseReduceAdam(h, piecewiseRuns);
    case 'resident_epochs':
      return COSTS.residentEpoch(n, h);
    case 'wide_logits':
      return COSTS.wideLogits(n, h, s.workgroups[0]);
    case 'wide_head':
      return COSTS.wideHead(n, wideSlices(s.label));
    case 'wide_grads':
      return COSTS.wideGrads(n, h);
    default:
      throw new Error(`no cost formula for kernel ${s.file}: add one to bench/cost.ts`);
  }
}

/** The adapter's measured peaks: FMA throughput and copy bandwidth. */
export interface Peaks {
  gflops: number;
  gbps: number;
}

/** The roofline: the GFLOP/s attainable at `intensity` FLOPs per byte under both ceilings. */
export function attainableGflops(peaks: Peaks, intensity: number): number {
  return Math.min(peaks.gflops, intensity * peaks.gbps);
}

/** The intensity (FLOP/byte) where the bandwidth ceiling meets the compute ceiling. */
export function ridgeIntensity(peaks: Peaks): number {
  return peaks.gflops / peaks.gbps;
}

/** FLOPs per invocation of the FMA peak kernel (bench/kernels/peak_fma.wgsl): ITERATIONS × 8 independent vec4 FMAs × 4 lanes × 2. */
export const fmaKernelFlops = (invocations: number, iterations: number): number => invocations * iterations * 8 * 4 * 2;
/** Bytes of the copy peak kernel: each byte read once and written once. */
export const copyKernelBytes = (bytes: number): number => 2 * bytes;
