/**
 * NASWOT (Mellor et al. 2021 v2, proxies.md §1.7): codes c = 1[z > 0] of every ReLU call's input in one
 * train-mode forward; K_ij = Σ_r (D_r − Hamming(c_ri, c_rj)) counted exactly from bit-packed codes;
 * score = log|det K| in f64. Two samples with identical codes make K singular: −Infinity. A non-finite ReLU
 * input (an overflowed forward) makes it NaN.
 */
import { logAbsDet } from '../util/linalg.js';
import type { BatchPass } from './batch_pass.js';

export function naswot(pass: BatchPass): number {
  const codes = pass.reluCodes;
  if (!codes) throw new Error('naswot: the batch pass was run without ReLU codes');
  if (codes.nonFinite) return NaN;
  return logAbsDet(codes.kernel(), codes.B);
}
