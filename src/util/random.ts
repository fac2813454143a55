/**
 * Seeded pseudo-random numbers shared by weight init and batch choice, so a run is a pure function of
 * its seed on every runtime. xoshiro128** seeded through splitmix32: small, fast, well-distributed.
 */

/** Seeds are 32-bit: a larger or negative one would silently alias another (2³² drew what 0 draws). */
export const SEED_LIMIT = 2 ** 32;

export function isSeed(seed: number): boolean {
  return Number.isInteger(seed) && seed >= 0 && seed < SEED_LIMIT;
}

export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!isSeed(seed)) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    let x = seed;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n), unbiased. */
  int(n: number): number {
    if (!(n >= 1 && n <= 0x100000000)) throw new RangeError(`Random.int: n must be in [1, 2^32], got ${n}`);
    const limit = Math.floor(0x100000000 / n) * n;
    let r: number;
    do r = this.nextUint32();
    while (r >= limit);
    return r % n;
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** k distinct indices from [0, n), in the order drawn (partial Fisher–Yates). */
  sample(n: number, k: number): number[] {
    if (k > n) throw new RangeError(`cannot draw ${k} distinct items from ${n}`);
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const t = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = t;
    }
    return pool.slice(0, k);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
