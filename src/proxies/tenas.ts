/**
 * TE-NAS per architecture (Chen et al. 2021 as AZ-NAS and ZenNAS port it, proxies.md §1.9), two scores:
 *   ntk — the condition number λ_max/λ_min of the NTK Θ = G Gᵀ, G_i = ∂(Σ_c logits_ic)/∂θ over every
 *         parameter named "weight" (Conv2d, Linear and BN γ) on the real batch in train mode; Θ in f64,
 *         eigenvalues by symmetric Jacobi; NaN → 100000 as the reference. Exported as −cond (higher is better).
 *   lr  — the number of linear regions: distinct ReLU activation patterns of B Gaussian inputs.
 * The combined TE-NAS score ranks both over a population (see eval), so it is not a per-architecture number.
 */
import { Tape, hostArrayOf } from '../autodiff/index.js';
import type { Network } from '../nets/network.js';
import { firstNonFinite } from '../util/finite.js';
import { symmetricEigenvalues } from '../util/linalg.js';
import { Random } from '../util/random.js';
import type { BatchPass } from './batch_pass.js';
import { packCodes } from './relu_codes.js';

export const NTK_NAN_COND = 100000;

export function ntkConditionNumber(pass: BatchPass): number {
  const be = pass.net.backend;
  const [B] = pass.batch.shape;
  const K = pass.logits.shape[1]!;
  const weights = pass.net.parameters.entries.filter(
    (e) => e.kind === 'conv_weight' || e.kind === 'linear_weight' || e.kind === 'bn_weight',
  );
  const P = weights.reduce((n, e) => n + e.tensor.size, 0);
  const G = new Float32Array(B * P);
  for (let i = 0; i < B; i++) {
    be.scope(() => {
      const seedData = new Float64Array(B * K);
      seedData.fill(1, i * K, (i + 1) * K);
      const seed = be.fromHost(hostArrayOf(pass.logits.dtype, seedData), pass.logits.shape);
      const grads = pass.tape.backward(pass.logits, { seed });
      let offset = i * P;
      for (const e of weights) {
        const g = grads.get(e.tensor);
        if (g) G.set(be.toHost(g), offset);
        offset += e.tensor.size;
      }
    });
  }
  const ntk = new Float64Array(B * B);
  for (let i = 0; i < B; i++) {
    for (let j = i; j < B; j++) {
      let s = 0;
      const a = i * P,
        b = j * P;
      for (let k = 0; k < P; k++) s += G[a + k]! * G[b + k]!;
      ntk[i * B + j] = s;
      ntk[j * B + i] = s;
    }
  }
  const eig = symmetricEigenvalues(ntk, B);
  const cond = eig[B - 1]! / eig[0]!;
  return Number.isNaN(cond) ? NTK_NAN_COND : cond;
}

export interface LinearRegionOptions {
  /** Input [B, C, H, W] of the Gaussian batch. */
  inputShape: readonly [number, number, number, number];
  seed: number;
  /** Run the forward segment by segment, freeing each one's activations (see ForwardContext.checkpoint). */
  checkpoint?: boolean;
}

/** Linear regions of B Gaussian inputs drawn from the seed. */
export function linearRegions(net: Network, o: LinearRegionOptions): number {
  const rng = new Random(o.seed);
  const n = o.inputShape.reduce((a, b) => a * b, 1);
  return linearRegionsOf(
    net,
    Float64Array.from({ length: n }, () => rng.normal()),
    o.inputShape,
    o.checkpoint,
  );
}

/** Σ_i 1/#{j : code_j = code_i}: the number of distinct ReLU activation patterns among the B inputs of x. */
export function linearRegionsOf(net: Network, data: Float64Array, shape: readonly number[], checkpoint = false): number {
  const be = net.backend;
  return be.scope(() => {
    const x = be.fromHost(hostArrayOf(net.parameters.dtype, data), shape);
    const B = shape[0]!;
    const blocks: Uint32Array[] = [];
    let nonFinite = false; // NaN has no code: an overflowed forward would still count regions
    net.forward(
      {
        tape: new Tape(be),
        bnMode: 'batch',
        checkpoint,
        observe: {
          reluInput: (z) => {
            const h = be.toHost(z);
            if (!nonFinite && firstNonFinite(h) >= 0) nonFinite = true;
            blocks.push(packCodes(h, B, z.size / B));
          },
        },
      },
      x,
    );
    if (nonFinite) return NaN;
    const rows = Array.from({ length: B }, (_, i) =>
      blocks
        .map((blk) => {
          const words = blk.length / B;
          return Array.from(blk.subarray(i * words, (i + 1) * words), (w) => w.toString(36)).join(',');
        })
        .join('|'),
    );
    return new Set(rows).size;
  });
}
