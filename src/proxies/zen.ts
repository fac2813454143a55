/**
 * Zen-score (Lin et al. 2021, proxies.md §1.8), on a fresh copy of the network: conv/linear weights ~ N(0,1),
 * biases 0, BN γ = 1, β = 0 and fresh running statistics; x, ε ~ N(0,1), x' = x + 0.01·ε. In train mode and
 * without gradients, f = the features before global pooling:
 *   score = ln( mean_n Σ |f(x)_n − f(x')_n| ) + Σ_BN ln √(mean_c running_var_c),
 * running_var read after the two forwards (momentum 0.1, unbiased batch variance), as the reference does.
 */
import { Tape, hostArrayOf, type Tensor } from '../autodiff/index.js';
import type { Network } from '../nets/network.js';
import { Random } from '../util/random.js';

export const ZEN_MIXUP = 1e-2;

export interface ZenOptions {
  /** Input [B, C, H, W] of the random batch. */
  inputShape: readonly [number, number, number, number];
  seed: number;
  /** Run the forward segment by segment, freeing each one's activations (see ForwardContext.checkpoint). */
  checkpoint?: boolean;
}

export function zen(net: Network, o: ZenOptions): ZenScore {
  const copy = net.variant({});
  const rng = new Random(o.seed);
  copy.parameters.initializeGaussian(rng);
  const n = o.inputShape.reduce((a, b) => a * b, 1);
  const x = Float64Array.from({ length: n }, () => rng.normal());
  const eps = Float64Array.from({ length: n }, () => rng.normal());
  return zenOf(copy, x, eps, o.inputShape, o.checkpoint);
}

export interface ZenScore {
  score: number;
  delta: number;
  bnTerm: number;
}

/** The Zen-score of an already initialised network with fresh BN buffers, for inputs x and x + 0.01·ε. */
export function zenOf(net: Network, x: Float64Array, eps: Float64Array, shape: readonly number[], checkpoint = false): ZenScore {
  const be = net.backend;
  return be.scope(() => {
    const features = (data: Float64Array) => {
      let f: Tensor | undefined;
      const input = be.fromHost(hostArrayOf(net.parameters.dtype, data), shape);
      net.forward(
        {
          tape: new Tape(be),
          bnMode: 'batch',
          checkpoint,
          observe: {
            features: (h) => {
              f = h;
            },
          },
        },
        input,
      );
      return be.toHost(f!);
    };
    const f1 = features(x),
      f2 = features(x.map((v, i) => v + ZEN_MIXUP * eps[i]!));
    let total = 0;
    for (let i = 0; i < f1.length; i++) total += Math.abs(f1[i]! - f2[i]!);
    const delta = total / shape[0]!;
    let bnTerm = 0;
    for (const bn of net.parameters.batchNorms.values()) {
      let m = 0;
      for (const v of bn.runningVar) m += v;
      bnTerm += Math.log(Math.sqrt(m / bn.runningVar.length));
    }
    return { score: Math.log(delta) + bnTerm, delta, bnTerm };
  });
}
