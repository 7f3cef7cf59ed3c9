// Link values the page cannot use (issue #20): a link's `?workgroup=3`, `?strategy=bogus`,
// `?seed=abc` or `?hidden=0` is dropped, field by field, for the lesson's default, and a note says
// which values were dropped and why, so a bad link never leaves the page without a model.
import type { Field } from './settings';

/** The form's value for each link field when the link's own is dropped: the lesson's defaults. */
export type FieldDefaults = Record<Field, string>;

/** One dropped value: the query's name, what the link said, and why it was refused. */
export interface DroppedValue {
  name: string;
  value: string;
  message: string;
}

/** The query's name of each form field (the form's workgroup field is `workgroup` in links too). */
const QUERY_NAME: Record<Field, string> = { epochs: 'epochs', seed: 'seed', lr: 'lr', hidden: 'hidden', strategy: 'strategy', workgroup: 'workgroup' };

/**
 * The fields whose link value the form refused, reset to `defaults` in the form; returns what was
 * dropped. `problems` is the form's validation (settings.readSettings) after the link filled it;
 * `query` is the page's query. Fields the link did not set are left alone (the lesson's own).
 */
export function dropBadLinkValues(query: URLSearchParams, problems: ReadonlyMap<Field, string>, defaults: FieldDefaults): DroppedValue[] {
  const dropped: DroppedValue[] = [];
  for (const [field, message] of problems) {
    const name = QUERY_NAME[field];
    const value = query.get(name);
    if (value === null) continue;
    const input = document.getElementById(field) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = defaults[field];
    dropped.push({ name, value, message: plain(message) });
  }
  return dropped;
}

/** A form message as the note says it: no ", got …" (the note quotes the link), no 20-digit seed bounds. */
function plain(message: string): string {
  return message
    .replace(/, got .*$/, '')
    .replace(/^unknown strategy.*$/, 'not one of the strategies')
    .replace(/from -9223372036854775808 to 18446744073709551615/, 'of 64 bits');
}

/** The note shown for dropped values, or undefined when none were: "The link's workgroup=3 was not used (…)". */
export function droppedNote(dropped: readonly DroppedValue[], defaults: FieldDefaults): string | undefined {
  if (dropped.length === 0) return undefined;
  const parts = dropped.map((d) => `${d.name}=${d.value || '(empty)'} (${d.message}; using ${defaults[d.name as Field] || 'the default'})`);
  return `This link's ${parts.join(', ')} ${dropped.length === 1 ? 'was' : 'were'} not used.`;
}
