// The optimizers as data: which one, its hyperparameters, and the per-step scalars the host writes
// into the chunk's schedule (AdamStep in shaders/ops/adam.wgsl) before each submit. One kernel pair
// (adam_check, adam_step) runs either, by the OPTIMIZER override (shaders/ops/sgd.wgsl).
import { adamStepScalars, type AdamHyper } from '../cpu/ops';

export const OPTIMIZERS = ['adam', 'sgd'] as const;
/**
 * adam: torch.optim.Adam (betas 0.9, 0.999, eps 1e-8, no weight decay, amsgrad off).
 * sgd: torch.optim.SGD with momentum 0, as the course uses it: p ← p - lr·g.
 */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The OPTIMIZER override of shaders/ops/sgd.wgsl. */
export const OPTIMIZER_CODE: Record<OptimizerName, number> = { adam: 0, sgd: 1 };

/** torch's class name of each, for messages and the PyTorch export. */
export const TORCH_OPTIMIZER: Record<OptimizerName, string> = { adam: 'Adam', sgd: 'SGD' };

/**
 * Step t's scalars (t counts optimizer steps from 1): Adam's step_size = lr/(1-β1^t) and
 * bc2_sqrt = sqrt(1-β2^t), in double as torch computes them in Python; for SGD step_size is lr.
 */
export function stepScalars(optimizer: OptimizerName, hyper: AdamHyper, t: number): { stepSize: number; bc2Sqrt: number } {
  return optimizer === 'sgd' ? { stepSize: hyper.lr, bc2Sqrt: 1 } : adamStepScalars(hyper, t);
}
