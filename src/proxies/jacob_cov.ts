/**
 * jacob_cov (NASWOT v1 as zero-cost-nas runs it, proxies.md §1.6): J_n = ∂(Σ_{m,c} logits_mc)/∂x_n in train
 * mode, Σ = corrcoef of the rows of J, eigenvalues v (symmetric Jacobi in f64), k = 1e-5;
 * score = −Σ_i [ln(v_i + k) + 1/(v_i + k)] (at most −B, reached at Σ = I). NaN when a row of J is constant
 * or an eigenvalue + k ≤ 0, as in the reference.
 */
import { hostArray } from '../autodiff/index.js';
import { corrcoef, symmetricEigenvalues } from '../util/linalg.js';
import type { BatchPass } from './batch_pass.js';

export const JACOB_COV_K = 1e-5;

export function jacobCov(pass: BatchPass): number {
  const be = pass.net.backend;
  const B = pass.batch.shape[0];
  const seed = be.fromHost(hostArray(pass.logits.dtype, pass.logits.size).fill(1), pass.logits.shape);
  const J = be.scope(() => {
    const dx = pass.tape.backward(pass.logits, { seed }).get(pass.x);
    return dx ? be.toHost(dx) : null;
  });
  if (!J) return NaN;
  const v = symmetricEigenvalues(corrcoef(J, B, J.length / B), B);
  let s = 0;
  for (const e of v) s += Math.log(e + JACOB_COV_K) + 1 / (e + JACOB_COV_K);
  return -s;
}
