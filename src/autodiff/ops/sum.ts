import type { Tape } from '../tape.js';
import { hostArray, type Tensor } from '../../backend/tensor.js';

/** y = Σ x (a scalar). dx = dy at every position. Linear. */
export function sum(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.sum(x);
  const { shape, dtype, size } = x;
  const broadcast = (g: Tensor, ctx: { backend: typeof tape.backend }) => {
    const v = ctx.backend.toHost(g)[0]!;
    return ctx.backend.fromHost(hostArray(dtype, size).fill(v), shape);
  };
  return tape.record('sum', [x], y, (dy, ctx) => [broadcast(dy, ctx)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.sum(tx),
    vjpJvp: (_dy, tdy, _tx, ctx) => [tdy && broadcast(tdy, ctx)],
  });
}
