// Seeds as torch.manual_seed takes them (torch 1.13): any integer in [-2^63, 2^64 - 1]. A negative
// seed wraps to 2^64 + seed; the CPU generator (MT19937) is seeded with the low 32 bits, so -1,
// 2^32 - 1 and 2^64 - 1 give the same weights (measured). Parsed exactly, never through a float.

export const SEED_MIN = -(1n << 63n);
export const SEED_MAX = (1n << 64n) - 1n;

/** The seed in a string, or a message saying why it is not one. */
export function parseSeed(raw: string): { seed: bigint } | { message: string } {
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return { message: `seed must be an integer from ${SEED_MIN} to ${SEED_MAX}, got "${raw}"` };
  const seed = BigInt(text);
  if (seed < SEED_MIN || seed > SEED_MAX) return { message: `seed must be an integer from ${SEED_MIN} to ${SEED_MAX}, got ${seed}` };
  return { seed };
}

/** Whether a value is a seed torch accepts. */
export function isSeed(seed: bigint): boolean {
  return seed >= SEED_MIN && seed <= SEED_MAX;
}

/** The 32 bits MT19937 is seeded with: (seed mod 2^64) mod 2^32. */
export function generatorSeed(seed: bigint): number {
  return Number(BigInt.asUintN(32, seed));
}
