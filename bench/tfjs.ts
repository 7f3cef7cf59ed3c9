// The side-by-side baseline: the lecture's training in TensorFlow.js on its WebGPU backend,
// written the way its users write it (variables, optimizer.minimize, full batch), from the same
// initial parameters and data as our benchmark case. Browser runtime only.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
import { generateLectureData } from '../src/data/generate';
import { initParams } from '../src/model/init';
import { paramLayout, unpackParams } from '../src/model/layout';

export interface Baseline {
  name: string;
  n: number;
  hidden: number;
  epochs: number;
  usPerEpoch: number;
  finalLoss: number;
}

export async function tfjsBaseline(epochs: number, n = 2000, hidden = 2): Promise<Baseline> {
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js could not start its WebGPU backend');
  await tf.ready();
  const data = generateLectureData(1, n);
  const p = unpackParams(initParams(43052, hidden), paramLayout(hidden));
  const x = tf.tensor2d(data.x, [n, 1]);
  const y = tf.tensor2d(data.y, [n, 1]);
  // TF.js multiplies x·W, so the weights are torch's transposed.
  const w1 = tf.variable(tf.tensor2d(p.W1, [1, hidden]));
  const b1 = tf.variable(tf.tensor1d(p.b1));
  const w2 = tf.variable(tf.tensor2d(p.W2, [hidden, 1]));
  const b2 = tf.variable(tf.tensor1d(p.b2));
  const optimizer = tf.train.adam(0.001, 0.9, 0.999, 1e-8);
  const loss = (): tf.Scalar =>
    tf.tidy(() => {
      const prob = tf.clipByValue(tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)), 1e-7, 1 - 1e-7);
      const ll = tf.add(tf.mul(y, tf.log(prob)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, prob))));
      return tf.neg(tf.mean(ll)) as tf.Scalar;
    });
  try {
    await optimizer.minimize(loss, true)!.data(); // warm-up: shaders compiled, buffers made
    const start = performance.now();
    let cost: tf.Scalar | null = null;
    for (let e = 0; e < epochs; e++) cost = optimizer.minimize(loss, e === epochs - 1); // no readback until the end
    const [finalLoss] = await cost!.data();
    const seconds = (performance.now() - start) / 1000;
    return { name: 'TensorFlow.js 4.22 (WebGPU backend, optimizer.minimize)', n, hidden, epochs, usPerEpoch: (seconds * 1e6) / epochs, finalLoss };
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, w1, b1, w2, b2]);
  }
}
