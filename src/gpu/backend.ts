/**
 * The WebGPU backend: every kernel of the backend interface as a WGSL compute shader (shaders/), run by the
 * GPU thread behind a GpuLink. Tensors stay on the GPU (storage = a buffer id); only what the autodiff and
 * the proxies read on the host comes back. f32 only: f64 work (synflow, log-determinants, eigenvalues)
 * finishes on the CPU.
 */
import { Tensor, sizeOf, type DType, type HostArray } from '../backend/tensor.js';
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
} from '../backend/backend.js';
import {
  bnGroups,
  bnLayout,
  checkF32,
  checkFills,
  checkLabels,
  checkSameShape,
  concatPlan,
  convGeometry,
  cropGeometry,
  depthwiseGeometry,
  f32Data,
  matmulDims,
  maxPoolGeometry,
  poolGeometry,
  rowVectorDims,
  slicePlan,
  type ChannelCopy,
  type ConvGeometry,
  type CropGeometry,
  type DepthwiseGeometry,
  type PoolGeometry,
} from '../backend/shapes.js';
import type { GpuLink } from './link.js';
import type { KernelName } from './shaders_wgsl.js';

const WG = 256;
const MAX_GROUPS = 65535;
const TILE = 64;
/** Where f64 work runs instead, for the f32-only kernels' errors. */
const F64_ELSEWHERE = 'f64 work runs on the CPU';

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);
/** A float as the uniform word a WGSL f32 field reads. */
function bits(x: number): number {
  f32Bits[0] = x;
  return u32Bits[0]!;
}

/** Workgroups for n invocations of a 256-wide kernel, folded into y past the per-dimension limit. */
function groups1d(n: number): [number, number, number] {
  const g = Math.max(1, Math.ceil(n / WG));
  return [Math.min(g, MAX_GROUPS), Math.ceil(g / MAX_GROUPS), 1];
}

function gemmGroups(M: number, N: number, batch: number): [number, number, number] {
  return [Math.ceil(N / TILE), Math.ceil(M / TILE), batch];
}

/** Sign rows first .. first + rows − 1 of one layer, in one GPU buffer. */
interface Segment {
  layer: number;
  first: number;
  rows: number;
  id: number;
}
/** Non-finite marks: one i32 buffer per sign store (flag); the last i32 of the sum and Gram buffers. */
interface GpuSignStore extends SignStore {
  segments: Segment[];
  flag: number;
}
interface GpuSumStore extends SumStore {
  id: number;
}
interface GpuGramStore extends GramStore {
  offsets: number[];
  total: number;
  id: number;
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  private readonly scopes: Set<number>[] = [];
  private readonly live = new Set<number>();

  /** `close`: how the runtime ends the GPU thread (the default only closes the link). */
  constructor(
    readonly link: GpuLink,
    private readonly closeThread: () => Promise<void> = () => link.close(),
  ) {}

  /** What the GPU is, as the adapter describes itself. */
  get adapter() {
    return this.link.adapter;
  }

  /** Runs what is queued, destroys the device and ends the GPU thread. */
  close(): Promise<void> {
    return (this.closing ??= this.closeThread());
  }

  private closing: Promise<void> | null = null;

  scope<T>(fn: () => T): T {
    const mine = new Set<number>();
    this.scopes.push(mine);
    try {
      return fn();
    } finally {
      this.scopes.pop();
      for (const id of mine) this.drop(id);
    }
  }

  release(t: Tensor): void {
    this.drop(t.storage as number);
  }

  private drop(id: number): void {
    if (!this.live.delete(id)) return;
    this.scopes.at(-1)?.delete(id);
    this.link.free(id);
  }

  private id(t: Tensor): number {
    checkF32('webgpu', t.dtype, F64_ELSEWHERE);
    return t.storage as number;
  }

  private buffer(bytes: number, data?: ArrayBufferView): number {
    const id = data ? this.link.upload(data) : this.link.create(bytes);
    this.live.add(id);
    this.scopes.at(-1)?.add(id);
    return id;
  }

  private alloc(shape: readonly number[]): Tensor {
    return new Tensor(shape, 'f32', this.buffer(sizeOf(shape) * 4));
  }

  private run(kernel: KernelName, uniforms: number[], buffers: number[], groups: [number, number, number]): void {
    this.link.run(kernel, Uint32Array.from(uniforms), buffers, groups);
  }

  private upload(data: Int32Array | Uint32Array | Float32Array): number {
    return this.buffer(data.byteLength, data);
  }

  fromHost(data: HostArray, shape: readonly number[]): Tensor {
    checkFills(data, shape);
    return new Tensor(shape, 'f32', this.upload(f32Data('webgpu', data, F64_ELSEWHERE)));
  }

  toHost(t: Tensor): HostArray {
    return new Float32Array(this.link.read(this.id(t), t.size * 4));
  }

  zeros(shape: readonly number[], dtype: DType): Tensor {
    checkF32('webgpu', dtype, F64_ELSEWHERE);
    return this.alloc(shape);
  }

  // --- element-wise ----------------------------------------------------------------------------------------

  private map(kernel: KernelName, inputs: Tensor[], extra: number[] = []): Tensor {
    const y = this.alloc(inputs[0]!.shape);
    this.run(kernel, [y.size, ...extra], [...inputs.map((t) => this.id(t)), y.storage as number], groups1d(y.size));
    return y;
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSameShape('add', a, b);
    return this.map('add', [a, b]);
  }

  scale(a: Tensor, s: number): Tensor {
    return this.map('scale', [a], [bits(s)]);
  }

  sum(a: Tensor): Tensor {
    const y = this.alloc([]);
    this.run('sum', [a.size], [this.id(a), y.storage as number], [1, 1, 1]);
    return y;
  }

  relu(x: Tensor): Tensor {
    return this.map('relu', [x]);
  }

  reluGrad(dy: Tensor, x: Tensor): Tensor {
    return this.map('relu_grad', [dy, x]);
  }

  // --- convolution: implicit GEMM ---------------------------------------------------------------------------

  private static conv(g: ConvGeometry, perSample: boolean): number[] {
    return [g.N, g.Ci, g.H, g.W, g.Co, g.kh, g.kw, g.stride, g.pad, g.Ho, g.Wo, perSample ? 1 : 0];
  }

  conv2d(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, w.shape, p);
    const y = this.alloc([g.N, g.Co, g.Ho, g.Wo]);
    this.run('conv2d', WebGpuBackend.conv(g, false), [this.id(x), this.id(w), y.storage as number], gemmGroups(g.Co, g.P, g.N));
    return y;
  }

  conv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(xShape, w.shape, p);
    const dx = this.alloc(xShape);
    this.run(
      'conv2d_grad_input',
      WebGpuBackend.conv(g, false),
      [this.id(dy), this.id(w), dx.storage as number],
      gemmGroups(g.Ci, g.H * g.W, g.N),
    );
    return dx;
  }

  conv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    const dw = this.alloc(wShape);
    this.run('conv2d_grad_weight', WebGpuBackend.conv(g, false), [this.id(x), this.id(dy), dw.storage as number], gemmGroups(g.Co, g.K, 1));
    return dw;
  }

  conv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    const dw = this.alloc([g.N, ...wShape]);
    this.run(
      'conv2d_grad_weight',
      WebGpuBackend.conv(g, true),
      [this.id(x), this.id(dy), dw.storage as number],
      gemmGroups(g.Co, g.K, g.N),
    );
    return dw;
  }

  // --- depthwise convolution: direct loops, one output value per invocation ------------------------------------

  /** The Depthwise uniform (shaders/_depthwise_geometry.wgsl) for n invocations or blocks. */
  private static depthwise(g: DepthwiseGeometry, n: number, perSample: boolean): number[] {
    return [n, g.N, g.C, g.H, g.W, g.kh, g.kw, g.stride, g.pad, g.dilation, g.Ho, g.Wo, perSample ? 1 : 0];
  }

  depthwiseConv2d(x: Tensor, w: Tensor, p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, w.shape, p);
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.run(
      'depthwise_conv2d',
      WebGpuBackend.depthwise(g, y.size, false),
      [this.id(x), this.id(w), y.storage as number],
      groups1d(y.size),
    );
    return y;
  }

  depthwiseConv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(xShape, w.shape, p, dy.shape);
    const dx = this.alloc(xShape);
    this.run(
      'depthwise_conv2d_grad_input',
      WebGpuBackend.depthwise(g, dx.size, false),
      [this.id(dy), this.id(w), dx.storage as number],
      groups1d(dx.size),
    );
    return dx;
  }

  /** One workgroup per block of kh·kw taps: per channel (summed over the batch) or per plane (per sample). */
  private depthwiseGradWeight(x: Tensor, dy: Tensor, g: DepthwiseGeometry, perSample: boolean, shape: readonly number[]): Tensor {
    const blocks = (perSample ? g.N : 1) * g.C;
    const dw = this.alloc(shape);
    this.run(
      'depthwise_conv2d_grad_weight',
      WebGpuBackend.depthwise(g, blocks, perSample),
      [this.id(x), this.id(dy), dw.storage as number],
      [Math.min(blocks, MAX_GROUPS), Math.ceil(blocks / MAX_GROUPS), 1],
    );
    return dw;
  }

  depthwiseConv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    return this.depthwiseGradWeight(x, dy, depthwiseGeometry(x.shape, wShape, p, dy.shape), false, wShape);
  }

  depthwiseConv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, wShape, p, dy.shape);
    return this.depthwiseGradWeight(x, dy, g, true, [g.N, ...wShape]);
  }

  // --- batch norm -------------------------------------------------------------------------------------------

  /** The Bn uniform: N, C, HW, sample, fromInput, hasTdy, hasTx, n; and the group count. */
  private static bn(
    shape: readonly number[],
    grouping: StatsGrouping,
    fromInput = true,
    hasTdy = false,
    hasTx = false,
  ): { u: number[]; G: number } {
    const l = bnLayout(shape),
      { N, C, HW } = l;
    const G = bnGroups(l, grouping);
    if (G > MAX_GROUPS) throw new Error(`batch_norm: ${G} statistic groups pass the ${MAX_GROUPS}-workgroup dispatch limit`);
    return { u: [N, C, HW, grouping === 'sample' ? 1 : 0, fromInput ? 1 : 0, hasTdy ? 1 : 0, hasTx ? 1 : 0, N * C * HW], G };
  }

  batchNormStatistics(x: Tensor, grouping: StatsGrouping): { mean: Tensor; variance: Tensor } {
    const { u, G } = WebGpuBackend.bn(x.shape, grouping);
    const mean = this.alloc([G]),
      variance = this.alloc([G]);
    this.run('bn_stats', u, [this.id(x), mean.storage as number, variance.storage as number], [G, 1, 1]);
    return { mean, variance };
  }

  batchNormInvStd(variance: Tensor, eps: number): Tensor {
    return this.map('bn_inv_std', [variance], [bits(eps)]);
  }

  batchNormForward(bn: SavedBatchNorm, beta: Tensor): Tensor {
    const { x, mean, invStd, gamma } = bn,
      { u } = WebGpuBackend.bn(x.shape, bn.grouping);
    const y = this.alloc(x.shape);
    this.run('bn_forward', u, [x, mean, invStd, gamma, beta].map((t) => this.id(t)).concat(y.storage as number), groups1d(x.size));
    return y;
  }

  batchNormBackward(dy: Tensor, bn: SavedBatchNorm): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
    const { x, mean, invStd, gamma } = bn,
      { u, G } = WebGpuBackend.bn(x.shape, bn.grouping, bn.statsFromInput);
    const C = x.shape[1]!;
    const sums = this.buffer(2 * G * 4);
    this.run('bn_backward_sums', u, [dy, x, mean, invStd].map((t) => this.id(t)).concat(sums), [G, 1, 1]);
    const dx = this.alloc(x.shape),
      dgamma = this.alloc(gamma.shape),
      dbeta = this.alloc(gamma.shape);
    this.run('bn_backward_dx', u, [dy, x, mean, invStd, gamma].map((t) => this.id(t)).concat(sums, dx.storage as number), groups1d(x.size));
    this.run('bn_backward_params', u, [sums, dgamma.storage as number, dbeta.storage as number], groups1d(C));
    this.drop(sums);
    return { dx, dgamma, dbeta };
  }

  batchNormBackwardTangent(dy: Tensor, tdy: Tensor | null, tx: Tensor | null, bn: SavedBatchNorm): Tensor {
    const { x, mean, invStd, gamma } = bn,
      { u, G } = WebGpuBackend.bn(x.shape, bn.grouping, bn.statsFromInput, tdy !== null, tx !== null);
    // A missing tangent's binding holds dy / x, never read (the kernel sees hasTdy / hasTx = 0).
    const tdyId = this.id(tdy ?? dy),
      txId = this.id(tx ?? x);
    const sums = this.buffer(9 * G * 4);
    this.run('bn_tangent_sums', u, [this.id(dy), tdyId, this.id(x), txId, this.id(mean), this.id(invStd), sums], [G, 1, 1]);
    const out = this.alloc(x.shape);
    this.run('bn_tangent_dx', u, [this.id(dy), tdyId, this.id(x), txId, this.id(gamma), sums, out.storage as number], groups1d(x.size));
    this.drop(sums);
    return out;
  }

  // --- pooling ----------------------------------------------------------------------------------------------

  private static pool(
    shape: readonly number[],
    pool: Pool2dParams,
    g: PoolGeometry = poolGeometry(shape, pool),
  ): { u: number[]; out: number[] } {
    const { N, C, H, W, Ho, Wo } = g;
    return { u: [H, W, pool.kernel, pool.stride, pool.padding, Ho, Wo], out: [N, C, Ho, Wo] };
  }

  avgPool2d(x: Tensor, p: Pool2dParams): Tensor {
    const { u, out } = WebGpuBackend.pool(x.shape, p);
    const y = this.alloc(out);
    this.run('avg_pool', [y.size, ...u], [this.id(x), y.storage as number], groups1d(y.size));
    return y;
  }

  avgPool2dGrad(dy: Tensor, xShape: readonly number[], p: Pool2dParams): Tensor {
    const { u } = WebGpuBackend.pool(xShape, p);
    const dx = this.alloc(xShape);
    this.run('avg_pool_grad', [dx.size, ...u], [this.id(dy), dx.storage as number], groups1d(dx.size));
    return dx;
  }

  maxPool2d(x: Tensor, p: Pool2dParams, values: Tensor = x): Tensor {
    const { u, out } = WebGpuBackend.pool(x.shape, p, maxPoolGeometry(x, p, { values }));
    const y = this.alloc(out);
    // values = x binds one buffer twice, both read-only: WebGPU allows that
    this.run('max_pool', [y.size, ...u], [this.id(x), this.id(values), y.storage as number], groups1d(y.size));
    return y;
  }

  maxPool2dGrad(dy: Tensor, x: Tensor, p: Pool2dParams): Tensor {
    const { u } = WebGpuBackend.pool(x.shape, p, maxPoolGeometry(x, p, { dy }));
    const dx = this.alloc(x.shape);
    this.run('max_pool_grad', [dx.size, ...u], [this.id(x), this.id(dy), dx.storage as number], groups1d(dx.size));
    return dx;
  }

  globalAvgPool(x: Tensor): Tensor {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const y = this.alloc([N, C]);
    this.run('global_avg_pool', [N * C, H * W], [this.id(x), y.storage as number], groups1d(N * C));
    return y;
  }

  globalAvgPoolGrad(dy: Tensor, xShape: readonly number[]): Tensor {
    const dx = this.alloc(xShape);
    this.run('global_avg_pool_grad', [dx.size, xShape[2]! * xShape[3]!], [this.id(dy), dx.storage as number], groups1d(dx.size));
    return dx;
  }

  // --- channel blocks -----------------------------------------------------------------------------------------

  private copyChannels(c: ChannelCopy, src: Tensor, dst: Tensor): void {
    const n = c.N * c.count * c.HW;
    this.run(
      'copy_channels',
      [n, c.HW, c.count, c.srcC, c.srcStart, c.dstC, c.dstStart],
      [this.id(src), dst.storage as number],
      groups1d(n),
    );
  }

  concatChannels(xs: readonly Tensor[]): Tensor {
    const { shape, copies } = concatPlan(xs);
    const y = this.alloc(shape);
    copies.forEach((c, i) => this.copyChannels(c, xs[i]!, y));
    return y;
  }

  sliceChannels(x: Tensor, start: number, count: number): Tensor {
    const { shape, copy } = slicePlan(x, start, count);
    const y = this.alloc(shape);
    this.copyChannels(copy, x, y);
    return y;
  }

  private static crop(g: CropGeometry, n: number): number[] {
    return [n, g.H, g.W, g.top, g.left, g.Ho, g.Wo];
  }

  cropSpatial(x: Tensor, top: number, left: number): Tensor {
    const g = cropGeometry(x.shape, top, left);
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.run('crop_spatial', WebGpuBackend.crop(g, y.size), [this.id(x), y.storage as number], groups1d(y.size));
    return y;
  }

  cropSpatialGrad(dy: Tensor, xShape: readonly number[], top: number, left: number): Tensor {
    const g = cropGeometry(xShape, top, left, dy.shape);
    const dx = this.alloc(xShape);
    this.run('crop_spatial_grad', WebGpuBackend.crop(g, dx.size), [this.id(dy), dx.storage as number], groups1d(dx.size));
    return dx;
  }

  // --- dense and loss ---------------------------------------------------------------------------------------

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const { M, K, N } = matmulDims(a, b, transA, transB);
    const y = this.alloc([M, N]);
    this.run('matmul', [M, N, K, transA ? 1 : 0, transB ? 1 : 0], [this.id(a), this.id(b), y.storage as number], gemmGroups(M, N, 1));
    return y;
  }

  addRowVector(a: Tensor, v: Tensor): Tensor {
    const { N } = rowVectorDims(a, v);
    return this.map('add_row_vector', [a, v], [N]);
  }

  sumRows(a: Tensor): Tensor {
    const [M, N] = a.shape as [number, number];
    const y = this.alloc([N]);
    this.run('sum_rows', [N, M], [this.id(a), y.storage as number], groups1d(N));
    return y;
  }

  outerPerSample(dy: Tensor, x: Tensor): Tensor {
    const [N, O] = dy.shape as [number, number],
      I = x.shape[1]!;
    const y = this.alloc([N, O, I]);
    this.run('outer_per_sample', [y.size, O, I], [this.id(dy), this.id(x), y.storage as number], groups1d(y.size));
    return y;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { losses: Tensor; probs: Tensor } {
    const [N, K] = logits.shape as [number, number];
    checkLabels(labels, N, K);
    const losses = this.alloc([N]),
      probs = this.alloc([N, K]);
    const y = this.upload(labels);
    this.run('softmax_ce', [N, K], [this.id(logits), y, losses.storage as number, probs.storage as number], groups1d(N));
    this.drop(y);
    return { losses, probs };
  }

  softmaxCrossEntropyGrad(probs: Tensor, labels: Int32Array, weight: number): Tensor {
    const [N, K] = probs.shape as [number, number];
    const y = this.upload(labels);
    const out = this.alloc(probs.shape);
    this.run('softmax_ce_grad', [N * K, K, bits(weight)], [this.id(probs), y, out.storage as number], groups1d(N * K));
    this.drop(y);
    return out;
  }

  // --- per-sample reductions --------------------------------------------------------------------------------

  /** Sign sums stay on the GPU, one int32 buffer (the sums, then the mark), until read once at the end of the pass. */
  allocSignSums(length: number): SumStore {
    return { length, id: this.buffer((length + 1) * 4) } as GpuSumStore;
  }

  signSum(grads: Tensor, store: SumStore, offset: number): void {
    const B = grads.shape[0]!,
      numel = grads.size / B;
    if (offset + numel > store.length) throw new RangeError('signSum: past the end of the sum store');
    this.run('sign_sum', [numel, B, offset, store.length], [this.id(grads), (store as GpuSumStore).id], groups1d(numel));
  }

  readSignSums(store: SumStore): { sums: Int32Array; nonFinite: boolean } {
    const all = new Int32Array(this.link.read((store as GpuSumStore).id, (store.length + 1) * 4));
    return { sums: all.subarray(0, store.length), nonFinite: all[store.length] !== 0 };
  }

  /** Signs are kept as f32 ±1/0 in one GPU buffer per writeSigns call, until classGram consumes them. */
  allocSigns(rows: number, numels: readonly number[]): SignStore {
    return { rows, numels, segments: [], flag: this.buffer(4) } as GpuSignStore;
  }

  writeSigns(grads: Tensor, store: SignStore, layer: number, first: number): void {
    const s = store as GpuSignStore,
      numel = s.numels[layer]!,
      b = grads.shape[0]!;
    if (grads.size !== b * numel || first + b > s.rows) {
      throw new RangeError(`writeSigns: a [${b}, ${grads.size / b}] block at row ${first} of layer ${layer}'s [${s.rows}, ${numel}]`);
    }
    const id = this.link.create(grads.size * 4); // outlives the caller's scope: freed by classGram
    this.run('signs', [grads.size, 0], [this.id(grads), id, s.flag], groups1d(grads.size));
    s.segments.push({ layer, first, rows: b, id });
  }

  /** Every class's Gram in one int32 buffer on the GPU (blocks one after another, then the mark), read once at the end. */
  allocGrams(sizes: readonly number[]): GramStore {
    const offsets: number[] = [];
    let total = 0;
    for (const n of sizes) {
      offsets.push(total);
      total += n * n;
    }
    return { sizes, offsets, total, id: this.buffer((total + 1) * 4) } as GpuGramStore;
  }

  classGram(store: SignStore, layer: number, classes: readonly (readonly number[])[], grams: GramStore): void {
    const s = store as GpuSignStore,
      acc = grams as GpuGramStore,
      numel = s.numels[layer]!;
    const mine = s.segments.filter((g) => g.layer === layer).sort((a, b) => a.first - b.first);
    let at = 0;
    for (const g of mine) {
      if (g.first !== at) throw new Error(`classGram: sign rows ${at}..${g.first} of layer ${layer} were never written`);
      at += g.rows;
    }
    if (at !== s.rows) throw new Error(`classGram: sign rows ${at}..${s.rows} of layer ${layer} were never written`);
    let S = mine[0]!.id;
    if (mine.length > 1) {
      S = this.buffer(s.rows * numel * 4);
      for (const g of mine) this.link.copy(g.id, 0, S, g.first * numel * 4, g.rows * numel * 4);
    }
    const rows = this.upload(Uint32Array.from(classes.flat()));
    let rowOffset = 0;
    classes.forEach((r, c) => {
      const n = r.length;
      if (n !== acc.sizes[c]) throw new Error(`classGram: class ${c} has ${n} rows, its Gram ${acc.sizes[c]}`);
      this.run('class_gram', [numel, rowOffset, n, acc.offsets[c]!], [S, rows, acc.id], gemmGroups(n, n, 1));
      rowOffset += n;
    });
    // the sign store's mark is sticky, so copying it (a GPU-side copy, no read) carries every mark so far
    this.link.copy(s.flag, 0, acc.id, acc.total * 4, 4);
    for (const g of mine) this.link.free(g.id);
    s.segments = s.segments.filter((g) => !mine.includes(g));
    if (mine.length > 1) this.drop(S);
    this.drop(rows);
  }

  readGrams(grams: GramStore): { grams: Float64Array[]; nonFinite: boolean } {
    const acc = grams as GpuGramStore;
    const all = new Int32Array(this.link.read(acc.id, (acc.total + 1) * 4));
    return {
      grams: acc.sizes.map((n, c) => Float64Array.from(all.subarray(acc.offsets[c]!, acc.offsets[c]! + n * n))),
      nonFinite: all[acc.total] !== 0,
    };
  }
}
