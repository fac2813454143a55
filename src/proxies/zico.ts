/**
 * ZiCo (Li et al., ICLR 2023; SLDGroup/ZiCo ZeroShotProxy/compute_zico.py): train mode, mean cross-entropy on each
 * of two batches (here the two halves of the batch), a snapshot of every Conv2d/Linear weight gradient after each
 * backward; per layer, over the snapshots, per element: the standard deviation σ (numpy's, ddof 0) and mean |g|;
 *   zico = Σ_layers log Σ_{k: σ_k ≠ 0} mean_k|g| / σ_k,
 * a layer whose sum is 0 (every σ = 0: no gradient) left out. The official getzico never zeroes the gradients
 * between the two backward passes, so its second snapshot is g₁ + g₂ (`accumulated`, the default, as the code
 * does); AZ-NAS's NB201 port zeroes them (`separate`: g₁, g₂). zico_per_sample: the same reduction over the
 * per-sample gradients (each sample alone, its own BN statistics) of the per-sample pass, our variant.
 */
import { Tape, crossEntropy, hostArrayOf } from '../autodiff/index.js';
import type { Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';

export type ZicoGradients = 'accumulated' | 'separate';

/** One layer's term Σ_{σ ≠ 0} mean|g|/σ from two snapshots a, b, as numpy computes std and mean over axis 0. */
export function zicoLayerSum(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!,
      y = b[k]!;
    const mean = (x + y) / 2;
    const dx = x - mean,
      dy = y - mean;
    const std = Math.sqrt((dx * dx + dy * dy) / 2);
    if (std !== 0) s += (Math.abs(x) + Math.abs(y)) / 2 / std;
  }
  return s;
}

/** Σ_layers log(layer sum), layers with sum 0 left out. */
export function zicoFromLayerSums(sums: readonly number[]): number {
  let score = 0;
  for (const s of sums) if (s !== 0) score += Math.log(s);
  return score;
}

export interface ZicoOptions {
  gradients: ZicoGradients;
  checkpoint?: boolean;
}

/** ZiCo of the network's current weights on the two halves of the batch (each in train mode). */
export function zico(net: Network, batch: Batch, o: ZicoOptions): number {
  const be = net.backend;
  const [B, C, H, W] = batch.shape;
  const half = Math.floor(B / 2);
  if (half < 1) return NaN;
  const counted = net.parameters.countedWeights();
  const size = C * H * W;
  const snapshots = [0, 1].map((h) =>
    be.scope(() => {
      const tape = new Tape(be);
      for (const e of counted) tape.watch(e.tensor);
      const x = be.fromHost(hostArrayOf(net.parameters.dtype, batch.x.subarray(h * half * size, (h + 1) * half * size)), [half, C, H, W]);
      const logits = net.forward({ tape, bnMode: 'batch', updateRunning: false, checkpoint: o.checkpoint ?? false }, x);
      const grads = tape.backward(crossEntropy(tape, logits, batch.y.subarray(h * half, (h + 1) * half), 'mean'));
      return counted.map((e) => {
        const g = grads.get(e.tensor);
        return g ? Float64Array.from(be.toHost(g)) : new Float64Array(e.tensor.size);
      });
    }),
  );
  const [g1, g2] = snapshots as [Float64Array[], Float64Array[]];
  const sums = counted.map((_, l) => {
    const a = g1[l]!,
      b = g2[l]!;
    if (o.gradients === 'separate') return zicoLayerSum(a, b);
    // the second snapshot holds g₁ + g₂, summed in the gradients' own precision as PyTorch accumulates .grad
    const f32 = net.parameters.dtype === 'f32';
    const acc = f32 ? new Float32Array(a.length) : new Float64Array(a.length);
    for (let k = 0; k < a.length; k++) acc[k] = a[k]! + b[k]!;
    return zicoLayerSum(a, acc);
  });
  return zicoFromLayerSums(sums);
}
