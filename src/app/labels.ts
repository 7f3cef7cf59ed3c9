// Labels checked at Load (issue #20): a classifier's data with y outside [0, 1] (y coded −1/1 is a
// common convention) is refused before it replaces the data on screen, with the fix offered as a
// button ("Map −1 → 0"), instead of loading "2000 points" that the chart drops and Play cannot train.
import type { Dataset } from '../data/dataset';
import type { Head } from '../model/layout';

/** Why the labels do not suit the head, and the mapping that would make them 0 and 1 (when there is one). */
export interface LabelProblem {
  message: string;
  /** The button's text, e.g. "Map −1 → 0", and the data with the labels mapped; absent when no mapping fits. */
  fix?: { label: string; apply: () => Dataset };
}

/** A number as the page prints it in a label: −1 with a real minus sign. */
const num = (v: number) => String(v).replace('-', '−');

/**
 * Undefined when every label suits `head` (BCE heads: every y in [0, 1]; mse: any finite y).
 * Labels of exactly two values outside [0, 1], {a < b}, are offered the map a → 0, b → 1 (for
 * y ∈ {−1, 1}: "Map −1 → 0"). Errors: non-finite labels have no fix; other values outside [0, 1]
 * are refused with the range found.
 */
export function checkLabels(data: Dataset, head: Head): LabelProblem | undefined {
  let low = Infinity;
  let high = -Infinity;
  const distinct = new Set<number>();
  for (let i = 0; i < data.n; i++) {
    const v = data.y[i];
    if (!Number.isFinite(v)) return { message: `${data.target} of point ${i + 1} is ${v}: training needs a number in every row` };
    low = Math.min(low, v);
    high = Math.max(high, v);
    if (distinct.size <= 2) distinct.add(v);
  }
  if (head === 'mse' || data.n === 0 || (low >= 0 && high <= 1)) return undefined;
  const what = `${data.source}: the labels ${data.target} run from ${num(low)} to ${num(high)}, but this lesson's classifier (its sigmoid and BCE loss) needs labels 0 and 1`;
  if (distinct.size !== 2) return { message: `${what}. Rescale the column to [0, 1] in the file.` };
  const [a, b] = [low, high];
  const apply = (): Dataset => ({ ...data, y: data.y.map((v) => (v === a ? 0 : 1)), source: `${data.source} (${num(a)} → 0${b === 1 ? '' : `, ${num(b)} → 1`})` });
  return { message: `${what}.`, fix: { label: b === 1 ? `Map ${num(a)} → 0` : `Map ${num(a)} → 0, ${num(b)} → 1`, apply } };
}

/**
 * Shows `problem` in `box` (the data message) with its fix as a button that calls `onFix` with the
 * mapped data; the previous data and model are kept until then.
 */
export function showLabelProblem(box: HTMLElement, problem: LabelProblem, onFix: (fixed: Dataset) => void): void {
  const text = document.createElement('p');
  text.textContent = `Not loaded: ${problem.message} The previous data and model are kept.`;
  box.replaceChildren(text);
  if (problem.fix) {
    const { label, apply } = problem.fix;
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'label-fix';
    button.textContent = `${label} and load`;
    button.addEventListener('click', () => onFix(apply()));
    box.append(button);
  }
  box.hidden = false;
}
