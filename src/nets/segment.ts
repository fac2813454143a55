/**
 * A network segment (an NB101 cell) that the forward context may checkpoint: recomputed in the backward
 * instead of remembered (autodiff/ops/checkpoint.ts). On the recomputation BN's running averages stay put
 * (they moved on the first run) and only the layer-output tap fires again: its gradients exist only there;
 * the other taps saw the first run.
 */
import { checkpoint, type Tensor } from '../autodiff/index.js';
import type { ForwardContext } from './network.js';
import type { ParameterEntry } from './parameters.js';

export type Block = (ctx: ForwardContext, x: Tensor) => Tensor;

export function segment(ctx: ForwardContext, x: Tensor, params: readonly ParameterEntry[], block: Block): Tensor {
  if (!ctx.checkpoint) return block(ctx, x);
  const layerOutput = ctx.observe?.layerOutput;
  return checkpoint(
    ctx.tape,
    x,
    params.map((e) => e.tensor),
    (tape, x, again) =>
      block(
        again
          ? { ...ctx, tape, checkpoint: false, updateRunning: false, observe: layerOutput ? { layerOutput } : undefined }
          : { ...ctx, tape, checkpoint: false },
        x,
      ),
  );
}
