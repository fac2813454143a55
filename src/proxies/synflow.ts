/**
 * synflow (zero-cost-nas, proxies.md §1.5): every parameter replaced by its absolute value, the network in
 * f64, an all-ones input of one sample, R = Σ logits; score = Σ_l Σ |W_l ⊙ ∂R/∂W_l| over Conv2d/Linear
 * weights. Values reach 1e30–1e60, hence f64 (and log10 beside it).
 * Variants (the reference repositories disagree):
 *   `zc`    — zero-cost-nas's NAS201Model with use_bn=False, the one the papers' tables used: BN stays only
 *             inside the two reduction blocks (train mode on the single sample), and the cell convolutions
 *             carry a bias (|b|, drawn with PyTorch's default init) because that model's cell BN is not affine;
 *   `clean` — the benchmark network with every BN removed and no extra bias.
 */
import { Tape, sum } from '../autodiff/index.js';
import type { Backend } from '../backend/backend.js';
import type { Network } from '../nets/network.js';

export type SynflowVariant = 'zc' | 'clean';

export interface SynflowOptions {
  variant: SynflowVariant;
  /** Input [C, H, W] of the one sample. */
  inputShape: readonly [number, number, number];
  /** Where the f64 work runs. */
  backend: Backend;
  /** Seed of the variant-only parameters (the zc cell-conv biases). */
  seed: number;
  /** Values for variant-only parameters by name, instead of drawing them (to match a reference). */
  variantParameters?: ReadonlyMap<string, ArrayLike<number>>;
}

export function synflow(net: Network, o: SynflowOptions): number {
  const copy = net.variant(
    { dtype: 'f64', batchNorm: o.variant === 'zc' ? 'reductions' : 'none', cellConvBias: o.variant === 'zc' },
    o.backend,
  );
  return o.backend.scope(() => {
    copy.parameters.initialize(o.seed); // only the parameters the original lacks keep these values
    const source = new Map(net.parameters.entries.map((e) => [e.name, e.tensor]));
    for (const e of copy.parameters.entries) {
      const from = source.get(e.name);
      const given = o.variantParameters?.get(e.name);
      const data = from ? Float64Array.from(net.backend.toHost(from)) : Float64Array.from(given ?? o.backend.toHost(e.tensor));
      e.tensor = o.backend.fromHost(data.map(Math.abs), e.tensor.shape);
      e.tensor.name = e.name;
    }
    const tape = new Tape(o.backend);
    const weights = copy.parameters.countedWeights();
    for (const e of weights) tape.watch(e.tensor);
    const [C, H, W] = o.inputShape;
    const ones = o.backend.fromHost(new Float64Array(C * H * W).fill(1), [1, C, H, W]);
    const R = sum(tape, copy.forward({ tape, bnMode: 'batch' }, ones));
    const grads = tape.backward(R);
    let score = 0;
    for (const e of weights) {
      const g = grads.get(e.tensor);
      if (!g) continue;
      const w = o.backend.toHost(e.tensor),
        d = o.backend.toHost(g);
      for (let i = 0; i < w.length; i++) score += Math.abs(w[i]! * d[i]!);
    }
    return score;
  });
}
