/**
 * The reference backend: every kernel as plain TypeScript loops over typed arrays, in f32 or f64.
 * It is the oracle the WASM and WebGPU backends are tested against, so it favours clarity over speed.
 */
import { Tensor, sameShape, shapeString, sizeOf, type DType, type HostArray } from '../tensor.js';
import type { Backend, Conv2dParams, GramStore, Pool2dParams, SignStore, StatsGrouping, SumStore } from '../backend.js';
import { bnLayout, convGeometry, matmulDims, poolOutputSize } from '../shapes.js';
import { bnBackward, bnBackwardTangent, bnForward, bnStatistics } from '../batch_norm_host.js';
import { conv2dForward, conv2dGradInput, conv2dGradWeight } from './conv2d.js';
import { gemmNN, gemmNT, gemmTN } from './gemm.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGrad } from './loss.js';
import { avgPool2d, avgPool2dGrad, globalAvgPool, globalAvgPoolGrad } from './pooling.js';
import { anyNonFinite, classGram, signSum, signsOf } from './reduce.js';

function allocator(dtype: DType): (n: number) => HostArray {
  return dtype === 'f64' ? (n) => new Float64Array(n) : (n) => new Float32Array(n);
}

/** The reduction stores: host arrays, plus the non-finite mark (see Backend). */
interface RefSumStore extends SumStore { sums: Int32Array; nonFinite: boolean }
interface RefSignStore extends SignStore { signs: Int8Array; nonFinite: boolean }
interface RefGramStore extends GramStore { grams: Float64Array[]; nonFinite: boolean }

export class ReferenceBackend implements Backend {
  readonly name: string = 'js';

  protected arr(t: Tensor): HostArray {
    return t.storage as HostArray;
  }

  protected make(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
    return new Tensor(shape, dtype, data ?? allocator(dtype)(sizeOf(shape)));
  }

  private cast(dtype: DType, data: ArrayLike<number>): HostArray {
    return dtype === 'f64' ? Float64Array.from(data) : Float32Array.from(data);
  }

  scope<T>(fn: () => T): T {
    return fn(); // storage is garbage-collected
  }

  release(_t: Tensor): void {
    // garbage-collected storage
  }

  fromHost(data: HostArray, shape: readonly number[]): Tensor {
    if (data.length !== sizeOf(shape)) throw new Error(`fromHost: ${data.length} values do not fill shape ${shapeString(shape)}`);
    return this.make(shape, data instanceof Float64Array ? 'f64' : 'f32', data.slice());
  }

  toHost(t: Tensor): HostArray {
    return this.arr(t).slice();
  }

  zeros(shape: readonly number[], dtype: DType): Tensor {
    return this.make(shape, dtype);
  }

  add(a: Tensor, b: Tensor): Tensor {
    if (!sameShape(a.shape, b.shape)) throw new Error(`add: shapes ${shapeString(a.shape)} and ${shapeString(b.shape)} differ`);
    const x = this.arr(a), y = this.arr(b), out = this.make(a.shape, a.dtype), o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = x[i]! + y[i]!;
    return out;
  }

  scale(a: Tensor, s: number): Tensor {
    const x = this.arr(a), out = this.make(a.shape, a.dtype), o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = x[i]! * s;
    return out;
  }

  sum(a: Tensor): Tensor {
    let s = 0;
    for (const v of this.arr(a)) s += v;
    return this.make([], a.dtype, this.cast(a.dtype, [s]));
  }

  conv2d(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, w.shape, p);
    return this.make([g.N, g.Co, g.Ho, g.Wo], x.dtype, conv2dForward(g, this.arr(x), this.arr(w), allocator(x.dtype)));
  }

  conv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(xShape, w.shape, p);
    return this.make(xShape, dy.dtype, conv2dGradInput(g, this.arr(dy), this.arr(w), allocator(dy.dtype)));
  }

  conv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    return this.make(wShape, x.dtype, conv2dGradWeight(g, this.arr(x), this.arr(dy), false, allocator(x.dtype)));
  }

  conv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    return this.make([g.N, ...wShape], x.dtype, conv2dGradWeight(g, this.arr(x), this.arr(dy), true, allocator(x.dtype)));
  }

  batchNormStatistics(x: Tensor, grouping: StatsGrouping): { mean: Tensor; variance: Tensor } {
    const l = bnLayout(x.shape);
    const { mean, variance } = bnStatistics(l, grouping, this.arr(x));
    return {
      mean: this.make([mean.length], x.dtype, this.cast(x.dtype, mean)),
      variance: this.make([variance.length], x.dtype, this.cast(x.dtype, variance)),
    };
  }

  batchNormInvStd(variance: Tensor, eps: number): Tensor {
    const v = this.arr(variance), out = this.make(variance.shape, variance.dtype), o = this.arr(out);
    for (let g = 0; g < v.length; g++) o[g] = 1 / Math.sqrt(v[g]! + eps);
    return out;
  }

  batchNormForward(x: Tensor, mean: Tensor, invStd: Tensor, gamma: Tensor, beta: Tensor, grouping: StatsGrouping): Tensor {
    const out = this.make(x.shape, x.dtype);
    bnForward(bnLayout(x.shape), grouping, this.arr(x), this.arr(mean), this.arr(invStd), this.arr(gamma), this.arr(beta), this.arr(out));
    return out;
  }

  batchNormBackward(
    dy: Tensor, x: Tensor, mean: Tensor, invStd: Tensor, gamma: Tensor, grouping: StatsGrouping, statsFromInput: boolean,
  ): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
    const dx = this.make(x.shape, x.dtype), dgamma = this.make(gamma.shape, gamma.dtype), dbeta = this.make(gamma.shape, gamma.dtype);
    bnBackward(
      bnLayout(x.shape), grouping, statsFromInput, this.arr(dy), this.arr(x), this.arr(mean), this.arr(invStd), this.arr(gamma),
      this.arr(dx), this.arr(dgamma), this.arr(dbeta),
    );
    return { dx, dgamma, dbeta };
  }

  batchNormBackwardTangent(
    dy: Tensor, tdy: Tensor | null, x: Tensor, tx: Tensor | null, mean: Tensor, invStd: Tensor, gamma: Tensor,
    grouping: StatsGrouping, statsFromInput: boolean,
  ): Tensor {
    const out = this.make(x.shape, x.dtype);
    bnBackwardTangent(
      bnLayout(x.shape), grouping, statsFromInput, this.arr(dy), tdy && this.arr(tdy), this.arr(x), tx && this.arr(tx),
      this.arr(mean), this.arr(invStd), this.arr(gamma), this.arr(out),
    );
    return out;
  }

  relu(x: Tensor): Tensor {
    const a = this.arr(x), out = this.make(x.shape, x.dtype), o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = a[i]! > 0 ? a[i]! : 0;
    return out;
  }

  reluGrad(dy: Tensor, x: Tensor): Tensor {
    const d = this.arr(dy), a = this.arr(x), out = this.make(x.shape, dy.dtype), o = this.arr(out);
    for (let i = 0; i < o.length; i++) o[i] = a[i]! > 0 ? d[i]! : 0;
    return out;
  }

  avgPool2d(x: Tensor, p: Pool2dParams): Tensor {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const out = this.make([N, C, poolOutputSize(H, p), poolOutputSize(W, p)], x.dtype);
    avgPool2d(N * C, H, W, p, this.arr(x), this.arr(out));
    return out;
  }

  avgPool2dGrad(dy: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor {
    const [N, C, H, W] = xShape as [number, number, number, number];
    const dx = this.make(xShape, dy.dtype);
    avgPool2dGrad(N * C, H, W, p, this.arr(dy), this.arr(dx));
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

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const { M, K, N } = matmulDims(a, b, transA, transB);
    const out = this.make([M, N], a.dtype), A = this.arr(a), B = this.arr(b), C = this.arr(out);
    if (transA && transB) throw new Error('matmul: transA && transB is not supported');
    if (transA) gemmTN(M, N, K, A, 0, B, 0, C, 0);
    else if (transB) gemmNT(M, N, K, A, 0, B, 0, C, 0);
    else gemmNN(M, N, K, A, 0, B, 0, C, 0);
    return out;
  }

  addRowVector(a: Tensor, v: Tensor): Tensor {
    const [M, N] = a.shape as [number, number];
    if (v.size !== N) throw new Error(`addRowVector: vector of ${v.size} for rows of ${N}`);
    const x = this.arr(a), b = this.arr(v), out = this.make(a.shape, a.dtype), o = this.arr(out);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) o[i * N + j] = x[i * N + j]! + b[j]!;
    return out;
  }

  sumRows(a: Tensor): Tensor {
    const [M, N] = a.shape as [number, number];
    const x = this.arr(a), acc = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) acc[j]! += x[i * N + j]!;
    return this.make([N], a.dtype, this.cast(a.dtype, acc));
  }

  outerPerSample(dy: Tensor, x: Tensor): Tensor {
    const [N, O] = dy.shape as [number, number], I = x.shape[1]!;
    const d = this.arr(dy), a = this.arr(x), out = this.make([N, O, I], x.dtype), o = this.arr(out);
    for (let n = 0; n < N; n++) for (let i = 0; i < O; i++) {
      const g = d[n * O + i]!, r = (n * O + i) * I;
      for (let j = 0; j < I; j++) o[r + j] = g * a[n * I + j]!;
    }
    return out;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { losses: Tensor; probs: Tensor } {
    const [N, K] = logits.shape as [number, number];
    if (labels.length !== N) throw new Error(`cross_entropy: ${labels.length} labels for ${N} rows of logits`);
    const losses = this.make([N], logits.dtype), probs = this.make([N, K], logits.dtype);
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
    const B = grads.shape[0]!, s = store as RefSumStore;
    if (signSum(this.arr(grads), B, grads.size / B, s.sums, offset)) s.nonFinite = true;
  }

  readSignSums(store: SumStore): { sums: Int32Array; nonFinite: boolean } {
    const s = store as RefSumStore;
    return { sums: s.sums.slice(), nonFinite: s.nonFinite };
  }

  allocSigns(length: number): SignStore {
    return { length, signs: new Int8Array(length), nonFinite: false } as RefSignStore;
  }

  writeSigns(grads: Tensor, store: SignStore, offset: number): void {
    const g = this.arr(grads), s = store as RefSignStore;
    s.signs.set(signsOf(g), offset);
    if (anyNonFinite(g)) s.nonFinite = true;
  }

  allocGrams(sizes: readonly number[]): GramStore {
    return { sizes, grams: sizes.map((n) => new Float64Array(n * n)), nonFinite: false } as RefGramStore;
  }

  classGram(store: SignStore, offset: number, numel: number, classes: readonly (readonly number[])[], grams: GramStore): void {
    const s = store as RefSignStore, acc = grams as RefGramStore;
    classGram(s.signs.subarray(offset), numel, classes, acc.grams);
    if (s.nonFinite) acc.nonFinite = true;
  }

  readGrams(grams: GramStore): { grams: Float64Array[]; nonFinite: boolean } {
    const acc = grams as RefGramStore;
    return { grams: acc.grams.map((g) => g.slice()), nonFinite: acc.nonFinite };
  }
}
