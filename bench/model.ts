// The latency-and-roofline model of one dispatch, and the serial work it is fed: how many dependent
// steps the longest invocation of a kernel takes, read off the step as the strategies build it (the
// kernel file, its override constants in the pipeline label, its grid, the layer dims in its
// label). It is a model, not a measurement: four latencies and two overheads fitted to the H200's
// committed timings (bench/plan.ts calibrates and prints its error), and the FLOPs and bytes of
// bench/cost.ts against the measured peaks.
//
//   t(dispatch) = overhead + max(waves · (memory·L_mem + shared·L_smem + arithmetic·L_alu + barriers·L_bar),
//                                FLOPs / FMA peak, bytes / copy peak)
//   waves       = ⌈workgroups · invocations / (SMs · resident invocations per SM)⌉
// overhead is a dispatch's cost inside a chunk's compute pass (O_chunk; O_pass when each dispatch
// has its own pass, as the per-kernel profile times them).
import type { ParamLayout } from '../src/model/layout';
import { HEAD_FLOPS_PER_POINT, wideSlices, wideSliceLen, type Peaks, type StepShape } from './cost';

/** Dependent steps of the longest invocation of one dispatch. */
export interface Serial {
  /** global-memory round trips: a load whose value the next step needs */
  memory: number;
  /** dependent steps through workgroup memory (a tile's k step, a tree level's add, a shared table's read) */
  shared: number;
  /** dependent arithmetic steps in registers (a vec4 multiply-add is one) */
  arithmetic: number;
  barriers: number;
}

/** The fitted constants (bench/plan.ts calibrate). */
export interface Latency {
  /** µs per dispatch inside a chunk's pass */
  chunkOverheadUs: number;
  /** µs per dispatch in a pass of its own (the per-kernel profile) */
  passOverheadUs: number;
  memoryNs: number;
  sharedNs: number;
  arithmeticNs: number;
  barrierNs: number;
}

/** What the model knows of a device: its parallelism, peaks and latencies. */
export interface ModelDevice {
  sms: number;
  /** invocations an SM holds at once (2048 on NVIDIA since Volta) */
  invocationsPerSm: number;
  peaks: Peaks;
  latency: Latency;
}

const log2 = (x: number) => Math.ceil(Math.log2(Math.max(1, x)));
const cdiv = (a: number, b: number) => Math.ceil(a / Math.max(1, b));

/** The override constants a pipeline label carries (gpu/kernel.ts: `${file} pipeline ${JSON}`). */
export function pipelineConstants(label: string): Record<string, number> {
  const json = /pipeline (\{.*\})$/.exec(label)?.[1];
  return json ? (JSON.parse(json) as Record<string, number>) : {};
}

const dims = (label: string): [number, number] => {
  const m = /(\d+)→(\d+)/.exec(label);
  if (!m) throw new Error(`no IN→OUT in ${label}`);
  return [Number(m[1]), Number(m[2])];
};

/** One invocation of a tiled product over a K range of `k` (common/gemm_tiles.wgsl). */
function tileSerial(c: Record<string, number>, k: number): Serial {
  const { TILE_M: tm = 32, TILE_N: tn = 32, TILE_K: tk = 16, TM = 4, TN = 4, SHARED = 1, WG = 64 } = c;
  const fma = Math.ceil((TM * TN) / 4); // vec4 multiply-adds per k
  if (!SHARED) return { memory: k, shared: 0, arithmetic: k * fma, barriers: 0 };
  const steps = cdiv(k, tk);
  const deep = Math.min(k, tk);
  return { memory: steps * (cdiv(tm * deep, WG) + cdiv(deep * tn, WG)), shared: steps * tk, arithmetic: steps * tk * fma, barriers: 2 * steps };
}

/** Elements each invocation of a grid-stride kernel takes. */
const perInvocation = (count: number, s: StepShape) => cdiv(count, s.workgroups.reduce((a, b) => a * b, 1) * s.workgroupSize);

/**
 * The serial work of one dispatch of `s` for `layout` over n points (`runs`: piecewise's runs;
 * `current` false: the kernels as they were when the H200 timings were taken). Resident kernels
 * are per epoch (residentSerial). Throws on a kernel it does not know.
 */
export function stepSerial(s: StepShape, layout: ParamLayout, n: number, runs = 0, current = true): Serial {
  const c = pipelineConstants(s.pipelineLabel);
  const h = layout.layers[0].outDim;
  switch (s.file) {
    case 'gemm_forward': {
      const [inDim] = dims(s.label);
      const splits = Number(/split-K (?:reduce )?(\d+)/.exec(s.label)?.[1] ?? 1);
      if (c.SPLIT === 2) return { memory: Math.ceil(splits / 4), shared: 0, arithmetic: splits, barriers: 0 };
      return tileSerial(c, cdiv(inDim, splits));
    }
    case 'gemm_backward_input':
      return tileSerial(c, dims(s.label)[1]);
    case 'gemm_backward_weights':
      return tileSerial(c, cdiv(n, s.workgroups[2] ?? 1));
    case 'split_k_reduce': {
      const splits = Number(/×(\d+)/.exec(s.label)?.[1] ?? 1);
      // four partials loaded at a time now; one at a time before (`current` false)
      return { memory: current ? Math.ceil(splits / 4) : splits, shared: 0, arithmetic: splits, barriers: 0 };
    }
    case 'gradient_reduce': {
      // The longest chain of one dispatch: workgroup 0's mean (reduce_rows' chain), or a row of the
      // layer with the most splits (split_k_reduce's), after the segment table's walk.
      const splits = Math.max(...[...s.label.matchAll(/(\d+)×(\d+)/g)].map((m) => Number(m[2])));
      const segments = [...s.label.matchAll(/(\d+)×(\d+)/g)].length;
      const per = cdiv(n, s.workgroupSize);
      const mean = { memory: Math.ceil(per / 4), shared: log2(s.workgroupSize), arithmetic: per, barriers: log2(s.workgroupSize) + 1 };
      const row = { memory: segments + Math.ceil(splits / 4), shared: 0, arithmetic: splits, barriers: 0 };
      return { memory: Math.max(mean.memory, row.memory), shared: mean.shared, arithmetic: Math.max(mean.arithmetic, row.arithmetic), barriers: mean.barriers };
    }
    case 'activation_forward':
    case 'activation_backward':
    case 'dropout_inplace': {
      const k = Number(/(\d+)$/.exec(s.label)?.[1] ?? 1);
      const per = perInvocation(n * layout.layers[k - 1].outDim, s);
      return { memory: per, shared: 0, arithmetic: per * (s.file === 'dropout_inplace' ? 4 : 1), barriers: 0 };
    }
    case 'head_points': {
      const per = perInvocation(n, s);
      return { memory: per, shared: 0, arithmetic: per * HEAD_FLOPS_PER_POINT, barriers: 0 };
    }
    case 'reduce_rows': {
      const per = cdiv(n, s.workgroupSize);
      // four columns loaded at a time now; one at a time before (`current` false)
      return { memory: current ? Math.ceil(per / 4) : per, shared: log2(s.workgroupSize), arithmetic: per, barriers: log2(s.workgroupSize) + 1 };
    }
    case 'adam_check':
    case 'adam_step': {
      const per = perInvocation(layout.count, s);
      return { memory: per, shared: 0, arithmetic: 12 * per, barriers: 0 };
    }
    case 'piecewise_segments': {
      const units = cdiv(h, s.workgroupSize);
      // the parameters' finite check: shared out over the workgroup now, by every invocation whole before (`current` false)
      const check = current ? cdiv(layout.count, s.workgroupSize) : layout.count;
      // the lines: two segments per walk over the H units now, one before (`current` false)
      const walks = cdiv(h + 1, (current ? 2 : 1) * s.workgroupSize);
      return { memory: units * log2(n + 1), shared: units * h + walks * h + check, arithmetic: 0, barriers: 3 };
    }
    case 'piecewise_points': {
      const per = cdiv(n, runs || s.workgroups.reduce((a, b) => a * b, 1) * s.workgroupSize);
      return { memory: per, shared: 0, arithmetic: per * (4 + HEAD_FLOPS_PER_POINT), barriers: 0 };
    }
    case 'piecewise_reduce_adam': {
      const wg = s.workgroupSize;
      const segmentRuns = cdiv(runs, h + 1) + 1;
      // the segments' sums: two segments a pass, their loads interleaved, now; one before (`current`
      // false). b2's sum over the segments rides in invocation 0's first walk (the walks' count).
      const passes = cdiv(h + 1, (current ? 2 : 1) * wg);
      return {
        memory: passes * segmentRuns + cdiv(runs, wg) + 2 * cdiv(h, wg) * 3,
        shared: cdiv(h, wg) * 2 * (h + 1) + log2(wg),
        arithmetic: cdiv(h, wg) * 3 * 12,
        barriers: log2(wg) + 4,
      };
    }
    case 'wide_logits': {
      // a slice's units, four loaded at a time; per unit a multiply-add, the ReLU, a multiply-add
      const units = wideSliceLen(s.label);
      return { memory: Math.ceil(units / 4), shared: 0, arithmetic: 3 * units, barriers: 0 };
    }
    case 'wide_head': {
      // an invocation's points, each its S partials four loads at a time and the head; the mean's tree
      const per = cdiv(n, s.workgroupSize);
      const slices = wideSlices(s.label);
      return { memory: per * (Math.ceil(slices / 4) + 1), shared: log2(s.workgroupSize), arithmetic: per * (slices + HEAD_FLOPS_PER_POINT), barriers: log2(s.workgroupSize) + 1 };
    }
    case 'wide_grads': {
      // an invocation's units, each its parameters and the points four at a time, ~4 dependent steps a point
      const units = perInvocation(h, s);
      return { memory: units * (1 + Math.ceil(n / 4)), shared: 0, arithmetic: units * 4 * n, barriers: 0 };
    }
    default:
      throw new Error(`no serial model for kernel ${s.file}: add one to bench/model.ts`);
  }
}

/**
 * One epoch of a resident kernel with `wg` invocations over n points: each invocation's run of
 * points through the model, the columns cleared and tree-summed (log₂ WG levels of P + 1
 * columns; `spreadTree` false: the tree as it was when the H200 timings were taken), and Adam
 * twice over its share of the parameters with m and v from global memory.
 * Steps a point: 1-H-1 in blocks (H > 4) about 3.25 a unit (forward 6 and backward 7 dependent
 * vec4 steps per four units, counted on common/model_columns.wgsl) + 8 for the head; up to four
 * units in registers one such group, 13 + 8; a
 * general model ~3 a weight (resident_mlp's three loops over each layer's weights) + 8.
 */
export function residentSerial(layout: ParamLayout, n: number, wg: number, singleHidden: boolean, spreadTree = true): Serial {
  const p = layout.count;
  const points = Math.ceil(cdiv(n, wg) / 4) * 4;
  const h = layout.layers[0].outDim;
  const perPoint = singleHidden ? (h <= 4 ? 13 + 8 : 3.25 * h + 8) : 3 * p + 8;
  const share = cdiv(p, wg);
  return {
    memory: Math.ceil(points / 4) * (singleHidden ? 1 : layout.inputs) + 2 * share,
    shared: (p + 1) + treeSteps(p + 1, wg, spreadTree),
    arithmetic: points * perPoint + 2 * 12 * share,
    barriers: log2(wg) + 3,
  };
}

/**
 * Steps of the columns' tree (common/resident_chunk.wgsl sum_columns) for one invocation: each level's
 * additions shared out over the workgroup (`spread`), or, as the kernel was before, every column of
 * a level added by one invocation.
 */
function treeSteps(columns: number, wg: number, spread: boolean): number {
  let steps = 0;
  for (let s = wg / 2; s >= 1; s /= 2) steps += spread ? Math.ceil((columns * s) / wg) : columns;
  return steps;
}

/** Waves of a dispatch: how many times the device must be filled with its invocations. */
export function waves(device: Pick<ModelDevice, 'sms' | 'invocationsPerSm'>, workgroups: number, invocations: number): number {
  return Math.max(1, Math.ceil((workgroups * invocations) / (device.sms * device.invocationsPerSm)));
}

/** The model's µs for one dispatch, without its overhead: the latency chain against the roofline. */
export function dispatchBodyUs(device: ModelDevice, serial: Serial, workgroups: number, invocations: number, flops: number, bytes: number): number {
  const l = device.latency;
  const chain = (serial.memory * l.memoryNs + serial.shared * l.sharedNs + serial.arithmetic * l.arithmeticNs + serial.barriers * l.barrierNs) / 1000;
  return Math.max(waves(device, workgroups, invocations) * chain, flops / (device.peaks.gflops * 1e3), bytes / (device.peaks.gbps * 1e3));
}
