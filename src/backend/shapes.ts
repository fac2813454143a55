/** Shape checks every backend makes the same way, with the same messages. */
import { shapeString, type Tensor } from '../autodiff/tensor.js';

/** op(a) [M,K] × op(b) [K,N]: the sizes, or an error naming both shapes. */
export function matmulDims(a: Tensor, b: Tensor, transA: boolean, transB: boolean): { M: number; K: number; N: number } {
  const [ar, ac] = a.shape as [number, number], [br, bc] = b.shape as [number, number];
  const M = transA ? ac : ar, K = transA ? ar : ac, K2 = transB ? bc : br, N = transB ? br : bc;
  if (K !== K2) throw new Error(`matmul: inner sizes differ (${shapeString(a.shape)}${transA ? 'ᵀ' : ''} x ${shapeString(b.shape)}${transB ? 'ᵀ' : ''})`);
  return { M, K, N };
}

/** One label per row of logits [N, K], each in [0, K). */
export function checkLabels(labels: Int32Array, N: number, K: number): void {
  if (labels.length !== N) throw new Error(`cross_entropy: ${labels.length} labels for ${N} rows of logits`);
  labels.forEach((y, n) => {
    if (!(y >= 0 && y < K)) throw new Error(`cross_entropy: label ${y} of sample ${n} is outside [0, ${K})`);
  });
}
