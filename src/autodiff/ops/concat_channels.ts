import type { Kernels } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = the inputs [N,C_i,H,W] side by side along the channels. Each input's gradient is its channel slice of
 * dy. Linear: the tangent is the concat of the input tangents (a missing one is zeros for its block).
 */
export function concatChannels(tape: Tape, xs: readonly Tensor[]): Tensor {
  const y = tape.backend.concatChannels(xs);
  // What the rules need of the inputs, kept instead of the inputs themselves (their storage is not needed).
  const blocks = xs.map((x, i) => ({
    shape: x.shape,
    start: xs.slice(0, i).reduce((c, u) => c + u.shape[1]!, 0),
    count: x.shape[1]!,
    tracked: tape.isTracked(x),
  }));
  const slices = (g: Tensor, be: Kernels) => blocks.map((b) => (b.tracked ? be.sliceChannels(g, b.start, b.count) : null));
  return tape.record('concat_channels', [...xs], y, (dy, ctx) => slices(dy, ctx.backend), {
    piecewiseLinear: true,
    jvp: (tx, be) => {
      if (tx.every((t) => !t)) return null;
      const zeros = blocks.map((b, i) => (tx[i] ? null : be.zeros(b.shape, y.dtype)));
      const ty = be.concatChannels(blocks.map((_, i) => tx[i] ?? zeros[i]!));
      for (const z of zeros) if (z) be.release(z);
      return ty;
    },
    vjpJvp: (_dy, tdy, _tx, { backend: be }) => (tdy ? slices(tdy, be) : blocks.map(() => null)),
  });
}
