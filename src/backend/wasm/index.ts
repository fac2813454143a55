/**
 * The WASM backend: AssemblyScript SIMD kernels (assembly/) over one shared memory, the big ones split by
 * sample across threads. Tensors live in the wasm memory (storage = a byte offset), allocated from a scoped
 * heap: wrap work in `scope()` (scoring does) and everything it allocated is freed at the end; kernels wrap
 * their scratch buffers (im2col, transposes, labels) in one too, after allocating their outputs. Copies to and
 * from the host happen only at the edges: inputs, parameters, BN statistics, losses, reductions.
 * The kernels are f32; f64 tensors are refused (use the reference backend).
 */
import { Tensor, sizeOf, type DType, type HostArray } from '../tensor.js';
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
} from '../shapes.js';
import { bnBackwardTangent, savedOnHost } from '../batch_norm_host.js';
import { WasmHeap } from './heap.js';
import type { KernelExports, KernelName } from './kernel_list.js';
import { createMemory, instantiateKernels, kernelModule, sharedMemoryAvailable } from './kernels.js';
import { SingleThreadRunner, splitRange, type KernelRunner } from './runner.js';

export interface WasmBackendParts {
  kernels: KernelExports;
  memory: WebAssembly.Memory;
  runner: KernelRunner;
}

/**
 * A single-threaded WASM backend for any runtime: on shared memory where the runtime has it, else on plain
 * memory (`shared: false` forces that). For threads see createNodeWasmBackend (src/node) and createWebWasmBackend.
 */
export async function createWasmBackend(options: { shared?: boolean } = {}): Promise<WasmBackend> {
  const shared = options.shared ?? sharedMemoryAvailable();
  const memory = createMemory(shared);
  const kernels = await instantiateKernels(await kernelModule(shared), memory);
  return new WasmBackend({ kernels, memory, runner: new SingleThreadRunner(kernels) });
}

/** How the wasm backend runs its 3×3 stride-1 convolutions (see WasmBackend.convolution). */
export type ConvolutionAlgorithm = 'direct' | 'winograd';
export const CONVOLUTION_ALGORITHMS: readonly ConvolutionAlgorithm[] = ['direct', 'winograd'];

/** Each store's `flag` is an i32 in the heap that the kernels set to 1 on a non-finite gradient. */
interface WasmSignStore extends SignStore {
  /** Per layer, where its block of packed rows starts, and each row's bytes (16 per 64 weights). */
  ptrs: number[];
  rowBytes: number[];
  flag: number;
}
interface WasmSumStore extends SumStore {
  ptr: number;
  flag: number;
}
interface WasmGramStore extends GramStore {
  ptrs: number[];
  nonFinite: boolean;
}

/** Where f64 work runs instead, for the f32-only kernels' errors. */
const F64_ELSEWHERE = 'use --backend js for f64';

/** Element-wise work below this many elements runs on one thread: splitting would cost more than it saves. */
const PARALLEL_MIN = 1 << 15;

export class WasmBackend implements Backend {
  readonly name = 'wasm';
  readonly threads: number;
  readonly heap: WasmHeap;
  private readonly k: KernelExports;
  private readonly runner: KernelRunner;

  constructor(parts: WasmBackendParts) {
    this.k = parts.kernels;
    this.heap = new WasmHeap(parts.memory);
    this.runner = parts.runner;
    this.threads = parts.runner.threads;
  }

  private closed = false;

  /** Milliseconds the main thread has waited for workers so far (0 on one thread): bench/profile.ts reads it. */
  get poolWaitMs(): number {
    return (this.runner as { waitMs?: number }).waitMs ?? 0;
  }

  close(): Promise<void> {
    this.closed = true;
    return this.runner.close();
  }

  scope<T>(fn: () => T): T {
    return this.heap.scope(fn);
  }

  release(t: Tensor): void {
    if (t.dtype === 'f32') this.heap.release(t.storage as number, t.size * 4);
  }

  /** Every operand's heap offset passes here, and every allocation through alloc: after close() they fail, on one thread or many. */
  private ptr(t: Tensor): number {
    if (this.closed) throw new Error('wasm backend: used after close()');
    checkF32('wasm', t.dtype, F64_ELSEWHERE);
    return t.storage as number;
  }

  private alloc(shape: readonly number[]): Tensor {
    if (this.closed) throw new Error('wasm backend: used after close()');
    return new Tensor(shape, 'f32', this.heap.alloc(sizeOf(shape) * 4));
  }

  private run(name: KernelName, slices: readonly (readonly number[])[]): void {
    this.runner.run(name, slices);
  }

  fromHost(data: HostArray, shape: readonly number[]): Tensor {
    checkFills(data, shape);
    const values = f32Data('wasm', data, F64_ELSEWHERE);
    const t = this.alloc(shape);
    this.heap.f32(t.storage as number, data.length).set(values);
    return t;
  }

  toHost(t: Tensor): HostArray {
    const out = new Float32Array(t.size);
    out.set(this.heap.f32(this.ptr(t), t.size));
    return out;
  }

  zeros(shape: readonly number[], dtype: DType): Tensor {
    checkF32('wasm', dtype, F64_ELSEWHERE);
    const t = this.alloc(shape);
    this.heap.f32(t.storage as number, t.size).fill(0);
    return t;
  }

  /** An element-wise kernel over [0, n), split across threads when it is big enough to pay for it. */
  private elementwise(name: 'relu' | 'add' | 'relu_grad', inputs: Tensor[]): Tensor {
    const y = this.alloc(inputs[0]!.shape);
    const ptrs = inputs.map((t) => this.ptr(t));
    const n = y.size;
    this.run(
      name,
      splitRange(n, n >= PARALLEL_MIN ? this.threads : 1).map(([i0, i1]) => [...ptrs, y.storage as number, i0, i1]),
    );
    return y;
  }

  add(a: Tensor, b: Tensor): Tensor {
    checkSameShape('add', a, b);
    return this.elementwise('add', [a, b]);
  }

  relu(x: Tensor): Tensor {
    return this.elementwise('relu', [x]);
  }

  reluGrad(dy: Tensor, x: Tensor): Tensor {
    return this.elementwise('relu_grad', [dy, x]);
  }

  scale(a: Tensor, s: number): Tensor {
    const y = this.alloc(a.shape);
    this.k.scale(this.ptr(a), s, y.storage as number, 0, a.size);
    return y;
  }

  sum(a: Tensor): Tensor {
    return this.fromHost(Float32Array.of(this.k.sum(this.ptr(a), a.size)), []);
  }

  // --- convolution: slices of samples, each thread with a private im2col buffer -------------------------

  private slices(g: ConvGeometry): { n0: number; n1: number; scratch: number }[] {
    return splitRange(g.N, this.threads).map(([n0, n1]) => ({ n0, n1, scratch: this.heap.alloc(g.K * g.P * 4 + 64) }));
  }

  /**
   * How 3×3 convolutions with stride 1 and padding 1 run. `direct` (the default): im2col + GEMM, whose rounding
   * reproduces PyTorch's scores on every fixture. `winograd`: F(2×2, 3×3) tiles (assembly/winograd.ts), 2.25× fewer
   * multiply-adds and 1.5–2.7× faster on those layers (docs/speed-nb201.md), but rounding a few ulps off direct
   * convolution's — enough to flip a rare ReLU mask or gradient sign (2 of index0's per-sample signs; GraSP and
   * Fisher on a fixture by 5e-4 and 2e-5), so it is opt-in (`--conv winograd`). Other convolutions are direct.
   */
  convolution: ConvolutionAlgorithm = 'direct';

  /** The Winograd kernels' shapes: four tiles side by side need W/2 a multiple of 4, the filter transform Ci in fours. */
  private takesWinograd(g: ConvGeometry, channelsIn: number, channelsOut: number): boolean {
    return (
      this.convolution === 'winograd' &&
      g.kh === 3 &&
      g.kw === 3 &&
      g.stride === 1 &&
      g.pad === 1 &&
      g.H % 2 === 0 &&
      g.W % 8 === 0 &&
      channelsIn % 4 === 0 &&
      channelsOut % 4 === 0 &&
      channelsIn >= 8 &&
      channelsOut >= 8
    );
  }

  /** y = conv3×3(x) through Winograd tiles, with U = the transformed filters of w (rotated for the input gradient). */
  private winogradConv(x: Tensor, w: Tensor, out: Tensor, g: ConvGeometry, gradInput: boolean): void {
    const [ci, co] = gradInput ? [g.Co, g.Ci] : [g.Ci, g.Co];
    this.scope(() => {
      const U = this.heap.alloc(this.k.winograd_weights_bytes(g.Co, g.Ci));
      this.k.winograd_weights(this.ptr(w), U, g.Co, g.Ci, gradInput ? 1 : 0);
      const scratch = this.k.winograd_scratch(ci, co, g.H, g.W, 0);
      this.run(
        'winograd_forward',
        splitRange(g.N, this.threads).map(([n0, n1]) => [
          this.ptr(x),
          U,
          out.storage as number,
          ci,
          g.H,
          g.W,
          co,
          this.heap.alloc(scratch),
          n0,
          n1,
        ]),
      );
    });
  }

  private static geometry(g: ConvGeometry): number[] {
    return [g.Ci, g.H, g.W, g.Co, g.kh, g.kw, g.stride, g.pad, g.Ho, g.Wo];
  }

  conv2d(x: Tensor, w: Tensor, p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, w.shape, p);
    const y = this.alloc([g.N, g.Co, g.Ho, g.Wo]);
    if (this.takesWinograd(g, g.Ci, g.Co)) {
      this.winogradConv(x, w, y, g, false);
      return y;
    }
    this.scope(() =>
      this.run(
        'conv2d_forward',
        this.slices(g).map((s) => [this.ptr(x), this.ptr(w), y.storage as number, ...WasmBackend.geometry(g), s.scratch, s.n0, s.n1]),
      ),
    );
    return y;
  }

  conv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(xShape, w.shape, p);
    const dx = this.alloc(xShape);
    if (this.takesWinograd(g, g.Co, g.Ci)) {
      this.winogradConv(dy, w, dx, g, true);
      return dx;
    }
    this.scope(() => {
      const wT = this.heap.alloc(g.K * g.Co * 4);
      this.k.transpose(this.ptr(w), g.Co, g.K, wT);
      this.run(
        'conv2d_grad_input',
        this.slices(g).map((s) => [this.ptr(dy), wT, dx.storage as number, ...WasmBackend.geometry(g), s.scratch, s.n0, s.n1]),
      );
    });
    return dx;
  }

  conv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    const block = g.Co * g.K;
    const dw = this.zeros(wShape, 'f32');
    this.scope(() => {
      // Each thread sums its samples into a private partial; the partials are added at the end.
      const slices = this.slices(g).map((s, i) => ({
        ...s,
        dw: i === 0 ? (dw.storage as number) : (this.zeros([block], 'f32').storage as number),
      }));
      this.run(
        'conv2d_grad_weight',
        slices.map((s) => [this.ptr(x), this.ptr(dy), s.dw, ...WasmBackend.geometry(g), s.scratch, s.n0, s.n1, 0]),
      );
      for (const s of slices.slice(1)) this.k.add(dw.storage as number, s.dw, dw.storage as number, 0, block);
    });
    return dw;
  }

  conv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: Conv2dParams): Tensor {
    const g = convGeometry(x.shape, wShape, p);
    const dw = this.alloc([g.N, ...wShape]);
    if (this.takesWinograd(g, g.Ci, g.Co)) {
      this.scope(() => {
        const scratch = this.k.winograd_scratch(g.Ci, g.Co, g.H, g.W, 1);
        this.run(
          'winograd_grad_weight',
          splitRange(g.N, this.threads).map(([n0, n1]) => [
            this.ptr(x),
            this.ptr(dy),
            dw.storage as number,
            ...[g.Ci, g.H, g.W, g.Co],
            this.heap.alloc(scratch),
            n0,
            n1,
          ]),
        );
      });
      return dw;
    }
    this.scope(() =>
      this.run(
        'conv2d_grad_weight',
        this.slices(g).map((s) => [this.ptr(x), this.ptr(dy), dw.storage as number, ...WasmBackend.geometry(g), s.scratch, s.n0, s.n1, 1]),
      ),
    );
    return dw;
  }

  // --- depthwise convolution: slices of planes (sample, channel), each thread with a bordered scratch plane ---

  /** The kernels' arguments after their three tensors, per slice of the N·C planes (scratch allocated here). */
  private depthwiseSlices(g: DepthwiseGeometry): number[][] {
    const scratch = this.k.depthwise_conv2d_scratch(g.H, g.W, g.kh, g.kw, g.stride, g.pad, g.dilation, g.Ho, g.Wo);
    const geometry = [g.C, g.H, g.W, g.kh, g.kw, g.stride, g.pad, g.dilation, g.Ho, g.Wo];
    return splitRange(g.N * g.C, this.threads).map(([q0, q1]) => [...geometry, this.heap.alloc(scratch + 64), q0, q1]);
  }

  depthwiseConv2d(x: Tensor, w: Tensor, p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, w.shape, p);
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.scope(() =>
      this.run(
        'depthwise_conv2d_forward',
        this.depthwiseSlices(g).map((s) => [this.ptr(x), this.ptr(w), y.storage as number, ...s]),
      ),
    );
    return y;
  }

  depthwiseConv2dGradInput(dy: Tensor, w: Tensor, xShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(xShape, w.shape, p, dy.shape);
    const dx = this.alloc(xShape);
    this.scope(() =>
      this.run(
        'depthwise_conv2d_grad_input',
        this.depthwiseSlices(g).map((s) => [this.ptr(dy), this.ptr(w), dx.storage as number, ...s]),
      ),
    );
    return dx;
  }

  depthwiseConv2dGradWeight(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, wShape, p, dy.shape);
    const block = g.C * g.kh * g.kw;
    const dw = this.zeros(wShape, 'f32');
    this.scope(() => {
      // Slices share channels, so each adds into a private partial; the partials are added at the end.
      const slices = this.depthwiseSlices(g).map((s, i) => ({
        s,
        dw: i === 0 ? (dw.storage as number) : (this.zeros([block], 'f32').storage as number),
      }));
      this.run(
        'depthwise_conv2d_grad_weight',
        slices.map(({ s, dw }) => [this.ptr(x), this.ptr(dy), dw, ...s, 0]),
      );
      for (const { dw: partial } of slices.slice(1)) this.k.add(dw.storage as number, partial, dw.storage as number, 0, block);
    });
    return dw;
  }

  depthwiseConv2dGradWeightPerSample(x: Tensor, dy: Tensor, wShape: readonly number[], p: DepthwiseConv2dParams): Tensor {
    const g = depthwiseGeometry(x.shape, wShape, p, dy.shape);
    const dw = this.alloc([g.N, ...wShape]);
    this.scope(() =>
      this.run(
        'depthwise_conv2d_grad_weight',
        this.depthwiseSlices(g).map((s) => [this.ptr(x), this.ptr(dy), dw.storage as number, ...s, 1]),
      ),
    );
    return dw;
  }

  // --- batch norm ----------------------------------------------------------------------------------------

  /**
   * Sample ranges for the batch-norm kernels: their (sample, channel) runs are independent wherever the statistics
   * are per sample or fixed, so a big enough tensor is split by sample, each slice given offset pointers.
   */
  private bnSlices(N: number, size: number): [number, number][] {
    return splitRange(N, size >= PARALLEL_MIN ? this.threads : 1);
  }

  batchNormStatistics(x: Tensor, grouping: StatsGrouping): { mean: Tensor; variance: Tensor } {
    const l = bnLayout(x.shape),
      { N, C, HW } = l;
    const G = bnGroups(l, grouping);
    const mean = this.alloc([G]),
      variance = this.alloc([G]);
    if (grouping === 'channel') {
      this.k.bn_stats(this.ptr(x), N, C, HW, 0, mean.storage as number, variance.storage as number);
      return { mean, variance };
    }
    const px = this.ptr(x),
      pm = mean.storage as number,
      pv = variance.storage as number;
    this.run(
      'bn_stats',
      this.bnSlices(N, x.size).map(([n0, n1]) => [px + n0 * C * HW * 4, n1 - n0, C, HW, 1, pm + n0 * C * 4, pv + n0 * C * 4]),
    );
    return { mean, variance };
  }

  /** A handful of values per layer: computed in double on a view of the memory, as the host would. */
  batchNormInvStd(variance: Tensor, eps: number): Tensor {
    const out = this.alloc(variance.shape);
    const v = this.heap.f32(this.ptr(variance), variance.size),
      o = this.heap.f32(out.storage as number, variance.size);
    for (let g = 0; g < v.length; g++) o[g] = 1 / Math.sqrt(v[g]! + eps);
    return out;
  }

  batchNormForward(bn: SavedBatchNorm, beta: Tensor): Tensor {
    const { N, C, HW } = bnLayout(bn.x.shape);
    const y = this.alloc(bn.x.shape);
    const perSample = bn.grouping === 'sample';
    const px = this.ptr(bn.x),
      py = y.storage as number,
      pm = this.ptr(bn.mean),
      pi = this.ptr(bn.invStd);
    this.run(
      'bn_forward',
      this.bnSlices(N, bn.x.size).map(([n0, n1]) => {
        const at = n0 * C * HW * 4,
          stat = perSample ? n0 * C * 4 : 0;
        return [px + at, py + at, n1 - n0, C, HW, perSample ? 1 : 0, pm + stat, pi + stat, this.ptr(bn.gamma), this.ptr(beta)];
      }),
    );
    return y;
  }

  batchNormBackward(dy: Tensor, bn: SavedBatchNorm): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
    const { x, gamma } = bn,
      { N, C, HW } = bnLayout(x.shape);
    const dx = this.alloc(x.shape),
      dgamma = this.alloc(gamma.shape),
      dbeta = this.alloc(gamma.shape);
    const perSample = bn.grouping === 'sample';
    // Channel statistics of x itself couple the samples: one slice. Otherwise each slice sums its own dγ, dβ.
    const slices = perSample || !bn.statsFromInput ? this.bnSlices(N, x.size) : [[0, N] as [number, number]];
    this.scope(() => {
      const partials = slices.map((_, i) =>
        i === 0 ? [dgamma.storage as number, dbeta.storage as number] : [this.heap.alloc(C * 4), this.heap.alloc(C * 4)],
      );
      this.run(
        'bn_backward',
        slices.map(([n0, n1], i) => {
          const at = n0 * C * HW * 4,
            stat = perSample ? n0 * C * 4 : 0;
          return [
            this.ptr(dy) + at,
            this.ptr(x) + at,
            (dx.storage as number) + at,
            n1 - n0,
            C,
            HW,
            perSample ? 1 : 0,
            bn.statsFromInput ? 1 : 0,
            this.ptr(bn.mean) + stat,
            this.ptr(bn.invStd) + stat,
            this.ptr(gamma),
            partials[i]![0]!,
            partials[i]![1]!,
          ];
        }),
      );
      for (const [g, b] of partials.slice(1)) {
        this.k.add(dgamma.storage as number, g!, dgamma.storage as number, 0, C);
        this.k.add(dbeta.storage as number, b!, dbeta.storage as number, 0, C);
      }
    });
    return { dx, dgamma, dbeta };
  }

  batchNormBackwardTangent(dy: Tensor, tdy: Tensor | null, tx: Tensor | null, bn: SavedBatchNorm): Tensor {
    const out = this.alloc(bn.x.shape);
    const view = (t: Tensor) => this.heap.f32(this.ptr(t), t.size);
    bnBackwardTangent(bnLayout(bn.x.shape), view(dy), tdy && view(tdy), tx && view(tx), savedOnHost(bn, view), view(out));
    return out;
  }

  // --- pooling -------------------------------------------------------------------------------------------

  /** A pooling kernel's arguments after its tensors, per slice of the N·C planes. */
  private static poolArgs(g: PoolGeometry, pool: Pool2dParams, [plane0, plane1]: readonly [number, number]): number[] {
    return [g.H, g.W, pool.kernel, pool.stride, pool.padding, g.Ho, g.Wo, plane0, plane1];
  }

  /** Average pooling's slices of planes, each with its own scratch (a bordered plane, for stride-1 "same" pools). */
  private avgPoolSlices(g: PoolGeometry, pool: Pool2dParams, src: number, dst: number): number[][] {
    const scratch = this.k.avg_pool2d_scratch(g.H, g.W, pool.kernel, pool.stride, pool.padding, g.Ho, g.Wo);
    return splitRange(g.N * g.C, this.threads).map((r) => [
      src,
      dst,
      ...WasmBackend.poolArgs(g, pool, r),
      scratch ? this.heap.alloc(scratch) : 0,
    ]);
  }

  avgPool2d(x: Tensor, pool: Pool2dParams): Tensor {
    const g = poolGeometry(x.shape, pool);
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.scope(() => this.run('avg_pool2d', this.avgPoolSlices(g, pool, this.ptr(x), y.storage as number)));
    return y;
  }

  avgPool2dGrad(dy: Tensor, xShape: readonly number[], pool: Pool2dParams): Tensor {
    const g = poolGeometry(xShape, pool);
    const dx = this.alloc(xShape);
    this.scope(() => this.run('avg_pool2d_grad', this.avgPoolSlices(g, pool, this.ptr(dy), dx.storage as number)));
    return dx;
  }

  maxPool2d(x: Tensor, pool: Pool2dParams, values: Tensor = x): Tensor {
    const g = maxPoolGeometry(x, pool, { values });
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.run(
      'max_pool2d',
      splitRange(g.N * g.C, this.threads).map((r) => [
        this.ptr(x),
        this.ptr(values),
        y.storage as number,
        ...WasmBackend.poolArgs(g, pool, r),
      ]),
    );
    return y;
  }

  maxPool2dGrad(dy: Tensor, x: Tensor, pool: Pool2dParams): Tensor {
    const g = maxPoolGeometry(x, pool, { dy });
    const dx = this.alloc(x.shape);
    this.run(
      'max_pool2d_grad',
      splitRange(g.N * g.C, this.threads).map((r) => [
        this.ptr(x),
        this.ptr(dy),
        dx.storage as number,
        ...WasmBackend.poolArgs(g, pool, r),
      ]),
    );
    return dx;
  }

  globalAvgPool(x: Tensor): Tensor {
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const y = this.alloc([N, C]);
    this.k.global_avg_pool(this.ptr(x), y.storage as number, H * W, 0, N * C);
    return y;
  }

  globalAvgPoolGrad(dy: Tensor, xShape: readonly number[]): Tensor {
    const [N, C, H, W] = xShape as [number, number, number, number];
    const dx = this.alloc(xShape);
    this.k.global_avg_pool_grad(this.ptr(dy), dx.storage as number, H * W, 0, N * C);
    return dx;
  }

  // --- channel blocks ------------------------------------------------------------------------------------

  /** One run of channels copied per sample, the samples split across threads when there is enough to copy. */
  private copyChannels(c: ChannelCopy, src: Tensor, dst: Tensor): void {
    const big = c.N * c.count * c.HW >= PARALLEL_MIN;
    this.run(
      'copy_channels',
      splitRange(c.N, big ? this.threads : 1).map(([n0, n1]) => [
        this.ptr(src),
        c.srcC,
        c.srcStart,
        dst.storage as number,
        c.dstC,
        c.dstStart,
        c.count,
        c.HW,
        n0,
        n1,
      ]),
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

  /** A crop kernel over the N·C planes, split across threads when there is enough to copy. */
  private crop(name: 'crop_spatial' | 'crop_spatial_grad', g: CropGeometry, src: Tensor, dst: Tensor): void {
    const big = g.N * g.C * g.H * g.W >= PARALLEL_MIN;
    this.run(
      name,
      splitRange(g.N * g.C, big ? this.threads : 1).map(([q0, q1]) => [
        this.ptr(src),
        dst.storage as number,
        g.H,
        g.W,
        g.top,
        g.left,
        q0,
        q1,
      ]),
    );
  }

  cropSpatial(x: Tensor, top: number, left: number): Tensor {
    const g = cropGeometry(x.shape, top, left);
    const y = this.alloc([g.N, g.C, g.Ho, g.Wo]);
    this.crop('crop_spatial', g, x, y);
    return y;
  }

  cropSpatialGrad(dy: Tensor, xShape: readonly number[], top: number, left: number): Tensor {
    const g = cropGeometry(xShape, top, left, dy.shape);
    const dx = this.alloc(xShape);
    this.crop('crop_spatial_grad', g, dy, dx);
    return dx;
  }

  // --- dense and loss ------------------------------------------------------------------------------------

  matmul(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
    const { M, K, N } = matmulDims(a, b, transA, transB);
    const y = this.alloc([M, N]);
    this.scope(() => {
      let pa = this.ptr(a),
        pb = this.ptr(b);
      if (transA) this.k.transpose(pa, a.shape[0]!, a.shape[1]!, (pa = this.heap.alloc(a.size * 4)));
      if (transB) this.k.transpose(pb, b.shape[0]!, b.shape[1]!, (pb = this.heap.alloc(b.size * 4)));
      this.k.gemm(M, N, K, pa, pb, y.storage as number, 0, 0, M);
    });
    return y;
  }

  addRowVector(a: Tensor, v: Tensor): Tensor {
    const { M, N } = rowVectorDims(a, v);
    const y = this.alloc(a.shape);
    this.k.add_row_vector(this.ptr(a), this.ptr(v), y.storage as number, M, N);
    return y;
  }

  sumRows(a: Tensor): Tensor {
    const [M, N] = a.shape as [number, number];
    const y = this.alloc([N]);
    this.k.sum_rows(this.ptr(a), M, N, y.storage as number);
    return y;
  }

  outerPerSample(dy: Tensor, x: Tensor): Tensor {
    const [N, O] = dy.shape as [number, number],
      I = x.shape[1]!;
    const y = this.alloc([N, O, I]);
    this.k.outer_per_sample(this.ptr(dy), this.ptr(x), y.storage as number, N, O, I);
    return y;
  }

  softmaxCrossEntropy(logits: Tensor, labels: Int32Array): { losses: Tensor; probs: Tensor } {
    const [N, K] = logits.shape as [number, number];
    checkLabels(labels, N, K);
    const losses = this.alloc([N]),
      probs = this.alloc([N, K]);
    this.scope(() => this.k.softmax_ce(this.ptr(logits), this.heap.put(labels), N, K, losses.storage as number, probs.storage as number));
    return { losses, probs };
  }

  softmaxCrossEntropyGrad(probs: Tensor, labels: Int32Array, weight: number): Tensor {
    const [N, K] = probs.shape as [number, number];
    const y = this.alloc(probs.shape);
    this.scope(() => this.k.softmax_ce_grad(this.ptr(probs), this.heap.put(labels), N, K, weight, y.storage as number));
    return y;
  }

  // --- per-sample reductions -----------------------------------------------------------------------------

  allocSignSums(length: number): SumStore {
    const ptr = this.heap.alloc((length + 1) * 4); // the sums, then the flag
    this.heap.i32(ptr, length + 1).fill(0);
    return { length, ptr, flag: ptr + length * 4 } as WasmSumStore;
  }

  signSum(grads: Tensor, store: SumStore, offset: number): void {
    const B = grads.shape[0]!,
      numel = grads.size / B;
    if (offset + numel > store.length) throw new RangeError('signSum: past the end of the sum store');
    const s = store as WasmSumStore,
      ps = s.ptr + offset * 4;
    this.run(
      'sign_sum',
      splitRange(numel, numel >= PARALLEL_MIN ? this.threads : 1).map(([k0, k1]) => [this.ptr(grads), B, numel, ps, k0, k1, s.flag]),
    );
  }

  readSignSums(store: SumStore): { sums: Int32Array; nonFinite: boolean } {
    const s = store as WasmSumStore;
    return { sums: this.heap.i32(s.ptr, store.length).slice(), nonFinite: this.heap.i32(s.flag, 1)[0] !== 0 };
  }

  /** Signs as 2-bit rows (assembly/reduce.ts): a batch of 64 on a 50 M-weight cell takes 0.8 GB, not 3.2 GB. */
  allocSigns(rows: number, numels: readonly number[]): SignStore {
    const rowBytes = numels.map((n) => Math.ceil(n / 64) * 16);
    const flag = this.heap.alloc(16);
    this.heap.i32(flag, 1).fill(0);
    const ptrs = rowBytes.map((r) => this.heap.alloc(rows * r)); // every row is written before it is read
    return { rows, numels, ptrs, rowBytes, flag } as WasmSignStore;
  }

  writeSigns(grads: Tensor, store: SignStore, layer: number, first: number): void {
    const s = store as WasmSignStore,
      numel = s.numels[layer]!,
      b = grads.shape[0]!;
    if (grads.size !== b * numel || first + b > s.rows) {
      throw new RangeError(`writeSigns: a [${b}, ${grads.size / b}] block at row ${first} of layer ${layer}'s [${s.rows}, ${numel}]`);
    }
    const rowBytes = s.rowBytes[layer]!,
      at = s.ptrs[layer]! + first * rowBytes,
      g = this.ptr(grads);
    this.run(
      'signs_pack',
      splitRange(b, grads.size >= PARALLEL_MIN ? this.threads : 1).map(([r0, r1]) => [
        g + r0 * numel * 4,
        r1 - r0,
        numel,
        at + r0 * rowBytes,
        rowBytes,
        s.flag,
      ]),
    );
  }

  allocGrams(sizes: readonly number[]): GramStore {
    const ptrs = sizes.map((n) => {
      const p = this.heap.alloc(n * n * 8);
      this.heap.f64(p, n * n).fill(0);
      return p;
    });
    return { sizes, ptrs, nonFinite: false } as WasmGramStore;
  }

  classGram(store: SignStore, layer: number, classes: readonly (readonly number[])[], grams: GramStore): void {
    const s = store as WasmSignStore,
      acc = grams as WasmGramStore;
    const pS = s.ptrs[layer]!,
      rowBytes = s.rowBytes[layer]!,
      pG = acc.ptrs;
    if (this.heap.i32(s.flag, 1)[0] !== 0) acc.nonFinite = true;
    this.scope(() => {
      const rows = classes.map((r) => this.heap.put(Int32Array.from(r)));
      // One slice per class: the classes' Grams are independent, so they spread over the threads.
      this.run(
        'class_gram',
        classes.map((r, c) => [pS, rowBytes, rowBytes / 16, rows[c]!, r.length, pG[c]!]),
      );
    });
  }

  readGrams(grams: GramStore): { grams: Float64Array[]; nonFinite: boolean } {
    const g = grams as WasmGramStore;
    return { grams: g.ptrs.map((p, c) => this.heap.f64(p, g.sizes[c]! * g.sizes[c]!).slice()), nonFinite: g.nonFinite };
  }
}
