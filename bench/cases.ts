// The course's shapes, as data: each network with its data set (the shared CSVs where they exist,
// generated otherwise), seed and learning rate as the course trains it, and the N × H grid of the
// lecture's family. `quick` marks the cases `npm run bench -- --quick` keeps.
import { parseCsv } from '../src/data/csv';
import { generateLectureData } from '../src/data/generate';
import type { Dataset } from '../src/data/dataset';
import { MT19937 } from '../src/model/mt19937';
import type { ConvSpec, Head, ModelSpec } from '../src/model/layout';

/** Where a case's points come from. */
export type DataSource =
  // n: the file's rows; rows: those rows repeated up to this many
  | { csv: string; features: string[]; target: string; n: number; rows?: number }
  | { generate: 'lecture'; n: number }
  | { generate: 'rings'; n: number; seed: number };

export interface CourseCase {
  id: string;
  /** What the course calls it. */
  title: string;
  layers: number[];
  head: Head;
  seed: bigint;
  lr: number;
  data: DataSource;
  quick: boolean;
  /** PyTorch CPU µs/epoch measured on another machine by the author: shown, labelled, when no torch ran; never decides a target. */
  torchReferenceUs?: number;
  /** The 05wk-1 table: epochs the lecture trains, and its Colab seconds (CPU, GPU) for them. */
  colab?: { epochs: number; cpuSeconds: number; gpuSeconds: number };
  /** The convolution stage in front of `layers` (the CNN: layers then start at its O·PH·PW outputs). */
  conv?: ConvSpec;
  /** Rows per optimizer step, as DataLoader(batch_size=B, shuffle=False); absent: the full batch. */
  batchSize?: number;
  /** At most this many epochs in the loss run (cases of seconds an epoch; the plan's lossEpochs otherwise). */
  maxLossEpochs?: number;
  /** False: run only when asked by `--case` (not in the full plan). Absent: in the full plan. */
  inFullPlan?: boolean;
  /** The PyTorch trajectory of this run in ../shared/golden (file name): the bench holds every strategy's first steps against it. */
  golden?: string;
}

const MNIST_FEATURES = Array.from({ length: 784 }, (_, i) => `p${i}`);

/** The shared CSVs the cases read (from ../shared/data). */
export const CSV_FILES = ['dnnex.csv', 'step2000.csv', 'curve2000.csv', 'mnist37-train.csv', 'rings1000.csv', 'noise100.csv', 'mnist01-train.csv', 'mnist012-train.csv'] as const;

/** A golden's key among the shared texts: its path from ../shared/data, where the CSVs are read. */
export const goldenKey = (file: string): string => `../golden/${file}`;

/** The course's first CNN (05wk-2, 06wk-1): Conv2d(1,16,(5,5)) → ReLU → MaxPool2d((2,2)) → Flatten on 28×28 digits. */
export const COURSE_CNN: ConvSpec = { input: [1, 28, 28], outChannels: 16, kernel: 5, pool: 2 };

/**
 * The CNN cases: 05wk-2's BCELoss on digits 0/1 (full batch, and DataLoader batches of 128) and
 * 06wk-1's three digits with CrossEntropyLoss (batches of 128), Adam lr 0.001, seed 43052, as the
 * goldens were made. An epoch takes seconds on a software adapter, so the loss run is two epochs
 * (the first also compiles) and the three-class case runs only when asked (`--case`).
 */
const cnn = (id: string, title: string, csv: string, n: number, head: Head, classes: number, golden: string, batchSize?: number, inFullPlan?: boolean): CourseCase => ({
  id,
  title,
  layers: [16 * 12 * 12, classes],
  head,
  conv: COURSE_CNN,
  seed: 43052n,
  lr: 0.001,
  data: { csv, n, features: MNIST_FEATURES, target: 'y' },
  quick: false,
  batchSize,
  maxLossEpochs: 2,
  inFullPlan,
  golden,
});

const wk05 = (hidden: number, quick: boolean, colab: CourseCase['colab'], torchReferenceUs?: number): CourseCase => ({
  id: `noise100-1-${hidden}-1`,
  title: `05wk-1: 1-${hidden}-1 MSE, 100 points`,
  layers: [1, hidden, 1],
  head: 'mse',
  seed: 1n,
  lr: 0.001,
  data: { csv: 'noise100.csv', n: 100, features: ['x'], target: 'y' },
  quick,
  torchReferenceUs,
  colab,
});

export const COURSE_CASES: CourseCase[] = [
  { id: 'lecture-1-2-1', title: 'lecture 1-2-1 (dnnex)', layers: [1, 2, 1], head: 'bce', seed: 43052n, lr: 0.001, data: { csv: 'dnnex.csv', n: 2000, features: ['x'], target: 'y' }, quick: true, torchReferenceUs: 200 },
  { id: 'step2000-1-256-1', title: '04wk 1-256-1 BCE-logits (step2000)', layers: [1, 256, 1], head: 'bce-logits', seed: 43052n, lr: 0.001, data: { csv: 'step2000.csv', n: 2000, features: ['x'], target: 'y' }, quick: true, torchReferenceUs: 6100 },
  { id: 'curve2000-1-1024-1', title: '04wk 1-1024-1 MSE (curve2000)', layers: [1, 1024, 1], head: 'mse', seed: 43052n, lr: 0.001, data: { csv: 'curve2000.csv', n: 2000, features: ['x'], target: 'y' }, quick: false, torchReferenceUs: 34000 },
  { id: 'mnist37-784-32-1', title: 'MNIST 3/7 784-32-1', layers: [784, 32, 1], head: 'bce', seed: 43052n, lr: 0.001, data: { csv: 'mnist37-train.csv', n: 1600, features: MNIST_FEATURES, target: 'y' }, quick: true },
  { id: 'mnist37x-784-32-1', title: 'MNIST 784-32-1, 12,396 rows (the 1600 tiled)', layers: [784, 32, 1], head: 'bce', seed: 43052n, lr: 0.001, data: { csv: 'mnist37-train.csv', n: 1600, features: MNIST_FEATURES, target: 'y', rows: 12396 }, quick: false },
  { id: 'rings1000-2-16-16-1', title: 'rings 2-16-16-1', layers: [2, 16, 16, 1], head: 'bce', seed: 0n, lr: 0.01, data: { csv: 'rings1000.csv', n: 1000, features: ['x1', 'x2'], target: 'y' }, quick: true },
  { id: 'rings100k-2-16-16-1', title: 'rings 2-16-16-1, 100,000 generated points', layers: [2, 16, 16, 1], head: 'bce', seed: 0n, lr: 0.01, data: { generate: 'rings', n: 100000, seed: 2024 }, quick: false },
  wk05(512, true, { epochs: 1000, cpuSeconds: 0.357, gpuSeconds: 0.521 }),
  wk05(20480, true, { epochs: 1000, cpuSeconds: 2.73, gpuSeconds: 0.45 }, 33000),
  wk05(204800, false, { epochs: 1000, cpuSeconds: 85.7, gpuSeconds: 1.4 }),
  cnn('cnn-mnist01-full', '05wk-2 CNN, digits 0/1, BCE, full batch', 'mnist01-train.csv', 1600, 'bce', 1, 'mnist01-cnn-bce.json'),
  cnn('cnn-mnist01-b128', '05wk-2 CNN, digits 0/1, BCE, batches of 128', 'mnist01-train.csv', 1600, 'bce', 1, 'mnist01-cnn-bce-b128.json', 128),
  cnn('cnn-mnist012-b128-ce', '06wk-1 CNN, digits 0/1/2, CrossEntropy, batches of 128', 'mnist012-train.csv', 2400, 'ce', 3, 'mnist012-cnn-ce-b128.json', 128, false),
];

/** Every shared file the cases read, by its path from ../shared/data: the CSVs, then the goldens the cases are held against. */
export const SHARED_FILES: readonly string[] = [...CSV_FILES, ...COURSE_CASES.flatMap((c) => (c.golden ? [goldenKey(c.golden)] : []))];

/** The model of a case (with its conv stage, when it has one). */
export const caseSpec = (c: Pick<CourseCase, 'layers' | 'head' | 'conv'>): ModelSpec => ({ layers: c.layers, head: c.head, dropout: 0, ...(c.conv ? { conv: c.conv } : {}) });

/** A case's shape as the tables print it: `784-32-1`, or `conv 1×28×28→16 k5 pool 2, 2304-1`. */
export function shapeText(c: Pick<CourseCase, 'layers' | 'conv'>): string {
  const linear = c.layers.join('-');
  if (!c.conv) return linear;
  const { input, outChannels, kernel, pool } = c.conv;
  return `conv ${input.join('×')}→${outChannels} k${kernel} pool ${pool}, ${linear}`;
}

/** The rings set's distribution (shared/README.md): x ~ U(-1,1)², P(y=1) = sigmoid(12(0.55 - |x|)), from a seeded MT19937. */
export function generateRings(n: number, seed: number): Dataset {
  const rng = new MT19937(seed);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(-1, 1);
    const b = rng.uniform(-1, 1);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = rng.uniform(0, 1) < 1 / (1 + Math.exp(-12 * (0.55 - Math.hypot(a, b)))) ? 1 : 0;
  }
  return { x, d: 2, n, y, features: ['x1', 'x2'], target: 'y', source: `generated rings (seed ${seed}, ${n} points)` };
}

/** Repeats a data set's rows in order up to `rows` points. */
export function tileRows(data: Dataset, rows: number): Dataset {
  const x = new Float32Array(rows * data.d);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const from = i % data.n;
    x.set(data.x.subarray(from * data.d, (from + 1) * data.d), i * data.d);
    y[i] = data.y[from];
  }
  return { ...data, x, y, n: rows, prob: undefined, truth: undefined, source: `${data.source}, ${data.n} rows tiled to ${rows}` };
}

/**
 * Random points of a CSV's shape, for a machine without ../shared (a device machine): features
 * uniform in [0, 1) (MNIST 3/7's in [0, 255), as its raw grey levels), targets Bernoulli(½), or small
 * noise for mse. The timing of a shape does not depend on its values; the losses are then not the course's.
 */
export function standIn(source: Extract<DataSource, { csv: string }>, head: Head): Dataset {
  const rng = new MT19937(7);
  const d = source.features.length;
  const scale = source.csv === 'mnist37-train.csv' ? 255 : 1; // the other digit sets are divided by 255
  const x = Float32Array.from({ length: source.n * d }, () => Math.floor(rng.uniform(0, 1) * scale * 1000) / 1000);
  const y = Float32Array.from({ length: source.n }, () => (head === 'mse' ? rng.uniform(-0.01, 0.01) : rng.uniform(0, 1) < 0.5 ? 1 : 0));
  return { x, d, n: source.n, y, features: source.features, target: source.target, source: `random stand-in for ${source.csv}` };
}

/** A case's data set, from the CSV texts by file name; a random stand-in of its shape when the file was not found. */
export function loadData(source: DataSource, csvTexts: Record<string, string>, head: Head): Dataset {
  if ('generate' in source) return source.generate === 'lecture' ? generateLectureData(1, source.n) : generateRings(source.n, source.seed);
  const text = csvTexts[source.csv];
  const data = text === undefined ? standIn(source, head) : parseCsv(text, source.csv, { features: source.features, target: source.target });
  return source.rows ? tileRows(data, source.rows) : data;
}

/** The course case with this id, or undefined. */
export const courseCaseOf = (id: string): CourseCase | undefined => COURSE_CASES.find((c) => c.id === id);
