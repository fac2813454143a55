import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = max(x, 0). dx = dy where x > 0, else 0 (the subgradient at 0 is 0, as in PyTorch). The mask is
 * piecewise constant, so tangents pass through the same mask and the second derivative is 0.
 */
export function relu(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.relu(x);
  return tape.record('relu', [x], y, (dy, ctx) => [ctx.backend.reluGrad(dy, x)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.reluGrad(tx, x),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.reluGrad(tdy, x)],
  });
}
