// The minibatch lab's readouts (src/app/batchlab/readout.ts) against hand counts and the CPU model:
// the class read (threshold or argmax, first maximum on ties), the confusion matrix, and the CNN's
// feature maps, whose pooled stage is the Linear layer's input the CPU model computes.
import { describe, expect, test } from 'vitest';
import { cpuForward } from '../src/cpu/model';
import { confusionMatrix, featureMaps, predictedClass, predictedProb } from '../src/app/batchlab/readout';
import { initParams } from '../src/model/init';
import { paramLayout } from '../src/model/layout';
import { modelFromText } from '../src/model/ops';

describe('the class read and the confusion matrix', () => {
  test('one output: p > 0.5 is class 1 (0.5 itself is 0); the matrix counts true rows against read columns', () => {
    const prob = [0.1, 0.5, 0.9, 0.7, 0.2];
    expect(prob.map((_, i) => predictedClass(prob, i, 1))).toEqual([0, 0, 1, 1, 0]);
    expect(predictedProb(prob, 0, 1)).toBeCloseTo(0.9, 12);
    expect(confusionMatrix(prob, [0, 1, 1, 0, 1], 1)).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  test('three classes: the argmax, the first maximum on a tie (torch.argmax); a label outside the classes is refused by name', () => {
    const prob = [0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8];
    expect([0, 1, 2].map((i) => predictedClass(prob, i, 3))).toEqual([1, 0, 2]);
    expect(confusionMatrix(prob, [1, 2, 2], 3)).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    expect(() => confusionMatrix(prob, [0, 3, 1], 3)).toThrow('label 3 of row 1 is not a class index 0..2');
  });
});

describe('the CNN feature maps', () => {
  test('conv, ReLU and pool maps of 1×7×6 images with 3 kernels of 3×3: ReLU is max(conv, 0), and the pool is the CPU model’s Linear input', () => {
    const built = modelFromText('Conv2d(1,3,(3,3)), ReLU(), MaxPool2d((2,2)), Flatten(), Linear(12,1), Sigmoid()', 'BCELoss', [1, 7, 6]);
    if ('problems' in built) throw new Error(built.problems.map((p) => p.message).join('; '));
    const layout = paramLayout(built.spec);
    const params = initParams(7n, layout);
    const x = Float32Array.from({ length: 4 * 42 }, (_, i) => Math.sin(i * 0.37) * 0.5 + 0.5);
    const maps = featureMaps(params, layout.conv!, x, [1, 3]);
    const pooled = cpuForward(params, layout, x).conv!.pooled;
    maps.forEach((m, r) => {
      const row = [1, 3][r];
      expect(m.side).toEqual({ conv: [5, 4], pooled: [2, 2] });
      expect(Array.from(m.relu)).toEqual(Array.from(m.conv, (v) => Math.max(v, 0)));
      Array.from(m.pooled).forEach((v, i) => expect(v).toBeCloseTo(pooled[row * 12 + i], 6));
    });
    expect(maps[0].conv.some((v) => v < 0)).toBe(true); // the ReLU stage differs from the conv one
  });
});
