// The model as torch writes it (src/model/ops.ts): parsing the course's and print(model)'s texts,
// lowering to the layer table, the state_dict keys, and the messages for what is not supported.
import { describe, expect, test } from 'vitest';
import { lowerOps, modelFromText, modelText, opsOfSpec, parseLoss, parseModelText, stateDictKeys } from '../src/model/ops';
import { paramLayout, specProblems, stateDict, packParams } from '../src/model/layout';

const lowered = (text: string, loss: string) => {
  const r = modelFromText(text, loss);
  if ('problems' in r) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.spec;
};
const problem = (text: string, loss: string) => {
  const r = modelFromText(text, loss);
  if (!('problems' in r)) throw new Error(`accepted ${text}`);
  return r.problems.map((p) => p.message).join('; ');
};

describe('torch text to the layer table', () => {
  test('the course\'s models', () => {
    expect(lowered('Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', 'BCELoss')).toEqual({ layers: [784, 32, 1], head: 'bce', dropout: 0 });
    expect(lowered('Linear(784,32), ReLU(), Linear(32,3)', 'CrossEntropyLoss')).toEqual({ layers: [784, 32, 3], head: 'ce', dropout: 0 });
    expect(lowered('Linear(1,512), ReLU(), Dropout(0.8), Linear(512,1)', 'MSELoss')).toEqual({ layers: [1, 512, 1], head: 'mse', dropout: 0.8 });
    expect(lowered('torch.nn.Linear(1,256), torch.nn.ReLU(), torch.nn.Linear(256,1)', 'torch.nn.BCEWithLogitsLoss()')).toEqual({ layers: [1, 256, 1], head: 'bce-logits', dropout: 0 });
    expect(lowered('Flatten(), Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', 'BCELoss').layers).toEqual([784, 32, 1]);
  });

  test("print(model)'s text, keyword arguments and Sequential", () => {
    const printed = `Sequential(
  (0): Linear(in_features=2, out_features=16, bias=True)
  (1): ReLU()
  (2): Linear(in_features=16, out_features=16, bias=True)
  (3): ReLU(inplace=False)
  (4): Linear(in_features=16, out_features=1, bias=True)
  (5): Sigmoid()
)`;
    expect(lowered(printed, 'BCELoss')).toEqual({ layers: [2, 16, 16, 1], head: 'bce', dropout: 0 });
    expect(lowered('nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Dropout(p=0.5, inplace=False), nn.Linear(2, 1), nn.Sigmoid())', 'BCELoss').dropout).toBe(0.5);
  });

  test('text round-trips, and the state_dict keys are torch\'s', () => {
    const text = 'Linear(1,512), ReLU(), Dropout(0.8), Linear(512,1)';
    const spec = lowered(text, 'MSELoss');
    expect(modelText(opsOfSpec(spec))).toBe(text);
    expect(stateDictKeys(opsOfSpec(spec))).toEqual([
      { key: '0.weight', size: 512 },
      { key: '0.bias', size: 512 },
      { key: '3.weight', size: 512 },
      { key: '3.bias', size: 1 },
    ]);
    const layout = paramLayout(spec);
    expect(layout.layers.map((l) => l.key)).toEqual([0, 3]);
    const flat = Float32Array.from({ length: layout.count }, (_, i) => i);
    const sd = stateDict(flat, layout);
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(packParams({ ...sd, '3.weight': { shape: [1, 512], data: sd['3.weight'] } }, layout)).toEqual(flat);
  });

  test('what torch accepts but this trainer does not, or that is wrong, is named', () => {
    expect(problem('Linear(784,32), ReLU(), Linear(32,1)', 'BCELoss')).toMatch(/BCELoss takes probabilities: end the model with Sigmoid\(\)/);
    expect(problem('Linear(784,32), ReLU(), Linear(32,1), Sigmoid()', 'BCEWithLogitsLoss')).toMatch(/remove the final Sigmoid\(\).*applies the sigmoid itself/);
    expect(problem('Linear(784,32), ReLU(), Linear(30,1), Sigmoid()', 'BCELoss')).toMatch(/module 3 Linear\(30,1\) takes 30 inputs, but the layer before gives 32/);
    expect(problem('Linear(784,32), ReLU(), Linear(32,3), Sigmoid()', 'BCELoss')).toMatch(/needs one output, but the last Linear has 3/);
    expect(problem('Linear(784,32), Sigmoid(), Linear(32,1), Sigmoid(), Sigmoid()', 'BCELoss')).toMatch(/the model ends with an activation/);
    expect(problem('Linear(784,32), Tanh(), Linear(32,1), Tanh()', 'MSELoss')).toMatch(/the model ends with an activation/);
    expect(problem('Linear(784,32), Tanh(3), Linear(32,1)', 'MSELoss')).toBe('module 2 Tanh: Tanh() takes no arguments (but inplace)');
    expect(problem('Linear(784,32), Softmax(), Linear(32,1)', 'MSELoss')).toMatch(/unknown module Softmax \(not supported yet\)/);
    expect(problem('Linear(784,32,bias=False), ReLU(), Linear(32,1)', 'MSELoss')).toMatch(/bias=False/);
    expect(problem('Linear(784), ReLU(), Linear(32,1)', 'MSELoss')).toMatch(/Linear needs two positive integers/);
    expect(problem('Linear(1,2), ReLU(), Dropout(1.5), Linear(2,1)', 'MSELoss')).toMatch(/Dropout needs a probability p in \[0, 1\), got 1.5/);
    expect(problem('Linear(1,2), ReLU(), Linear(2,1)', 'HingeLoss')).toMatch(/unknown loss "HingeLoss"/);
    expect(problem('', 'MSELoss')).toMatch(/the model is empty/);
    expect(problem('Linear(1,2) ReLU()', 'MSELoss')).toMatch(/not of the form Name\(arguments\)|cannot read/);
  });

  test('hidden activations: ReLU, Sigmoid and Tanh between Linear layers; a final Sigmoid is the bce head', () => {
    const text = 'Linear(2,16), Tanh(), Linear(16,16), Sigmoid(), Linear(16,1), Sigmoid()';
    const spec = lowered(text, 'BCELoss');
    expect(spec).toEqual({ layers: [2, 16, 16, 1], head: 'bce', dropout: 0, activations: ['tanh', 'sigmoid'] });
    expect(modelText(opsOfSpec(spec))).toBe(text);
    expect(paramLayout(spec).layers.map((l) => l.activation)).toEqual(['tanh', 'sigmoid', 'identity']);
    expect(stateDictKeys(opsOfSpec(spec)).map((k) => k.key)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    // all ReLU lowers to the spec without activations, as every existing spec is written
    expect(lowered('Linear(2,3), ReLU(), Linear(3,1)', 'MSELoss')).toEqual({ layers: [2, 3, 1], head: 'mse', dropout: 0 });
    expect(lowered('Linear(784,32), Sigmoid(), Linear(32,1), Sigmoid()', 'BCELoss').activations).toEqual(['sigmoid']);
    expect(lowered('Linear(1,4), Tanh(), Linear(4,3)', 'CrossEntropyLoss')).toEqual({ layers: [1, 4, 3], head: 'ce', dropout: 0, activations: ['tanh'] });
    expect(modelText(opsOfSpec({ layers: [1, 2, 2, 1], head: 'mse', dropout: 0, activations: ['relu', 'tanh'] }))).toBe('Linear(1,2), ReLU(), Linear(2,2), Tanh(), Linear(2,1)');
    // the final Sigmoid of a BCEWithLogitsLoss model is still named, hidden ones are fine
    expect(problem('Linear(1,2), Sigmoid(), Linear(2,1), Sigmoid()', 'BCEWithLogitsLoss')).toMatch(/remove the final Sigmoid/);
  });

  test('Dropout needs ReLU: after a Sigmoid or Tanh, or in a model with one, it is refused by name', () => {
    expect(problem('Linear(1,2), Tanh(), Dropout(0.5), Linear(2,1)', 'MSELoss')).toMatch(/module 3 Dropout\(0.5\): Dropout after a Sigmoid\/Tanh is not supported/);
    expect(problem('Linear(1,2), Sigmoid(), Dropout(0.5), Linear(2,1), Sigmoid()', 'BCELoss')).toMatch(/Dropout after a Sigmoid\/Tanh is not supported/);
    // the trainer's dropout applies after every hidden layer, so one Tanh anywhere refuses it
    const r = modelFromText('Linear(1,2), ReLU(), Dropout(0.5), Linear(2,2), Tanh(), Linear(2,1)', 'MSELoss');
    expect('problems' in r && r.problems[0]).toEqual({ op: 2, message: expect.stringMatching(/Dropout after a Sigmoid\/Tanh is not supported/) });
    expect(specProblems({ layers: [1, 2, 1], head: 'mse', dropout: 0.5, activations: ['tanh'] })).toEqual([{ field: 'dropout', message: expect.stringMatching(/dropout needs ReLU/) }]);
    expect(specProblems({ layers: [1, 2, 2, 1], head: 'mse', dropout: 0, activations: ['tanh'] })[0].message).toMatch(/one per hidden layer \(2\)/);
    expect(specProblems({ layers: [1, 2, 1], head: 'mse', dropout: 0, activations: ['gelu' as 'tanh'] })[0].message).toMatch(/activations must be relu, sigmoid, tanh, got gelu/);
  });

  test('parseModelText reports every bad module with its index; lowerOps names the op', () => {
    const r = parseModelText('Linear(1,2), Foo(), Linear(2,x y)');
    expect('problems' in r && r.problems.map((p) => p.op)).toEqual([1, 2]);
    const ops = parseModelText('Linear(1,2), ReLU(), ReLU(), Linear(2,1)');
    expect('ops' in ops).toBe(true);
    if ('ops' in ops) {
      const low = lowerOps(ops.ops, 'MSELoss');
      expect('problem' in low && low.problem.op).toBe(2);
    }
    expect(parseLoss('nn.CrossEntropyLoss()')).toBe('CrossEntropyLoss');
  });

  test('the course\'s CNN: Conv2d, ReLU, MaxPool2d, Flatten, then the Linear layers; the shape comes from the input', () => {
    const text = 'Conv2d(1,16,(5, 5)), ReLU(), MaxPool2d((2, 2)), Flatten(), Linear(2304,1), Sigmoid()';
    const r = modelFromText(text, 'BCELoss', [1, 28, 28]);
    if ('problems' in r) throw new Error(r.problems[0].message);
    expect(r.spec).toEqual({ layers: [2304, 1], head: 'bce', dropout: 0, conv: { input: [1, 28, 28], outChannels: 16, kernel: 5, pool: 2 } });
    expect(modelText(opsOfSpec(r.spec))).toBe(text);
    const layout = paramLayout(r.spec);
    expect(layout.inputs).toBe(784);
    expect(layout.conv).toMatchObject({ w: 0, b: 400, o: 16, k: 5, outFeatures: 2304, key: 0 });
    expect(layout.layers[0]).toMatchObject({ w: 416, b: 416 + 2304, key: 4, inDim: 2304, outDim: 1 });
    expect(stateDictKeys(opsOfSpec(r.spec)).map((e) => e.key)).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    expect(Object.keys(stateDict(new Float32Array(layout.count), layout))).toEqual(['0.weight', '0.bias', '4.weight', '4.bias']);
    // print(model)'s form
    const printed = modelFromText('Conv2d(1, 16, kernel_size=(5, 5), stride=(1, 1)), ReLU(), MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=0, dilation=1, ceil_mode=False), Flatten(start_dim=1, end_dim=-1), Linear(in_features=2304, out_features=3, bias=True)', 'CrossEntropyLoss', [1, 28, 28]);
    expect('spec' in printed && printed.spec.layers).toEqual([2304, 3]);
  });

  test('CNN problems are named', () => {
    const cnn = 'Conv2d(1,16,(5,5)), ReLU(), MaxPool2d((2,2)), Flatten(), Linear(2304,1), Sigmoid()';
    expect(problem(cnn, 'BCELoss')).toMatch(/Conv2d needs the shape of the images/);
    const wrong = modelFromText(cnn.replace('2304', '2000'), 'BCELoss', [1, 28, 28]);
    expect('problems' in wrong ? wrong.problems[0].message : '').toMatch(/takes 2000 inputs, but the conv stage gives 16×12×12 = 2304/);
    const stride = modelFromText('Conv2d(1,16,(5,5),stride=2), ReLU(), Flatten(), Linear(1,1)', 'MSELoss', [1, 28, 28]);
    expect('problems' in stride ? stride.problems[0].message : '').toMatch(/stride=2 is not supported yet: stride 1 only/);
    const pad = modelFromText('Conv2d(1,16,3,padding=1), ReLU(), Flatten(), Linear(1,1)', 'MSELoss', [1, 28, 28]);
    expect('problems' in pad ? pad.problems[0].message : '').toMatch(/padding=1 is not supported yet/);
    const rect = modelFromText('Conv2d(1,16,(5,3)), ReLU(), Flatten(), Linear(1,1)', 'MSELoss', [1, 28, 28]);
    expect('problems' in rect ? rect.problems[0].message : '').toMatch(/is not square/);
    const channels = modelFromText(cnn, 'BCELoss', [3, 28, 28]);
    expect('problems' in channels ? channels.problems[0].message : '').toMatch(/takes 1 channel, but the input 3,28,28 has 3/);
  });
});
