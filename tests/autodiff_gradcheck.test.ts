/**
 * Every autodiff op's VJP against central finite differences in f64 (L = Σ op(θ) ⊙ R, ε = 1e-6), forward
 * values against direct loops or known maths, and whole tiny NB201 networks (batch and sample BN) end to end.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tape, add, avgPool2d, batchNorm, conv2d, crossEntropy, globalAvgPool, linear, relu, scale, sum, zero,
  type BatchNormBuffers, type BatchNormMode, type Tensor,
} from '../src/autodiff/index.js';
import type { Conv2dParams, Pool2dParams } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';
import { gradcheck, randomArray, randomNormal, type GradInput } from './gradcheck.js';

const backend = new ReferenceBackend();
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const input = (rng: Random, name: string, shape: number[], extra: Partial<GradInput> = {}): GradInput =>
  ({ name, shape, data: randomNormal(rng, size(shape)), ...extra });
const host = (t: Tensor): Float64Array => Float64Array.from(backend.toHost(t));

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - want[i]!);
    assert.ok(err <= tol * Math.max(1, Math.abs(want[i]!)), `${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Direct-loop references for forward values.

function naiveConv(x: Float64Array, xs: number[], w: Float64Array, ws: number[], p: Conv2dParams): Float64Array {
  const [N, Ci, H, W] = xs as [number, number, number, number];
  const [Co, , kh, kw] = ws as [number, number, number, number];
  const Ho = Math.floor((H + 2 * p.padding - kh) / p.stride) + 1, Wo = Math.floor((W + 2 * p.padding - kw) / p.stride) + 1;
  const y = new Float64Array(N * Co * Ho * Wo);
  for (let n = 0; n < N; n++) for (let o = 0; o < Co; o++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
    let s = 0;
    for (let c = 0; c < Ci; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const h = oh * p.stride - p.padding + i, v = ow * p.stride - p.padding + j;
      if (h >= 0 && h < H && v >= 0 && v < W) s += x[((n * Ci + c) * H + h) * W + v]! * w[((o * Ci + c) * kh + i) * kw + j]!;
    }
    y[((n * Co + o) * Ho + oh) * Wo + ow] = s;
  }
  return y;
}

function naiveAvgPool(x: Float64Array, xs: number[], p: Pool2dParams): Float64Array {
  const [N, C, H, W] = xs as [number, number, number, number];
  const Ho = Math.floor((H + 2 * p.padding - p.kernel) / p.stride) + 1, Wo = Math.floor((W + 2 * p.padding - p.kernel) / p.stride) + 1;
  const y = new Float64Array(N * C * Ho * Wo);
  for (let q = 0; q < N * C; q++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
    let s = 0, cnt = 0;
    for (let i = 0; i < p.kernel; i++) for (let j = 0; j < p.kernel; j++) {
      const h = oh * p.stride - p.padding + i, v = ow * p.stride - p.padding + j;
      if (h >= 0 && h < H && v >= 0 && v < W) { s += x[(q * H + h) * W + v]!; cnt++; }
    }
    y[(q * Ho + oh) * Wo + ow] = s / cnt;
  }
  return y;
}

test('gradcheck itself rejects a VJP that is off by 1%', () => {
  const rng = new Random(0);
  const wrong = (t: Tape, x: Tensor): Tensor =>
    t.record('wrong', [x], backend.scale(x, 2), (dy, ctx) => [ctx.backend.scale(dy, 2.02)]);
  let message = '';
  try { gradcheck(backend, [input(rng, 'x', [5])], (t, [x]) => wrong(t, x!)); } catch (e) { message = (e as Error).message; }
  assert.ok(message.includes('finite difference'), `gradcheck should fail, got ${JSON.stringify(message)}`);
  const right = (t: Tape, x: Tensor): Tensor =>
    t.record('right', [x], backend.scale(x, 2), (dy, ctx) => [ctx.backend.scale(dy, 2)]);
  assert.is(gradcheck(backend, [input(rng, 'x', [5])], (t, [x]) => right(t, x!)).checked, 5);
});

// ---------------------------------------------------------------------------------------------------------
// conv2d

const convCases: { x: number[]; w: number[]; p: Conv2dParams }[] = [
  { x: [1, 3, 5, 7], w: [5, 3, 3, 3], p: { stride: 1, padding: 1 } },
  { x: [3, 3, 5, 7], w: [5, 3, 3, 3], p: { stride: 2, padding: 1 } },
  { x: [2, 2, 6, 5], w: [3, 2, 3, 3], p: { stride: 1, padding: 0 } },
  { x: [3, 2, 7, 5], w: [3, 2, 3, 3], p: { stride: 2, padding: 0 } },
  { x: [3, 2, 5, 7], w: [4, 2, 1, 1], p: { stride: 1, padding: 0 } }, // pointwise fast path
  { x: [2, 3, 5, 7], w: [2, 3, 1, 1], p: { stride: 2, padding: 0 } },
  { x: [1, 2, 4, 5], w: [3, 2, 1, 1], p: { stride: 1, padding: 1 } },
];

for (const c of convCases) {
  const label = `conv2d x[${c.x}] w[${c.w}] stride ${c.p.stride} pad ${c.p.padding}`;
  test(`${label}: forward equals direct convolution`, () => {
    const rng = new Random(1);
    const x = randomNormal(rng, size(c.x)), w = randomNormal(rng, size(c.w));
    const y = conv2d(new Tape(backend), backend.fromHost(x, c.x), backend.fromHost(w, c.w), c.p);
    close(host(y), naiveConv(x, c.x, w, c.w, c.p), 1e-12, label);
  });
  test(`${label}: dx and dw vs finite differences`, () => {
    const rng = new Random(2);
    const r = gradcheck(backend, [input(rng, 'x', c.x), input(rng, 'w', c.w)], (t, [x, w]) => conv2d(t, x!, w!, c.p));
    assert.ok(r.checked > 0);
  });
}

test('conv2d: only the watched weight gets a gradient (input not needed)', () => {
  const rng = new Random(3);
  const c = convCases[1]!;
  const r = gradcheck(backend, [input(rng, 'x', c.x, { check: false }), input(rng, 'w', c.w)], (t, [x, w]) => conv2d(t, x!, w!, c.p));
  assert.not.ok(r.grads.has(r.tensors[0]!), 'no gradient for an unwatched input');
  assert.ok(r.grads.has(r.tensors[1]!));
});

// ---------------------------------------------------------------------------------------------------------
// batch_norm

function bnInputs(rng: Random, shape: number[]): GradInput[] {
  const C = shape[1]!;
  return [
    { name: 'x', shape, data: Float64Array.from(randomNormal(rng, size(shape)), (v, i) => 2 * v + (i % 3) - 1) },
    { name: 'gamma', shape: [C], data: randomArray(rng, C, 0.5, 1.5) },
    { name: 'beta', shape: [C], data: randomArray(rng, C, -0.5, 0.5) },
  ];
}

function buffersFor(C: number, rng?: Random): BatchNormBuffers {
  return rng
    ? { runningMean: randomArray(rng, C, -1, 1), runningVar: randomArray(rng, C, 0.3, 2.5), numBatchesTracked: 0 }
    : { runningMean: new Float64Array(C), runningVar: new Float64Array(C).fill(1), numBatchesTracked: 0 };
}

for (const mode of ['batch', 'sample', 'running'] as BatchNormMode[]) {
  for (const shape of [[3, 2, 3, 4], [2, 3, 5, 3]]) {
    test(`batch_norm ${mode} x[${shape}]: dx, dγ, dβ vs finite differences`, () => {
      const rng = new Random(4);
      const buffers = buffersFor(shape[1]!, mode === 'running' ? rng : undefined);
      const snapshot = { m: buffers.runningMean.slice(), v: buffers.runningVar.slice() };
      gradcheck(backend, bnInputs(rng, shape), (t, [x, g, b]) => batchNorm(t, x!, g!, b!, buffers, { mode, updateRunning: false }), { maxChecks: 40 });
      assert.equal([...buffers.runningMean], [...snapshot.m], 'running mean untouched');
      assert.equal([...buffers.runningVar], [...snapshot.v], 'running var untouched');
    });
  }
}

test('batch_norm batch on [N,C] (no spatial axes): vs finite differences', () => {
  const rng = new Random(5);
  gradcheck(backend, bnInputs(rng, [5, 3]), (t, [x, g, b]) => batchNorm(t, x!, g!, b!, buffersFor(3), { mode: 'batch', updateRunning: false }));
});

test('batch_norm forward: zero mean and unit biased variance per statistics group; running mode formula', () => {
  const rng = new Random(6);
  const [N, C, H, W] = [3, 2, 3, 4], HW = H * W;
  const x = Float64Array.from(randomNormal(rng, N * C * HW), (v) => 3 * v + 1.5);
  const ones = backend.fromHost(new Float64Array(C).fill(1), [C]), zeros = backend.fromHost(new Float64Array(C), [C]);
  const eps = 1e-5;
  for (const mode of ['batch', 'sample'] as const) {
    const y = host(batchNorm(new Tape(backend), backend.fromHost(x, [N, C, H, W]), ones, zeros, buffersFor(C), { mode }));
    const groups = mode === 'batch' ? C : N * C;
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
        if (mode === 'batch' ? c === g : n * C + c === g) for (let i = 0; i < HW; i++) idx.push((n * C + c) * HW + i);
      }
      const mean = (a: Float64Array): number => idx.reduce((s, i) => s + a[i]!, 0) / idx.length;
      const mx = mean(x), vx = idx.reduce((s, i) => s + (x[i]! - mx) ** 2, 0) / idx.length;
      const my = mean(y), vy = idx.reduce((s, i) => s + (y[i]! - my) ** 2, 0) / idx.length;
      assert.ok(Math.abs(my) < 1e-12, `${mode} group ${g}: mean ${my}`);
      assert.ok(Math.abs(vy - vx / (vx + eps)) < 1e-12, `${mode} group ${g}: biased variance ${vy}, expected ${vx / (vx + eps)}`);
    }
  }
  const bufs = buffersFor(C, rng);
  const gamma = randomArray(rng, C, 0.5, 1.5), beta = randomArray(rng, C, -1, 1);
  const y = host(batchNorm(new Tape(backend), backend.fromHost(x, [N, C, H, W]), backend.fromHost(gamma, [C]), backend.fromHost(beta, [C]), bufs, { mode: 'running' }));
  const want = x.map((v, i) => {
    const c = Math.floor(i / HW) % C;
    return gamma[c]! * (v - bufs.runningMean[c]!) / Math.sqrt(bufs.runningVar[c]! + eps) + beta[c]!;
  });
  close(y, want, 1e-13, 'running-mode output');
});

// ---------------------------------------------------------------------------------------------------------
// relu, pooling, add, scale, zero

test('relu: forward max(x,0) and dx vs finite differences', () => {
  const rng = new Random(7);
  const inp = input(rng, 'x', [2, 3, 4, 5]);
  const y = host(relu(new Tape(backend), backend.fromHost(inp.data, inp.shape)));
  close(y, inp.data.map((v) => Math.max(v, 0)), 0, 'relu');
  // keep every element well away from the kink at 0
  inp.data = inp.data.map((v) => (Math.abs(v) < 1e-3 ? v + 0.01 : v));
  const r = gradcheck(backend, [inp], (t, [x]) => relu(t, x!), { maxChecks: 120 });
  r.analytic[0]!.forEach((g, i) => { if (inp.data[i]! < 0) assert.is(g, 0, `relu grad at negative x[${i}]`); });
});

test('relu: the subgradient at exactly 0 is 0 (as PyTorch)', () => {
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(Float64Array.of(-1, 0, 2), [3]));
  const g = tape.backward(relu(tape, x), { seed: backend.fromHost(Float64Array.of(5, 6, 7), [3]) });
  assert.equal([...backend.toHost(g.get(x)!)], [0, 0, 7]);
});

const poolCases: { x: number[]; p: Pool2dParams }[] = [
  { x: [2, 2, 5, 7], p: { kernel: 3, stride: 1, padding: 1 } },
  { x: [2, 2, 6, 8], p: { kernel: 2, stride: 2, padding: 0 } },
  { x: [1, 3, 5, 7], p: { kernel: 2, stride: 2, padding: 0 } },
  { x: [2, 2, 5, 7], p: { kernel: 3, stride: 2, padding: 1 } },
  { x: [1, 2, 6, 6], p: { kernel: 3, stride: 2, padding: 1 } },
];

for (const c of poolCases) {
  const label = `avg_pool2d x[${c.x}] k${c.p.kernel} s${c.p.stride} p${c.p.padding}`;
  test(`${label}: forward (count_include_pad=false) and dx vs finite differences`, () => {
    const rng = new Random(8);
    const inp = input(rng, 'x', c.x);
    close(host(avgPool2d(new Tape(backend), backend.fromHost(inp.data, c.x), c.p)), naiveAvgPool(inp.data, c.x, c.p), 1e-14, label);
    gradcheck(backend, [inp], (t, [x]) => avgPool2d(t, x!, c.p), { maxChecks: 80 });
  });
}

test('avg_pool2d 3x3 pad 1: corner divides by 4, edge by 6, interior by 9', () => {
  const x = backend.fromHost(new Float64Array(25).fill(1).map((_, i) => i), [1, 1, 5, 5]);
  const y = host(avgPool2d(new Tape(backend), x, { kernel: 3, stride: 1, padding: 1 }));
  assert.is(y[0], (0 + 1 + 5 + 6) / 4);
  assert.is(y[2], (1 + 2 + 3 + 6 + 7 + 8) / 6);
  assert.is(y[6], (0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12) / 9);
  assert.is(y[24], (18 + 19 + 23 + 24) / 4);
  // the gradient of Σy at the corner cell: it sits in windows of sizes 4 (corner), 6, 6 (edges), 9 (interior)
  const tape = new Tape(backend);
  const xw = tape.watch(backend.fromHost(new Float64Array(25), [1, 1, 5, 5]));
  const g = host(tape.backward(sum(tape, avgPool2d(tape, xw, { kernel: 3, stride: 1, padding: 1 }))).get(xw)!);
  assert.ok(Math.abs(g[0]! - (1 / 4 + 2 / 6 + 1 / 9)) < 1e-15, `corner gradient ${g[0]}`);
});

test('add: dx = dy for both inputs, accumulated when an input is used twice', () => {
  const rng = new Random(9);
  gradcheck(backend, [input(rng, 'a', [2, 3, 2, 2]), input(rng, 'b', [2, 3, 2, 2])], (t, [a, b]) => add(t, a!, b!));
  const r = gradcheck(backend, [input(rng, 'a', [7])], (t, [a]) => add(t, a!, a!));
  const tape = new Tape(backend);
  const a = tape.watch(backend.fromHost(new Float64Array(3), [3]));
  const g = tape.backward(add(tape, a, a), { seed: backend.fromHost(Float64Array.of(1, 2, 3), [3]) });
  assert.equal([...backend.toHost(g.get(a)!)], [2, 4, 6]);
  assert.ok(r.checked === 7);
});

test('scale: y = s·x, dx = s·dy', () => {
  const rng = new Random(10);
  const inp = input(rng, 'x', [3, 4]);
  close(host(scale(new Tape(backend), backend.fromHost(inp.data, inp.shape), -2.5)), inp.data.map((v) => -2.5 * v), 0, 'scale');
  gradcheck(backend, [inp], (t, [x]) => scale(t, x!, -2.5));
});

test('zero: exact zeros, gradient exactly 0 (no contribution upstream)', () => {
  const rng = new Random(11);
  const inp = input(rng, 'x', [2, 2, 3, 3]);
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(inp.data, inp.shape));
  const z = zero(tape, x);
  assert.equal([...backend.toHost(z)], new Array(36).fill(0));
  assert.equal(z.shape, inp.shape);
  assert.is(z.dtype, 'f64');
  // y = zero(x) + 2x: the gradient is exactly 2R, nothing from the zero branch
  const R = randomArray(rng, 36);
  const y = add(tape, z, scale(tape, x, 2));
  const g = host(tape.backward(y, { seed: backend.fromHost(R, inp.shape) }).get(x)!);
  assert.equal([...g], [...R.map((v) => 2 * v)]);
  // zero alone: x gets no gradient at all, and finite differences agree (exactly 0)
  const r = gradcheck(backend, [inp], (t, [xx]) => zero(t, xx!));
  assert.not.ok(r.grads.has(r.tensors[0]!), 'zero(x) gives x no gradient entry');
  // and through a relu/conv upstream of it, the weight gets nothing either
  const r2 = gradcheck(backend, [input(rng, 'x', [1, 2, 4, 4]), input(rng, 'w', [2, 2, 3, 3])],
    (t, [xx, w]) => add(t, zero(t, conv2d(t, xx!, w!, { stride: 1, padding: 1 })), relu(t, xx!)));
  assert.not.ok(r2.grads.has(r2.tensors[1]!), 'a weight feeding only zero() gets no gradient');
});

test('global_avg_pool: forward is the spatial mean, dx vs finite differences', () => {
  const rng = new Random(12);
  const inp = input(rng, 'x', [2, 3, 3, 5]);
  const y = host(globalAvgPool(new Tape(backend), backend.fromHost(inp.data, inp.shape)));
  close(y, Array.from({ length: 6 }, (_, q) => inp.data.subarray(q * 15, q * 15 + 15).reduce((a, b) => a + b, 0) / 15), 1e-15, 'gap');
  gradcheck(backend, [inp], (t, [x]) => globalAvgPool(t, x!));
});

test('linear: forward x·wᵀ + b; dx, dw, db vs finite differences', () => {
  const rng = new Random(13);
  const [N, I, O] = [4, 5, 3];
  const ins = [input(rng, 'x', [N, I]), input(rng, 'w', [O, I]), input(rng, 'b', [O])];
  const y = host(linear(new Tape(backend), ...(ins.map((i) => backend.fromHost(i.data, i.shape)) as [Tensor, Tensor, Tensor])));
  const want = new Float64Array(N * O);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    let s = ins[2]!.data[o]!;
    for (let i = 0; i < I; i++) s += ins[0]!.data[n * I + i]! * ins[1]!.data[o * I + i]!;
    want[n * O + o] = s;
  }
  close(y, want, 1e-14, 'linear');
  gradcheck(backend, ins, (t, [x, w, b]) => linear(t, x!, w!, b!));
});

// ---------------------------------------------------------------------------------------------------------
// losses and sum

for (const reduction of ['mean', 'sum'] as const) {
  test(`cross_entropy (${reduction}): dlogits vs finite differences`, () => {
    const rng = new Random(14);
    const labels = Int32Array.of(2, 0, 4, 2);
    gradcheck(backend, [input(rng, 'logits', [4, 5])], (t, [z]) => crossEntropy(t, z!, labels, reduction));
  });
}

test('cross_entropy forward: equal logits give ln K; a known 2-class value; mean = sum / N', () => {
  const tape = new Tape(backend);
  const K = 7;
  const eq = backend.fromHost(new Float64Array(3 * K).fill(0.37), [3, K]);
  const labels = Int32Array.of(0, 3, 6);
  assert.ok(Math.abs(host(crossEntropy(tape, eq, labels, 'mean'))[0]! - Math.log(K)) < 1e-15);
  assert.ok(Math.abs(host(crossEntropy(tape, eq, labels, 'sum'))[0]! - 3 * Math.log(K)) < 1e-14);
  // logits (0, 1000) with label 0: loss = log(1 + e^1000) − 0 ≈ 1000, stable
  const big = backend.fromHost(Float64Array.of(0, 1000, 2, -1), [2, 2]);
  const l = host(crossEntropy(tape, big, Int32Array.of(0, 1), 'sum'))[0]!;
  assert.ok(Math.abs(l - (1000 + Math.log1p(Math.exp(-3)) + 3)) < 1e-9, `stable loss ${l}`);
  // the gradient of the mean loss of equal logits: (1/K − onehot) / N
  const t2 = new Tape(backend);
  const z = t2.watch(backend.fromHost(new Float64Array(3 * K), [3, K]));
  const g = host(t2.backward(crossEntropy(t2, z, labels, 'mean')).get(z)!);
  g.forEach((v, i) => {
    const want = (1 / K - (i % K === labels[Math.floor(i / K)]! ? 1 : 0)) / 3;
    assert.ok(Math.abs(v - want) < 1e-16, `dlogits[${i}] ${v} vs ${want}`);
  });
  assert.throws(() => crossEntropy(new Tape(backend), eq, Int32Array.of(0, 7, 1)), /label 7/);
});

test('sum: y = Σx, dx = dy everywhere; default seed 1 for a scalar root', () => {
  const rng = new Random(15);
  const inp = input(rng, 'x', [2, 3, 4]);
  assert.ok(Math.abs(host(sum(new Tape(backend), backend.fromHost(inp.data, inp.shape)))[0]! - inp.data.reduce((a, b) => a + b, 0)) < 1e-14);
  gradcheck(backend, [inp], (t, [x]) => sum(t, x!));
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(inp.data, inp.shape));
  const g = host(tape.backward(sum(tape, scale(tape, x, 3))).get(x)!);
  assert.equal([...g], new Array(24).fill(3));
  assert.throws(() => new Tape(backend).backward(x), /explicit seed/);
});

test('a small chain: Σ R ⊙ gap(relu(bn(conv(x)))) → linear → CE, every leaf vs finite differences', () => {
  const rng = new Random(16);
  const bufs = buffersFor(3);
  const labels = Int32Array.of(1, 0);
  gradcheck(backend, [
    input(rng, 'x', [2, 2, 5, 5]), input(rng, 'w', [3, 2, 3, 3]),
    { name: 'gamma', shape: [3], data: randomArray(rng, 3, 0.5, 1.5) }, { name: 'beta', shape: [3], data: randomArray(rng, 3, -0.5, 0.5) },
    input(rng, 'lw', [4, 3]), input(rng, 'lb', [4]),
  ], (t, [x, w, g, b, lw, lb]) => {
    const h = batchNorm(t, conv2d(t, x!, w!, { stride: 2, padding: 1 }), g!, b!, bufs, { mode: 'batch', updateRunning: false });
    const p = avgPool2d(t, relu(t, h), { kernel: 3, stride: 1, padding: 1 });
    return crossEntropy(t, linear(t, globalAvgPool(t, add(t, p, scale(t, h, 0.5))), lw!, lb!), labels);
  }, { maxChecks: 30 });
});

// ---------------------------------------------------------------------------------------------------------
// Whole network

const EVERY_OP = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';

for (const bnMode of ['batch', 'sample'] as const) {
  test(`NB201 C=2 N=1 8x8 f64 batch 3 (${bnMode} BN): mean-CE gradient of every parameter kind and the input vs finite differences`, () => {
    const net = new Nb201Network(backend, { arch: EVERY_OP, C: 2, N: 1, numClasses: 5, dtype: 'f64' });
    net.parameters.initialize(7);
    const rng = new Random(17);
    const entries = net.parameters.entries;
    // non-trivial γ and β so their gradients are generic
    for (const e of entries) {
      if (e.kind === 'bn_weight') e.tensor = backend.fromHost(randomArray(rng, e.tensor.size, 0.5, 1.5), e.tensor.shape);
      if (e.kind === 'bn_bias') e.tensor = backend.fromHost(randomArray(rng, e.tensor.size, -0.5, 0.5), e.tensor.shape);
    }
    const kinds = new Set(entries.map((e) => e.kind));
    assert.equal([...kinds].sort(), ['bn_bias', 'bn_weight', 'conv_weight', 'linear_bias', 'linear_weight']);
    const labels = Int32Array.of(3, 0, 3);
    const inputs: GradInput[] = [
      { name: 'input', shape: [3, 3, 8, 8], data: randomNormal(rng, 3 * 192), indices: rng.sample(3 * 192, 6) },
      ...entries.map((e) => ({
        name: e.name, shape: [...e.tensor.shape], data: Float64Array.from(backend.toHost(e.tensor)),
        indices: rng.sample(e.tensor.size, Math.min(e.tensor.size, e.kind === 'conv_weight' || e.kind === 'linear_weight' ? 3 : 2)),
      })),
    ];
    const r = gradcheck(backend, inputs, (tape, [x, ...ps]) => {
      entries.forEach((e, i) => { e.tensor = ps[i]!; });
      return crossEntropy(tape, net.forward({ tape, bnMode }, x!), labels, 'mean');
    }, { rtol: 1e-5, atol: 1e-9 });
    assert.ok(r.checked > 100, `checked ${r.checked}`);
    // every conv in this arch lies on a live path (node 1 reaches node 3 through avg_pool → node 2 → conv)
    entries.forEach((e, i) => {
      if (e.kind === 'conv_weight') assert.ok(r.analytic[i + 1]!.some((v) => v !== 0), `${e.name} has a gradient`);
    });
  });
}

test.run();
