/** Small dense linear algebra in doubles. */

/**
 * log det of a symmetric positive-definite n×n matrix (row-major) by Cholesky. Returns NaN when the matrix
 * is not numerically positive definite (a singular Gram, e.g. repeated or all-zero sign vectors).
 */
export function logDetSpd(A: Float64Array, n: number): number {
  const L = Float64Array.from(A);
  let logDet = 0;
  for (let j = 0; j < n; j++) {
    let d = L[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
    if (!(d > 0)) return NaN;
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < n; i++) {
      let s = L[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = s / ljj;
    }
  }
  return logDet;
}
