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

/**
 * log |det A| of a general n×n matrix (row-major) by LU with partial pivoting, as numpy/PyTorch slogdet
 * report it; −Infinity when a pivot is exactly zero (e.g. two identical rows of integers).
 */
export function logAbsDet(A: Float64Array, n: number): number {
  const M = Float64Array.from(A);
  let logDet = 0;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i * n + k]!) > Math.abs(M[p * n + k]!)) p = i;
    const pivot = M[p * n + k]!;
    if (pivot === 0) return -Infinity;
    if (p !== k)
      for (let j = 0; j < n; j++) {
        const t = M[k * n + j]!;
        M[k * n + j] = M[p * n + j]!;
        M[p * n + j] = t;
      }
    logDet += Math.log(Math.abs(pivot));
    for (let i = k + 1; i < n; i++) {
      const f = M[i * n + k]! / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) M[i * n + j]! -= f * M[k * n + j]!;
    }
  }
  return logDet;
}

/**
 * Eigenvalues (ascending) of a symmetric n×n matrix by cyclic Jacobi rotations, in doubles: slow for big n
 * but accurate to working precision, also for the tiny eigenvalues a condition number depends on.
 * NaN anywhere in A gives all-NaN eigenvalues.
 */
export function symmetricEigenvalues(A: Float64Array, n: number): Float64Array {
  if (A.some((v) => Number.isNaN(v))) return new Float64Array(n).fill(NaN);
  const a = Float64Array.from(A);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0,
      diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! * a[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!,
          aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!,
            akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!,
            aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]!).sort();
}

/**
 * numpy.corrcoef of the rows of X [rows × cols]: the rows×rows Pearson correlations, each row centred by its
 * own mean and scaled by its own standard deviation. A constant row gives NaN in its row and column.
 */
export function corrcoef(X: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const Z = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += X[i * cols + j]!;
    mean /= cols;
    let ss = 0;
    for (let j = 0; j < cols; j++) {
      const d = X[i * cols + j]! - mean;
      Z[i * cols + j] = d;
      ss += d * d;
    }
    const inv = 1 / Math.sqrt(ss);
    for (let j = 0; j < cols; j++) Z[i * cols + j]! *= inv;
  }
  const R = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let k = i; k < rows; k++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += Z[i * cols + j]! * Z[k * cols + j]!;
      R[i * rows + k] = s;
      R[k * rows + i] = s;
    }
  }
  return R;
}

/**
 * The largest singular value of M [rows × cols] (row-major), as torch.linalg.svdvals(M).max(): √λ_max of the
 * smaller Gram matrix (MᵀM or MMᵀ) by Jacobi, which keeps σ_max to working precision.
 */
export function largestSingularValue(M: ArrayLike<number>, rows: number, cols: number): number {
  const byCols = cols <= rows;
  const n = byCols ? cols : rows,
    len = byCols ? rows : cols;
  const at = (k: number, i: number): number => (byCols ? M[k * cols + i]! : M[i * cols + k]!);
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < len; k++) s += at(k, i) * at(k, j);
      G[i * n + j] = s;
      G[j * n + i] = s;
    }
  const ev = symmetricEigenvalues(G, n);
  return Math.sqrt(Math.max(0, ev[n - 1]!));
}
