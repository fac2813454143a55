import type { Tensor } from '../backend/tensor.js';

/**
 * Receives per-sample weight gradients during a backward pass instead of the batch-summed gradient.
 * `grads` has shape [N, ...param.shape].
 */
export interface PerSampleSink {
  wants(param: Tensor): boolean;
  /** Reduces `grads` before returning; the tensor is released afterwards. */
  consume(param: Tensor, grads: Tensor): void;
}
