// The one input check and the one divergence rule, for every engine and every front end.
//   checkRun: the settings and the data (and test set) against the model, before anything is
//     allocated: what Trainer.create, the CPU engine, the CLI and the page's Session ask.
//   stepFaults / divergenceAt: an optimizer step is refused when its loss, summed as float32 (as
//     the GPU sums it), or any parameter, m or v after the update is not finite
//     (adam_check.wgsl on the GPU; the CPU trainer asks stepFaults); the Divergence names the step.
import type { Dataset } from '../data/dataset';
import { dataProblem, validateConfig, type ConfigProblem, type Divergence, type TrainerConfig } from './trainer';

/**
 * The problems of a run: every setting's (validateConfig); when the settings are valid, the data
 * set's, else the test set's, against the model (features, targets for the head: dataProblem).
 * Empty when the run can start.
 */
export function checkRun(config: TrainerConfig, data: Dataset, test?: Dataset): ConfigProblem[] {
  const problems = validateConfig(config);
  if (problems.length > 0) return problems; // the data is checked against a valid model only
  const dataIssue = dataProblem(data, config.model);
  if (dataIssue) return [{ field: 'data', message: dataIssue }];
  const testIssue = test && dataProblem(test, config.model, 'the test set');
  return testIssue ? [{ field: 'test', message: testIssue }] : [];
}

/** What was not finite in one optimizer step: its loss, its update (a parameter, m or v). */
export interface StepFaults {
  loss: boolean;
  update: boolean;
}

/** One optimizer step's values, as the CPU trainer computed them (the update not yet taken). */
export interface StepValues {
  /** The batch's mean loss, and its points. */
  meanLoss: number;
  rows: number;
  /** train/optimizer.ts stepScalars's step size: lr / (1 - β1^t) for Adam, lr for SGD. */
  stepSize: number;
  grads: ArrayLike<number>;
  /** The state after the update. */
  params: ArrayLike<number>;
  m: ArrayLike<number>;
  v: ArrayLike<number>;
}

/**
 * The divergence rule on the CPU, as common/status.wgsl's update_guarded applies it on the GPU: a
 * loss that is not finite refuses the step (and only the loss is named); else a gradient, the new
 * parameter, m or v that is not finite does. The loss as the GPU has it: summed over the rows as
 * float32 (reduce_rows.wgsl sums, then divides; point losses are >= 0, so the sum overflows exactly
 * when the total does); the step size as its float32 uniform holds it.
 */
export function stepFaults(s: StepValues): StepFaults {
  const finite = (a: ArrayLike<number>) => {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
    return true;
  };
  if (!Number.isFinite(Math.fround(s.meanLoss * s.rows))) return { loss: true, update: false };
  const update = !(Number.isFinite(Math.fround(s.stepSize)) && finite(s.grads) && finite(s.params) && finite(s.m) && finite(s.v));
  return { loss: false, update };
}

/** The Divergence of refused optimizer step `step` (1-based) with `stepsPerEpoch` steps an epoch. */
export function divergenceAt(step: number, stepsPerEpoch: number, faults: StepFaults): Divergence {
  return { epoch: Math.ceil(step / stepsPerEpoch), step, loss: faults.loss, update: faults.update };
}
