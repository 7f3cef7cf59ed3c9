// The run's settings: read from the form, validated field by field. The address bar describes the
// model on screen (its width, seed, data set, the learning rate of its last run), not the form's
// pending edits, so a link reproduces what one sees.
import { DEFAULT_CONFIG, validateConfig, type TrainerConfig } from '../train/trainer';
import { STRATEGY_NAMES, type StrategyChoice } from '../train/strategy';

export interface PageSettings {
  epochs: number;
  config: TrainerConfig;
}

/** Data sets a link can name; a local file cannot be reloaded from a link, so it names only itself. */
export type DataChoice = 'generated' | 'lecture-url' | 'file';

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
  return { data: data === 'lecture-url' || data === 'file' ? data : 'generated', speed: query.get('speed') ?? undefined };
}

/** The model on screen, in the address bar. */
export function saveModelToUrl(s: PageSettings, data: DataChoice, speed: string): void {
  const query = new URLSearchParams(location.search);
  query.set('epochs', String(s.epochs));
  query.set('seed', String(s.config.seed));
  query.set('lr', String(s.config.lr));
  query.set('hidden', String(s.config.hidden)); // API: model spec
  query.set('data', data);
  query.set('speed', speed);
  if (s.config.strategy === 'auto') query.delete('strategy');
  else query.set('strategy', s.config.strategy);
  if (s.config.workgroupSize === undefined) query.delete('workgroup');
  else query.set('workgroup', String(s.config.workgroupSize));
  history.replaceState(null, '', `${location.pathname}?${query}${location.hash}`);
}

/** The form field a validation problem belongs to. */
function fieldOf(problem: string): Field {
  // API: model spec — validateConfig will return { field, message }: map `field` here instead.
  if (problem.startsWith('hidden')) return 'hidden';
  if (problem.startsWith('learning')) return 'lr';
  if (problem.startsWith('seed')) return 'seed';
  if (problem.startsWith('workgroup')) return 'workgroup';
  return 'strategy';
}

const LABELS: Record<Field, string> = { epochs: 'epochs per run', seed: 'seed', lr: 'learning rate', hidden: 'hidden width', strategy: 'strategy', workgroup: 'workgroup size' };

/** The settings, or the problems keyed by field (each field shows its own message). */
export function readSettings(): { settings?: PageSettings; problems: Map<Field, string> } {
  const problems = new Map<Field, string>();
  const num = (name: Field) => {
    const raw = input(name).value.trim();
    const v = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) problems.set(name, `${LABELS[name]} must be a number`);
    return v;
  };
  const epochs = num('epochs');
  if (!problems.has('epochs') && (!Number.isInteger(epochs) || epochs < 1 || epochs > 1_000_000)) problems.set('epochs', 'epochs per run must be an integer from 1 to 1000000');
  const strategy = input('strategy').value as StrategyChoice;
  // Empty means the strategy's own default.
  const workgroupSize = input('workgroup').value.trim() === '' ? undefined : num('workgroup');
  // API: model spec — the config becomes { model: singleHidden(hidden), seed: BigInt (parseSeed), … }.
  const config: TrainerConfig = { ...DEFAULT_CONFIG, seed: num('seed'), lr: num('lr'), hidden: num('hidden'), strategy, workgroupSize };
  for (const message of validateConfig(config)) {
    const field = fieldOf(message);
    if (!problems.has(field)) problems.set(field, message);
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
  // API: model spec — compare spec.layers / head / dropout as well.
  if (form.hidden !== model.hidden) changes.push(`hidden width ${form.hidden} (the model has ${model.hidden})`);
  if (form.seed !== model.seed) changes.push(`seed ${form.seed} (the model started from ${model.seed})`);
  return changes;
}
