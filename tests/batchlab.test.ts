// The minibatch lab's readouts (src/app/batchlab/readout.ts) against hand counts and the CPU model:
// the class read (threshold or argmax, first maximum on ties), the confusion matrix, and the CNN's
// feature maps, whose pooled stage is the Linear layer's input the CPU model computes.
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { courseScript, type CourseTraining } from '../src/app/batchlab/torch-export';
import { labRemedy } from '../src/app/status';
import { cpuForward } from '../src/cpu/model';
import { confusionMatrix, featureMaps, mappedRows, predictedClass, predictedProb, shownRows } from '../src/app/batchlab/readout';
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

describe('the digits shown', () => {
  test('misread ones first (at most half), then each class in turn, spread over its rows; the mapped rows spread over the set', () => {
    // 30 rows sorted by class (10 each of 0, 1, 2); rows 3 and 25 misread.
    const y = Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
    const prob = y.flatMap((c, i) => [0, 1, 2].map((k) => (k === (i === 3 ? 1 : i === 25 ? 0 : c) ? 0.8 : 0.1)));
    const rows = shownRows(prob, y, 3, 3, 8);
    expect(rows.slice(0, 2)).toEqual([3, 25]);
    expect(rows.slice(2).map((r) => y[r])).toEqual([0, 1, 2, 0, 1, 2]);
    expect(rows.slice(2)).toEqual([0, 10, 20, 5, 15, 24]); // class 2 has 9 right rows (25 is misread): its 1st and 5th
    expect(mappedRows(528, 3)).toEqual([0, 176, 352]);
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
    const pooled = cpuForward(params, layout, x).stage!.out;
    maps.forEach((m, r) => {
      const row = [1, 3][r];
      expect(m.side).toEqual({ conv: [5, 4], pooled: [2, 2] });
      expect(Array.from(m.relu)).toEqual(Array.from(m.conv, (v) => Math.max(v, 0)));
      Array.from(m.pooled).forEach((v, i) => expect(v).toBeCloseTo(pooled[row * 12 + i], 6));
    });
    expect(maps[0].conv.some((v) => v < 0)).toBe(true); // the ReLU stage differs from the conv one
  });
});

describe('Download as PyTorch (the minibatch lab)', () => {
  const script = (model: string, loss: string, input: number[] | undefined, training: CourseTraining) => {
    const built = modelFromText(model, loss, input);
    if ('problems' in built) throw new Error(built.problems.map((p) => p.message).join('; '));
    const layout = paramLayout(built.spec);
    const params = initParams(3n, layout);
    const data = { features: Array.from({ length: 784 }, (_, i) => `p${i}`), target: 'y', n: 1600 };
    return { text: courseScript(params, layout, data, 'mnist01-train.csv', training, 0.123456), params, layout };
  };

  test('the CNN: Sequential from the op list, the state_dict by key and shape, the images reshaped, DataLoader and Adam as the page trained; valid Python', () => {
    const { text, params, layout } = script('Conv2d(1,16,(5,5)), ReLU(), MaxPool2d((2,2)), Flatten(), Linear(2304,1), Sigmoid()', 'BCELoss', [1, 28, 28], { seed: 43052n, optimizer: 'adam', lr: 0.001, batchSize: 128, shuffle: false, epochs: 5 });
    expect(text).toContain('net = torch.nn.Sequential(torch.nn.Conv2d(1,16,(5, 5)), torch.nn.ReLU(), torch.nn.MaxPool2d((2, 2)), torch.nn.Flatten(), torch.nn.Linear(2304,1), torch.nn.Sigmoid())');
    expect(text).toContain('loss_fn = torch.nn.BCELoss()');
    expect(text).toContain('for c in FEATURES] for r in rows]).reshape(-1, 1, 28, 28)');
    expect(text).toContain('DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=128, shuffle=False)');
    expect(text).toContain('optimizr = torch.optim.Adam(net.parameters(), lr=0.001)');
    expect(text).toContain('for epoch in range(5):');
    expect(text).toContain('torch.manual_seed(43052)');
    expect(text).toContain('(the page: 0.123456)');
    expect(text).toMatch(/"0\.weight": torch\.tensor\(\[[^\]]+\]\)\.reshape\(16, 1, 5, 5\),/);
    expect(text).toMatch(/"4\.weight": torch\.tensor\(\[[^\]]+\]\)\.reshape\(1, 2304\),/);
    // The numbers written are the parameters, each read back to the same float32.
    const bias = /"0\.bias": torch\.tensor\(\[([^\]]+)\]\)/.exec(text)![1].split(', ').map(Number);
    expect(bias.map((v) => Math.fround(v))).toEqual(Array.from(params.subarray(layout.conv!.b, layout.conv!.b + 16)));
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: text });
  });

  test('three classes: CrossEntropyLoss on class indices, argmax accuracy; SGD and shuffled batches when the page trained so', () => {
    const { text } = script('Linear(784,32), ReLU(), Linear(32,3)', 'CrossEntropyLoss', undefined, { seed: 1n, optimizer: 'sgd', lr: 0.01, batchSize: 256, shuffle: true, epochs: 2 });
    expect(text).toContain('loss_fn = torch.nn.CrossEntropyLoss()');
    expect(text).toContain('y = torch.tensor([int(float(r["y"])) for r in rows])  # class indices');
    expect(text).toContain('accuracy = (out.argmax(1) == y).float().mean().item()');
    expect(text).toContain('batch_size=256, shuffle=True');
    expect(text).toContain('torch.optim.SGD(net.parameters(), lr=0.01)');
    expect(text).not.toContain('.reshape(-1, 1, 28, 28)');
    execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: text });
  });

  test("a model text the CNN lesson cannot feed, in the lab's words", () => {
    const built = modelFromText('Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', 'BCELoss', [1, 28, 28]);
    const message = 'problems' in built ? built.problems[0].message : '';
    expect(labRemedy(message)).toContain('this lesson feeds them as images, so begin with Conv2d (a 05wk-1 lesson feeds the flat pixels)');
    expect(labRemedy(message)).not.toContain('leave out the input shape');
  });

  test("a data/model mismatch in the lab's words", () => {
    expect(labRemedy('layers[0] is 700, but the data has 784 features (p0, p1, p2, p3, p4, …); set layers[0] to 784 or choose the features')).toBe("layers[0] is 700, but the data has 784 features (p0, p1, p2, p3, p4, …): the model's first Linear must take the 784 pixels, Linear(784, …)");
  });
});
