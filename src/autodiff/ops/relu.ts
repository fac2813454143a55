import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** y = max(x, 0). dx = dy where x > 0, else 0 (the subgradient at 0 is 0, as in PyTorch). */
export function relu(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.relu(x);
  return tape.record('relu', [x], y, (dy, ctx) => [ctx.backend.reluGrad(dy, x)]);
}
