import type { Conv2dParams } from '../../backend/backend.js';
import { convFirstElement } from '../first_element.js';
import { sumOfFresh } from '../tangent.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = x ⋆ w (no bias). dx = w-transposed convolution of dy; dw = dy ⋆ x, per sample when asked.
 * Bilinear, so each tangent is the product rule: t(y) = tx ⋆ w + x ⋆ tw, t(dx) = convᵀ(tdy, w) + convᵀ(dy, tw),
 * t(dw) = tdy ⋆ x + dy ⋆ tx.
 */
export function conv2d(tape: Tape, x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
  const y = tape.backend.conv2d(x, w, p);
  return tape.record(
    'conv2d',
    [x, w],
    y,
    (dy, ctx) => {
      if (ctx.firstElement?.wants(w)) ctx.firstElement.consume(w, convFirstElement(ctx.backend, x, dy, p.stride, p.padding));
      return [
        ctx.needsGrad(x) ? ctx.backend.conv2dGradInput(dy, w, x.shape, p) : null,
        ctx.weightGrad(
          w,
          () => ctx.backend.conv2dGradWeight(x, dy, w.shape, p),
          () => ctx.backend.conv2dGradWeightPerSample(x, dy, w.shape, p),
        ),
      ];
    },
    {
      jvp: ([tx, tw], be) => sumOfFresh(be, tx && be.conv2d(tx, w, p), tw && be.conv2d(x, tw, p)),
      vjpJvp: (dy, tdy, [tx, tw], { backend: be, needsGrad }) => [
        needsGrad(x) ? sumOfFresh(be, tdy && be.conv2dGradInput(tdy, w, x.shape, p), tw && be.conv2dGradInput(dy, tw, x.shape, p)) : null,
        needsGrad(w) ? sumOfFresh(be, tdy && be.conv2dGradWeight(x, tdy, w.shape, p), tx && be.conv2dGradWeight(tx, dy, w.shape, p)) : null,
      ],
    },
  );
}
