/** Softmax cross-entropy per row, with a max-shifted log-sum-exp. Labels are checked by the caller (shapes.ts). */
import type { HostArray } from '../tensor.js';

export function softmaxCrossEntropy(
  N: number,
  K: number,
  logits: HostArray,
  labels: Int32Array,
  losses: HostArray,
  probs: HostArray,
): void {
  for (let n = 0; n < N; n++) {
    const y = labels[n]!;
    const r = n * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[r + k]!);
    let z = 0;
    for (let k = 0; k < K; k++) z += Math.exp(logits[r + k]! - max);
    for (let k = 0; k < K; k++) probs[r + k] = Math.exp(logits[r + k]! - max) / z;
    losses[n] = Math.log(z) + max - logits[r + y]!;
  }
}

export function softmaxCrossEntropyGrad(
  N: number,
  K: number,
  probs: HostArray,
  labels: Int32Array,
  weight: number,
  dlogits: HostArray,
): void {
  for (let n = 0; n < N; n++) {
    const r = n * K;
    for (let k = 0; k < K; k++) dlogits[r + k] = (probs[r + k]! - (k === labels[n] ? 1 : 0)) * weight;
  }
}
