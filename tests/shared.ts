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
