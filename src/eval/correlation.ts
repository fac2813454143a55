/**
 * Rank correlations as scipy computes them: Spearman ρ = Pearson correlation of average ranks, Kendall
 * τ-b with tie corrections in O(n log n) (Knight's algorithm). Pairs where either value is not finite (NaN,
 * ±Infinity: an undefined score) are dropped and counted.
 */

export interface Correlation {
  value: number;
  /** Pairs used. */
  n: number;
  /** Pairs dropped because a value was NaN or infinite. */
  dropped: number;
}

function finitePairs(x: readonly number[], y: readonly number[]): { a: number[]; b: number[]; dropped: number } {
  if (x.length !== y.length) throw new Error(`correlation: ${x.length} scores for ${y.length} accuracies`);
  const a: number[] = [],
    b: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
    a.push(x[i]!);
    b.push(y[i]!);
  }
  return { a, b, dropped: x.length - a.length };
}

/** 1-based average ranks (ties share the mean of their positions). */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((i, j) => x[i]! - x[j]!);
  const ranks = new Array<number>(x.length);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && x[order[e + 1]!] === x[order[s]!]) e++;
    const r = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) ranks[order[k]!] = r;
    s = e + 1;
  }
  return ranks;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n,
    mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma,
      db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(x: readonly number[], y: readonly number[]): Correlation {
  const { a, b, dropped } = finitePairs(x, y);
  const value = a.length < 2 ? NaN : pearson(averageRanks(a), averageRanks(b));
  return { value, n: a.length, dropped };
}

/** Number of pairs tied within runs of equal values of a sorted array: Σ t(t−1)/2. */
function tiedPairs(sorted: readonly number[]): number {
  let total = 0;
  for (let s = 0; s < sorted.length;) {
    let e = s;
    while (e + 1 < sorted.length && sorted[e + 1] === sorted[s]) e++;
    const t = e - s + 1;
    total += (t * (t - 1)) / 2;
    s = e + 1;
  }
  return total;
}

/** Merge sort of `v` counting inversions (swaps), as in Knight (1966). */
function countSwaps(v: number[]): number {
  let swaps = 0;
  const buf = new Array<number>(v.length);
  for (let width = 1; width < v.length; width *= 2) {
    for (let lo = 0; lo < v.length; lo += 2 * width) {
      const mid = Math.min(lo + width, v.length),
        hi = Math.min(lo + 2 * width, v.length);
      let i = lo,
        j = mid,
        k = lo;
      while (i < mid && j < hi) {
        if (v[j]! < v[i]!) {
          buf[k++] = v[j++]!;
          swaps += mid - i;
        } else buf[k++] = v[i++]!;
      }
      while (i < mid) buf[k++] = v[i++]!;
      while (j < hi) buf[k++] = v[j++]!;
      for (let t = lo; t < hi; t++) v[t] = buf[t]!;
    }
  }
  return swaps;
}

export function kendallTauB(x: readonly number[], y: readonly number[]): Correlation {
  const { a, b, dropped } = finitePairs(x, y);
  const n = a.length;
  if (n < 2) return { value: NaN, n, dropped };
  // Sort by a, then b; count pairs tied in a, and jointly tied in (a, b).
  const order = a.map((_, i) => i).sort((i, j) => a[i]! - a[j]! || b[i]! - b[j]!);
  const as = order.map((i) => a[i]!),
    bs = order.map((i) => b[i]!);
  const tiesA = tiedPairs(as);
  let tiesAB = 0;
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && as[e + 1] === as[s] && bs[e + 1] === bs[s]) e++;
    const t = e - s + 1;
    tiesAB += (t * (t - 1)) / 2;
    s = e + 1;
  }
  const swaps = countSwaps(bs); // bs is now sorted
  const tiesB = tiedPairs(bs);
  const n0 = (n * (n - 1)) / 2;
  const concordantMinusDiscordant = n0 - tiesA - tiesB + tiesAB - 2 * swaps;
  const value = concordantMinusDiscordant / Math.sqrt((n0 - tiesA) * (n0 - tiesB));
  return { value, n, dropped };
}
