// The side-by-side baseline: the course's networks in TensorFlow.js on its WebGPU backend, written
// the way its users write them (variables, optimizer.minimize, full batch, torch's Adam settings),
// from the same initial parameters (initParams(seed, layout)) and data as our cases, with the same
// three heads. Browser runtime only.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import type { Dataset } from '../src/data/dataset';
import { initParams } from '../src/model/init';
import { paramLayout, type ModelSpec } from '../src/model/layout';
import type { Baseline } from './core';

export const TFJS_SYSTEM = `TensorFlow.js ${tf.version_core} (WebGPU)`;

/** The mean loss of the logits z against y, as torch's BCELoss (log clamped at -100), BCEWithLogitsLoss and MSELoss compute it. */
function headLoss(head: ModelSpec['head'], z: tf.Tensor, y: tf.Tensor): tf.Scalar {
  if (head === 'mse') return tf.mean(tf.square(tf.sub(z, y))) as tf.Scalar;
  if (head === 'bce-logits') return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))) as tf.Scalar;
  const p = tf.sigmoid(z);
  const ll = tf.add(tf.mul(y, tf.maximum(tf.log(p), -100)), tf.mul(tf.sub(1, y), tf.maximum(tf.log(tf.sub(1, p)), -100)));
  return tf.neg(tf.mean(ll)) as tf.Scalar;
}

/** `epochs` epochs of full-batch Adam; the loss of the last one (computed before its update) and the seconds they took. */
async function train(data: Dataset, spec: ModelSpec, seed: bigint, lr: number, epochs: number): Promise<{ seconds: number; loss: number; epochs: number }> {
  const layout = paramLayout(spec);
  const flat = initParams(seed, layout);
  const x = tf.tensor2d(data.x, [data.n, data.d]);
  const y = tf.tensor2d(data.y, [data.n, 1]);
  // TF.js multiplies x·W, so each weight is torch's (OUT, IN) transposed.
  const vars = layout.layers.map((l) => ({
    w: tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(flat.subarray(l.w, l.w + l.outDim * l.inDim), [l.outDim, l.inDim])))),
    b: tf.variable(tf.tensor1d(flat.subarray(l.b, l.b + l.outDim))),
    hidden: l.hidden,
  }));
  const optimizer = tf.train.adam(lr, 0.9, 0.999, 1e-8);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      let a: tf.Tensor = x;
      for (const v of vars) {
        a = tf.add(tf.matMul(a as tf.Tensor2D, v.w), v.b);
        if (v.hidden) a = tf.relu(a);
      }
      return headLoss(spec.head, a, y);
    });
  try {
    const start = performance.now();
    let cost: tf.Scalar | null = null;
    for (let e = 0; e < epochs; e++) {
      cost?.dispose();
      cost = optimizer.minimize(loss, e === epochs - 1); // no readback until the end
    }
    const [last] = await cost!.data();
    cost!.dispose();
    return { seconds: (performance.now() - start) / 1000, loss: last, epochs };
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, ...vars.flatMap((v) => [v.w, v.b])]);
  }
}

/** Why this baseline does not train a model (it writes Linear layers with a point head, full batch), or undefined. */
export function tfjsRefusal(spec: ModelSpec): string | undefined {
  if (spec.conv) return 'the TF.js baseline is written for the Linear networks only; the CNN cases have no TF.js row';
  if (spec.head === 'ce') return 'the TF.js baseline has no CrossEntropyLoss head';
  return undefined;
}

/**
 * One course case: a one-epoch warm-up (shaders compiled, buffers made) on its own variables, a
 * one-epoch probe of the pace, then `epochs` from the initial parameters, or as many as fit
 * `budgetSeconds` at that pace; when not even two fit, the probe is the measurement, and when the
 * warm-up alone passes the budget, the warm-up is (an upper bound: compilation included).
 */
export async function tfjsBaseline(caseId: string, data: Dataset, spec: ModelSpec, seed: bigint, lr: number, epochs: number, budgetSeconds: number): Promise<Baseline> {
  const refused = tfjsRefusal(spec);
  if (refused) throw new Error(refused);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its WebGPU backend');
  await tf.ready();
  const warm = await train(data, spec, seed, lr, 1);
  if (warm.seconds > budgetSeconds) return { system: `${TFJS_SYSTEM}, first epoch alone (compilation included)`, case: caseId, epochs: 1, usPerEpoch: warm.seconds * 1e6, finalLoss: warm.loss };
  const probe = await train(data, spec, seed, lr, 1);
  const fit = Math.min(epochs, Math.floor(budgetSeconds / probe.seconds));
  const run = fit >= 2 ? await train(data, spec, seed, lr, fit) : probe;
  return { system: TFJS_SYSTEM, case: caseId, epochs: run.epochs, usPerEpoch: (run.seconds * 1e6) / run.epochs, finalLoss: run.loss };
}
