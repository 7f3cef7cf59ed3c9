// What the page offers when the strategy a user (or a link) chose does not fit the device: the
// strategies that do fit this model here, and the one `auto` would pick. Asked of the strategies
// themselves (their `unsupported` and `limitProblem`), as the trainer asks them.
import type { Dataset } from '../data/dataset';
import type { GpuContext } from '../gpu/context';
import { paramLayout } from '../model/layout';
import { chooseStrategy, STRATEGIES, type TrainerConfig } from '../train/trainer';
import type { StrategyName } from '../train/strategy';

export interface Alternatives {
  /** Strategies that support the model and fit the device at their default workgroup size, in `auto`'s order. */
  fit: StrategyName[];
  /** The one `auto` picks. */
  auto: StrategyName;
}

/** The strategies that would train `config`'s model on `data` (and `test`) on this device. */
export function strategiesThatFit(ctx: GpuContext, config: TrainerConfig, data: Dataset, test?: Dataset): Alternatives {
  const layout = paramLayout(config.model);
  const base = { ctx, layout, n: data.n, testN: test?.n ?? 0, pointsPerThread: config.pointsPerThread, tiles: config.tiles };
  const testSet = test !== undefined;
  const fit = STRATEGIES.filter((s) => !s.unsupported(layout, { testSet }) && !s.limitProblem({ ...base, workgroupSize: s.defaultWorkgroupSize(ctx, layout) })).map((s) => s.name);
  return { fit, auto: chooseStrategy(base, testSet) };
}

/** One sentence naming them: "On this device fused and unfused fit this model; auto picks fused." */
export function alternativesText(a: Alternatives, chosen: string): string {
  const others = a.fit.filter((n) => n !== chosen);
  if (others.length === 0) return 'No strategy fits this model on this device: choose a smaller model.';
  const list = others.length === 1 ? others[0] : `${others.slice(0, -1).join(', ')} and ${others[others.length - 1]}`;
  return `On this device ${list} ${others.length === 1 ? 'fits' : 'fit'} this model; auto picks ${a.auto}.`;
}
