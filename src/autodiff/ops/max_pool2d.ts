import type { Pool2dParams } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * Max pooling as PyTorch's MaxPool2d (padded cells never win; ties go to the first maximum in row-major
 * window order; a NaN wins). dx = dy routed to each window's argmax. Piecewise linear: a tangent is routed
 * through the same argmaxes (a gather), and the second derivative is 0, as for relu.
 *
 * The backward recomputes the argmaxes from x rather than saving them: tensors are f32/f64 only, so saved
 * indices would need an integer dtype on every backend, and they would save little — the VJP keeps x, as
 * relu's does, and for the 3×3 stride-1 pool the indices would be as large as x. The recomputation is k²
 * comparisons per output, the forward's cost again.
 */
export function maxPool2d(tape: Tape, x: Tensor, p: Pool2dParams): Tensor {
  const y = tape.backend.maxPool2d(x, p);
  return tape.record('max_pool2d', [x], y, (dy, ctx) => [ctx.backend.maxPool2dGrad(dy, x, p)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.maxPool2d(x, p, tx),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.maxPool2dGrad(tdy, x, p)],
  });
}
