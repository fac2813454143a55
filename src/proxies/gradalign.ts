/**
 * GradAlign (arXiv 2411.19819, read per proxies.md §3): per class c, the sign vectors s_i = sign(g_i) of
 * its n_c samples; classes with fewer than two samples are skipped and the class scores averaged.
 *   GradAlign-I  = mean_c ‖Σ_{i∈c} s_i‖² / n_c²          (the mean pairwise alignment ⟨s_i, s_j⟩)
 *   GradAlign-II = +mean_c log det(S_c S_cᵀ)              (more diverse class gradients score higher)
 * The paper's prose ranks by −log det ("a lower value ... faster convergence"), but its own reported
 * correlations are positive and our 1,000-architecture runs give τ ≈ +0.65 for +log det and −0.65 for
 * −log det (README, "Settling GradAlign"), so the default is +log det; `sign: 'minus'` gives the prose reading.
 * `norm` picks the open reading: `none` as above, `params` divides inner products by the weight count m,
 * `cosine` divides ⟨s_i, s_j⟩ by ‖s_i‖‖s_j‖ (an all-zero sign vector counts as 0 in I and makes II undefined).
 * An undefined score is NaN with a warning, never an exception. The Grams are exact integer matrices, so
 * GradAlign-II's singularity and log det come from their exact determinant (a singular class makes it NaN).
 */
import { bareissDeterminant, logBigInt } from '../util/exact_det.js';

export type GradAlignNorm = 'none' | 'params' | 'cosine';
/** GradAlign-II's direction: `plus` = +log det (measured, default), `minus` = −log det (the paper's prose). */
export type GradAlign2Sign = 'plus' | 'minus';

/** A class's statistics as the reducers produce them. */
export interface ClassBlock {
  label: number;
  count: number;
  /** n_c × n_c Gram matrix S_c S_cᵀ of the class's sign vectors. */
  gram: Float64Array;
}

export type Warn = (message: string) => void;

function eligible(blocks: readonly ClassBlock[], proxy: string, warn: Warn): ClassBlock[] {
  const kept = blocks.filter((b) => b.count >= 2);
  if (kept.length === 0) warn(`${proxy}: no class has two or more samples in the batch; score is NaN`);
  return kept;
}

/** Mean pairwise cosine ‖Σ s_i/‖s_i‖‖²/n² from a Gram matrix. */
function meanCosine(G: Float64Array, n: number): number {
  const inv = Array.from({ length: n }, (_, i) => (G[i * n + i]! > 0 ? 1 / Math.sqrt(G[i * n + i]!) : 0));
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += G[i * n + j]! * inv[i]! * inv[j]!;
  return s / (n * n);
}

export function gradalign1(blocks: readonly ClassBlock[], norm: GradAlignNorm, m: number, warn: Warn): number {
  const kept = eligible(blocks, 'gradalign1', warn);
  if (kept.length === 0) return NaN;
  const perClass = kept.map((b) => {
    if (norm === 'cosine') return meanCosine(b.gram, b.count);
    // ‖Σ_{i∈c} s_i‖² = Σ_ij ⟨s_i, s_j⟩, the sum of the Gram matrix
    const a = b.gram.reduce((t, v) => t + v, 0) / (b.count * b.count);
    return norm === 'params' ? a / m : a;
  });
  return mean(perClass);
}

export function gradalign2(
  blocks: readonly ClassBlock[],
  norm: GradAlignNorm,
  m: number,
  warn: Warn,
  sign: GradAlign2Sign = 'plus',
): number {
  const kept = eligible(blocks, 'gradalign2', warn);
  if (kept.length === 0) return NaN;
  const logDets: number[] = [];
  for (const b of kept) {
    const n = b.count,
      G = b.gram;
    const diagonal = Array.from({ length: n }, (_, i) => G[i * n + i]!);
    if (norm === 'cosine' && diagonal.some((d) => d === 0)) {
      warn(`gradalign2: class ${b.label} has an all-zero sign vector, so its cosine Gram is undefined; score is NaN`);
      return NaN;
    }
    // f64 Cholesky would leave tiny positive pivots on a singular Gram and give a finite log det
    const det = exactDeterminant(G, n);
    if (det <= 0n) {
      // a Gram is positive semi-definite: det ≥ 0, and 0 means singular
      warn(`gradalign2: the Gram matrix of class ${b.label} (${n} samples) is singular; score is NaN`);
      return NaN;
    }
    // The params and cosine Grams are diagonal scalings of G: D G D has log det = log det G + 2 Σ log D_ii.
    let logDet = logBigInt(det);
    if (norm === 'params') logDet -= n * Math.log(m);
    if (norm === 'cosine') logDet -= diagonal.reduce((t, d) => t + Math.log(d), 0);
    logDets.push(logDet);
  }
  return (sign === 'plus' ? 1 : -1) * mean(logDets);
}

/**
 * The exact det of a class Gram, once per Gram: eval reads GradAlign-II under three norms from the same Grams,
 * and Bareiss on a large class (one label in a batch of 128) takes seconds. Grams are never written after the pass.
 */
const exactDeterminants = new WeakMap<object, bigint>();
function exactDeterminant(G: ArrayLike<number> & object, n: number): bigint {
  let det = exactDeterminants.get(G);
  if (det === undefined) exactDeterminants.set(G, (det = bareissDeterminant(G, n)));
  return det;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
