// PyTorch-compatible initialisation: MT19937 and nn.Linear's draws give torch's exact numbers.
import { describe, expect, test } from 'vitest';
import { initParams } from '../src/model/init';
import { MT19937 } from '../src/model/mt19937';
import { paramLayout, unpackParams } from '../src/model/layout';
import { INITS, LECTURE } from './shared';

/** Distance in units in the last place between two float32 values. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (v: number) => (v < 0 ? 0x80000000 - v : v);
  return Math.abs(key(i[0]) - key(i[1]));
}

describe('MT19937', () => {
  test('matches the reference sequence of init_genrand(5489)', () => {
    // The first outputs of the reference implementation mt19937ar.c with its default seed.
    const mt = new MT19937(5489);
    expect([mt.nextU32(), mt.nextU32(), mt.nextU32()]).toEqual([3499211612, 581869302, 3890346734]);
  });
});

describe('initParams', () => {
  test('seed 43052, width 2: the lecture initial weights', () => {
    const p = unpackParams(initParams(43052, 2), paramLayout(2));
    // The values quoted in the lecture's notes (8 significant digits) ...
    const quoted = { W1: [-0.34668696, -0.8470292], b1: [0.36044824, 0.9335643], W2: [0.2880473, -0.62824553], b2: [0.23041767] };
    for (const name of ['W1', 'b1', 'W2', 'b2'] as const) p[name].forEach((v, i) => expect(v).toBeCloseTo(quoted[name][i], 7));
    // ... and exactly the float32 values PyTorch recorded.
    expect(p).toEqual(LECTURE.init);
  });

  test.each(INITS.map((e) => [e.seed, e.hidden, e] as const))('seed %i, width %i matches torch exactly (0 ulp)', (seed, hidden, golden) => {
    const p = unpackParams(initParams(seed, hidden), paramLayout(hidden));
    for (const name of ['W1', 'b1', 'W2', 'b2'] as const) {
      expect(p[name].length).toBe(golden[name].length);
      const worst = Math.max(...p[name].map((v, i) => ulps(v, golden[name][i])));
      expect(worst, `${name} differs by ${worst} ulp`).toBe(0);
    }
  });
});
