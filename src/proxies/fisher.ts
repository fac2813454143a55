/**
 * fisher (zero-cost-nas, proxies.md §1.4): for each Conv2d/Linear output a (before BN) and its gradient
 * ∂L/∂a, per output channel k: g_nk = Σ_hw a·∂L/∂a, F_k = ½·mean_n g_nk². The reference writes each channel's
 * value into a tensor shaped like the weight's per-channel slice before summing, so every F_k counts
 * numel(W)/C_out times: `broadcast: true` (default) keeps that factor to match its numbers, `false` sums
 * each channel once (Σ_l Σ_k F_k, the formula without the quirk).
 */
import type { Tensor } from '../autodiff/index.js';
import type { BatchPass } from './batch_pass.js';

export function fisher(pass: BatchPass, broadcast = true): number {
  const be = pass.net.backend;
  // a layer with no path to the loss gets no gradient: the reference's hook never fires, it counts 0
  const layers: { weight: Tensor; value: number }[] = [];
  pass.withLossGradients(
    () => undefined,
    (weight, y, dy) => {
      const [N, C] = [y.shape[0]!, y.shape[1]!];
      const spatial = y.size / (N * C);
      const a = be.toHost(y),
        d = be.toHost(dy);
      let layer = 0;
      for (let c = 0; c < C; c++) {
        let fk = 0;
        for (let n = 0; n < N; n++) {
          let g = 0;
          const base = (n * C + c) * spatial;
          for (let i = 0; i < spatial; i++) g += a[base + i]! * d[base + i]!;
          fk += g * g;
        }
        layer += (0.5 * fk) / N;
      }
      layers.push({ weight, value: broadcast ? (layer * weight.size) / C : layer });
    },
  );
  // summed in forward order, as the reference's loop over modules
  return layers.reverse().reduce((s, l) => s + l.value, 0);
}
