/**
 * The narrow interfaces every backend implements (reference TS, WASM, WebGPU): the kernels the autodiff
 * needs, and the per-sample reductions only per_sample/ uses, so a toy backend implements what it is used for.
 * Shapes are NCHW. Kernels are pure: they allocate their outputs and never mutate their inputs.
 * Outputs take the dtype of the first tensor argument; a backend may reject mixed dtypes.
 */
import type { DType, HostArray, Tensor } from './tensor.js';

export interface Conv2dParams {
  stride: number;
  padding: number;
}

/** Depthwise convolution (groups = channels): taps `dilation` apart, as PyTorch's Conv2d(dilation=d). */
export interface DepthwiseConv2dParams {
  stride: number;
  padding: number;
  dilation: number;
}

export interface Pool2dParams {
  kernel: number;
  stride: number;
  padding: number;
}

/**
 * How batch-norm statistics are grouped: `channel` = one group per channel over (N,H,W) (train-mode BN);
 * `sample` = one group per (sample, channel) over (H,W) (train-mode BN on a batch of one).
 */
export type StatsGrouping = 'channel' | 'sample';

/**
 * What batch norm's forward keeps for its backward and its tangent: the input, the statistics it was
 * normalised with (C entries for `channel`, N·C for `sample`, index n·C + c), γ, and whether those statistics
 * are functions of x (train mode) or fixed (running mode). T is Tensor for backends, a host array inside them.
 */
export interface SavedBatchNorm<T = Tensor> {
  x: T;
  mean: T;
  invStd: T;
  gamma: T;
  grouping: StatsGrouping;
  statsFromInput: boolean;
}

/** The kernels the autodiff, the networks and the proxies run on. */
export interface Kernels {
  readonly name: string;

  /**
   * Runs fn and then frees every tensor it created (backends with their own memory; a no-op for garbage-
   * collected storage). fn must return host values, never tensors created inside.
   */
  scope<T>(fn: () => T): T;
  /** A hint that t is never used again, so its memory may be reused before its scope ends. */
  release(t: Tensor): void;

  // Host transfer.
  fromHost(data: HostArray, shape: readonly number[]): Tensor;
  toHost(t: Tensor): HostArray;
  zeros(shape: readonly number[], dtype: DType): Tensor;

  // Element-wise.
  add(a: Tensor, b: Tensor): Tensor;
  scale(a: Tensor, s: number): Tensor;
  sum(a: Tensor): Tensor; // -> shape []

  // Convolution (no bias). w: [Co, Ci, kh, kw].
  conv2d(x: Tensor, w: Tensor, p: Conv2dParams): Tensor;
  conv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor;
  conv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor;
  /** Per-sample filter gradients, the batch axis kept: [N, Co, Ci, kh, kw]. */
  conv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor;

  /**
   * Depthwise convolution (groups = channels, no bias): x [N,C,H,W], w [C,1,kh,kw], y [N,C,Ho,Wo] with
   * y[n,c] = x[n,c] ⋆ w[c] (cross-correlation, zero padding, taps `dilation` apart).
   */
  depthwiseConv2d(x: Tensor, w: Tensor, p: DepthwiseConv2dParams): Tensor;
  depthwiseConv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: DepthwiseConv2dParams): Tensor;
  depthwiseConv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor;
  /** Per-sample filter gradients, the batch axis kept: [N, C, 1, kh, kw]. */
  depthwiseConv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor;

  // Batch norm. mean/variance have C entries (`channel`) or N*C entries (`sample`, index n*C+c).
  batchNormStatistics(x: Tensor, grouping: StatsGrouping): { mean: Tensor; variance: Tensor };
  /** 1/√(variance + eps), element-wise: the statistics stay where they were computed. */
  batchNormInvStd(variance: Tensor, eps: number): Tensor;
  /** γ·(x − mean)·invStd + β (bn.statsFromInput is not read). */
  batchNormForward(bn: SavedBatchNorm, beta: Tensor): Tensor;
  /**
   * dx for normalisation with the statistics of x itself (`channel`/`sample`), or with fixed statistics
   * when `statsFromInput` is false (running mode); plus dgamma, dbeta summed over everything.
   */
  batchNormBackward(dy: Tensor, bn: SavedBatchNorm): { dx: Tensor; dgamma: Tensor; dbeta: Tensor };
  /**
   * The tangent of batchNormBackward's dx when dy moves by tdy and x by tx (null = zero), γ fixed:
   * forward-over-reverse for Hessian-vector products.
   */
  batchNormBackwardTangent(dy: Tensor, tdy: Tensor | null, tx: Tensor | null, bn: SavedBatchNorm): Tensor;

  // Activation and pooling.
  relu(x: Tensor): Tensor;
  reluGrad(dy: Tensor, x: Tensor): Tensor;
  avgPool2d(x: Tensor, p: Pool2dParams): Tensor; // count_include_pad = false
  avgPool2dGrad(dy: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor;
  globalAvgPool(x: Tensor): Tensor; // [N,C,H,W] -> [N,C]
  globalAvgPoolGrad(dy: Tensor, xShape: readonly number[]): Tensor;
  /**
   * Max pooling as PyTorch's MaxPool2d: padded cells never win; each window's argmax is its first maximum in
   * row-major order, or its last NaN (a NaN wins). Returns each window's value of `values` (x's shape; default
   * x itself) at x's argmax: with a tangent of x as `values`, that is the JVP.
   */
  maxPool2d(x: Tensor, p: Pool2dParams, values?: Tensor): Tensor;
  /** dx: each dy added at its window's argmax in x (recomputed from x, as maxPool2d chooses it). */
  maxPool2dGrad(dy: Tensor, x: Tensor, p: Pool2dParams): Tensor;

  // Channel blocks of [N,C,H,W] tensors: exact copies.
  /** The inputs side by side along the channel axis (one N, H, W and dtype). */
  concatChannels(xs: readonly Tensor[]): Tensor;
  /** Channels [start, start + count) of x. */
  sliceChannels(x: Tensor, start: number, count: number): Tensor;

  // Spatial crop of [N,C,H,W] tensors: exact copies.
  /** x[:, :, top:, left:]. */
  cropSpatial(x: Tensor, top: number, left: number): Tensor;
  /** dx of cropSpatial: dy placed at (top, left) in zeros of x's shape. */
  cropSpatialGrad(dy: Tensor, xShape: readonly number[], top: number, left: number): Tensor;

  // Dense. matmul(a, b, transA, transB): op(a) [M,K] x op(b) [K,N].
  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor;
  addRowVector(a: Tensor, v: Tensor): Tensor; // a [M,N] + v [N]
  sumRows(a: Tensor): Tensor; // [M,N] -> [N]
  /** Per-sample linear weight gradients: outer(dy_n, x_n) -> [N, out, in]. */
  outerPerSample(dy: Tensor, x: Tensor): Tensor;

  // Loss. Returns per-sample losses [N] and softmax probabilities [N,K].
  softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { losses: Tensor; probs: Tensor };
  /** d(sum_n w_n * loss_n)/dlogits with w_n = weight: (probs - onehot) * weight. */
  softmaxCrossEntropyGrad(probs: Tensor, labels: Int32Array, weight: number): Tensor;
}

/**
 * Per-sample gradient reductions, used only by per_sample/ (GradSign's sign sums, GradAlign's class Grams);
 * grads is [B, ...] (sample-major), sign(0) = 0, results exact. The accumulators are backend-owned (freed
 * with the enclosing scope) and read once, when a pass is over: a GPU keeps them on the device between
 * layers. A NaN or ±Inf gradient has no sign: the kernels that read gradients mark their store, and the mark
 * comes back with the reading, so an overflowed pass is never a plausible number.
 */
export interface SampleReductions {
  /** A zero-filled int32 accumulator of `length` sign sums. */
  allocSignSums(length: number): SumStore;
  /** store[offset + k] += Σ_b sign(grads[b, k]); a non-finite gradient marks the store. */
  signSum(grads: Tensor, store: SumStore, offset: number): void;
  readSignSums(store: SumStore): { sums: Int32Array; nonFinite: boolean };
  /**
   * Backend-owned storage for per-sample signs that must outlive a chunk's scope: per layer, a block of `rows`
   * sign rows of numels[layer] weights (each backend packs them as it likes: int8, 2-bit, f32).
   */
  allocSigns(rows: number, numels: readonly number[]): SignStore;
  /** Rows first .. first + b − 1 of a layer's block = sign(grads), grads [b, numel]; a non-finite gradient marks the store. */
  writeSigns(grads: Tensor, store: SignStore, layer: number, first: number): void;
  /** Zero-filled per-class Gram accumulators, class c being sizes[c] × sizes[c]. */
  allocGrams(sizes: readonly number[]): GramStore;
  /**
   * For each class (its member rows of the layer's block S [rows, numel], every row written): grams[c] += S_c S_cᵀ;
   * the sign store's non-finite mark (sticky, set by every writeSigns so far) passes to the Grams.
   */
  classGram(store: SignStore, layer: number, classes: readonly (readonly number[])[], grams: GramStore): void;
  /** The Gram matrices (row-major, exact integers) on the host, and whether any sign behind them was non-finite. */
  readGrams(grams: GramStore): { grams: Float64Array[]; nonFinite: boolean };
}

/** A backend that scores every proxy: the kernels and the per-sample reductions. */
export type Backend = Kernels & SampleReductions;

/** Opaque int32 sign-sum accumulator of a backend. */
export type SumStore = { readonly length: number };
/** Opaque per-class Gram accumulators of a backend. */
export type GramStore = { readonly sizes: readonly number[] };

/** Opaque per-layer sign storage of a backend (host Int8Arrays for the reference backend, 2-bit rows for wasm). */
export type SignStore = { readonly rows: number; readonly numels: readonly number[] };

/**
 * A backend's memory could not hold an allocation. Thrown before anything is written, so the caller may try
 * again with less at once (per_sample/ halves its chunk of samples: the results do not change).
 */
export class OutOfMemoryError extends RangeError {
  override name = 'OutOfMemoryError';
}

/**
 * The backend can run nothing more (a worker exited or went silent, the GPU thread is gone or hung): every later
 * call fails the same way, so a long run stops here — to be resumed with a fresh backend — instead of failing
 * every architecture left.
 */
export class BackendLostError extends Error {
  override name = 'BackendLostError';
}
