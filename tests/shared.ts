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
