// PyTorch-compatible initialisation: MT19937 and nn.Linear's draws give torch's exact numbers.
import { describe, expect, test } from 'vitest';
import { initParams } from '../src/model/init';
import { MT19937 } from '../src/model/mt19937';
import { paramLayout, singleHidden, unpackParams } from '../src/model/layout';
import { generatorSeed, parseSeed } from '../src/model/seed';
import { COURSE, INITS, LECTURE } from './shared';

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
    const layout = paramLayout(singleHidden(2));
    const p = unpackParams(initParams(43052n, layout), layout);
    // The values quoted in the lecture's notes (8 significant digits) ...
    const quoted = { W1: [-0.34668696, -0.8470292], b1: [0.36044824, 0.9335643], W2: [0.2880473, -0.62824553], b2: [0.23041767] };
    for (const name of ['W1', 'b1', 'W2', 'b2'] as const) p[name].forEach((v, i) => expect(v).toBeCloseTo(quoted[name][i], 7));
    // ... and exactly the float32 values PyTorch recorded.
    expect(p).toEqual(LECTURE.init);
  });

  test.each(INITS.map((e) => [e.seed, e.hidden, e] as const))('seed %i, width %i matches torch exactly (0 ulp)', (seed, hidden, golden) => {
    const layout = paramLayout(singleHidden(hidden));
    const p = unpackParams(initParams(BigInt(seed), layout), layout);
    for (const name of ['W1', 'b1', 'W2', 'b2'] as const) {
      expect(p[name].length).toBe(golden[name].length);
      const worst = Math.max(...p[name].map((v, i) => ulps(v, golden[name][i])));
      expect(worst, `${name} differs by ${worst} ulp`).toBe(0);
    }
  });
});

describe('the course networks', () => {
  test.each(Object.keys(COURSE))('%s: every layer drawn as torch draws it (0 ulp)', (name) => {
    const { config, init } = COURSE[name].golden;
    const layout = paramLayout({ layers: config.layers, head: config.head, dropout: 0 });
    const p = unpackParams(initParams(BigInt(config.seed), layout), layout);
    expect(Object.keys(p)).toEqual(Object.keys(init));
    for (const key of Object.keys(init)) {
      const worst = Math.max(...p[key].map((v, i) => ulps(v, init[key][i])));
      expect(worst, `${name} ${key} differs by ${worst} ulp`).toBe(0);
    }
  });
});

describe('seeds as torch.manual_seed takes them', () => {
  test('any integer in [-2^63, 2^64 - 1], parsed exactly', () => {
    expect(parseSeed('18446744073709551615')).toEqual({ seed: 2n ** 64n - 1n });
    expect(parseSeed('-9223372036854775808')).toEqual({ seed: -(2n ** 63n) });
    expect(parseSeed(' +43052 ')).toEqual({ seed: 43052n });
    for (const bad of ['18446744073709551616', '-9223372036854775809', '1.5', '1e3', '0x10', '', 'seed']) expect(parseSeed(bad)).toHaveProperty('message');
  });

  test('-1, 2^32 - 1 and 2^64 - 1 give the same weights (the generator takes the low 32 bits)', () => {
    const layout = paramLayout(singleHidden(16));
    const seeds = [-1n, 2n ** 32n - 1n, 2n ** 64n - 1n];
    expect(seeds.map(generatorSeed)).toEqual([0xffffffff, 0xffffffff, 0xffffffff]);
    const [a, b, c] = seeds.map((s) => Array.from(initParams(s, layout)));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(Array.from(initParams(2n ** 32n, layout))).toEqual(Array.from(initParams(0n, layout)));
  });
});
