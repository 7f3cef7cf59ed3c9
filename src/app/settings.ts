// The run's settings: read from the form, validated field by field. The address bar describes the
// model on screen (its width, seed, data set, the learning rate of its last run), not the form's
// pending edits, so a link reproduces what one sees.
import { MODEL_LIMITS, type Head } from '../model/layout';
import { parseSeed } from '../model/seed';
import { DEFAULT_CONFIG, validateConfig, type ConfigProblem, type TrainerConfig } from '../train/trainer';
import { STRATEGY_NAMES, type StrategyChoice } from '../train/strategy';

export interface PageSettings {
  epochs: number;
  config: TrainerConfig;
}

/** Data sets a link can name; a local file cannot be reloaded from a link, so it names only itself. */
/** The lecture's data list: dnnex.csv shipped with the page (the default), the formula with the page's draws, dnnex.csv online, a file. */
export type DataChoice = 'lecture' | 'generated' | 'lecture-url' | 'file';

const FIELDS = ['epochs', 'seed', 'lr', 'hidden', 'strategy', 'workgroup'] as const;
export type Field = (typeof FIELDS)[number];

/** Learning rates on a log scale (1, 3, 10, …): what the lr field offers; any other can be typed. */
export const LR_PRESETS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];

const input = (name: Field) => document.getElementById(name) as HTMLInputElement | HTMLSelectElement;

/** Fills the form from the URL's query (bad values are left for validation to flag); the data set named. */
export function loadSettingsFromUrl(): { data: DataChoice; speed?: string } {
  const query = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    const v = query.get(name);
    if (v !== null) input(name).value = v;
  }
  const data = query.get('data');
  return { data: data === 'generated' || data === 'lecture-url' || data === 'file' ? data : 'lecture', speed: query.get('speed') ?? undefined };
}

/** The model on screen, in the address bar. */
export function saveModelToUrl(s: PageSettings, data: DataChoice, speed: string): void {
  const query = new URLSearchParams(location.search);
  query.set('epochs', String(s.epochs));
  query.set('seed', String(s.config.seed));
  query.set('lr', String(s.config.lr));
  query.set('hidden', String(hiddenOf(s.config)));
  query.set('data', data);
  // Deeper than the form's one hidden layer (an imported model): the whole list, so the link rebuilds it.
  if (s.config.model.layers.length > 3) query.set('layers', s.config.model.layers.join(','));
  else query.delete('layers');
  if (s.config.model.dropout > 0) query.set('dropout', String(s.config.model.dropout));
  else query.delete('dropout');
  query.set('speed', speed);
  if (s.config.strategy === 'auto') query.delete('strategy');
  else query.set('strategy', s.config.strategy);
  if (s.config.workgroupSize === undefined) query.delete('workgroup');
  else query.set('workgroup', String(s.config.workgroupSize));
  history.replaceState(null, '', `${location.pathname}?${query}${location.hash}`);
}

/** The form field each field of a ConfigProblem belongs to (the engine settings the form lacks: under Advanced). */
const FIELD_OF: Record<ConfigProblem['field'], Field> = {
  layers: 'hidden',
  head: 'hidden',
  dropout: 'hidden',
  data: 'hidden',
  test: 'hidden',
  lr: 'lr',
  seed: 'seed',
  workgroupSize: 'workgroup',
  strategy: 'strategy',
  chunkEpochs: 'strategy',
  pointsPerThread: 'strategy',
  tiles: 'strategy',
  optimizer: 'lr',
  batchSize: 'strategy',
  shuffle: 'strategy',
};

/** The rest of the model the form does not set: the lesson's inputs, head and dropout. */
export interface ModelFrame {
  inputs: number;
  head: Head;
  dropout: number;
  /**
   * Hidden widths after the first (the form's field sets the first): none for the lessons; an
   * imported file of layers 1,16,16,1 leaves [16] here, so the form keeps describing its model.
   */
  deeper?: readonly number[];
}

/** The hidden width of a model of one hidden layer (the form's field): layers[1]. */
export const hiddenOf = (config: TrainerConfig): number => config.model.layers[1];

const LABELS: Record<Field, string> = { epochs: 'epochs per run', seed: 'seed', lr: 'learning rate', hidden: 'hidden width', strategy: 'strategy', workgroup: 'workgroup size' };

/** The settings, or the problems keyed by field (each field shows its own message). */
export function readSettings(frame: ModelFrame): { settings?: PageSettings; problems: Map<Field, string> } {
  const problems = new Map<Field, string>();
  const num = (name: Field) => {
    const raw = input(name).value.trim();
    // Decimals only, as the CSV reader (issue #20: Number() took "0x10" as 16).
    const v = raw === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? NaN : Number(raw);
    if (!Number.isFinite(v)) problems.set(name, `${LABELS[name]} must be a number, written in decimal (like 0.001 or 1e-3)`);
    return v;
  };
  const epochs = num('epochs');
  if (!problems.has('epochs') && (!Number.isInteger(epochs) || epochs < 1 || epochs > 1_000_000)) problems.set('epochs', 'epochs per run must be an integer from 1 to 1000000');
  const strategy = input('strategy').value as StrategyChoice;
  // Empty means the strategy's own default.
  const workgroupSize = input('workgroup').value.trim() === '' ? undefined : num('workgroup');
  const hidden = num('hidden');
  if (!problems.has('hidden') && (!Number.isInteger(hidden) || hidden < 1 || hidden > MODEL_LIMITS.maxWidth)) problems.set('hidden', `hidden width must be an integer from 1 to ${MODEL_LIMITS.maxWidth}`);
  const parsed = parseSeed(input('seed').value);
  if ('message' in parsed) problems.set('seed', parsed.message.replace(/from -9223372036854775808 to 18446744073709551615/, 'from -2⁶³ to 2⁶⁴ − 1')); // issue #20: no 20-digit bounds
  const seed = 'seed' in parsed ? parsed.seed : DEFAULT_CONFIG.seed;
  const model = { layers: [frame.inputs, hidden, ...(frame.deeper ?? []), 1], head: frame.head, dropout: frame.dropout };
  const config: TrainerConfig = { ...DEFAULT_CONFIG, model, seed, lr: num('lr'), strategy, workgroupSize };
  for (const problem of validateConfig(config)) {
    const field = FIELD_OF[problem.field];
    if (!problems.has(field)) problems.set(field, problem.message);
  }
  if (!['auto', ...STRATEGY_NAMES].includes(strategy)) problems.set('strategy', `unknown strategy ${strategy}`);
  for (const name of FIELDS) {
    const el = input(name);
    const problem = problems.get(name);
    el.setAttribute('aria-invalid', problem ? 'true' : 'false');
    const note = document.getElementById(`${name}-problem`);
    if (note) {
      note.textContent = problem ?? '';
      note.hidden = !problem;
    }
  }
  return problems.size > 0 ? { problems } : { settings: { epochs, config }, problems };
}

/** Writes settings back into the form (a restored model, an imported file). */
export function writeSettings(s: Partial<Record<Field, string | number | undefined>>): void {
  for (const [name, value] of Object.entries(s) as [Field, string | number | undefined][]) input(name).value = value === undefined ? '' : String(value);
}

/** Settings that change the model itself (not just how it trains), as "name: form value (model: value)". */
export function modelChanges(form: TrainerConfig, model: TrainerConfig): string[] {
  const changes: string[] = [];
  const [a, b] = [form.model, model.model];
  if (a.layers.join() !== b.layers.join()) {
    const sameFrame = a.layers.length === 3 && b.layers.length === 3 && a.layers[0] === b.layers[0];
    changes.push(sameFrame ? `hidden width ${a.layers[1]} (the model has ${b.layers[1]})` : `layers ${a.layers.join('-')} (the model has ${b.layers.join('-')})`);
  }
  if (a.head !== b.head) changes.push(`head ${a.head} (the model has ${b.head})`);
  if (a.dropout !== b.dropout) changes.push(`dropout ${a.dropout} (the model has ${b.dropout})`);
  if (form.seed !== model.seed) changes.push(`seed ${form.seed} (the model started from ${model.seed})`);
  return changes;
}

/**
 * The hidden widths after the first that a link's `layers=` names (an imported model's), when it
 * names a model of `inputs` inputs and one output with at least two hidden layers; else none.
 */
export function deeperFromUrl(query: URLSearchParams, inputs: number): { first: number; deeper: number[] } | undefined {
  const layers = (query.get('layers') ?? '').split(',').map(Number);
  const valid = layers.length > 3 && layers.every((v) => Number.isInteger(v) && v >= 1 && v <= MODEL_LIMITS.maxWidth) && layers[0] === inputs && layers[layers.length - 1] === 1;
  return valid ? { first: layers[1], deeper: layers.slice(2, -1) } : undefined;
}
