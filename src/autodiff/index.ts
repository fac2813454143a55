/** The autodiff: a tensor, a tape, and one file per op with its forward, vector-Jacobian product and tangent rule. */
export { Tensor, hostArray, hostArrayOf, sizeOf, sameShape, shapeString, type DType, type HostArray } from '../backend/tensor.js';
export { Tape, type BackwardContext, type BackwardOptions, type Vjp } from './tape.js';
export type { PerSampleSink } from './per_sample_sink.js';
export type { FirstElementSink } from './first_element.js';
export { sumOf, sumOfFresh, type TangentRule } from './tangent.js';
import type { Tape } from './tape.js';
import type { Tensor } from '../backend/tensor.js';
import { add } from './ops/add.js';
import { avgPool2d } from './ops/avg_pool2d.js';
import { batchNorm } from './ops/batch_norm.js';
import { channelBias } from './ops/channel_bias.js';
import { checkpoint } from './ops/checkpoint.js';
import { concatChannels } from './ops/concat_channels.js';
import { conv2d } from './ops/conv2d.js';
import { cropSpatial } from './ops/crop_spatial.js';
import { crossEntropy } from './ops/cross_entropy.js';
import { depthwiseConv2d } from './ops/depthwise_conv2d.js';
import { globalAvgPool } from './ops/global_avg_pool.js';
import { linear } from './ops/linear.js';
import { maxPool2d } from './ops/max_pool2d.js';
import { relu } from './ops/relu.js';
import { scale } from './ops/scale.js';
import { sliceChannels } from './ops/slice_channels.js';
import { sum } from './ops/sum.js';
import { zero } from './ops/zero.js';

export type { BatchNormBuffers, BatchNormMode, BatchNormOptions } from './ops/batch_norm.js';
export type { Reduction } from './ops/cross_entropy.js';
export type { Segment } from './ops/checkpoint.js';

/**
 * Every op, by name. The tests loop over this table: each entry needs a finite-difference gradient check
 * and a Hessian-vector check (their case tables are typed Record<OpName, ...>), so a new op is not done
 * until both exist.
 */
export const ops = {
  add,
  avgPool2d,
  batchNorm,
  channelBias,
  checkpoint,
  concatChannels,
  conv2d,
  cropSpatial,
  crossEntropy,
  depthwiseConv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  scale,
  sliceChannels,
  sum,
  zero,
} satisfies Record<string, Op>;
export type OpName = keyof typeof ops;

/** An op takes the tape first (it records itself there) and returns its output. */
export type Op = (tape: Tape, ...args: never[]) => Tensor;
export {
  add,
  avgPool2d,
  batchNorm,
  channelBias,
  checkpoint,
  concatChannels,
  conv2d,
  cropSpatial,
  crossEntropy,
  depthwiseConv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  scale,
  sliceChannels,
  sum,
  zero,
};
