import { linearFirstElement } from '../first_element.js';
import { sumOfFresh } from '../tangent.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * y = x·wᵀ + b for x [N,in], w [out,in], b [out]. dx = dy·w, dw = dyᵀ·x (or outer(dy_n, x_n) per sample),
 * db = Σ_n dy. Bilinear in (x, w), so tangents follow the product rule.
 */
export function linear(tape: Tape, x: Tensor, w: Tensor, bias: Tensor): Tensor {
  const be = tape.backend;
  const y = be.addRowVector(be.matmul(x, w, false, true), bias);
  return tape.record(
    'linear',
    [x, w, bias],
    y,
    (dy, ctx) => {
      const first = ctx.firstElement;
      if (first?.wants(w)) first.consume(w, linearFirstElement(ctx.backend, dy, x));
      if (first?.wants(bias)) first.consume(bias, linearFirstElement(ctx.backend, dy));
      return [
        ctx.needsGrad(x) ? ctx.backend.matmul(dy, w, false, false) : null,
        ctx.weightGrad(
          w,
          () => ctx.backend.matmul(dy, x, true, false),
          () => ctx.backend.outerPerSample(dy, x),
        ),
        ctx.needsGrad(bias) ? ctx.backend.sumRows(dy) : null,
      ];
    },
    {
      jvp: ([tx, tw, tb], be) =>
        sumOfFresh(
          be,
          tx && be.matmul(tx, w, false, true),
          tw && be.matmul(x, tw, false, true),
          tb && be.addRowVector(be.zeros(y.shape, y.dtype), tb),
        ),
      vjpJvp: (dy, tdy, [tx, tw], { backend: be, needsGrad }) => [
        needsGrad(x) ? sumOfFresh(be, tdy && be.matmul(tdy, w, false, false), tw && be.matmul(dy, tw, false, false)) : null,
        needsGrad(w) ? sumOfFresh(be, tdy && be.matmul(tdy, x, true, false), tx && be.matmul(dy, tx, true, false)) : null,
        needsGrad(bias) && tdy ? be.sumRows(tdy) : null,
      ],
    },
  );
}
