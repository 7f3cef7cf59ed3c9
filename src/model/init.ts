// torch.manual_seed(seed), then the modules in order (a Conv2d first, then the nn.Linear layers): the same numbers. Each nn.Linear draws
// its weight, then its bias, both U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform with
// a=sqrt(5) reduces to that bound), layer by layer from one MT19937 stream.
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
  const c = layout.conv;
  if (c) {
    // nn.Conv2d: kaiming_uniform(a=√5) on the weight and U(±1/√fan_in) on the bias, fan_in = C·k·k.
    draw(c.w, c.b - c.w, c.c * c.k * c.k);
    draw(c.b, c.o, c.c * c.k * c.k);
  }
  for (const l of layout.layers) {
    draw(l.w, l.outDim * l.inDim, l.inDim);
    draw(l.b, l.outDim, l.inDim);
  }
  return flat;
}
