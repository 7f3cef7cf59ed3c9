// The course's lessons on the page (`?lesson=`): each with its data made as the notebook makes it,
// its model (the form sets the hidden width, seed, learning rate and epochs; the lesson the inputs,
// head and dropout), and its view. The lecture (03wk-2) is the default.
import type { Dataset } from '../../data/dataset';
import { loadLectureData } from '../../data/lecture';
import type { LossName } from '../../model/ops';
import type { OptimizerName } from '../../train/optimizer';
import type { ModelFrame } from '../settings';
import { curveData, noiseData, ringsData, stepData, xorData } from './data';

export const LESSON_IDS = ['03wk-2', '04wk-1-step', '04wk-1-curve', '04wk-1-mnist', '04wk-2-overfit', '05wk-1-gpu', '05wk-1-minibatch', '05wk-1-mnist3', '05wk-2-cnn', 'plane-rings', 'plane-xor'] as const;
export type LessonId = (typeof LESSON_IDS)[number];

/**
 * What the lab shows besides the loss: the lecture's panels, a fit over x, digits, train against
 * test, the timing table, the plane, or (batches) the minibatch lab of src/app/batchlab.
 */
export type LessonView = 'lecture' | 'fit' | 'digits' | 'overfit' | 'timing' | 'plane' | 'batches';

/**
 * A lesson trained as the course's later notebooks train it (view 'batches'): the model as torch's
 * text (editable on the page), the loss, the optimizer, and DataLoader's batches.
 */
export interface CourseRun {
  /** The Sequential's modules, as torch prints them: "Linear(784,32), ReLU(), Linear(32,1), Sigmoid()". */
  model: string;
  loss: LossName;
  /** (C, H, W) of the feature columns, for a model that starts with Conv2d (the CLI's --input). */
  input?: readonly number[];
  optimizer: OptimizerName;
  lr: number;
  seed: bigint;
  epochs: number;
  /** DataLoader's batch_size; absent: the full batch. */
  batchSize?: number;
  shuffle?: boolean;
  /** The name of each class index (the digits). */
  classNames: readonly string[];
  /** The notebook's code for the loader and optimizer, shown beside the model. */
  torch: string;
  /** The course's CSV of the training digits (../shared/data), which the PyTorch export reads. */
  trainCsv: string;
}

export interface LessonData {
  train: Dataset;
  /** Held-out points, evaluated every epoch in evaluation mode. */
  test?: Dataset;
  /** Said beside the data when the lesson's own data could not be had (the lecture's dnnex.csv, absent from a page built without ../shared). */
  note?: string;
}

export interface Lesson {
  id: LessonId;
  /** The course's notebook, for the lesson list. */
  short: string;
  title: string;
  /** The model as torch writes it. */
  model: string;
  /** One sentence: what the lesson shows. */
  about: string;
  view: LessonView;
  frame: ModelFrame;
  defaults: { hidden: number; seed: number; lr: number; epochs: number };
  /** The dropout the lesson's switch turns on (04wk-2: p = 0.8). */
  dropoutSwitch?: number;
  /** With view 'batches': how the course trains it. */
  course?: CourseRun;
  load(): Promise<LessonData>;
}

/** 05wk-1 times 1 → H → 1 on these widths (the lecture's timings beside them, measured on an NVIDIA GeForce RTX 3090). */
export const TIMING_WIDTHS = [512, 20480, 204800] as const;
/** Seconds for 1000 epochs as the lecture measured them (its notebook ran on an NVIDIA GeForce RTX 3090): [CPU, GPU]. */
export const COLAB_SECONDS: Record<(typeof TIMING_WIDTHS)[number], [number, number]> = { 512: [0.357, 0.521], 20480: [2.73, 0.45], 204800: [85.7, 1.4] };

const split80 = (all: Dataset): LessonData => {
  const cut = 80;
  const rows = (from: number, to: number, what: string): Dataset => ({ ...all, x: all.x.slice(from, to), y: all.y.slice(from, to), truth: all.truth?.slice(from, to), n: to - from, source: `${all.source}, ${what}` });
  return { train: rows(0, cut, 'the first 80 (train)'), test: rows(cut, all.n, 'the last 20 (test)') };
};

export const LESSONS: readonly Lesson[] = [
  {
    id: '03wk-2',
    short: '03wk-2 · the bent line',
    title: 'Overcoming the limits of logistic regression',
    model: 'Linear(1,2) → ReLU → Linear(2,1) → Sigmoid',
    about: 'trained with BCE and Adam; every number computed by WGSL compute shaders.',
    view: 'lecture',
    frame: { inputs: 1, head: 'bce', dropout: 0 },
    defaults: { hidden: 2, seed: 43052, lr: 0.001, epochs: 3000 },
    load: async () => {
      const { data, fallback } = await loadLectureData(document.baseURI);
      return { train: data, note: fallback && `The lecture’s data is not here (${fallback}): the lecture’s formula with this page’s own draws is shown instead.` };
    },
  },
  {
    id: '04wk-1-step',
    short: '04wk-1 · a step',
    title: 'Any shape: a step function',
    model: 'Linear(1,256) → ReLU → Linear(256,1), BCEWithLogitsLoss',
    about: 'the logit the net draws is a sum of 256 bent lines: it can make steps that logistic regression cannot.',
    view: 'fit',
    frame: { inputs: 1, head: 'bce-logits', dropout: 0 },
    defaults: { hidden: 256, seed: 43052, lr: 0.001, epochs: 5000 },
    load: async () => ({ train: stepData() }),
  },
  {
    id: '04wk-1-curve',
    short: '04wk-1 · a curve',
    title: 'Any shape: a wiggly curve (regression)',
    model: 'Linear(1,1024) → ReLU → Linear(1024,1), MSELoss',
    about: '1024 bent lines added up follow exp(-x)·|cos 3x|·sin 3x through the noise.',
    view: 'fit',
    frame: { inputs: 1, head: 'mse', dropout: 0 },
    defaults: { hidden: 1024, seed: 43052, lr: 0.001, epochs: 5000 },
    load: async () => ({ train: curveData() }),
  },
  {
    id: '04wk-1-mnist',
    short: '04wk-1 · MNIST 3 vs 7',
    title: 'Images: MNIST, 3 against 7',
    model: 'Linear(784,32) → ReLU → Linear(32,1) → Sigmoid, BCELoss',
    about: '784 grey levels in, the probability of a 7 out; trained on 1600 digits, tested on 502 it never saw.',
    view: 'digits',
    frame: { inputs: 784, head: 'bce', dropout: 0 },
    defaults: { hidden: 32, seed: 43052, lr: 0.001, epochs: 200 },
    load: async () => (await import('./mnist')).mnistData(),
  },
  {
    id: '04wk-2-overfit',
    short: '04wk-2 · overfitting',
    title: 'Overfitting: 512 units fit pure noise',
    model: 'Linear(1,512) → ReLU → Linear(512,1), MSELoss',
    about: 'the data are noise (y = 0.01·randn); the net learns the 80 training points, not the 20 hidden ones. Dropout (p = 0.8) holds it back.',
    view: 'overfit',
    frame: { inputs: 1, head: 'mse', dropout: 0 },
    defaults: { hidden: 512, seed: 1, lr: 0.001, epochs: 1000 },
    dropoutSwitch: 0.8,
    load: async () => split80(noiseData()),
  },
  {
    id: '05wk-1-gpu',
    short: '05wk-1 · CPU against GPU',
    title: 'CPU against GPU: when does the GPU pay?',
    model: 'Linear(1,H) → ReLU → Linear(H,1), MSELoss, 100 points',
    about: '1000 epochs for H = 512, 20480 and 204800, on this GPU and on the CPU engine, beside the lecture’s timings (its notebook ran on an NVIDIA GeForce RTX 3090).',
    view: 'timing',
    frame: { inputs: 1, head: 'mse', dropout: 0 },
    defaults: { hidden: 512, seed: 43052, lr: 0.001, epochs: 1000 },
    load: async () => ({ train: noiseData() }),
  },
  {
    id: '05wk-1-minibatch',
    short: '05wk-1 · minibatches',
    title: 'Minibatches: SGD on shuffled batches of 256',
    model: 'Linear(784,32) → ReLU → Linear(32,1) → Sigmoid, BCELoss, SGD',
    about: 'MNIST 0 against 1, pixels /255: DataLoader(batch_size=256, shuffle=True) draws a new order every epoch, and SGD takes one step per batch, 7 an epoch. The loss is one point per step; the test loss one per epoch.',
    view: 'batches',
    frame: { inputs: 784, head: 'bce', dropout: 0 },
    defaults: { hidden: 32, seed: 1, lr: 0.001, epochs: 100 },
    course: {
      model: 'Linear(784,32), ReLU(), Linear(32,1), Sigmoid()',
      loss: 'BCELoss',
      optimizer: 'sgd',
      lr: 0.001,
      seed: 1n,
      epochs: 100,
      batchSize: 256,
      shuffle: true,
      classNames: ['0', '1'],
      trainCsv: 'mnist01-train.csv',
      torch: 'torch.manual_seed(1); dl = DataLoader(TensorDataset(X, y), batch_size=256, shuffle=True); optimizr = torch.optim.SGD(net.parameters(), lr=0.001)',
    },
    load: async () => (await import('./mnist')).digitClassesData(2),
  },
  {
    id: '05wk-1-mnist3',
    short: '05wk-1 · three digits',
    title: 'Three classes: Softmax and CrossEntropyLoss',
    model: 'Linear(784,32) → ReLU → Linear(32,3), CrossEntropyLoss',
    about: 'MNIST 0, 1 and 2: three logits out, CrossEntropyLoss takes their softmax against the class index, and the class read is the argmax. The confusion matrix shows which digits it mistakes for which.',
    view: 'batches',
    frame: { inputs: 784, head: 'ce', dropout: 0 },
    defaults: { hidden: 32, seed: 43052, lr: 0.001, epochs: 100 },
    course: {
      model: 'Linear(784,32), ReLU(), Linear(32,3)',
      loss: 'CrossEntropyLoss',
      optimizer: 'adam',
      lr: 0.001,
      seed: 43052n,
      epochs: 100,
      classNames: ['0', '1', '2'],
      trainCsv: 'mnist012-train.csv',
      torch: 'torch.manual_seed(43052); loss_fn = torch.nn.CrossEntropyLoss(); optimizr = torch.optim.Adam(net.parameters(), lr=0.001)  # full batch, y the class index',
    },
    load: async () => (await import('./mnist')).digitClassesData(3),
  },
  {
    id: '05wk-2-cnn',
    short: '05wk-2 · the first CNN',
    title: 'The first CNN: Conv2d, ReLU, MaxPool2d',
    model: 'Conv2d(1,16,(5,5)) → ReLU → MaxPool2d((2,2)) → Flatten → Linear(2304,1) → Sigmoid, BCELoss',
    about: 'MNIST 0 against 1 as 28×28 images: 16 learned 5×5 kernels slide over each digit, the ReLU keeps what matches, the pool halves each map, and one Linear layer reads the 16×12×12 = 2304 numbers. Batches of 128, Adam, unshuffled as the notebook: the 0s come first, then the 1s, and the loss jumps at step 7 when the first batch of 1s arrives.',
    view: 'batches',
    frame: { inputs: 784, head: 'bce', dropout: 0 },
    defaults: { hidden: 16, seed: 43052, lr: 0.001, epochs: 5 },
    course: {
      model: 'Conv2d(1,16,(5,5)), ReLU(), MaxPool2d((2,2)), Flatten(), Linear(2304,1), Sigmoid()',
      loss: 'BCELoss',
      input: [1, 28, 28],
      optimizer: 'adam',
      lr: 0.001,
      seed: 43052n,
      epochs: 5,
      batchSize: 128,
      classNames: ['0', '1'],
      trainCsv: 'mnist01-train.csv',
      torch: 'torch.manual_seed(43052); dl = DataLoader(TensorDataset(X.reshape(-1,1,28,28), y), batch_size=128); optimizr = torch.optim.Adam(net.parameters(), lr=0.001)',
    },
    load: async () => (await import('./mnist')).digitClassesData(2),
  },
  {
    id: 'plane-rings',
    short: '2-D · rings',
    title: 'Two inputs: a ring of 1s',
    model: 'Linear(2,H) → ReLU → Linear(H,1) → Sigmoid, BCELoss',
    about: 'x1 and x2 in, the probability of a 1 out; the 1s lie inside a circle, which no line can cut. The heatmap is the model’s answer at every point of the plane.',
    view: 'plane',
    frame: { inputs: 2, head: 'bce', dropout: 0 },
    defaults: { hidden: 16, seed: 0, lr: 0.01, epochs: 1000 },
    load: async () => ({ train: ringsData() }),
  },
  {
    id: 'plane-xor',
    short: '2-D · xor',
    title: 'Two inputs: xor',
    model: 'Linear(2,H) → ReLU → Linear(H,1) → Sigmoid, BCELoss',
    about: 'x1 and x2 in; a 1 where they have the same sign. Logistic regression cannot: one line leaves two quadrants wrong. The heatmap is the model’s answer at every point.',
    view: 'plane',
    frame: { inputs: 2, head: 'bce', dropout: 0 },
    defaults: { hidden: 8, seed: 0, lr: 0.01, epochs: 1000 },
    load: async () => ({ train: xorData() }),
  },
];

export const DEFAULT_LESSON: LessonId = '03wk-2';

/** The lesson a query names (`?lesson=`), or the lecture. */
export function lessonOf(query: URLSearchParams): Lesson {
  const id = query.get('lesson');
  return LESSONS.find((l) => l.id === id) ?? LESSONS[0];
}
