import type { Conv2dParams } from '../../backend/backend.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** y = x ⋆ w (no bias). dx = w-transposed convolution of dy; dw = dy ⋆ x, per sample when asked. */
export function conv2d(tape: Tape, x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  const y = tape.backend.conv2d(x, w, p);
  return tape.record('conv2d', [x, w], y, (dy, ctx) => [
    ctx.needsGrad(x) ? ctx.backend.conv2dGradInput(dy, w, x.shape, p) : null,
    ctx.weightGrad(
      w,
      () => ctx.backend.conv2dGradWeight(x, dy, w.shape, p),
      () => ctx.backend.conv2dGradWeightPerSample(x, dy, w.shape, p),
    ),
  ]);
}
