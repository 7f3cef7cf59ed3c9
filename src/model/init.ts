// torch.manual_seed(seed), then the modules in order (a Conv2d first, then the nn.Linear layers): the same numbers. Each module draws
// its weight, then its bias, both U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with
// a=sqrt(5) reduces to that bound), layer by layer from one MT19937 stream. The tensors, their
// sizes and fan-ins come from the ops (layout.params), so a new layer kind needs nothing here.
import { MT19937 } from './mt19937';
import type { ParamLayout } from './layout';
import { generatorSeed } from './seed';

export function initParams(seed: bigint, layout: ParamLayout): Float32Array<ArrayBuffer> {
  const rng = new MT19937(generatorSeed(seed));
  const flat = new Float32Array(layout.count);
  const draw = (at: number, n: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < n; i++) flat[at + i] = rng.uniform(-bound, bound);
  };
  // Every tensor in parameters() order, each U(±1/√fan_in): nn.Linear's and nn.Conv2d's reset_parameters (model/ops.ts OpParam).
  for (const p of layout.params) draw(p.offset, p.size, p.fanIn);
  return flat;
}
