import type { Pool2dParams } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** Average pooling with count_include_pad = false. dx spreads dy evenly over each window's real cells. Linear. */
export function avgPool2d(tape: Tape, x: Tensor, p: Pool2dParams): Tensor {
  const y = tape.backend.avgPool2d(x, p);
  const xShape = x.shape;
  return tape.record('avg_pool2d', [x], y, (dy, ctx) => [ctx.backend.avgPool2dGrad(dy, xShape, p)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.avgPool2d(tx, p),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.avgPool2dGrad(tdy, xShape, p)],
  });
}
