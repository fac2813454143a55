/** The autodiff: a tensor, a tape, and one file per op with its forward and vector-Jacobian product. */
export { Tensor, sizeOf, sameShape, shapeString, type DType, type HostArray } from './tensor.js';
export { Tape, type BackwardContext, type BackwardOptions, type Vjp } from './tape.js';
export type { PerSampleSink } from './per_sample_sink.js';
export { sumOf, sumOfFresh, type TangentRule } from './tangent.js';
export { add } from './ops/add.js';
export { avgPool2d } from './ops/avg_pool2d.js';
export { channelBias } from './ops/channel_bias.js';
export { batchNorm, type BatchNormBuffers, type BatchNormMode, type BatchNormOptions } from './ops/batch_norm.js';
export { conv2d } from './ops/conv2d.js';
export { crossEntropy, type Reduction } from './ops/cross_entropy.js';
export { globalAvgPool } from './ops/global_avg_pool.js';
export { linear } from './ops/linear.js';
export { relu } from './ops/relu.js';
export { scale } from './ops/scale.js';
export { sum } from './ops/sum.js';
export { zero } from './ops/zero.js';
