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
  return segment2(ctx, x, x, params, (c, s0) => block(c, s0));
}

export type Block2 = (ctx: ForwardContext, s0: Tensor, s1: Tensor) => Tensor;

/**
 * A segment of two inputs (a DARTS cell reads the outputs of the two cells before it). The checkpoint op takes
 * one input and a list of other tensors it tracks and differentiates (the parameters): s1 goes first in that
 * list, so its gradient comes back as a parameter's would, and the block reads it from the closure. When both
 * are one tensor (the first cell reads the stem twice) it is passed once: listed twice, its gradient would come
 * back twice and be added twice.
 */
export function segment2(ctx: ForwardContext, s0: Tensor, s1: Tensor, params: readonly ParameterEntry[], block: Block2): Tensor {
  if (!ctx.checkpoint) return block(ctx, s0, s1);
  const same = s0 === s1;
  const layerOutput = ctx.observe?.layerOutput;
  return checkpoint(ctx.tape, s0, [...(same ? [] : [s1]), ...params.map((e) => e.tensor)], (tape, x, again) =>
    block(
      again
        ? { ...ctx, tape, checkpoint: false, updateRunning: false, observe: layerOutput ? { layerOutput } : undefined }
        : { ...ctx, tape, checkpoint: false },
      x,
      same ? x : s1,
    ),
  );
}
