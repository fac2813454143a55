/**
 * Exact determinants of integer matrices (the class sign Grams): in doubles, Cholesky rounding leaves tiny
 * positive pivots on a singular Gram and reports a finite log det; BigInt arithmetic decides singularity exactly.
 */

/**
 * det A of an n×n integer matrix (row-major, entries exact integers in doubles) by fraction-free Bareiss
 * elimination: every intermediate is a minor of A, so the numbers stay as small as the answer allows.
 */
export function bareissDeterminant(A: ArrayLike<number>, n: number): bigint {
  const M = Array.from({ length: n * n }, (_, k) => {
    const v = A[k]!;
    if (!Number.isSafeInteger(v)) throw new RangeError(`bareissDeterminant: entry ${k} is ${v}, not an exact integer`);
    return BigInt(v);
  });
  let sign = 1n,
    prev = 1n;
  for (let k = 0; k < n - 1; k++) {
    if (M[k * n + k] === 0n) {
      // a zero pivot: swap in a lower row with a nonzero entry in this column, or the matrix is singular
      let p = k + 1;
      while (p < n && M[p * n + k] === 0n) p++;
      if (p === n) return 0n;
      for (let j = 0; j < n; j++) [M[k * n + j], M[p * n + j]] = [M[p * n + j]!, M[k * n + j]!];
      sign = -sign;
    }
    const pivot = M[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) M[i * n + j] = (M[i * n + j]! * pivot - M[i * n + k]! * M[k * n + j]!) / prev; // exact division
    }
    prev = pivot;
  }
  return n === 0 ? 1n : sign * M[n * n - 1]!;
}

/** ln x of a positive BigInt, accurate to double precision however many bits x has. */
export function logBigInt(x: bigint): number {
  if (x <= 0n) throw new RangeError('logBigInt: x must be positive');
  const bits = x.toString(16).length * 4; // an upper bound on the bit length, within 3 bits
  // keep the top ~64 bits (a double holds 53), and add back the dropped bits' ln 2 each
  const shift = Math.max(0, bits - 64);
  return Math.log(Number(x >> BigInt(shift))) + shift * Math.LN2;
}
