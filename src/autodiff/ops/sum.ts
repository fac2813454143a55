import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** y = Σ x (a scalar). dx = dy at every position. Linear. */
export function sum(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.sum(x);
  const { shape, dtype, size } = x;
  const broadcast = (g: Tensor, ctx: { backend: typeof tape.backend }) => {
    const v = ctx.backend.toHost(g)[0]!;
    const ones = dtype === 'f64' ? new Float64Array(size) : new Float32Array(size);
    return ctx.backend.fromHost(ones.fill(v), shape);
  };
  return tape.record('sum', [x], y, (dy, ctx) => [broadcast(dy, ctx)], {
    jvp: ([tx], b) => tx && b.sum(tx),
    vjpJvp: (_dy, tdy, _tx, ctx) => [tdy && broadcast(tdy, ctx)],
  });
}
