import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/** [N,C,H,W] → [N,C], the mean over H×W. dx = dy / (H·W) at every position. Linear. */
export function globalAvgPool(tape: Tape, x: Tensor): Tensor {
  const y = tape.backend.globalAvgPool(x);
  const xShape = x.shape;
  return tape.record('global_avg_pool', [x], y, (dy, ctx) => [ctx.backend.globalAvgPoolGrad(dy, xShape)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.globalAvgPool(tx),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.globalAvgPoolGrad(tdy, xShape)],
  });
}
