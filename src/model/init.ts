// torch.manual_seed(seed), then nn.Linear layers in order: the same numbers. Each nn.Linear draws
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
  for (const l of layout.layers) {
    draw(l.w, l.outDim * l.inDim, l.inDim);
    draw(l.b, l.outDim, l.inDim);
  }
  return flat;
}
