// The ground truth in ../shared, read through Vite so the same code works in Node and the browser.
import dnnexCsv from '../../shared/data/dnnex.csv?raw';
import lectureGolden from '../../shared/golden/lecture-seed43052.json';
import initGolden from '../../shared/golden/init.json';

export interface GoldenParams {
  W1: number[];
  b1: number[];
  W2: number[];
  b2: number[];
}

export const DNNEX_CSV: string = dnnexCsv;
export const LECTURE = lectureGolden as unknown as {
  config: { seed: number; hidden: number; lr: number; epochs: number };
  init: GoldenParams;
  loss: number[];
  checkpoints: Record<'3000' | '6000', { params: GoldenParams; prob: number[] }>;
};
export const INITS = (initGolden as unknown as { inits: ({ seed: number; hidden: number } & GoldenParams)[] }).inits;

// The course's networks (DL2024 04wk-1, 04wk-2), PyTorch float32 trajectories and their data.
import stepCsv from '../../shared/data/step2000.csv?raw';
import curveCsv from '../../shared/data/curve2000.csv?raw';
import noiseCsv from '../../shared/data/noise100.csv?raw';
import ringsCsv from '../../shared/data/rings1000.csv?raw';
import mnistTrainCsv from '../../shared/data/mnist37-train.csv?raw';
import mnistTestCsv from '../../shared/data/mnist37-test.csv?raw';
import stepGolden from '../../shared/golden/step2000-h256-bcelogits.json';
import curveGolden from '../../shared/golden/curve2000-h1024-mse.json';
import noiseGolden from '../../shared/golden/noise100-h512-mse-holdout.json';
import mnistGolden from '../../shared/golden/mnist37-h32-bce.json';
import ringsGolden from '../../shared/golden/rings1000-h16x16-bce.json';

export interface CourseGolden {
  config: { data: string; test: string | null; features: string[]; target: string; layers: number[]; head: 'bce' | 'bce-logits' | 'mse'; seed: number; lr: number; epochs: number };
  init: Record<string, number[]>;
  loss: number[];
  tolerance: number[];
  test_loss?: number[];
  test_tolerance?: number[];
  checkpoints: Record<string, { params: Record<string, number[]>; prob?: number[]; yhat?: number[] }>;
}

/** Each golden with its data as CSV text (and the test set's, when it has its own file). */
export const COURSE: Record<string, { golden: CourseGolden; csv: string; testCsv?: string; holdout?: number }> = {
  'step2000-h256-bcelogits': { golden: stepGolden as unknown as CourseGolden, csv: stepCsv },
  'curve2000-h1024-mse': { golden: curveGolden as unknown as CourseGolden, csv: curveCsv },
  'noise100-h512-mse-holdout': { golden: noiseGolden as unknown as CourseGolden, csv: noiseCsv, holdout: 0.2 },
  'mnist37-h32-bce': { golden: mnistGolden as unknown as CourseGolden, csv: mnistTrainCsv, testCsv: mnistTestCsv },
  'rings1000-h16x16-bce': { golden: ringsGolden as unknown as CourseGolden, csv: ringsCsv },
};

// The course's 05wk-1 sessions: SGD, minibatches (DataLoader), CrossEntropyLoss, per optimizer step.
import mnist01TrainCsv from '../../shared/data/mnist01-train.csv?raw';
import mnist01TestCsv from '../../shared/data/mnist01-test.csv?raw';
import mnist012TrainCsv from '../../shared/data/mnist012-train.csv?raw';
import mnist012TestCsv from '../../shared/data/mnist012-test.csv?raw';
import sgdGolden from '../../shared/golden/mnist01-h32-sgd.json';
import sgdB256Golden from '../../shared/golden/mnist01-h32-sgd-b256.json';
import sgdShuffleGolden from '../../shared/golden/mnist01-h32-sgd-b256-shuffle.json';
import ceGolden from '../../shared/golden/mnist012-h32-ce.json';

export interface StepGolden {
  config: {
    data: string;
    test: string;
    target: string;
    model: string[];
    loss: string;
    targets: string;
    optimizer: { name: 'SGD' | 'Adam'; lr: number };
    batch_size: number | null;
    shuffle: boolean;
    epochs: number;
    seed: number;
    steps_per_epoch: number;
  };
  init: Record<string, { shape: number[]; data: number[] }>;
  /** One per optimizer step. */
  loss: number[];
  tolerance: number[];
  /** One per epoch. */
  test_loss: number[];
  test_tolerance: number[];
  accuracy: { train: number; test: number };
  order?: number[][];
  checkpoints: Record<string, { params: Record<string, { shape: number[]; data: number[] }> }>;
}

/** Each per-step golden with its train and test CSV text. */
export const STEP_GOLDENS: Record<string, { golden: StepGolden; csv: string; testCsv: string }> = {
  'mnist01-h32-sgd': { golden: sgdGolden as unknown as StepGolden, csv: mnist01TrainCsv, testCsv: mnist01TestCsv },
  'mnist01-h32-sgd-b256': { golden: sgdB256Golden as unknown as StepGolden, csv: mnist01TrainCsv, testCsv: mnist01TestCsv },
  'mnist01-h32-sgd-b256-shuffle': { golden: sgdShuffleGolden as unknown as StepGolden, csv: mnist01TrainCsv, testCsv: mnist01TestCsv },
  'mnist012-h32-ce': { golden: ceGolden as unknown as StepGolden, csv: mnist012TrainCsv, testCsv: mnist012TestCsv },
};

// The course's first CNN (05wk-2, 06wk-1): Conv2d(1,16,(5,5)), ReLU, MaxPool2d(2), Flatten, Linear(2304, 1|3).
import cnnBceGolden from '../../shared/golden/mnist01-cnn-bce.json';
import cnnBceB128Golden from '../../shared/golden/mnist01-cnn-bce-b128.json';
import cnnCeB128Golden from '../../shared/golden/mnist012-cnn-ce-b128.json';

export const CNN_GOLDENS: Record<string, { golden: StepGolden & { config: { input: number[] } }; csv: string; testCsv: string }> = {
  'mnist01-cnn-bce': { golden: cnnBceGolden as unknown as StepGolden & { config: { input: number[] } }, csv: mnist01TrainCsv, testCsv: mnist01TestCsv },
  'mnist01-cnn-bce-b128': { golden: cnnBceB128Golden as unknown as StepGolden & { config: { input: number[] } }, csv: mnist01TrainCsv, testCsv: mnist01TestCsv },
  'mnist012-cnn-ce-b128': { golden: cnnCeB128Golden as unknown as StepGolden & { config: { input: number[] } }, csv: mnist012TrainCsv, testCsv: mnist012TestCsv },
};
