import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** y = s·x for a constant s. dx = s·dy. Linear: tangents scale the same way. */
export function scale(tape: Tape, x: Tensor, s: number): Tensor {
  const y = tape.backend.scale(x, s);
  return tape.record('scale', [x], y, (dy, ctx) => [ctx.backend.scale(dy, s)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.scale(tx, s),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.scale(tdy, s)],
  });
}
