/**
 * GradSign (Zhang & Jia, ICLR 2022, Algorithm 1): τ = Σ_k |Σ_i sign(∂ℓ(f(x_i), y_i)/∂θ_k)| over every
 * Conv2d/Linear weight θ_k. `mean` divides by the number of weights (the NASWOT-path variant, proxies.md §2).
 */
export type GradSignReduction = 'sum' | 'mean';

export function gradsign(signSums: Int32Array, reduction: GradSignReduction = 'sum'): number {
  let tau = 0;
  for (const s of signSums) tau += Math.abs(s);
  return reduction === 'sum' ? tau : tau / signSums.length;
}
