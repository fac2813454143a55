/**
 * The reference backend: every kernel as plain TypeScript loops over typed arrays, in f32 or f64.
 * It is the oracle the WASM and WebGPU backends are tested against, so it favours clarity over speed.
 */
import { Tensor, hostArray, hostArrayOf, sizeOf, type DType, type HostArray } from '../tensor.js';
import type {
  Backend,
  Conv2dParams,
  DepthwiseConv2dParams,
  GramStore,
  Pool2dParams,
  SavedBatchNorm,
  SignStore,
  StatsGrouping,
  SumStore,
} from '../backend.js';
import {
  bnLayout,
  checkFills,
  checkLabels,
  checkSameShape,
  concatPlan,
  convGeometry,
  cropGeometry,
  depthwiseGeometry,
  matmulDims,
  maxPoolGeometry,
  poolGeometry,
  rowVectorDims,
  slicePlan,
} from '../shapes.js';
import { bnBackward, bnBackwardTangent, bnForward, bnStatistics, savedOnHost } from '../batch_norm_host.js';
import { copyChannels } from './channels.js';
import { conv2dForward, conv2dGradInput, conv2dGradWeight } from './conv2d.js';
import { cropSpatial, cropSpatialGrad } from './crop.js';
import { depthwiseForward, depthwiseGradInput, depthwiseGradWeight } from './depthwise_conv2d.js';
import { gemmNN, gemmNT, gemmTN } from './gemm.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGrad } from './loss.js';
import { avgPool2d, avgPool2dGrad, globalAvgPool, globalAvgPoolGrad, maxPool2d, maxPool2dGrad } from './pooling.js';
import { anyNonFinite, classGram, signSum, signsOf } from './reduce.js';

/** The reduction stores: host arrays, plus the non-finite mark (see Backend). */
interface RefSumStore extends SumStore {
  sums: Int32Array;
  nonFinite: boolean;
}
interface RefSignStore extends SignStore {
  /** Per layer, rows × numel int8 signs. */
  signs: Int8Array[];
  nonFinite: boolean;
}
interface RefGramStore extends GramStore {
  grams: Float64Array[];
  nonFinite: boolean;
}

export class ReferenceBackend implements Backend {
  readonly name: string = 'js';

  protected arr(t: Tensor): HostArray {
    return t.storage as HostArray;
  }

  protected make(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
    return new Tensor(shape, dtype, data ?? hostArray(dtype, sizeOf(shape)));
  }

  scope<T>(fn: () => T): T {
    return fn(); // storage is garbage-collected
  }

  release(_t: Tensor): void {
    // garbage-collected storage
  }

  fromHost(data: HostArray, shape: readonly number[]): Tensor {
    checkFills(data, shape);
    return this.make(shape, data instanceof Float64Array ? 'f64' : 'f32', data.slice());
  }

  toHost(t: Tensor): HostArray {
    return this.arr(t).slice();
  }

  zeros(shape: readonly number[], dtype: DType): Tensor {
    return this.make(shape, dtype);
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSameShape('add', a, b);
    const x = this.arr(a),
      y = this.arr(b),
      out = this.make(a.shape, a.dtype),
      o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = x[i]! + y[i]!;
    return out;
  }

  scale(a: Tensor, s: number): Tensor {
    const x = this.arr(a),
      out = this.make(a.shape, a.dtype),
      o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = x[i]! * s;
    return out;
  }

  sum(a: Tensor): Tensor {
    let s = 0;
    for (const v of this.arr(a)) s += v;
    return this.make([], a.dtype, hostArrayOf(a.dtype, [s]));
  }

  conv2d(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, w.shape, p);
    return this.make([g.N, g.Co, g.Ho, g.Wo], x.dtype, conv2dForward(g, this.arr(x), this.arr(w), x.dtype));
  }

  conv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(xShape, w.shape, p);
    return this.make(xShape, dy.dtype, conv2dGradInput(g, this.arr(dy), this.arr(w), dy.dtype));
  }

  conv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    return this.make(wShape, x.dtype, conv2dGradWeight(g, this.arr(x), this.arr(dy), false, x.dtype));
  }

  conv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    return this.make([g.N, ...wShape], x.dtype, conv2dGradWeight(g, this.arr(x), this.arr(dy), true, x.dtype));
  }

  depthwiseConv2d(x: Tensor, w: Tensor, p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, w.shape, p);
    return this.make([g.N, g.C, g.Ho, g.Wo], x.dtype, depthwiseForward(g, this.arr(x), this.arr(w), x.dtype));
  }

  depthwiseConv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(xShape, w.shape, p, dy.shape);
    return this.make(xShape, dy.dtype, depthwiseGradInput(g, this.arr(dy), this.arr(w), dy.dtype));
  }

  depthwiseConv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, wShape, p, dy.shape);
    return this.make(wShape, x.dtype, depthwiseGradWeight(g, this.arr(x), this.arr(dy), false, x.dtype));
  }

  depthwiseConv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, wShape, p, dy.shape);
    return this.make([g.N, ...wShape], x.dtype, depthwiseGradWeight(g, this.arr(x), this.arr(dy), true, x.dtype));
  }

  batchNormStatistics(x: Tensor, grouping: StatsGrouping): { mean: Tensor; variance: Tensor } {
    const l = bnLayout(x.shape);
    const { mean, variance } = bnStatistics(l, grouping, this.arr(x));
    return {
      mean: this.make([mean.length], x.dtype, hostArrayOf(x.dtype, mean)),
      variance: this.make([variance.length], x.dtype, hostArrayOf(x.dtype, variance)),
    };
  }

  batchNormInvStd(variance: Tensor, eps: number): Tensor {
    const v = this.arr(variance),
      out = this.make(variance.shape, variance.dtype),
      o = this.arr(out);
    for (let g = 0; g < v.length; g++) o[g] = 1 / Math.sqrt(v[g]! + eps);
    return out;
  }

  batchNormForward(bn: SavedBatchNorm, beta: Tensor): Tensor {
    const out = this.make(bn.x.shape, bn.x.dtype);
    bnForward(
      bnLayout(bn.x.shape),
      savedOnHost(bn, (t) => this.arr(t)),
      this.arr(beta),
      this.arr(out),
    );
    return out;
  }

  batchNormBackward(dy: Tensor, bn: SavedBatchNorm): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
    const { x, gamma } = bn;
    const dx = this.make(x.shape, x.dtype),
      dgamma = this.make(gamma.shape, gamma.dtype),
      dbeta = this.make(gamma.shape, gamma.dtype);
    bnBackward(
      bnLayout(x.shape),
      this.arr(dy),
      savedOnHost(bn, (t) => this.arr(t)),
      { dx: this.arr(dx), dgamma: this.arr(dgamma), dbeta: this.arr(dbeta) },
    );
    return { dx, dgamma, dbeta };
  }

  batchNormBackwardTangent(dy: Tensor, tdy: Tensor | null, tx: Tensor | null, bn: SavedBatchNorm): Tensor {
    const out = this.make(bn.x.shape, bn.x.dtype);
    bnBackwardTangent(
      bnLayout(bn.x.shape),
      this.arr(dy),
      tdy && this.arr(tdy),
      tx && this.arr(tx),
      savedOnHost(bn, (t) => this.arr(t)),
      this.arr(out),
    );
    return out;
  }

  relu(x: Tensor): Tensor {
    const a = this.arr(x),
      out = this.make(x.shape, x.dtype),
      o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = a[i]! > 0 ? a[i]! : 0;
    return out;
  }

  reluGrad(dy: Tensor, x: Tensor): Tensor {
    const d = this.arr(dy),
      a = this.arr(x),
      out = this.make(x.shape, dy.dtype),
      o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = a[i]! > 0 ? d[i]! : 0;
    return out;
  }

  avgPool2d(x: Tensor, p: Pool2dParams): Tensor {
    const { N, C, H, W, Ho, Wo } = poolGeometry(x.shape, p);
    const out = this.make([N, C, Ho, Wo], x.dtype);
    avgPool2d(N * C, H, W, p, this.arr(x), this.arr(out));
    return out;
  }

  avgPool2dGrad(dy: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor {
    const { N, C, H, W } = poolGeometry(xShape, p);
    const dx = this.make(xShape, dy.dtype);
    avgPool2dGrad(N * C, H, W, p, this.arr(dy), this.arr(dx));
    return dx;
  }

  maxPool2d(x: Tensor, p: Pool2dParams, values: Tensor = x): Tensor {
    const { N, C, H, W, Ho, Wo } = maxPoolGeometry(x, p, { values });
    const out = this.make([N, C, Ho, Wo], x.dtype);
    maxPool2d(N * C, H, W, p, this.arr(x), this.arr(values), this.arr(out));
    return out;
  }

  maxPool2dGrad(dy: Tensor, x: Tensor, p: Pool2dParams): Tensor {
    const { N, C, H, W } = maxPoolGeometry(x, p, { dy });
    const dx = this.make(x.shape, dy.dtype);
    maxPool2dGrad(N * C, H, W, p, this.arr(x), this.arr(dy), this.arr(dx));
    return dx;
  }

  globalAvgPool(x: Tensor): Tensor {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const out = this.make([N, C], x.dtype);
    globalAvgPool(N * C, H * W, this.arr(x), this.arr(out));
    return out;
  }

  globalAvgPoolGrad(dy: Tensor, xShape: readonly number[]): Tensor {
    const [N, C, H, W] = xShape as [number, number, number, number];
    const dx = this.make(xShape, dy.dtype);
    globalAvgPoolGrad(N * C, H * W, this.arr(dy), this.arr(dx));
    return dx;
  }

  concatChannels(xs: readonly Tensor[]): Tensor {
    const { shape, copies } = concatPlan(xs);
    const out = this.make(shape, xs[0]!.dtype);
    copies.forEach((c, i) => copyChannels(c, this.arr(xs[i]!), this.arr(out)));
    return out;
  }

  sliceChannels(x: Tensor, start: number, count: number): Tensor {
    const { shape, copy } = slicePlan(x, start, count);
    const out = this.make(shape, x.dtype);
    copyChannels(copy, this.arr(x), this.arr(out));
    return out;
  }

  cropSpatial(x: Tensor, top: number, left: number): Tensor {
    const g = cropGeometry(x.shape, top, left);
    const out = this.make([g.N, g.C, g.Ho, g.Wo], x.dtype);
    cropSpatial(g, this.arr(x), this.arr(out));
    return out;
  }

  cropSpatialGrad(dy: Tensor, xShape: readonly number[], top: number, left: number): Tensor {
    const g = cropGeometry(xShape, top, left, dy.shape);
    const dx = this.make(xShape, dy.dtype);
    cropSpatialGrad(g, this.arr(dy), this.arr(dx));
    return dx;
  }

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const { M, K, N } = matmulDims(a, b, transA, transB);
    const out = this.make([M, N], a.dtype),
      A = this.arr(a),
      B = this.arr(b),
      C = this.arr(out);
    if (transA && transB) throw new Error('matmul: transA && transB is not supported');
    if (transA) gemmTN(M, N, K, A, 0, B, 0, C, 0);
    else if (transB) gemmNT(M, N, K, A, 0, B, 0, C, 0);
    else gemmNN(M, N, K, A, 0, B, 0, C, 0);
    return out;
  }

  addRowVector(a: Tensor, v: Tensor): Tensor {
    const { M, N } = rowVectorDims(a, v);
    const x = this.arr(a),
      b = this.arr(v),
      out = this.make(a.shape, a.dtype),
      o = this.arr(out);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) o[i * N + j] = x[i * N + j]! + b[j]!;
    return out;
  }

  sumRows(a: Tensor): Tensor {
    const [M, N] = a.shape as [number, number];
    const x = this.arr(a),
      acc = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) acc[j]! += x[i * N + j]!;
    return this.make([N], a.dtype, hostArrayOf(a.dtype, acc));
  }

  outerPerSample(dy: Tensor, x: Tensor): Tensor {
    const [N, O] = dy.shape as [number, number],
      I = x.shape[1]!;
    const d = this.arr(dy),
      a = this.arr(x),
      out = this.make([N, O, I], x.dtype),
      o = this.arr(out);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < O; i++) {
        const g = d[n * O + i]!,
          r = (n * O + i) * I;
        for (let j = 0; j < I; j++) o[r + j] = g * a[n * I + j]!;
      }
    return out;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { losses: Tensor; probs: Tensor } {
    const [N, K] = logits.shape as [number, number];
    checkLabels(labels, N, K);
    const losses = this.make([N], logits.dtype),
      probs = this.make([N, K], logits.dtype);
    softmaxCrossEntropy(N, K, this.arr(logits), labels, this.arr(losses), this.arr(probs));
    return { losses, probs };
  }

  softmaxCrossEntropyGrad(probs: Tensor, labels: Int32Array, weight: number): Tensor {
    const [N, K] = probs.shape as [number, number];
    const out = this.make(probs.shape, probs.dtype);
    softmaxCrossEntropyGrad(N, K, this.arr(probs), labels, weight, this.arr(out));
    return out;
  }

  allocSignSums(length: number): SumStore {
    return { length, sums: new Int32Array(length), nonFinite: false } as RefSumStore;
  }

  signSum(grads: Tensor, store: SumStore, offset: number): void {
    const B = grads.shape[0]!,
      s = store as RefSumStore;
    if (signSum(this.arr(grads), B, grads.size / B, s.sums, offset)) s.nonFinite = true;
  }

  readSignSums(store: SumStore): { sums: Int32Array; nonFinite: boolean } {
    const s = store as RefSumStore;
    return { sums: s.sums.slice(), nonFinite: s.nonFinite };
  }

  allocSigns(rows: number, numels: readonly number[]): SignStore {
    return { rows, numels, signs: numels.map((n) => new Int8Array(rows * n)), nonFinite: false } as RefSignStore;
  }

  writeSigns(grads: Tensor, store: SignStore, layer: number, first: number): void {
    const g = this.arr(grads),
      s = store as RefSignStore,
      numel = s.numels[layer]!;
    if (grads.size !== grads.shape[0]! * numel || first + grads.shape[0]! > s.rows) {
      throw new RangeError(
        `writeSigns: a [${grads.shape[0]}, ${grads.size / grads.shape[0]!}] block at row ${first} of layer ${layer}'s [${s.rows}, ${numel}]`,
      );
    }
    s.signs[layer]!.set(signsOf(g), first * numel);
    if (anyNonFinite(g)) s.nonFinite = true;
  }

  allocGrams(sizes: readonly number[]): GramStore {
    return { sizes, grams: sizes.map((n) => new Float64Array(n * n)), nonFinite: false } as RefGramStore;
  }

  classGram(store: SignStore, layer: number, classes: readonly (readonly number[])[], grams: GramStore): void {
    const s = store as RefSignStore,
      acc = grams as RefGramStore;
    classGram(s.signs[layer]!, s.numels[layer]!, classes, acc.grams);
    if (s.nonFinite) acc.nonFinite = true;
  }

  readGrams(grams: GramStore): { grams: Float64Array[]; nonFinite: boolean } {
    const acc = grams as RefGramStore;
    return { grams: acc.grams.map((g) => g.slice()), nonFinite: acc.nonFinite };
  }
}
