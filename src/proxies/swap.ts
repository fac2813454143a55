/**
 * SWAP (Peng et al., ICLR 2024; pym1024/SWAP src/metrics/swap.py and correlation.py): N images (16) through the
 * network in train mode without gradients; the output of every ReLU whose input is 4-D (all of them in NB201),
 * sign(), concatenated per sample into a samples × neurons matrix A;
 *   SWAP = the number of distinct rows of Aᵀ (distinct activation patterns of a neuron over the N samples),
 * averaged over R re-inits (32) of a copy with Zen-NAS's Gaussian init (conv/linear weights N(0,1), biases 0, BN
 * γ = 1, β = 0: the repository's network_weight_gaussian_init). sign(ReLU(z)) = 1[z > 0], so the codes are those
 * of the ReLU inputs. The regularised score multiplies by exp(−(params/1e3 − μ)²/σ) (cal_regular_factor;
 * params = Σ numel of every parameter, BN included). The official code sets μ and σ for its DARTS space only;
 * for NB201 ours are options (μ = 1500, σ = 1.5·10⁶: the same function as μ = σ = 1.5 with params in millions).
 */
import { Tape, hostArrayOf } from '../autodiff/index.js';
import type { Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import { firstNonFinite } from '../util/finite.js';
import { Random } from '../util/random.js';

/** The number of distinct neuron patterns over the samples of x [N, 3, H, W] for the network's current weights. */
export function swapOf(net: Network, data: ArrayLike<number>, shape: readonly number[], checkpoint = false): number {
  const be = net.backend;
  const N = shape[0]!;
  const words = Math.ceil(N / 32);
  return be.scope(() => {
    const x = be.fromHost(hostArrayOf(net.parameters.dtype, data), shape);
    // N ≤ 20: a pattern is an index into a bitmap of 2^N flags; wider patterns go to a Set
    const bitmap = words === 1 && N <= 20 ? new Uint8Array(1 << N) : undefined;
    let distinct = 0;
    const wide = new Set<string>();
    const narrow = new Set<number>();
    let nonFinite = false; // NaN has no sign pattern
    net.forward(
      {
        tape: new Tape(be),
        bnMode: 'batch',
        updateRunning: false,
        checkpoint,
        observe: {
          reluInput: (z) => {
            if (z.rank !== 4) return;
            const h = be.toHost(z);
            if (!nonFinite && firstNonFinite(h) >= 0) nonFinite = true;
            const D = h.length / N;
            const patterns = new Uint32Array(D * words);
            for (let i = 0; i < N; i++) {
              const row = i * D,
                bit = 1 << (i & 31),
                w = i >>> 5;
              for (let k = 0; k < D; k++) if (h[row + k]! > 0) patterns[k * words + w]! |= bit;
            }
            for (let k = 0; k < D; k++) {
              if (bitmap) {
                const p = patterns[k]!;
                if (bitmap[p] === 0) {
                  bitmap[p] = 1;
                  distinct++;
                }
              } else if (words === 1) narrow.add(patterns[k]!);
              else wide.add(patterns.subarray(k * words, (k + 1) * words).join(','));
            }
          },
        },
      },
      x,
    );
    return nonFinite ? NaN : distinct + narrow.size + wide.size;
  });
}

export interface SwapOptions {
  /** Re-inits averaged (the official 32). */
  repeats: number;
  /** Images: the batch's first N (the official 16). */
  samples: number;
  seed: number;
  checkpoint?: boolean;
}

/** SWAP: the mean over `repeats` Gaussian re-inits of a copy of the network (the network itself is untouched). */
export function swap(net: Network, batch: Batch, o: SwapOptions): number {
  const rng = new Random(o.seed);
  const [B, C, H, W] = batch.shape;
  const n = Math.min(o.samples, B);
  const x = batch.x.subarray(0, n * C * H * W);
  let total = 0;
  for (let r = 0; r < o.repeats; r++) {
    // each re-init's copy freed before the next one
    total += net.backend.scope(() => {
      const copy = net.variant({});
      copy.parameters.initializeGaussian(rng);
      return swapOf(copy, x, [n, C, H, W], o.checkpoint);
    });
  }
  return total / o.repeats;
}

/** SWAP's regularisation factor exp(−(params/1e3 − μ)²/σ). */
export function swapRegularFactor(params: number, mu: number, sigma: number): number {
  return Math.exp(-((params / 1e3 - mu) ** 2) / sigma);
}
