// What the minibatch lessons read off a trained model, as plain numbers (no DOM): the class each
// point is given, the confusion matrix, and the CNN's feature maps. Node tests hold them to hand
// counts and to the CPU model (tests/batchlab.test.ts).
import { convDims } from '../../cpu/stages';
import { convOut, conv2dForward, maxpoolForward, poolOut } from '../../cpu/conv';
import type { ConvLayer } from '../../model/layout';

/**
 * The class the model gives row i of prob (N, C): C = 1 (a sigmoid's probability) → 1 when p > 0.5,
 * else 0 (BCELoss's threshold); C > 1 → the first maximum (torch.argmax).
 */
export function predictedClass(prob: ArrayLike<number>, i: number, classes: number): number {
  if (classes === 1) return prob[i] > 0.5 ? 1 : 0;
  let best = 0;
  for (let c = 1; c < classes; c++) if (prob[i * classes + c] > prob[i * classes + best]) best = c;
  return best;
}

/** The probability the model gives its own class for row i (p or 1 - p with one output). */
export function predictedProb(prob: ArrayLike<number>, i: number, classes: number): number {
  if (classes === 1) return prob[i] > 0.5 ? prob[i] : 1 - prob[i];
  return prob[i * classes + predictedClass(prob, i, classes)];
}

/**
 * counts[t][p]: the rows of true class t (y, class indices 0..K-1; K = 2 for one output) the model
 * gives class p. Throws a RangeError on a label outside 0..K-1.
 */
export function confusionMatrix(prob: ArrayLike<number>, y: ArrayLike<number>, classes: number): number[][] {
  const k = Math.max(classes, 2);
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < y.length; i++) {
    const t = y[i];
    if (!Number.isInteger(t) || t < 0 || t >= k) throw new RangeError(`label ${t} of row ${i} is not a class index 0..${k - 1}`);
    counts[t][predictedClass(prob, i, classes)]++;
  }
  return counts;
}

/** One image's maps at the three stages of the conv block: (O, OH, OW) after the conv and after the ReLU, (O, PH, PW) after the pool. */
export interface FeatureMaps {
  conv: Float32Array;
  relu: Float32Array;
  pooled: Float32Array;
  side: { conv: [number, number]; pooled: [number, number] };
}

/**
 * The feature maps of `rows` of x (N, C·H·W) under params (the flat block, conv first), by the CPU
 * twins of conv2d_forward and maxpool_forward (src/cpu/conv.ts): Conv2d → ReLU → MaxPool2d.
 */
export function featureMaps(params: Float32Array, conv: ConvLayer, x: ArrayLike<number>, rows: readonly number[]): FeatureMaps[] {
  const d = convDims(conv, 1);
  const { oh, ow } = convOut(d);
  const pool = { n: 1, c: conv.o, h: oh, w: ow, k: conv.pool };
  const { ph, pw } = poolOut(pool);
  return rows.map((row) => {
    const image = Float32Array.from({ length: conv.inFeatures }, (_, i) => x[row * conv.inFeatures + i]);
    const z = new Float32Array(conv.o * oh * ow);
    conv2dForward(z, image, params, d, 0);
    const relu = z.map((v) => Math.max(v, 0));
    const pooled = new Float32Array(conv.o * ph * pw);
    maxpoolForward(pooled, new Uint32Array(pooled.length), relu, pool);
    return { conv: z, relu, pooled, side: { conv: [oh, ow], pooled: [ph, pw] } };
  });
}

/**
 * The test rows to show as digits: the misread ones first (up to half of `count`), then correctly
 * read ones of each class in turn, spread evenly over each class's rows. y holds class indices.
 */
export function shownRows(prob: ArrayLike<number>, y: ArrayLike<number>, classes: number, classCount: number, count: number): number[] {
  const wrong: number[] = [];
  const right: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < y.length; i++) {
    if (predictedClass(prob, i, classes) !== y[i]) {
      if (wrong.length < count / 2) wrong.push(i);
    } else right[y[i]].push(i);
  }
  const each = Math.ceil((count - wrong.length) / classCount);
  const picks = right.map((rows) => {
    const k = Math.min(each, rows.length);
    return Array.from({ length: k }, (_, j) => rows[Math.floor((j * rows.length) / k)]);
  });
  const rest: number[] = [];
  for (let j = 0; j < each; j++) for (const p of picks) if (j < p.length && wrong.length + rest.length < count) rest.push(p[j]);
  return [...wrong, ...rest];
}

/** `count` rows spread evenly over n (the first, then every n/count-th): the digits whose maps are drawn. */
export const mappedRows = (n: number, count: number): number[] => Array.from({ length: Math.min(count, n) }, (_, i) => Math.floor((i * n) / count));
