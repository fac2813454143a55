/**
 * grasp (zero-cost-nas, proxies.md §1.3): −Σ_l Σ W_l ⊙ (H g)_l with g = ∂L/∂θ and H the Hessian of the
 * mean CE over the Conv2d/Linear weights θ, both in train mode. H·g is exact (forward-over-reverse on the
 * same tape), not a finite difference. The minus sign is the reference's: higher is better.
 */
import { crossEntropy, type Tensor } from '../autodiff/index.js';
import type { BatchPass } from './batch_pass.js';

export function grasp(pass: BatchPass): number {
  const be = pass.net.backend;
  const weights = pass.weightGradients();
  return be.scope(() => {
    const direction = new Map<Tensor, Tensor>(
      weights.flatMap(({ entry, grad }) => (grad ? [[entry.tensor, be.fromHost(grad, entry.tensor.shape)] as const] : [])),
    );
    if (direction.size === 0) return 0;
    const loss = crossEntropy(pass.tape, pass.logits, pass.batch.y, 'mean');
    const hg = pass.tape.hessianVectorProduct(loss, direction);
    let score = 0;
    for (const { entry } of weights) {
      const h = hg.get(entry.tensor);
      if (!h) continue;
      const w = be.toHost(entry.tensor),
        hv = be.toHost(h);
      for (let i = 0; i < w.length; i++) score -= w[i]! * hv[i]!;
    }
    return score;
  });
}
