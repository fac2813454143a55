/** grad_norm (zero-cost-nas, proxies.md §1.1): Σ_l ‖∂L/∂W_l‖_F over Conv2d/Linear weights, L = mean CE. */
import type { BatchPass } from './batch_pass.js';

export function gradNorm(pass: BatchPass): number {
  let score = 0;
  for (const { grad } of pass.weightGradients()) {
    if (!grad) continue;
    let ss = 0;
    for (const g of grad) ss += g * g;
    score += Math.sqrt(ss);
  }
  return score;
}
