import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * The NB201 `none` op: exact zeros shaped like x. Its gradient is exactly 0 (PyTorch's x·0), so it is not
 * recorded: nothing upstream of it receives a contribution, which is the same as receiving zeros.
 */
export function zero(tape: Tape, x: Tensor): Tensor {
  return tape.backend.zeros(x.shape, x.dtype);
}
