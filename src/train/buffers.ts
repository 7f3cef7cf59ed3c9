// The GPU buffers every strategy trains on: data (and the test set), the flat parameter block with
// its gradients and Adam moments, the per-chunk loss histories and Adam schedule, and small
// constant uniforms.
import type { GpuContext } from '../gpu/context';
import { structBytes, structSize } from '../gpu/structs';
import { EPOCH_INDEX_STRIDE } from '../gpu/kernel';
import type { ParamLayout } from '../model/layout';
import type { AdamHyper } from '../cpu/ops';

/** The size of one AdamStep in the steps buffer (ops/adam.wgsl); read when a device is loaded. */
export const adamStepBytes = (): number => structSize('ops/adam', 'AdamStep');
/** The divergence status, array<atomic<u32>, 2> (common/status.wgsl), padded for copies. */
export const STATUS_BYTES = 16;

/** The held-out points: evaluated every epoch with the parameters before its update, dropout off. */
export interface TestBuffers {
  readonly n: number;
  readonly binaryLabels: boolean;
  readonly x: GPUBuffer; // (N_test, D) zero-padded to a multiple of 4 floats
  readonly y: GPUBuffer; // (N_test) likewise
  readonly lossHistory: GPUBuffer; // (chunkEpochs) mean test loss of each epoch of the chunk
}

export interface TrainingBuffers {
  readonly n: number;
  /** Every label is exactly 0 or 1: kernels take BCE's one-log form (ops/bce.wgsl, BINARY_LABELS). */
  readonly binaryLabels: boolean;
  readonly layout: ParamLayout;
  /** Epochs encoded per submit; the test loss history holds one chunk's epochs. */
  readonly chunkEpochs: number;
  /**
   * Optimizer steps encoded per submit: chunkEpochs × the steps of an epoch (1 in full batch, one
   * per minibatch otherwise); the loss history, the schedule and the step index hold one chunk's.
   */
  readonly chunkSteps: number;
  readonly x: GPUBuffer; // (N, D) row-major, zero-padded to a multiple of 4 floats (kernels may read vec4s)
  readonly y: GPUBuffer; // (N, T) likewise: T = 1, or C for probability rows (the ce head)
  /** T: targets per point (1, or the classes of probability rows). */
  readonly targetColumns: number;
  readonly test?: TestBuffers;
  readonly params: GPUBuffer; // (P) flat, see model/layout.ts
  readonly m: GPUBuffer; // (P)
  readonly v: GPUBuffer; // (P)
  readonly grads: GPUBuffer; // (P)
  readonly lossHistory: GPUBuffer; // (chunkSteps) mean loss of each optimizer step of the chunk
  readonly steps: GPUBuffer; // (chunkSteps) AdamStep {step_size, bc2_sqrt, epoch = the step t, pad}
  readonly status: GPUBuffer; // (4) u32: first bad epoch, why (common/status.wgsl), 2 spare
  readonly hyper: GPUBuffer; // AdamHyper uniform
  readonly epochIndex: GPUBuffer; // (chunkSteps) EpochIndex at a 256-byte stride, constant: 0, 1, 2, ...
  /** Makes a labelled uniform buffer owned by these buffers (freed by destroy). */
  uniform(label: string, words: Uint32Array<ArrayBuffer> | Float32Array<ArrayBuffer>): GPUBuffer;
  /** Makes a labelled storage buffer owned by these buffers (freed by destroy). */
  storage(label: string, bytes: number): GPUBuffer;
  /** Makes a labelled storage buffer holding `values`, owned by these buffers. */
  data(label: string, values: Float32Array<ArrayBuffer>): GPUBuffer;
  destroy(): void;
}

/** A copy zero-padded to a multiple of 4 floats, for kernels that read points as vec4s. */
export function padToVec4(values: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  const padded = new Float32Array(Math.ceil(values.length / 4) * 4);
  padded.set(values);
  return padded;
}

export function createTrainingBuffers(
  ctx: GpuContext,
  data: { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer>; targetColumns?: number },
  test: { x: Float32Array<ArrayBuffer>; y: Float32Array<ArrayBuffer> } | undefined,
  layout: ParamLayout,
  hyper: AdamHyper,
  chunkEpochs: number,
  chunkSteps = chunkEpochs,
): TrainingBuffers {
  // Read at call time: in Node these globals exist only once Dawn is loaded.
  const { STORAGE, COPY_DST, COPY_SRC } = GPUBufferUsage;
  const owned: GPUBuffer[] = [];
  const make = (label: string, size: number, usage: GPUBufferUsageFlags) => {
    const b = ctx.createBuffer(label, size, usage);
    owned.push(b);
    return b;
  };
  const upload = (label: string, values: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>, usage: GPUBufferUsageFlags) => {
    const b = make(label, values.byteLength, usage | COPY_DST);
    ctx.device.queue.writeBuffer(b, 0, values);
    return b;
  };
  const p = layout.count * 4;

  const slots = Math.max(chunkEpochs, chunkSteps);
  const epochWords = new Uint32Array((slots * EPOCH_INDEX_STRIDE) / 4);
  for (let k = 0; k < slots; k++) epochWords[(k * EPOCH_INDEX_STRIDE) / 4] = k;
  const targetColumns = data.targetColumns ?? 1;

  // 1-β computed in double, then rounded, as torch passes Python floats to its float kernels.
  const hyperWords = structBytes('ops/adam', 'AdamHyper', { beta1: hyper.beta1, beta2: hyper.beta2, one_minus_beta1: 1 - hyper.beta1, one_minus_beta2: 1 - hyper.beta2, eps: hyper.eps });

  return {
    n: data.y.length / targetColumns,
    binaryLabels: data.y.every((v) => v === 0 || v === 1),
    layout,
    chunkEpochs,
    chunkSteps,
    targetColumns,
    x: upload('x', padToVec4(data.x), STORAGE),
    y: upload('y', padToVec4(data.y), STORAGE),
    test: test && {
      n: test.y.length / targetColumns,
      binaryLabels: test.y.every((v) => v === 0 || v === 1),
      x: upload('test x', padToVec4(test.x), STORAGE),
      y: upload('test y', padToVec4(test.y), STORAGE),
      lossHistory: make('test loss history', chunkEpochs * 4, STORAGE | COPY_SRC),
    },
    params: make('params', p, STORAGE | COPY_DST | COPY_SRC),
    m: make('adam m', p, STORAGE | COPY_DST | COPY_SRC),
    v: make('adam v', p, STORAGE | COPY_DST | COPY_SRC),
    grads: make('grads', p, STORAGE | COPY_SRC),
    lossHistory: make('loss history', chunkSteps * 4, STORAGE | COPY_SRC),
    steps: make('adam steps', chunkSteps * adamStepBytes(), STORAGE | COPY_DST),
    status: make('divergence status', STATUS_BYTES, STORAGE | COPY_DST | COPY_SRC),
    hyper: upload('adam hyper', hyperWords, GPUBufferUsage.UNIFORM),
    epochIndex: upload('epoch index', epochWords, GPUBufferUsage.UNIFORM),
    uniform: (label, words) => upload(label, words, GPUBufferUsage.UNIFORM),
    storage: (label, bytes) => make(label, bytes, STORAGE),
    data: (label, values) => upload(label, values, STORAGE),
    destroy: () => owned.splice(0).forEach((b) => ctx.destroyBuffer(b)),
  };
}
