import type { DepthwiseConv2dParams } from '../../backend/backend.js';
import { convFirstElement } from '../first_element.js';
import { sumOfFresh } from '../tangent.js';
import type { Tape } from '../tape.js';
import type { Tensor } from '../../backend/tensor.js';

/**
 * Depthwise convolution, PyTorch's Conv2d(C, C, k, groups = C, bias = False): x [N,C,H,W], w [C,1,kh,kw],
 * y[n,c] = x[n,c] ⋆ w[c] with taps `dilation` apart. dx = the transposed depthwise convolution of dy;
 * dw[c] = Σ_n dy[n,c] ⋆ x[n,c], per sample when asked. Bilinear, so each tangent is the product rule:
 * t(y) = tx ⋆ w + x ⋆ tw, t(dx) = convᵀ(tdy, w) + convᵀ(dy, tw), t(dw) = tdy ⋆ x + dy ⋆ tx.
 */
export function depthwiseConv2d(tape: Tape, x: Tensor, w: Tensor, p: DepthwiseConv2dParams): Tensor {
  const y = tape.backend.depthwiseConv2d(x, w, p);
  return tape.record(
    'depthwise_conv2d',
    [x, w],
    y,
    (dy, ctx) => {
      // w[0,0,0,0] reads x's channel 0 at tap (0, 0): dilation does not move the first tap
      if (ctx.firstElement?.wants(w)) ctx.firstElement.consume(w, convFirstElement(ctx.backend, x, dy, p.stride, p.padding));
      return [
        ctx.needsGrad(x) ? ctx.backend.depthwiseConv2dGradInput(dy, w, x.shape, p) : null,
        ctx.weightGrad(
          w,
          () => ctx.backend.depthwiseConv2dGradWeight(x, dy, w.shape, p),
          () => ctx.backend.depthwiseConv2dGradWeightPerSample(x, dy, w.shape, p),
        ),
      ];
    },
    {
      jvp: ([tx, tw], be) => sumOfFresh(be, tx && be.depthwiseConv2d(tx, w, p), tw && be.depthwiseConv2d(x, tw, p)),
      vjpJvp: (dy, tdy, [tx, tw], { backend: be, needsGrad }) => [
        needsGrad(x)
          ? sumOfFresh(be, tdy && be.depthwiseConv2dGradInput(tdy, w, x.shape, p), tw && be.depthwiseConv2dGradInput(dy, tw, x.shape, p))
          : null,
        needsGrad(w)
          ? sumOfFresh(be, tdy && be.depthwiseConv2dGradWeight(x, tdy, w.shape, p), tx && be.depthwiseConv2dGradWeight(tx, dy, w.shape, p))
          : null,
      ],
    },
  );
}
