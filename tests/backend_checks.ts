/**
 * Kernel-by-kernel checks of any backend against the reference backend through the Backend interface, on
 * awkward shapes (odd sizes, stride 2, 1×1 and 3×3, channels not divisible by 4, batch 1), shared by the
 * WASM and WebGPU tests.
 */
import * as assert from 'uvu/assert';
import type { Tensor } from '../src/backend/tensor.js';
import type { Backend, SavedBatchNorm } from '../src/backend/backend.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { DEFAULT_PROXY_OPTIONS, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Random } from '../src/util/random.js';

export const ref = new ReferenceBackend();
const rng = new Random(99);
export const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
export const t = (b: Backend, shape: readonly number[], data?: Float32Array) =>
  b.fromHost(data ?? rand(shape.reduce((a, c) => a * c, 1)), shape);

/** max |a − b| relative to max |b|. */
export function close(b: Backend, got: Tensor, want: Tensor, what: string, tol = 1e-5): void {
  assert.equal([...got.shape], [...want.shape], `${what}: shape`);
  const g = b.toHost(got),
    w = ref.toHost(want);
  let scale = 1e-30,
    err = 0;
  for (let i = 0; i < w.length; i++) {
    scale = Math.max(scale, Math.abs(w[i]!));
    err = Math.max(err, Math.abs(g[i]! - w[i]!));
  }
  assert.ok(err / scale <= tol, `${what}: relative error ${(err / scale).toExponential(2)} > ${tol}`);
}

/** Bit for bit (NaN equals NaN): for kernels that only select and copy, or add in the reference's order. */
export function same(b: Backend, got: Tensor, want: Tensor, what: string): void {
  assert.equal([...got.shape], [...want.shape], `${what}: shape`);
  const g = b.toHost(got),
    w = ref.toHost(want);
  for (let i = 0; i < w.length; i++) assert.ok(Object.is(g[i], w[i]), `${what}[${i}]: ${g[i]} vs the reference's ${w[i]}`);
}

export interface ConvCase {
  N: number;
  Ci: number;
  H: number;
  W: number;
  Co: number;
  /** Kernel height, and width unless `kw` is given. */
  k: number;
  kw?: number;
  stride: number;
  pad: number;
}

export const CONV_CASES: ConvCase[] = [
  // non-square kernels: the two convs of NDS's conv_k×1_1×k (nets/darts/network.ts factorizedConvLayer)
  { N: 2, Ci: 4, H: 6, W: 6, Co: 4, k: 1, kw: 7, stride: 1, pad: 3 },
  { N: 2, Ci: 4, H: 12, W: 6, Co: 4, k: 7, kw: 1, stride: 2, pad: 0 },
  { N: 3, Ci: 5, H: 5, W: 7, Co: 3, k: 1, kw: 3, stride: 1, pad: 1 },
  { N: 3, Ci: 3, H: 7, W: 5, Co: 5, k: 3, kw: 1, stride: 1, pad: 0 },
  { N: 1, Ci: 3, H: 8, W: 8, Co: 5, k: 3, stride: 1, pad: 1 },
  { N: 3, Ci: 5, H: 7, W: 5, Co: 6, k: 3, stride: 2, pad: 1 },
  { N: 4, Ci: 16, H: 8, W: 8, Co: 16, k: 1, stride: 1, pad: 0 },
  { N: 2, Ci: 7, H: 9, W: 6, Co: 3, k: 1, stride: 2, pad: 0 },
  { N: 5, Ci: 12, H: 6, W: 6, Co: 20, k: 3, stride: 1, pad: 0 },
];

export function checkConv(b: Backend, c: ConvCase, label: string, tol = 1e-5): void {
  const p = { stride: c.stride, padding: c.pad };
  const wShape = [c.Co, c.Ci, c.k, c.kw ?? c.k];
  const xd = rand(c.N * c.Ci * c.H * c.W),
    wd = rand(c.Co * c.Ci * c.k * (c.kw ?? c.k));
  const yRef = ref.conv2d(t(ref, [c.N, c.Ci, c.H, c.W], xd), t(ref, wShape, wd), p);
  const dyd = rand(yRef.size);
  const x = t(b, [c.N, c.Ci, c.H, c.W], xd),
    w = t(b, wShape, wd),
    dy = t(b, [...yRef.shape], dyd);
  const xr = t(ref, [c.N, c.Ci, c.H, c.W], xd),
    wr = t(ref, wShape, wd),
    dyr = t(ref, [...yRef.shape], dyd);
  close(b, b.conv2d(x, w, p), yRef, `forward (${label})`, tol);
  close(b, b.conv2dGradInput(dy, w, x.shape, p), ref.conv2dGradInput(dyr, wr, xr.shape, p), `grad input (${label})`, tol);
  close(b, b.conv2dGradWeight(x, dy, w.shape, p), ref.conv2dGradWeight(xr, dyr, wr.shape, p), `grad weight (${label})`, tol);
  close(
    b,
    b.conv2dGradWeightPerSample(x, dy, w.shape, p),
    ref.conv2dGradWeightPerSample(xr, dyr, wr.shape, p),
    `per-sample grad weight (${label})`,
    tol,
  );
}

export interface DepthwiseCase {
  N: number;
  C: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  pad: number;
  dilation: number;
}

/**
 * DARTS's sep_conv 3×3/5×5 (dilation 1) and dil_conv 3×3/5×5 (dilation 2) at stride 1 and 2, odd sizes, widths
 * past a multiple of 8 (the WASM kernels' eight-lane groups and their tails), batch 1, a stride 3, "valid"
 * padding; the last is big enough for every backend to split its planes.
 */
export const DEPTHWISE_CASES: DepthwiseCase[] = [
  { N: 2, C: 3, H: 8, W: 8, k: 3, stride: 1, pad: 1, dilation: 1 },
  { N: 1, C: 5, H: 7, W: 13, k: 5, stride: 1, pad: 2, dilation: 1 },
  { N: 3, C: 2, H: 9, W: 11, k: 3, stride: 1, pad: 2, dilation: 2 },
  { N: 2, C: 3, H: 10, W: 9, k: 5, stride: 1, pad: 4, dilation: 2 },
  { N: 2, C: 4, H: 9, W: 7, k: 3, stride: 2, pad: 1, dilation: 1 },
  { N: 2, C: 3, H: 11, W: 19, k: 5, stride: 2, pad: 2, dilation: 1 },
  { N: 1, C: 3, H: 8, W: 10, k: 3, stride: 2, pad: 2, dilation: 2 },
  { N: 2, C: 2, H: 9, W: 9, k: 5, stride: 2, pad: 4, dilation: 2 },
  { N: 2, C: 3, H: 7, W: 6, k: 3, stride: 1, pad: 0, dilation: 1 },
  { N: 1, C: 2, H: 8, W: 11, k: 3, stride: 3, pad: 1, dilation: 1 },
  { N: 4, C: 16, H: 16, W: 16, k: 3, stride: 1, pad: 1, dilation: 1 },
];

/** The four depthwise kernels against the reference: forward, input gradient, summed and per-sample filter gradients. */
export function checkDepthwise(b: Backend, c: DepthwiseCase, label: string, tol = 1e-5): void {
  const p = { stride: c.stride, padding: c.pad, dilation: c.dilation };
  const xs = [c.N, c.C, c.H, c.W],
    ws = [c.C, 1, c.k, c.k];
  const xd = rand(c.N * c.C * c.H * c.W),
    wd = rand(c.C * c.k * c.k);
  const xr = t(ref, xs, xd),
    wr = t(ref, ws, wd);
  const yRef = ref.depthwiseConv2d(xr, wr, p);
  const dyd = rand(yRef.size);
  const dyr = t(ref, [...yRef.shape], dyd);
  const x = t(b, xs, xd),
    w = t(b, ws, wd),
    dy = t(b, [...yRef.shape], dyd);
  close(b, b.depthwiseConv2d(x, w, p), yRef, `depthwise forward (${label})`, tol);
  close(b, b.depthwiseConv2dGradInput(dy, w, xs, p), ref.depthwiseConv2dGradInput(dyr, wr, xs, p), `depthwise grad input (${label})`, tol);
  close(
    b,
    b.depthwiseConv2dGradWeight(x, dy, ws, p),
    ref.depthwiseConv2dGradWeight(xr, dyr, ws, p),
    `depthwise grad weight (${label})`,
    tol,
  );
  close(
    b,
    b.depthwiseConv2dGradWeightPerSample(x, dy, ws, p),
    ref.depthwiseConv2dGradWeightPerSample(xr, dyr, ws, p),
    `depthwise per-sample grad weight (${label})`,
    tol,
  );
}

/** Spatial crops and their gradients, bit for bit: odd sizes, batch 1, one-row and one-column results, a big one. */
export function checkCrop(b: Backend): void {
  for (const [shape, top, left] of [
    [[2, 3, 5, 7], 1, 1],
    [[1, 2, 6, 6], 0, 3],
    [[3, 1, 4, 9], 3, 0],
    [[2, 2, 5, 5], 4, 4],
    [[1, 3, 3, 8], 0, 0],
    [[4, 16, 32, 32], 1, 1],
  ] as [number[], number, number][]) {
    const xd = rand(shape.reduce((a, c) => a * c, 1));
    const what = `crop [${shape}] at (${top}, ${left})`;
    const y = ref.cropSpatial(t(ref, shape, xd), top, left);
    same(b, b.cropSpatial(t(b, shape, xd), top, left), y, what);
    const gd = rand(y.size);
    same(
      b,
      b.cropSpatialGrad(t(b, [...y.shape], gd), shape, top, left),
      ref.cropSpatialGrad(t(ref, [...y.shape], gd), shape, top, left),
      `${what} grad`,
    );
  }
}

export const MAP_SHAPES = [
  [1, 3, 5, 7],
  [3, 5, 8, 8],
  [2, 16, 4, 4],
];

/** Element-wise, pooling and batch-norm kernels (forward, backward and the backward's tangent). */
export function checkMaps(b: Backend, shape: readonly number[], tol = 1e-5): void {
  const [N, C] = shape as [number, number];
  const size = shape.reduce((a, c) => a * c, 1);
  const xd = rand(size),
    yd = rand(size),
    td = rand(size),
    ud = rand(size);
  const x = t(b, shape, xd),
    y = t(b, shape, yd),
    xr = t(ref, shape, xd),
    yr = t(ref, shape, yd);
  close(b, b.relu(x), ref.relu(xr), 'relu', tol);
  close(b, b.reluGrad(y, x), ref.reluGrad(yr, xr), 'relu grad', tol);
  close(b, b.add(x, y), ref.add(xr, yr), 'add', tol);
  close(b, b.scale(x, -0.37), ref.scale(xr, -0.37), 'scale', tol);
  close(b, b.sum(x), ref.sum(xr), 'sum', tol);
  if (shape.length === 4) {
    for (const pool of [
      { kernel: 3, stride: 1, padding: 1 },
      { kernel: 2, stride: 2, padding: 0 },
      { kernel: 3, stride: 2, padding: 1 },
    ]) {
      const out = ref.avgPool2d(xr, pool);
      close(b, b.avgPool2d(x, pool), out, `avg_pool2d ${JSON.stringify(pool)}`, tol);
      const g = rand(out.size);
      close(
        b,
        b.avgPool2dGrad(t(b, [...out.shape], g), shape, pool),
        ref.avgPool2dGrad(t(ref, [...out.shape], g), shape, pool),
        'avg_pool2d grad',
        tol,
      );
    }
    checkMaxPool(b, shape);
    close(b, b.globalAvgPool(x), ref.globalAvgPool(xr), 'global avg pool', tol);
    const gp = rand(N * C);
    close(b, b.globalAvgPoolGrad(t(b, [N, C], gp), shape), ref.globalAvgPoolGrad(t(ref, [N, C], gp), shape), 'global avg pool grad', tol);
  }
  for (const grouping of ['channel', 'sample'] as const) {
    const s = b.batchNormStatistics(x, grouping),
      sr = ref.batchNormStatistics(xr, grouping);
    close(b, s.mean, sr.mean, `bn mean ${grouping}`, tol);
    close(b, s.variance, sr.variance, `bn variance ${grouping}`, tol);
    const G = s.mean.size,
      inv = Float32Array.from(ref.toHost(sr.variance), (v) => 1 / Math.sqrt(v + 1e-5));
    close(b, b.batchNormInvStd(s.variance, 1e-5), ref.batchNormInvStd(sr.variance, 1e-5), `bn 1/σ ${grouping}`, tol);
    const gd = rand(C),
      bd = rand(C);
    const saved = (k: Backend, input: Tensor, mean: Tensor, statsFromInput: boolean): SavedBatchNorm => ({
      x: input,
      mean,
      invStd: k.fromHost(inv, [G]),
      gamma: t(k, [C], gd),
      grouping,
      statsFromInput,
    });
    close(
      b,
      b.batchNormForward(saved(b, x, s.mean, true), t(b, [C], bd)),
      ref.batchNormForward(saved(ref, xr, sr.mean, true), t(ref, [C], bd)),
      `bn forward ${grouping}`,
      tol,
    );
    for (const fromInput of [true, false]) {
      const bn = saved(b, x, s.mean, fromInput),
        bnr = saved(ref, xr, sr.mean, fromInput);
      const r1 = b.batchNormBackward(y, bn);
      const r2 = ref.batchNormBackward(yr, bnr);
      close(b, r1.dx, r2.dx, `bn backward dx ${grouping} ${fromInput}`, tol);
      close(b, r1.dgamma, r2.dgamma, `bn backward dgamma ${grouping} ${fromInput}`, tol);
      close(b, r1.dbeta, r2.dbeta, `bn backward dbeta ${grouping} ${fromInput}`, tol);
      for (const [tdy, tx] of [
        [true, true],
        [true, false],
        [false, true],
      ] as const) {
        const got = b.batchNormBackwardTangent(y, tdy ? t(b, shape, td) : null, tx ? t(b, shape, ud) : null, bn);
        const want = ref.batchNormBackwardTangent(yr, tdy ? t(ref, shape, td) : null, tx ? t(ref, shape, ud) : null, bnr);
        close(b, got, want, `bn backward tangent ${grouping} fromInput=${fromInput} tdy=${tdy} tx=${tx}`, tol * 10);
      }
    }
  }
}

/**
 * Max pooling, its tangent (values gathered at x's argmaxes) and its gradient, bit for bit: on random values,
 * and on values rounded to a few levels (ties everywhere) with NaN and ±Inf sprinkled in.
 */
export function checkMaxPool(b: Backend, shape: readonly number[]): void {
  const size = shape.reduce((a, c) => a * c, 1);
  const tied = Float32Array.from(rand(size), (v, i) =>
    i % 23 === 5 ? NaN : i % 29 === 3 ? Infinity : i % 31 === 7 ? -Infinity : Math.round(v * 2),
  );
  for (const [kind, xd] of [
    ['random', rand(size)],
    ['tied, NaN, ±Inf', tied],
  ] as const) {
    const td = rand(size);
    const x = t(b, shape, xd),
      xr = t(ref, shape, xd);
    for (const pool of [
      { kernel: 3, stride: 1, padding: 1 },
      { kernel: 2, stride: 2, padding: 0 },
      { kernel: 3, stride: 2, padding: 1 },
    ]) {
      const what = `max_pool2d ${JSON.stringify(pool)} ${kind} ${shape}`;
      const out = ref.maxPool2d(xr, pool);
      same(b, b.maxPool2d(x, pool), out, what);
      same(b, b.maxPool2d(x, pool, t(b, shape, td)), ref.maxPool2d(xr, pool, t(ref, shape, td)), `${what} tangent`);
      const g = rand(out.size);
      same(b, b.maxPool2dGrad(t(b, [...out.shape], g), x, pool), ref.maxPool2dGrad(t(ref, [...out.shape], g), xr, pool), `${what} grad`);
    }
  }
}

/**
 * Channel concat and slice, bit for bit: odd spatial sizes, batch 1, channel counts not divisible by 4, and a
 * block big enough (64 Ki values) for the WASM backend to split it across threads.
 */
export function checkChannels(b: Backend): void {
  for (const [N, H, W, Cs] of [
    [3, 5, 7, [1, 3, 4]],
    [1, 3, 3, [2, 5]],
    [4, 32, 32, [16, 3]],
  ] as const) {
    const datas = Cs.map((C) => rand(N * C * H * W));
    const xs = Cs.map((C, i) => t(b, [N, C, H, W], datas[i])),
      xr = Cs.map((C, i) => t(ref, [N, C, H, W], datas[i]));
    const what = `N ${N}, ${H}x${W}, channels ${Cs}`;
    same(b, b.concatChannels(xs), ref.concatChannels(xr), `concat ${what}`);
    same(b, b.concatChannels([xs[0]!]), xr[0]!, `concat of one ${what}`);
    const total = Cs.reduce((a, c) => a + c, 0);
    const y = b.concatChannels(xs),
      yr = ref.concatChannels(xr);
    for (const [start, count] of [
      [0, 1],
      [1, total - 1],
      [total - 2, 2],
      [Cs[0]!, Cs[1]!],
    ] as const) {
      same(b, b.sliceChannels(y, start, count), ref.sliceChannels(yr, start, count), `slice [${start}, ${start + count}) of ${what}`);
    }
  }
}

/** matmul in all four transpose modes, the linear layer's helpers and the softmax cross-entropy. */
export function checkDense(b: Backend, tol = 1e-5): void {
  for (const [M, K, N] of [
    [3, 5, 7],
    [70, 33, 65],
    [1, 130, 2],
  ] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        if (transA && transB) continue; // not part of the interface's use (the reference refuses it)
        const ad = rand(M * K),
          bd = rand(K * N);
        const as = transA ? [K, M] : [M, K],
          bs = transB ? [N, K] : [K, N];
        close(
          b,
          b.matmul(t(b, as, ad), t(b, bs, bd), transA, transB),
          ref.matmul(t(ref, as, ad), t(ref, bs, bd), transA, transB),
          `matmul ${M}x${K}x${N} ${transA} ${transB}`,
          tol,
        );
      }
    }
  }
  const ad = rand(6 * 11),
    vd = rand(11),
    dd = rand(6 * 4);
  close(
    b,
    b.addRowVector(t(b, [6, 11], ad), t(b, [11], vd)),
    ref.addRowVector(t(ref, [6, 11], ad), t(ref, [11], vd)),
    'add row vector',
    tol,
  );
  close(b, b.sumRows(t(b, [6, 11], ad)), ref.sumRows(t(ref, [6, 11], ad)), 'sum rows', tol);
  close(
    b,
    b.outerPerSample(t(b, [6, 4], dd), t(b, [6, 11], ad)),
    ref.outerPerSample(t(ref, [6, 4], dd), t(ref, [6, 11], ad)),
    'outer per sample',
    tol,
  );
  const logits = Float32Array.from(rand(6 * 10), (v) => v * 8),
    labels = Int32Array.of(0, 9, 3, 3, 7, 1);
  const l1 = b.softmaxCrossEntropy(t(b, [6, 10], logits), labels),
    l2 = ref.softmaxCrossEntropy(t(ref, [6, 10], logits), labels);
  close(b, l1.losses, l2.losses, 'cross-entropy losses', tol);
  close(b, l1.probs, l2.probs, 'cross-entropy probabilities', tol);
  close(
    b,
    b.softmaxCrossEntropyGrad(l1.probs, labels, 0.25),
    ref.softmaxCrossEntropyGrad(l2.probs, labels, 0.25),
    'cross-entropy grad',
    tol,
  );
}

/** Sign sums and class Grams (of signs written to a store): exact integers, so equal. */
export function checkReductions(b: Backend): void {
  const B = 9,
    numel = 1037;
  const data = Float32Array.from({ length: B * numel }, (_, i) => (i % 7 === 0 ? 0 : rng.uniform(-1, 1)));
  // Sums accumulate over calls: two blocks into one store, at an offset.
  const s1 = b.allocSignSums(numel + 5),
    s2 = ref.allocSignSums(numel + 5);
  for (const [k, store] of [
    [b, s1],
    [ref, s2],
  ] as const) {
    k.signSum(t(k, [B, numel], data), store, 5);
    k.signSum(t(k, [4, numel], data.subarray(0, 4 * numel)), store, 5);
  }
  const { sums, nonFinite } = b.readSignSums(s1);
  assert.equal([...sums], [...ref.readSignSums(s2).sums]);
  assert.is(nonFinite, false, 'finite gradients leave the sums unmarked');
  assert.ok(sums.slice(0, 5).every((v) => v === 0) && sums.some((v) => v !== 0), 'untouched sums stay 0');
  const classes = [[0, 3, 4], [1], [2, 5, 6, 7, 8]];
  const sizes = classes.map((r) => r.length);
  const a1 = b.allocGrams(sizes),
    a2 = ref.allocGrams(sizes);
  // Signs of two layers written to a store in two chunks of samples each, as the Gram reducer does; both
  // layers accumulate into the same Grams.
  const numels = [13, numel, 2 * numel];
  const s1s = b.allocSigns(B, numels),
    s2s = ref.allocSigns(B, numels);
  const wide = Float32Array.from({ length: B * 2 * numel }, (_, i) => data[i % data.length]! * (i % 3 === 0 ? -1 : 1));
  for (const [k, store, acc] of [
    [b, s1s, a1],
    [ref, s2s, a2],
  ] as const) {
    for (const [layer, x] of [
      [1, data],
      [2, wide],
    ] as const) {
      const n = numels[layer]!;
      k.writeSigns(t(k, [5, n], x.subarray(4 * n)), store, layer, 4);
      k.writeSigns(t(k, [4, n], x.subarray(0, 4 * n)), store, layer, 0);
      k.classGram(store, layer, classes, acc);
    }
  }
  const r1 = b.readGrams(a1),
    g2 = ref.readGrams(a2).grams;
  assert.equal(
    r1.grams.map((g) => [...g]),
    g2.map((g) => [...g]),
  );
  assert.ok(g2[2]![0]! > 1, 'a non-trivial Gram');
  assert.is(r1.nonFinite, false, 'finite gradients leave the Grams unmarked');
}

/**
 * One NaN, +Inf or −Inf anywhere in a gradient block (in a 16-wide SIMD block or in the scalar tail) marks
 * the sign sums and, through the sign store, the class Grams; the finite sums are unchanged.
 */
export function checkNonFiniteReductions(b: Backend): void {
  const B = 5,
    numel = 100; // sign sums: 6 SIMD blocks of 16 columns, then a tail of 4; packed signs: a group of 64, then 36
  const clean = Float32Array.from({ length: B * numel }, () => rng.uniform(-1, 1));
  for (const [bad, at] of [
    [NaN, 3 * numel + 20],
    [Infinity, numel - 1],
    [-Infinity, 0],
    [NaN, B * numel - 2],
  ] as const) {
    const data = clean.slice();
    data[at] = bad;
    const where = `${bad} at ${at}`;
    b.scope(() => {
      const sums = b.allocSignSums(numel);
      b.signSum(t(b, [B, numel], clean), sums, 0);
      assert.is(b.readSignSums(sums).nonFinite, false, `${where}: clean block`);
      b.signSum(t(b, [B, numel], data), sums, 0);
      assert.is(b.readSignSums(sums).nonFinite, true, `${where}: sign sums marked`);
      const store = b.allocSigns(B, [numel, numel]),
        grams = b.allocGrams([2, 3]);
      const classes = [
        [0, 1],
        [2, 3, 4],
      ];
      b.writeSigns(t(b, [B, numel], clean), store, 0, 0);
      b.classGram(store, 0, classes, grams);
      assert.is(b.readGrams(grams).nonFinite, false, `${where}: clean Grams`);
      b.writeSigns(t(b, [B, numel], data), store, 1, 0);
      b.classGram(store, 1, classes, grams);
      assert.is(b.readGrams(grams).nonFinite, true, `${where}: Grams marked`);
    });
  }
}

/**
 * A finite network whose logits overflow f32 (classifier weights near f32's maximum): the per-sample
 * gradients become NaN, and GradSign and GradAlign-I/II must be NaN with a warning that says so (signs of
 * NaN count as 0, so today's reductions gave plausible numbers).
 */
export function checkOverflowScores(b: Backend): void {
  const net = new Nb201Network(b, {
    arch: '|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
    C: 4,
    N: 1,
    numClasses: 3,
  });
  net.parameters.initialize(5);
  const state = net.parameters.stateDict();
  state.get('classifier.weight')!.data = new Float32Array(state.get('classifier.weight')!.data.length).fill(3e38);
  net.parameters.loadStateDict(state);
  const B = 6,
    hw = 8;
  const batch = {
    x: Float32Array.from({ length: B * 3 * hw * hw }, () => rng.normal()),
    shape: [B, 3, hw, hw] as [number, number, number, number],
    y: Int32Array.of(0, 1, 2, 0, 1, 2),
  };
  const proxies = ['gradsign', 'gradalign1', 'gradalign2'] as const;
  const reduced = reducePerSample(net, batch, reducersNeeded(proxies));
  assert.ok(reduced.nonFinite, `${b.name}: the reductions saw the non-finite gradients`);
  const { scores, warnings } = scoreReduced(reduced, proxies, DEFAULT_PROXY_OPTIONS);
  for (const p of proxies) {
    assert.ok(Number.isNaN(scores[p]), `${b.name} ${p}: ${scores[p]}`);
    assert.ok(
      warnings.some((w) => w.startsWith(`${p}: `) && /NaN or ±Inf .*overflow/.test(w)),
      `${b.name} ${p}: ${warnings.join('; ')}`,
    );
  }
}
