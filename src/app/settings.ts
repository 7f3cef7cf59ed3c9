// The run's settings: read from the form, validated field by field, mirrored in the URL so a link
// reproduces the run.
import { DEFAULT_CONFIG, validateConfig, type TrainerConfig } from '../train/trainer';
import { STRATEGY_NAMES, type StrategyChoice } from '../train/strategy';

export interface PageSettings {
  epochs: number;
  config: TrainerConfig;
}

const FIELDS = ['epochs', 'seed', 'lr', 'hidden', 'strategy', 'workgroup'] as const;
type Field = (typeof FIELDS)[number];

const input = (name: Field) => document.getElementById(name) as HTMLInputElement | HTMLSelectElement;

/** Fills the form from the URL's query (unknown or bad values are left for validation to flag). */
export function loadSettingsFromUrl(): void {
  const query = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    const v = query.get(name);
    if (v !== null) input(name).value = v;
  }
}

export function saveSettingsToUrl(s: PageSettings): void {
  const query = new URLSearchParams(location.search);
  query.set('epochs', String(s.epochs));
  query.set('seed', String(s.config.seed));
  query.set('lr', String(s.config.lr));
  query.set('hidden', String(s.config.hidden));
  query.set('strategy', s.config.strategy);
  if (s.config.workgroupSize === undefined) query.delete('workgroup');
  else query.set('workgroup', String(s.config.workgroupSize));
  history.replaceState(null, '', `${location.pathname}?${query}${location.hash}`);
}

/** The settings, or the problems keyed by field (each field shows its own message). */
export function readSettings(): { settings?: PageSettings; problems: Map<Field, string> } {
  const problems = new Map<Field, string>();
  const num = (name: Field) => {
    const raw = input(name).value.trim();
    const v = raw === '' ? NaN : Number(raw);
    if (!Number.isFinite(v)) problems.set(name, `${name === 'lr' ? 'learning rate' : name === 'workgroup' ? 'workgroup size' : name} must be a number`);
    return v;
  };
  const epochs = num('epochs');
  if (!problems.has('epochs') && (!Number.isInteger(epochs) || epochs < 1 || epochs > 1_000_000)) problems.set('epochs', 'epochs per run must be an integer from 1 to 1000000');
  const strategy = input('strategy').value as StrategyChoice;
  // Empty means the strategy's own default.
  const workgroupSize = input('workgroup').value.trim() === '' ? undefined : num('workgroup');
  const config: TrainerConfig = { ...DEFAULT_CONFIG, seed: num('seed'), lr: num('lr'), hidden: num('hidden'), strategy, workgroupSize };
  for (const message of validateConfig(config)) {
    const field: Field = message.startsWith('hidden')
      ? 'hidden'
      : message.startsWith('learning')
        ? 'lr'
        : message.startsWith('seed')
          ? 'seed'
          : message.startsWith('workgroup')
            ? 'workgroup'
            : 'strategy';
    if (!problems.has(field)) problems.set(field, message);
  }
  if (!['auto', ...STRATEGY_NAMES].includes(strategy)) problems.set('strategy', `unknown strategy ${strategy}`);
  for (const name of FIELDS) {
    const el = input(name);
    const problem = problems.get(name);
    el.setAttribute('aria-invalid', problem ? 'true' : 'false');
    (el as HTMLInputElement).setCustomValidity?.(problem ?? '');
    el.title = problem ?? '';
  }
  return problems.size > 0 ? { problems } : { settings: { epochs, config }, problems };
}
