import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = x[:, :, top:, left:] (DARTS's FactorizedReduce reads x[:, :, 1:, 1:]). dx = dy placed at (top, left) in
 * zeros of x's shape. Linear: the tangent is the crop of x's tangent.
 */
export function cropSpatial(tape: Tape, x: Tensor, top: number, left: number): Tensor {
  const y = tape.backend.cropSpatial(x, top, left);
  const xShape = x.shape;
  return tape.record('crop_spatial', [x], y, (dy, ctx) => [ctx.backend.cropSpatialGrad(dy, xShape, top, left)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.cropSpatial(tx, top, left),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && be.cropSpatialGrad(tdy, xShape, top, left)],
  });
}
