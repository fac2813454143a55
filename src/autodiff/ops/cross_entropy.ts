import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

export type Reduction = 'mean' | 'sum';

/**
 * Softmax cross-entropy of logits [N,K] against integer labels, reduced by mean or sum to a scalar.
 * dlogits = (softmax − onehot) · dy, divided by N for the mean.
 */
export function crossEntropy(tape: Tape, logits: Tensor, labels: Int32Array, reduction: Reduction = 'mean'): Tensor {
  const b = tape.backend;
  const { losses, probs } = b.softmaxCrossEntropy(logits, labels);
  const N = logits.shape[0]!;
  const y = reduction === 'mean' ? b.scale(b.sum(losses), 1 / N) : b.sum(losses);
  return tape.record('cross_entropy', [logits], y, (dy, ctx) => {
    const g = ctx.backend.toHost(dy)[0]!;
    return [ctx.backend.softmaxCrossEntropyGrad(probs, labels, reduction === 'mean' ? g / N : g)];
  });
}
