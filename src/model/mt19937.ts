// MT19937, the generator behind torch's CPU default generator (standard init_genrand seeding),
// and torch's way of turning its output into float32 uniforms.

export class MT19937 {
  private readonly state = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = s[i - 1] ^ (s[i - 1] >>> 30);
      // 1812433253 * prev + i, mod 2^32, without losing bits to float64
      s[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  nextU32(): number {
    if (this.index >= 624) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * torch's uniform_(from, to) on a float32 tensor: 24 random bits scaled to [0, 1), then
   * from + u·(to - from) with from and to rounded to float32 but the arithmetic in double (torch's
   * dist_acctype<float> on the CPU), rounded to float32 once at the end.
   */
  uniform(from: number, to: number): number {
    const u = (this.nextU32() & 0xffffff) * 2 ** -24;
    const lo = Math.fround(from);
    const hi = Math.fround(to);
    return Math.fround(u * (hi - lo) + lo);
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < 624; i++) {
      const y = (s[i] & 0x80000000) | (s[(i + 1) % 624] & 0x7fffffff);
      s[i] = s[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}
