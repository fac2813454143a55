/**
 * Shapes, geometry and argument checks every backend does the same way, with the same messages: host data
 * filling a shape, operand shapes and dtypes, matmul sizes, labels, convolution and pooling output sizes,
 * batch-norm layout. Backends import this, never each other.
 */
import type { Conv2dParams, DepthwiseConv2dParams, Pool2dParams, StatsGrouping } from './backend.js';
import { sameShape, shapeString, sizeOf, type DType, type HostArray, type Tensor } from './tensor.js';

/** fromHost's data fills its shape exactly. */
export function checkFills(data: HostArray, shape: readonly number[]): void {
  if (data.length !== sizeOf(shape)) throw new Error(`fromHost: ${data.length} values do not fill shape ${shapeString(shape)}`);
}

/** An element-wise op's operands have one shape. */
export function checkSameShape(op: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) throw new Error(`${op}: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} differ`);
}

/** The f32-only backends refuse other dtypes, saying where such work runs instead. */
export function checkF32(backend: string, dtype: DType, elsewhere: string): void {
  if (dtype !== 'f32') throw new Error(`${backend} backend: kernels are f32, got ${dtype} (${elsewhere})`);
}

/** checkF32 for host data, which it returns as the Float32Array it is. */
export function f32Data(backend: string, data: HostArray, elsewhere: string): Float32Array {
  if (!(data instanceof Float32Array)) throw new Error(`${backend} backend: kernels are f32, got f64 data (${elsewhere})`);
  return data;
}

/** a [M,N] + v [N]: the sizes, or an error. */
export function rowVectorDims(a: Tensor, v: Tensor): { M: number; N: number } {
  const [M, N] = a.shape as [number, number];
  if (a.rank !== 2 || v.size !== N) throw new Error(`addRowVector: vector of ${v.size} for rows of ${shapeString(a.shape)}`);
  return { M, N };
}

/** op(a) [M,K] × op(b) [K,N]: the sizes, or an error naming both shapes. */
export function matmulDims(a: Tensor, b: Tensor, transA: boolean, transB: boolean): { M: number; K: number; N: number } {
  const [ar, ac] = a.shape as [number, number],
    [br, bc] = b.shape as [number, number];
  const M = transA ? ac : ar,
    K = transA ? ar : ac,
    K2 = transB ? bc : br,
    N = transB ? br : bc;
  if (K !== K2)
    throw new Error(
      `matmul: inner sizes differ (${shapeString(a.shape)}${transA ? 'ᵀ' : ''} x ${shapeString(b.shape)}${transB ? 'ᵀ' : ''})`,
    );
  return { M, K, N };
}

/** One label per row of logits [N, K], each in [0, K). */
export function checkLabels(labels: Int32Array, N: number, K: number): void {
  if (labels.length !== N) throw new Error(`cross_entropy: ${labels.length} labels for ${N} rows of logits`);
  labels.forEach((y, n) => {
    if (!(y >= 0 && y < K)) throw new Error(`cross_entropy: label ${y} of sample ${n} is outside [0, ${K})`);
  });
}

/** The sizes of a convolution of input [N,Ci,H,W] with weight [Co,Ci,kh,kw]; K = Ci·kh·kw, P = Ho·Wo. */
export interface ConvGeometry {
  N: number;
  Ci: number;
  H: number;
  W: number;
  Co: number;
  kh: number;
  kw: number;
  Ho: number;
  Wo: number;
  stride: number;
  pad: number;
  K: number;
  P: number;
}

export function convGeometry(xShape: readonly number[], wShape: readonly number[], p: Conv2dParams): ConvGeometry {
  const [N, Ci, H, W] = xShape as [number, number, number, number];
  const [Co, wCi, kh, kw] = wShape as [number, number, number, number];
  if (xShape.length !== 4 || wShape.length !== 4) throw new Error(`conv2d: expected 4-d input and weight, got [${xShape}] and [${wShape}]`);
  if (wCi !== Ci) throw new Error(`conv2d: input has ${Ci} channels but weight expects ${wCi}`);
  const Ho = Math.floor((H + 2 * p.padding - kh) / p.stride) + 1;
  const Wo = Math.floor((W + 2 * p.padding - kw) / p.stride) + 1;
  if (Ho < 1 || Wo < 1) throw new Error(`conv2d: output would be empty for input ${H}x${W}, kernel ${kh}x${kw}`);
  return { N, Ci, H, W, Co, kh, kw, Ho, Wo, stride: p.stride, pad: p.padding, K: Ci * kh * kw, P: Ho * Wo };
}

/** The sizes of a depthwise convolution of input [N,C,H,W] with weight [C,1,kh,kw]. */
export interface DepthwiseGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  dilation: number;
  Ho: number;
  Wo: number;
}

/**
 * A depthwise convolution's geometry, as PyTorch's Conv2d(groups = C): Ho = ⌊(H + 2p − d·(kh − 1) − 1) / s⌋ + 1.
 * Stride and dilation are positive integers, padding a non-negative one; `dy`, when given, has the output's shape.
 */
export function depthwiseGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  p: DepthwiseConv2dParams,
  dyShape?: readonly number[],
): DepthwiseGeometry {
  if (xShape.length !== 4 || wShape.length !== 4)
    throw new Error(`depthwise_conv2d: expected 4-d input and weight, got ${shapeString(xShape)} and ${shapeString(wShape)}`);
  const [N, C, H, W] = xShape as [number, number, number, number];
  const [wC, one, kh, kw] = wShape as [number, number, number, number];
  if (wC !== C || one !== 1)
    throw new Error(`depthwise_conv2d: weight ${shapeString(wShape)} is not [${C}, 1, kh, kw] for input ${shapeString(xShape)}`);
  const { stride, padding, dilation } = p;
  if (!(
    Number.isInteger(stride) &&
    stride >= 1 &&
    Number.isInteger(dilation) &&
    dilation >= 1 &&
    Number.isInteger(padding) &&
    padding >= 0
  ))
    throw new Error(`depthwise_conv2d: stride ${stride} and dilation ${dilation} must be positive integers, padding ${padding} ≥ 0`);
  const Ho = Math.floor((H + 2 * padding - dilation * (kh - 1) - 1) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - dilation * (kw - 1) - 1) / stride) + 1;
  if (!(Ho >= 1 && Wo >= 1))
    throw new Error(`depthwise_conv2d: output would be empty for input ${H}x${W}, kernel ${kh}x${kw}, dilation ${dilation}`);
  if (dyShape && !sameShape(dyShape, [N, C, Ho, Wo]))
    throw new Error(`depthwise_conv2d grad: dy ${shapeString(dyShape)} is not the output shape ${shapeString([N, C, Ho, Wo])}`);
  return { N, C, H, W, kh, kw, stride, pad: padding, dilation, Ho, Wo };
}

/** cropSpatial's sizes: x [N,C,H,W] loses its first `top` rows and `left` columns, at least one of each kept. */
export interface CropGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  top: number;
  left: number;
  Ho: number;
  Wo: number;
}

export function cropGeometry(xShape: readonly number[], top: number, left: number, dyShape?: readonly number[]): CropGeometry {
  if (xShape.length !== 4) throw new Error(`crop_spatial: input is ${shapeString(xShape)}, not [N,C,H,W]`);
  const [N, C, H, W] = xShape as [number, number, number, number];
  if (!(Number.isInteger(top) && Number.isInteger(left) && top >= 0 && left >= 0 && top < H && left < W))
    throw new Error(`crop_spatial: offsets (${top}, ${left}) must be integers in [0, ${H}) x [0, ${W}) for ${shapeString(xShape)}`);
  const Ho = H - top,
    Wo = W - left;
  if (dyShape && !sameShape(dyShape, [N, C, Ho, Wo]))
    throw new Error(`crop_spatial grad: dy ${shapeString(dyShape)} is not the output shape ${shapeString([N, C, Ho, Wo])}`);
  return { N, C, H, W, top, left, Ho, Wo };
}

export function poolOutputSize(size: number, p: Pool2dParams): number {
  return Math.floor((size + 2 * p.padding - p.kernel) / p.stride) + 1;
}

/** A pooling of input [N,C,H,W]: its sizes and the output's. */
export interface PoolGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  Ho: number;
  Wo: number;
}

export function poolGeometry(xShape: readonly number[], p: Pool2dParams, op = 'pool'): PoolGeometry {
  if (xShape.length !== 4) throw new Error(`${op}: expected a 4-d input, got ${shapeString(xShape)}`);
  const [N, C, H, W] = xShape as [number, number, number, number];
  const Ho = poolOutputSize(H, p),
    Wo = poolOutputSize(W, p);
  if (Ho < 1 || Wo < 1) throw new Error(`${op}: output would be empty for input ${H}x${W}, kernel ${p.kernel}x${p.kernel}`);
  return { N, C, H, W, Ho, Wo };
}

/**
 * Max pooling of x (and the values it gathers, or the dy it routes): the geometry, with PyTorch's limits —
 * kernel and stride positive integers, padding at most half the kernel, so no window is padding only.
 */
export function maxPoolGeometry(x: Tensor, p: Pool2dParams, other?: { values?: Tensor; dy?: Tensor }): PoolGeometry {
  const { kernel, stride, padding } = p;
  if (!(Number.isInteger(kernel) && kernel >= 1 && Number.isInteger(stride) && stride >= 1))
    throw new Error(`max_pool2d: kernel ${kernel} and stride ${stride} must be positive integers`);
  if (!(Number.isInteger(padding) && padding >= 0 && 2 * padding <= kernel))
    throw new Error(`max_pool2d: padding ${padding} must be an integer in [0, kernel/2] (kernel ${kernel})`);
  const g = poolGeometry(x.shape, p, 'max_pool2d');
  if (other?.values) checkSameShape('max_pool2d values', other.values, x);
  const dy = other?.dy;
  if (dy && !sameShape(dy.shape, [g.N, g.C, g.Ho, g.Wo]))
    throw new Error(`max_pool2d grad: dy ${shapeString(dy.shape)} is not the output shape ${shapeString([g.N, g.C, g.Ho, g.Wo])}`);
  return g;
}

/** A run of channels inside a [N,C,H,W] tensor, and where it goes: copyChannels' arguments. */
export interface ChannelCopy {
  N: number;
  HW: number;
  srcC: number;
  srcStart: number;
  dstC: number;
  dstStart: number;
  count: number;
}

/** concatChannels: one or more [N,C_i,H,W] inputs of one N, H, W and dtype; the output's shape and each input's copy. */
export function concatPlan(xs: readonly Tensor[]): { shape: number[]; copies: ChannelCopy[] } {
  const first = xs[0];
  if (!first) throw new Error('concat_channels: no inputs');
  const [N, , H, W] = first.shape as [number, number, number, number];
  let C = 0;
  const starts = xs.map((x, i) => {
    if (x.rank !== 4) throw new Error(`concat_channels: input ${i} is ${shapeString(x.shape)}, not [N,C,H,W]`);
    if (x.shape[0] !== N || x.shape[2] !== H || x.shape[3] !== W)
      throw new Error(`concat_channels: input ${i} is ${shapeString(x.shape)}, input 0 ${shapeString(first.shape)}: N, H and W must agree`);
    if (x.dtype !== first.dtype) throw new Error(`concat_channels: input ${i} is ${x.dtype}, input 0 ${first.dtype}`);
    const start = C;
    C += x.shape[1]!;
    return start;
  });
  const copies = xs.map((x, i) => ({ N, HW: H * W, srcC: x.shape[1]!, srcStart: 0, dstC: C, dstStart: starts[i]!, count: x.shape[1]! }));
  return { shape: [N, C, H, W], copies };
}

/** sliceChannels: channels [start, start + count) of a [N,C,H,W] x, at least one, all inside C; the output's shape and the copy. */
export function slicePlan(x: Tensor, start: number, count: number): { shape: number[]; copy: ChannelCopy } {
  if (x.rank !== 4) throw new Error(`slice_channels: input is ${shapeString(x.shape)}, not [N,C,H,W]`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 1 && start + count <= C))
    throw new Error(
      `slice_channels: channels [${start}, ${start + count}) are not a non-empty range inside the ${C} of ${shapeString(x.shape)}`,
    );
  return { shape: [N, count, H, W], copy: { N, HW: H * W, srcC: C, srcStart: start, dstC: count, dstStart: 0, count } };
}

/** Batch norm's input as N·C runs of HW contiguous values ([N,C] is HW = 1). */
export interface BnLayout {
  N: number;
  C: number;
  HW: number;
}

export function bnLayout(shape: readonly number[]): BnLayout {
  if (shape.length !== 4 && shape.length !== 2) throw new Error(`batch_norm: expected [N,C,H,W] or [N,C], got ${shapeString(shape)}`);
  return { N: shape[0]!, C: shape[1]!, HW: shape.length === 4 ? shape[2]! * shape[3]! : 1 };
}

/** Statistic groups: one per channel, or one per (sample, channel). */
export function bnGroups(l: BnLayout, grouping: StatsGrouping): number {
  return grouping === 'channel' ? l.C : l.N * l.C;
}
