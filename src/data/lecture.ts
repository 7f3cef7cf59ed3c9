// The lecture's own 2000 points (the notebook's dnnex.csv), shipped with the page: the build puts
// ../shared/data/dnnex.csv at `data/dnnex.csv` beside index.html (vite.config.ts, plugin
// lecture-data), so the page trains on the notebook's data offline and at once. A page built
// without ../shared has no such file: then the lecture's formula with the page's own draws
// (src/data/generate.ts), and the reason, so the page can say which data it shows.
import { parseCsv } from './csv';
import type { Dataset } from './dataset';
import { generateLectureData } from './generate';

/** Where the build puts the lecture's data, relative to the page (vite.config.ts emits it there). */
export const LECTURE_DATA_PATH = 'data/dnnex.csv';
/** The source name of the shipped data set: status.ts's lectureDataNote recognises it. */
export const LECTURE_DATA_SOURCE = 'dnnex.csv (the lecture’s, shipped with the page)';

export interface LectureData {
  data: Dataset;
  /** Why the page's own draws are shown instead of dnnex.csv (absent when dnnex.csv loaded). */
  fallback?: string;
}

/**
 * The lecture's data set: dnnex.csv from beside the page (`base`, the page's URL), or, when it is
 * absent or unreadable, the generator's 2000 points and the reason. Never throws.
 */
export async function loadLectureData(base: string, fetchImpl: typeof fetch = fetch): Promise<LectureData> {
  const url = new URL(LECTURE_DATA_PATH, base).href;
  try {
    const response = await fetchImpl(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return { data: parseCsv(await response.text(), LECTURE_DATA_SOURCE) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { data: generateLectureData(), fallback: `this page was built without the lecture’s dnnex.csv (${why})` };
  }
}
