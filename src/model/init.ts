// torch.manual_seed(seed); nn.Sequential(nn.Linear(1,H), nn.ReLU(), nn.Linear(H,1)): the same numbers.
// nn.Linear draws its weight, then its bias, both U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform
// with a=sqrt(5) reduces to that bound), layer by layer.
import { MT19937 } from './mt19937';
import { paramLayout, type ParamLayout } from './layout';

export function initParams(seed: number, hidden: number): Float32Array<ArrayBuffer> {
  const layout: ParamLayout = paramLayout(hidden);
  const rng = new MT19937(seed);
  const flat = new Float32Array(layout.count);
  const draw = (at: number, n: number, fanIn: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    for (let i = 0; i < n; i++) flat[at + i] = rng.uniform(-bound, bound);
  };
  draw(layout.W1, hidden, 1);
  draw(layout.b1, hidden, 1);
  draw(layout.W2, hidden, hidden);
  draw(layout.b2, 1, hidden);
  return flat;
}
