import { sumOf } from '../tangent.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** y = a + b (same shapes). da = db = dy. Linear, so tangents add the same way. */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  const y = tape.backend.add(a, b);
  return tape.record('add', [a, b], y, (dy) => [dy, dy], {
    piecewiseLinear: true,
    jvp: ([ta, tb], be) => sumOf(be, ta, tb),
    vjpJvp: (_dy, tdy) => [tdy, tdy],
  });
}
