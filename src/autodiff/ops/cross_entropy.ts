import type { Kernels } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import { hostArrayOf, type HostArray, type Tensor } from '../../backend/tensor.js';

export type Reduction = 'mean' | 'sum';

/**
 * Softmax cross-entropy of logits [N,K] against integer labels, reduced by mean or sum to a scalar.
 * dlogits = (softmax − onehot) · dy, divided by N for the mean. Its tangent adds the softmax Jacobian
 * applied to the logits' tangent t: p⊙t − p·(p·t) per row. Logits are small, so tangents run on the host.
 */
export function crossEntropy(tape: Tape, logits: Tensor, labels: Int32Array, reduction: Reduction = 'mean'): Tensor {
  const be = tape.backend;
  const { losses, probs } = be.softmaxCrossEntropy(logits, labels);
  const N = logits.shape[0]!,
    K = logits.shape[1]!;
  const per = reduction === 'mean' ? 1 / N : 1;
  const y = reduction === 'mean' ? be.scale(be.sum(losses), per) : be.sum(losses);
  const scalar = (be: Kernels, t: Tensor | null) => (t ? be.toHost(t)[0]! : 0);
  return tape.record(
    'cross_entropy',
    [logits],
    y,
    (dy, ctx) => [ctx.backend.softmaxCrossEntropyGrad(probs, labels, scalar(ctx.backend, dy) * per)],
    {
      jvp: ([t], be) => {
        if (!t) return null;
        const g = be.toHost(be.softmaxCrossEntropyGrad(probs, labels, per)),
          tv = be.toHost(t);
        let s = 0;
        for (let i = 0; i < g.length; i++) s += g[i]! * tv[i]!;
        return be.fromHost(hostArrayOf(logits.dtype, [s]), []);
      },
      vjpJvp: (dy, tdy, [t], { backend: be }) => {
        const g = scalar(be, dy) * per,
          tg = scalar(be, tdy) * per;
        const out = be.toHost(be.softmaxCrossEntropyGrad(probs, labels, tg));
        if (t && g !== 0) softmaxJacobianTimes(N, K, be.toHost(probs), be.toHost(t), g, out);
        return [be.fromHost(out, logits.shape)];
      },
    },
  );
}

/** out[n,:] += g·(p⊙t − p·(p·t)) per row: the softmax Jacobian (symmetric) times t. */
function softmaxJacobianTimes(N: number, K: number, p: HostArray, t: HostArray, g: number, out: HostArray): void {
  for (let n = 0; n < N; n++) {
    let pt = 0;
    for (let k = 0; k < K; k++) pt += p[n * K + k]! * t[n * K + k]!;
    for (let k = 0; k < K; k++) out[n * K + k]! += g * p[n * K + k]! * (t[n * K + k]! - pt);
  }
}
