/**
 * `--shard K/N`: the K-th of N disjoint slices of an evaluation, for a cluster's job array. Each (architecture,
 * seed) belongs to one slice by a hash of its NB201 index and seed, so the slices do not depend on the order or
 * the length of the architecture list, and together they are exactly the unsharded run's work.
 */

export interface Shard {
  /** 1-based. */
  k: number;
  n: number;
}

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

export function parseShard(text: string): Shard {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  if (!m) throw new ShardError(`--shard must be K/N (e.g. 2/8), got ${JSON.stringify(text.slice(0, 40))}`);
  const k = Number(m[1]),
    n = Number(m[2]);
  if (n < 1 || k < 1 || k > n) throw new ShardError(`--shard K/N needs 1 ≤ K ≤ N, got ${k}/${n}`);
  return { k, n };
}

/** FNV-1a (32 bit) of "index:seed": cheap, stable across runs and machines, and well mixed for modulo N. */
function hash(index: number, seed: number): number {
  let h = 0x811c9dc5;
  for (const c of `${index}:${seed}`) {
    h ^= c.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function inShard(shard: Shard | undefined, index: number, seed: number): boolean {
  return shard === undefined || hash(index, seed) % shard.n === shard.k - 1;
}
