/**
 * A small seeded generator (xorshift128+) for randomized tests. The seed comes from PEVM_SEED
 * when set, so a failure printed with its seed can be replayed exactly.
 */
export class Random {
  private s0: bigint;
  private s1: bigint;
  readonly seed: bigint;

  constructor(seed: bigint = envSeed() ?? 0x5eed_1234_abcdn) {
    this.seed = seed;
    this.s0 = splitmix(seed);
    this.s1 = splitmix(this.s0);
  }

  /** A uniformly random 64-bit value. */
  next64(): bigint {
    let s1 = this.s0;
    const s0 = this.s1;
    this.s0 = s0;
    s1 = (s1 ^ (s1 << 23n)) & MASK;
    this.s1 = s1 ^ s0 ^ (s1 >> 17n) ^ (s0 >> 26n);
    return (this.s1 + s0) & MASK;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Number(this.next64() % BigInt(n));
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = Number(this.next64() & 0xffn);
    return out;
  }
}

const MASK = (1n << 64n) - 1n;

function splitmix(x: bigint): bigint {
  let z = (x + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

function envSeed(): bigint | undefined {
  const s = process.env["PEVM_SEED"];
  return s ? BigInt(s) : undefined;
}
