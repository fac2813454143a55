import { channelFirstElement } from '../first_element.js';
import type { Tape } from '../tape.js';
import type { SavedBatchNorm } from '../../backend/backend.js';
import { hostArray, type Tensor } from '../../backend/tensor.js';

/**
 * y = x + b[c] per channel of x [N,C,H,W] (a convolution's bias). It runs on the batch-norm kernels with
 * identity statistics (mean 0, 1/σ 1, γ 1, β = b), which compute exactly this; dx = dy, db = Σ_{n,h,w} dy.
 */
export function channelBias(tape: Tape, x: Tensor, bias: Tensor): Tensor {
  const be = tape.backend;
  const C = x.shape[1]!;
  const fill = (v: number) => be.fromHost(hostArray(x.dtype, C).fill(v), [C]);
  const ones = fill(1);
  const identity: SavedBatchNorm = { x, mean: fill(0), invStd: ones, gamma: ones, grouping: 'channel', statsFromInput: false };
  const y = be.batchNormForward(identity, bias);
  return tape.record(
    'channel_bias',
    [x, bias],
    y,
    (dy, ctx) => {
      if (ctx.firstElement?.wants(bias)) ctx.firstElement.consume(bias, channelFirstElement(ctx.backend, dy));
      return [dy, ctx.needsGrad(bias) ? ctx.backend.batchNormBackward(dy, identity).dbeta : null];
    },
    {
      piecewiseLinear: true,
      jvp: ([tx = null, tb]) => {
        if (tb) throw new Error('channel_bias: tangents of the bias are not supported');
        return tx;
      },
      vjpJvp: (_dy, tdy) => [tdy, null], // the bias never carries a direction, so its H·v row is never read
    },
  );
}
