// Every kernel of the project: which file, which library files it joins, and its bindings in order.
import type { KernelSpec } from './kernel';

const MATH = ['ops/linear', 'ops/relu', 'ops/sigmoid', 'ops/bce'];
/** What common/model_columns.wgsl needs, and it: the fused and resident kernels' per-point model. */
const COLUMNS = [...MATH, 'ops/head', 'common/finite', 'common/model_columns'];

export const KERNELS = {
  /** A hidden layer's activation in place; its ACTIVATION override is model/layout.ts ACTIVATION_CODE's. */
  activationForward: {
    file: 'activation_forward',
    entryPoint: 'activation_forward_inplace',
    uses: ['ops/relu', 'ops/sigmoid', 'ops/activation', 'common/grid'],
    bindings: ['storage', 'uniform'],
  },
  activationBackward: {
    file: 'activation_backward',
    entryPoint: 'activation_backward_inplace',
    uses: ['ops/relu', 'ops/sigmoid', 'ops/activation', 'common/grid'],
    bindings: ['storage', 'read-only-storage', 'uniform'],
  },
  reduceRows: {
    file: 'reduce_rows',
    uses: ['common/strided_sum', 'common/workgroup_sum', 'common/epoch'],
    bindings: ['storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  dropoutInplace: {
    file: 'dropout_inplace',
    uses: ['ops/adam', 'common/grid', 'common/epoch', 'common/dropout'],
    bindings: ['storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  headPoints: {
    file: 'head_points',
    uses: ['ops/sigmoid', 'ops/bce', 'ops/head', 'common/finite', 'common/grid'],
    bindings: ['storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  cePoints: {
    file: 'ce_points',
    uses: ['ops/cross_entropy', 'common/finite', 'common/grid'],
    bindings: ['storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  gatherRows: {
    file: 'gather_rows',
    uses: ['common/grid', 'common/epoch'],
    bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  adamCheck: {
    file: 'adam_check',
    uses: ['ops/adam', 'ops/sgd', 'common/grid', 'common/epoch', 'common/finite', 'common/status'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform', 'dynamic-uniform'],
  },
  adamStep: {
    file: 'adam_step',
    uses: ['ops/adam', 'ops/sgd', 'common/grid', 'common/epoch', 'common/finite', 'common/status'],
    bindings: ['storage', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform', 'dynamic-uniform'],
  },
  residentEpochs: {
    file: 'resident_epochs',
    uses: [...COLUMNS, 'ops/adam', 'common/status', 'common/resident_chunk'],
    bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform'],
  },
  residentMlp: {
    file: 'resident_mlp',
    uses: [...MATH, 'ops/head', 'common/finite', 'ops/adam', 'common/status', 'common/resident_chunk'],
    bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform'],
  },
  piecewiseSegments: {
    file: 'piecewise_segments',
    uses: ['ops/linear', 'ops/relu', 'common/finite', 'common/piecewise'],
    bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  piecewisePoints: {
    file: 'piecewise_points',
    uses: ['ops/linear', 'ops/sigmoid', 'ops/bce', 'ops/head', 'common/finite', 'common/grid', 'common/piecewise'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  piecewiseReduceAdam: {
    file: 'piecewise_reduce_adam',
    uses: ['ops/adam', 'common/workgroup_sum', 'common/epoch', 'common/finite', 'common/status', 'common/piecewise'],
    bindings: ['storage', 'storage', 'storage', 'storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'uniform', 'dynamic-uniform'],
  },
  // ---- the wide strategy (src/train/wide.ts): 1-H-1 with H over many workgroups, no (N,H) buffer
  wideLogits: {
    file: 'wide_logits',
    uses: ['ops/linear', 'ops/relu', 'common/wide'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  wideHead: {
    file: 'wide_head',
    uses: ['ops/linear', 'ops/relu', 'ops/sigmoid', 'ops/bce', 'ops/head', 'common/finite', 'common/workgroup_sum', 'common/epoch', 'common/wide'],
    bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform', 'dynamic-uniform'],
  },
  wideGrads: {
    file: 'wide_grads',
    uses: ['ops/linear', 'ops/relu', 'common/grid', 'common/wide'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  // ---- the CNN's convolution and pooling kernels (step builders in src/gpu/conv.ts)
  conv2dForward: {
    file: 'conv2d_forward',
    uses: ['ops/relu', 'ops/conv2d', 'common/grid', 'common/gemm_tiles'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  conv2dPoolForward: {
    file: 'conv2d_pool_forward',
    uses: ['ops/conv2d', 'ops/maxpool', 'common/grid', 'common/gemm_tiles'],
    bindings: ['storage', 'storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  conv2dBackwardInput: {
    file: 'conv2d_backward_input',
    uses: ['ops/conv2d', 'common/grid', 'common/gemm_tiles'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  conv2dBackwardWeights: {
    file: 'conv2d_backward_weights',
    uses: ['ops/conv2d', 'common/grid', 'common/gemm_tiles'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  conv2dPoolBackwardWeights: {
    file: 'conv2d_pool_backward_weights',
    uses: ['ops/relu', 'ops/conv2d', 'common/grid', 'common/gemm_tiles'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
  maxpoolForward: {
    file: 'maxpool_forward',
    uses: ['ops/maxpool', 'common/grid'],
    bindings: ['storage', 'storage', 'read-only-storage', 'uniform'],
  },
  maxpoolBackward: {
    file: 'maxpool_backward',
    uses: ['ops/relu', 'ops/maxpool', 'common/grid'],
    bindings: ['storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'uniform'],
  },
} as const satisfies Record<string, KernelSpec>;
