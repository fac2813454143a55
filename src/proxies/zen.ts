/**
 * Zen-score (Lin et al. 2021, proxies.md §1.8), on a fresh copy of the network: conv/linear weights ~ N(0,1),
 * biases 0, BN γ = 1, β = 0 and fresh running statistics; x, ε ~ N(0,1), x' = x + 0.01·ε. In train mode and
 * without gradients, f = the features before global pooling:
 *   score = ln( mean_n Σ |f(x)_n − f(x')_n| ) + Σ_BN ln √(mean_c running_var_c),
 * running_var read after the two forwards (momentum 0.1, unbiased batch variance), as the reference does.
 */
import { Tape, type Tensor } from '../autodiff/index.js';
import type { Network } from '../nets/network.js';
import { Random } from '../util/random.js';

export const ZEN_MIXUP = 1e-2;

export interface ZenOptions {
  /** Input [B, C, H, W] of the random batch. */
  inputShape: readonly [number, number, number, number];
  seed: number;
}

export function zen(net: Network, o: ZenOptions): { score: number; delta: number; bnTerm: number } {
  const copy = net.variant({});
  const be = copy.backend;
  return be.scope(() => {
    const rng = new Random(o.seed);
    copy.parameters.initializeGaussian(rng);
    const n = o.inputShape.reduce((a, b) => a * b, 1);
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const eps = Float64Array.from({ length: n }, () => rng.normal());
    const mixed = x.map((v, i) => v + ZEN_MIXUP * eps[i]!);
    const features = (data: Float64Array) => {
      let f: Tensor | undefined;
      const input = be.fromHost(copy.parameters.dtype === 'f64' ? data : Float32Array.from(data), o.inputShape);
      copy.forward({ tape: new Tape(be), bnMode: 'batch', observe: { features: (h) => { f = h; } } }, input);
      return be.toHost(f!);
    };
    const f1 = features(x), f2 = features(mixed);
    const B = o.inputShape[0];
    let total = 0;
    for (let i = 0; i < f1.length; i++) total += Math.abs(f1[i]! - f2[i]!);
    const delta = total / B;
    let bnTerm = 0;
    for (const bn of copy.parameters.batchNorms.values()) {
      let m = 0;
      for (const v of bn.runningVar) m += v;
      bnTerm += Math.log(Math.sqrt(m / bn.runningVar.length));
    }
    return { score: Math.log(delta) + bnTerm, delta, bnTerm };
  });
}
