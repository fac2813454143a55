/** snip (zero-cost-nas, proxies.md §1.2): Σ_l Σ |W_l ⊙ ∂L/∂W_l| (the mask gradient at mask = 1). */
import type { BatchPass } from './batch_pass.js';

export function snip(pass: BatchPass): number {
  const be = pass.net.backend;
  let score = 0;
  for (const { entry, grad } of pass.weightGradients()) {
    if (!grad) continue;
    const w = be.toHost(entry.tensor);
    for (let i = 0; i < w.length; i++) score += Math.abs(w[i]! * grad[i]!);
  }
  return score;
}
