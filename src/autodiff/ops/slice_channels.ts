import type { Kernels } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = channels [start, start + count) of x [N,C,H,W]. dx = dy placed into zeros of x's shape. Linear: the
 * tangent is the slice of x's tangent.
 */
export function sliceChannels(tape: Tape, x: Tensor, start: number, count: number): Tensor {
  const y = tape.backend.sliceChannels(x, start, count);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  // dy between zero blocks for the channels before and after it: the concat kernel does the placing.
  const place = (g: Tensor, be: Kernels): Tensor => {
    const zeros = [start, C - start - count].map((c) => (c > 0 ? be.zeros([N, c, H, W], g.dtype) : null));
    const dx = be.concatChannels([zeros[0], g, zeros[1]].filter((t): t is Tensor => t !== null));
    for (const z of zeros) if (z) be.release(z);
    return dx;
  };
  return tape.record('slice_channels', [x], y, (dy, ctx) => [place(dy, ctx.backend)], {
    piecewiseLinear: true,
    jvp: ([tx = null], be) => tx && be.sliceChannels(tx, start, count),
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => [tdy && place(tdy, be)],
  });
}
