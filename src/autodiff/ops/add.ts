import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** y = a + b (same shapes). da = db = dy. */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  const y = tape.backend.add(a, b);
  return tape.record('add', [a, b], y, (dy) => [dy, dy]);
}
