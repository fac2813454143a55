import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** y = Σ x (a scalar). dx = dy at every position. */
export function sum(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.sum(x);
  const { shape, dtype, size } = x;
  return tape.record('sum', [x], y, (dy, ctx) => {
    const g = ctx.backend.toHost(dy)[0]!;
    const ones = dtype === 'f64' ? new Float64Array(size) : new Float32Array(size);
    return [ctx.backend.fromHost(ones.fill(g), shape)];
  });
}
