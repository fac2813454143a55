/**
 * fisher (zero-cost-nas, proxies.md §1.4): for each Conv2d/Linear output a (before BN) and its gradient
 * ∂L/∂a, per output channel k: g_nk = Σ_hw a·∂L/∂a, F_k = ½·mean_n g_nk². The reference writes each channel's
 * value into a tensor shaped like the weight's per-channel slice before summing, so every F_k counts
 * numel(W)/C_out times: `broadcast: true` (default) keeps that factor to match its numbers, `false` sums
 * each channel once (Σ_l Σ_k F_k, the formula without the quirk).
 */
import type { BatchPass } from './batch_pass.js';

export function fisher(pass: BatchPass, broadcast = true): number {
  // a layer with no path to the loss has no products: the reference's hook never fires, it counts 0
  let score = 0;
  for (const { weight, N, C, g } of pass.layerProducts()) {
    let layer = 0;
    for (let c = 0; c < C; c++) {
      let fk = 0;
      for (let n = 0; n < N; n++) fk += g[n * C + c]! * g[n * C + c]!;
      layer += (0.5 * fk) / N;
    }
    score += broadcast ? (layer * weight.size) / C : layer;
  }
  return score;
}
