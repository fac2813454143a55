/**
 * Exact Hessian-vector products (forward-over-reverse) against central differences of gradients:
 * H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, in f64, for every op NB201 uses and for the whole network.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tape, add, avgPool2d, batchNorm, conv2d, crossEntropy, globalAvgPool, linear, relu, scale, sum, type BatchNormBuffers, type BatchNormMode, type Tensor,
} from '../src/autodiff/index.js';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';
import { randomArray, randomNormal } from './gradcheck.js';

const backend = new ReferenceBackend();

interface HvpInput { name: string; data: Float64Array; shape: number[]; constant?: boolean }

/** Compares tape.hessianVectorProduct with central differences of tape gradients; returns the worst relative error. */
function hvpcheck(be: Backend, inputs: HvpInput[], f: (tape: Tape, xs: Tensor[]) => Tensor, seed = 5, eps = 1e-6): number {
  const rng = new Random(seed);
  const v = inputs.map((inp) => (inp.constant ? null : randomNormal(rng, inp.data.length)));
  const build = (delta: number) => {
    const tape = new Tape(be);
    const xs = inputs.map((inp, i) => {
      const d = inp.data.slice();
      if (v[i]) for (let j = 0; j < d.length; j++) d[j]! += delta * v[i]![j]!;
      const t = be.fromHost(d, inp.shape);
      if (!inp.constant) tape.watch(t);
      return t;
    });
    return { tape, xs, out: f(tape, xs) };
  };
  const base = build(0);
  const hv = base.tape.hessianVectorProduct(base.out, new Map(base.xs.flatMap((x, i) => (v[i] ? [[x, be.fromHost(v[i]!, inputs[i]!.shape)] as const] : []))));
  const plus = build(eps), minus = build(-eps);
  const gp = plus.tape.backward(plus.out), gm = minus.tape.backward(minus.out);
  const pairs = inputs.map((inp, i) => {
    if (inp.constant) return null;
    const host = (g: Map<Tensor, Tensor>, t: Tensor) => (g.get(t) ? be.toHost(g.get(t)!) : new Float64Array(inp.data.length));
    const p = host(gp, plus.xs[i]!), m = host(gm, minus.xs[i]!);
    return { name: inp.name, analytic: host(hv, base.xs[i]!), numeric: Float64Array.from(p, (pv, j) => (pv - m[j]!) / (2 * eps)) };
  });
  // Errors relative to each element, floored at 1e-4 of the largest |H·v| anywhere (cancellation noise).
  const scaleMax = Math.max(...pairs.flatMap((q) => (q ? [...q.numeric].map(Math.abs) : [])));
  assert.ok(scaleMax > 0, 'H·v is not identically zero');
  let worst = 0;
  for (const q of pairs) {
    if (!q) continue;
    q.analytic.forEach((a, j) => {
      const num = q.numeric[j]!;
      const err = Math.abs(a - num) / Math.max(Math.abs(num), 1e-4 * scaleMax);
      if (err > 2e-5) assert.unreachable(`${q.name}[${j}]: H·v ${a} vs finite difference ${num} (rel ${err.toExponential(2)})`);
      worst = Math.max(worst, err);
    });
  }
  return worst;
}

const buffers = (C: number): BatchNormBuffers => ({ runningMean: new Float64Array(C).fill(0.1), runningVar: new Float64Array(C).fill(1.3), numBatchesTracked: 0 });

for (const mode of ['batch', 'sample', 'running'] as BatchNormMode[]) {
  test(`chain conv → bn(${mode}) → relu → avg_pool + scale → gap → linear → CE (+ Σ logits): H·v of x, conv w, linear w and b`, () => {
    const rng = new Random(21);
    const labels = Int32Array.of(1, 0, 3);
    const bufs = buffers(3);
    hvpcheck(backend, [
      { name: 'x', shape: [3, 2, 5, 5], data: randomNormal(rng, 150) },
      { name: 'w', shape: [3, 2, 3, 3], data: randomArray(rng, 54, -0.5, 0.5) },
      { name: 'gamma', shape: [3], data: randomArray(rng, 3, 0.5, 1.5), constant: true },
      { name: 'beta', shape: [3], data: randomArray(rng, 3, -0.5, 0.5), constant: true },
      { name: 'lw', shape: [4, 3], data: randomArray(rng, 12) },
      { name: 'lb', shape: [4], data: randomArray(rng, 4) },
    ], (t, [x, w, g, b, lw, lb]) => {
      const h = batchNorm(t, conv2d(t, x!, w!, { stride: 1, padding: 1 }), g!, b!, bufs, { mode, updateRunning: false });
      const p = avgPool2d(t, relu(t, h), { kernel: 3, stride: 1, padding: 1 });
      const logits = linear(t, globalAvgPool(t, add(t, p, scale(t, h, 0.5))), lw!, lb!);
      return add(t, crossEntropy(t, logits, labels), scale(t, sum(t, logits), 0.1));
    });
  });
}

test('H·v is exactly linear in v and symmetric: uᵀ(H v) = vᵀ(H u)', () => {
  const rng = new Random(22);
  const net = new Nb201Network(backend, { arch: '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|', C: 2, N: 1, numClasses: 4, dtype: 'f64' });
  net.parameters.initialize(3);
  const x = backend.fromHost(randomNormal(rng, 2 * 3 * 8 * 8), [2, 3, 8, 8]);
  const weights = net.parameters.countedWeights().map((e) => e.tensor);
  const tape = new Tape(backend);
  weights.forEach((w) => tape.watch(w));
  const loss = crossEntropy(tape, net.forward({ tape, bnMode: 'batch' }, x), Int32Array.of(1, 2));
  const dir = () => new Map(weights.map((w) => [w, backend.fromHost(randomNormal(rng, w.size), w.shape)] as const));
  const u = dir(), v = dir();
  const hu = tape.hessianVectorProduct(loss, u), hv = tape.hessianVectorProduct(loss, v);
  let uhv = 0, vhu = 0;
  for (const w of weights) {
    const a = backend.toHost(u.get(w)!), b = backend.toHost(hv.get(w)!), c = backend.toHost(v.get(w)!), d = backend.toHost(hu.get(w)!);
    for (let i = 0; i < a.length; i++) { uhv += a[i]! * b[i]!; vhu += c[i]! * d[i]!; }
  }
  assert.ok(Math.abs(uhv - vhu) <= 1e-10 * Math.abs(uhv), `uᵀHv ${uhv} vs vᵀHu ${vhu}`);
});

for (const bnMode of ['batch', 'sample'] as const) {
  test(`NB201 C=2 N=1 8x8 f64 (${bnMode} BN): H·v over every conv and linear weight vs differences of gradients`, () => {
    const net = new Nb201Network(backend, { arch: '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|', C: 2, N: 1, numClasses: 5, dtype: 'f64' });
    net.parameters.initialize(9);
    const rng = new Random(23);
    const counted = net.parameters.countedWeights();
    const x = randomNormal(rng, 3 * 3 * 8 * 8);
    const labels = Int32Array.of(3, 0, 3);
    hvpcheck(backend, [
      { name: 'input', shape: [3, 3, 8, 8], data: x, constant: true },
      ...counted.map((e) => ({ name: e.name, shape: [...e.tensor.shape], data: Float64Array.from(backend.toHost(e.tensor)) })),
    ], (tape, [xt, ...ws]) => {
      counted.forEach((e, i) => { e.tensor = ws[i]!; });
      return crossEntropy(tape, net.forward({ tape, bnMode }, xt!), labels, 'mean');
    });
  });
}

test('an op without a tangent rule on the path is named, not silently skipped', () => {
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(Float64Array.of(1, 2), [2]));
  const y = tape.record('mystery', [x], backend.sum(x), (dy) => [dy]);
  assert.throws(() => tape.hessianVectorProduct(y, new Map([[x, backend.fromHost(Float64Array.of(1, 1), [2])]])), /mystery has no tangent rule/);
});

test.run();
