/**
 * Exact Hessian-vector products (forward-over-reverse) against central differences of gradients:
 * H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, in f64: one case table entry per op of the `ops` table, chains of
 * them, and the whole network.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tape,
  add,
  avgPool2d,
  batchNorm,
  channelBias,
  checkpoint,
  concatChannels,
  conv2d,
  cropSpatial,
  crossEntropy,
  depthwiseConv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  ops,
  relu,
  scale,
  sliceChannels,
  sum,
  zero,
  type BatchNormBuffers,
  type BatchNormMode,
  type OpName,
  type Tensor,
} from '../src/autodiff/index.js';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';
import { randomArray, randomNormal } from './gradcheck.js';

const backend = new ReferenceBackend();

interface HvpInput {
  name: string;
  data: Float64Array;
  shape: number[];
  constant?: boolean;
}

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
  const hv = base.tape.hessianVectorProduct(
    base.out,
    new Map(base.xs.flatMap((x, i) => (v[i] ? [[x, be.fromHost(v[i]!, inputs[i]!.shape)] as const] : []))),
  );
  const plus = build(eps),
    minus = build(-eps);
  const gp = plus.tape.backward(plus.out),
    gm = minus.tape.backward(minus.out);
  const pairs = inputs.map((inp, i) => {
    if (inp.constant) return null;
    const host = (g: Map<Tensor, Tensor>, t: Tensor) => (g.get(t) ? be.toHost(g.get(t)!) : new Float64Array(inp.data.length));
    const p = host(gp, plus.xs[i]!),
      m = host(gm, minus.xs[i]!);
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

const buffers = (C: number): BatchNormBuffers => ({
  runningMean: new Float64Array(C).fill(0.1),
  runningVar: new Float64Array(C).fill(1.3),
  numBatchesTracked: 0,
});

// ---------------------------------------------------------------------------------------------------------
// The op table's Hessian-vector checks. Each op sits under a cross-entropy so that H is not zero (most ops
// are linear); gap → CE turns a [N,C,H,W] output into a loss. The Record type makes TypeScript refuse a
// table without every op; the test after the loop refuses an empty entry.

interface HvpCase {
  label: string;
  inputs: (rng: Random) => HvpInput[];
  f: (tape: Tape, xs: Tensor[]) => Tensor;
}

/** Mean cross-entropy of y [N,K], or of its spatial mean when y is [N,C,H,W]; labels n mod K. */
function ce(t: Tape, y: Tensor): Tensor {
  const logits = y.shape.length === 4 ? globalAvgPool(t, y) : y;
  const [N, K] = [logits.shape[0]!, logits.shape[1]!];
  return crossEntropy(
    t,
    logits,
    Int32Array.from({ length: N }, (_, n) => (3 * n + 1) % K),
  );
}

const arr = (rng: Random, name: string, shape: number[], constant = false): HvpInput => ({
  name,
  shape,
  data: randomNormal(
    rng,
    shape.reduce((a, b) => a * b, 1),
  ),
  constant,
});

const hvpCases: Record<OpName, HvpCase[]> = {
  add: [
    {
      label: 'CE(gap(a + b))',
      inputs: (r) => [arr(r, 'a', [3, 4, 2, 3]), arr(r, 'b', [3, 4, 2, 3])],
      f: (t, [a, b]) => ce(t, add(t, a!, b!)),
    },
  ],
  avgPool2d: [
    {
      label: 'CE(gap(pool 3x3 s1 p1))',
      inputs: (r) => [arr(r, 'x', [3, 4, 5, 5])],
      f: (t, [x]) => ce(t, avgPool2d(t, x!, { kernel: 3, stride: 1, padding: 1 })),
    },
    {
      label: 'CE(gap(pool 2x2 s2))',
      inputs: (r) => [arr(r, 'x', [3, 4, 4, 6])],
      f: (t, [x]) => ce(t, avgPool2d(t, x!, { kernel: 2, stride: 2, padding: 0 })),
    },
  ],
  // Piecewise linear: H·v comes from CE alone, through the same argmaxes (random x: no ties within ε).
  maxPool2d: [
    {
      label: 'CE(gap(max pool 3x3 s1 p1)), odd sizes',
      inputs: (r) => [arr(r, 'x', [3, 4, 5, 7])],
      f: (t, [x]) => ce(t, maxPool2d(t, x!, { kernel: 3, stride: 1, padding: 1 })),
    },
    {
      label: 'CE(gap(max pool 2x2 s2)), odd sizes',
      inputs: (r) => [arr(r, 'x', [3, 4, 5, 7])],
      f: (t, [x]) => ce(t, maxPool2d(t, x!, { kernel: 2, stride: 2, padding: 0 })),
    },
    {
      label: 'CE(gap(max pool(conv(x, w)))): H·v of x and w',
      inputs: (r) => [arr(r, 'x', [3, 2, 4, 4]), arr(r, 'w', [4, 2, 3, 3])],
      f: (t, [x, w]) => ce(t, maxPool2d(t, conv2d(t, x!, w!, { stride: 1, padding: 1 }), { kernel: 3, stride: 1, padding: 1 })),
    },
  ],
  // γ and β carry no direction (batch_norm's jvp refuses them). A relu before the gap: in sample mode
  // gap(bn(x)) = β exactly, whose Hessian is 0.
  batchNorm: (['batch', 'sample', 'running'] as BatchNormMode[]).map((mode) => ({
    label: `CE(gap(relu(bn ${mode})))`,
    inputs: (r) => [
      arr(r, 'x', [3, 4, 3, 3]),
      { ...arr(r, 'gamma', [4], true), data: randomArray(r, 4, 0.5, 1.5) },
      arr(r, 'beta', [4], true),
    ],
    f: (t, [x, g, b]) => ce(t, relu(t, batchNorm(t, x!, g!, b!, buffers(4), { mode, updateRunning: false }))),
  })),
  // The bias carries no direction (channel_bias's jvp refuses it); its input does.
  channelBias: [
    {
      label: 'CE(gap(x + b))',
      inputs: (r) => [arr(r, 'x', [3, 4, 2, 3]), arr(r, 'b', [4], true)],
      f: (t, [x, b]) => ce(t, channelBias(t, x!, b!)),
    },
    {
      label: 'CE(gap(conv(x, w) + b))',
      inputs: (r) => [arr(r, 'x', [3, 2, 4, 4]), arr(r, 'w', [4, 2, 3, 3]), arr(r, 'b', [4], true)],
      f: (t, [x, w, b]) => ce(t, channelBias(t, conv2d(t, x!, w!, { stride: 1, padding: 1 }), b!)),
    },
  ],
  // A segment's tangents recompute it: H·v of its input and parameters as with the ops inline.
  checkpoint: [
    {
      label: 'CE(gap(segment(relu(conv(x, w)) → max pool)))',
      inputs: (r) => [arr(r, 'x', [3, 2, 4, 4]), arr(r, 'w', [4, 2, 3, 3])],
      f: (t, [x, w]) =>
        ce(
          t,
          checkpoint(t, x!, [w!], (tape, x) =>
            maxPool2d(tape, relu(tape, conv2d(tape, x, w!, { stride: 1, padding: 1 })), { kernel: 3, stride: 1, padding: 1 }),
          ),
        ),
    },
    {
      label: 'CE(gap(segment(relu(bn batch(conv(x, w)))))), γ and β without direction',
      inputs: (r) => [
        arr(r, 'x', [3, 2, 3, 3]),
        arr(r, 'w', [4, 2, 3, 3]),
        { ...arr(r, 'gamma', [4], true), data: randomArray(r, 4, 0.5, 1.5) },
        arr(r, 'beta', [4], true),
      ],
      f: (t, [x, w, g, b]) =>
        ce(
          t,
          checkpoint(t, x!, [w!, g!, b!], (tape, x) =>
            relu(
              tape,
              batchNorm(tape, conv2d(tape, x, w!, { stride: 1, padding: 1 }), g!, b!, buffers(4), { mode: 'batch', updateRunning: false }),
            ),
          ),
        ),
    },
  ],
  // Linear: H·v comes from CE; a constant input's tangent is a zero block of the concat's tangent.
  concatChannels: [
    {
      label: 'CE(gap(concat(a, b, c)))',
      inputs: (r) => [arr(r, 'a', [3, 1, 2, 3]), arr(r, 'b', [3, 3, 2, 3]), arr(r, 'c', [3, 2, 2, 3])],
      f: (t, [a, b, c]) => ce(t, concatChannels(t, [a!, b!, c!])),
    },
    {
      label: 'CE(gap(concat(a, b constant, relu(conv(a, w)))))',
      inputs: (r) => [arr(r, 'a', [3, 2, 3, 3]), arr(r, 'b', [3, 2, 3, 3], true), arr(r, 'w', [2, 2, 3, 3])],
      f: (t, [a, b, w]) => ce(t, concatChannels(t, [a!, b!, relu(t, conv2d(t, a!, w!, { stride: 1, padding: 1 }))])),
    },
  ],
  conv2d: [
    {
      label: 'CE(gap(conv 3x3 s1 p1))',
      inputs: (r) => [arr(r, 'x', [3, 2, 5, 5]), arr(r, 'w', [4, 2, 3, 3])],
      f: (t, [x, w]) => ce(t, conv2d(t, x!, w!, { stride: 1, padding: 1 })),
    },
    {
      label: 'CE(gap(conv 1x1 s2))',
      inputs: (r) => [arr(r, 'x', [3, 3, 5, 4]), arr(r, 'w', [4, 3, 1, 1])],
      f: (t, [x, w]) => ce(t, conv2d(t, x!, w!, { stride: 2, padding: 0 })),
    },
    {
      label: "CE(gap(NDS's conv_3x1_1x3 at stride 2: conv 1x3 p1, then conv 3x1 s2 of relu))",
      inputs: (r) => [arr(r, 'x', [3, 2, 6, 6]), arr(r, 'w1', [4, 2, 1, 3]), arr(r, 'w2', [4, 4, 3, 1])],
      f: (t, [x, w1, w2]) => ce(t, conv2d(t, relu(t, conv2d(t, x!, w1!, { stride: 1, padding: 1 })), w2!, { stride: 2, padding: 0 })),
    },
  ],
  // Linear: H·v comes from CE and, through the convs, from their bilinear terms.
  cropSpatial: [
    {
      label: 'CE(gap(x[:, :, 1:, 2:]))',
      inputs: (r) => [arr(r, 'x', [3, 4, 5, 6])],
      f: (t, [x]) => ce(t, cropSpatial(t, x!, 1, 2)),
    },
    {
      label: 'CE(gap(FactorizedReduce: concat(conv1x1 s2(relu x), conv1x1 s2(relu(x)[:, :, 1:, 1:]))))',
      inputs: (r) => [arr(r, 'x', [3, 2, 6, 6]), arr(r, 'w1', [2, 2, 1, 1]), arr(r, 'w2', [3, 2, 1, 1])],
      f: (t, [x, w1, w2]) => {
        const h = relu(t, x!);
        const p = { stride: 2, padding: 0 };
        return ce(t, concatChannels(t, [conv2d(t, h, w1!, p), conv2d(t, cropSpatial(t, h, 1, 1), w2!, p)]));
      },
    },
  ],
  crossEntropy: (['mean', 'sum'] as const).map((reduction) => ({
    label: `CE ${reduction}`,
    inputs: (r) => [arr(r, 'logits', [4, 5])],
    f: (t, [z]) => crossEntropy(t, z!, Int32Array.of(2, 0, 4, 2), reduction),
  })),
  // Bilinear, as conv2d: the x–w cross terms of H·v, beside CE's.
  depthwiseConv2d: [
    {
      label: 'CE(gap(depthwise 3x3 s1 p1))',
      inputs: (r) => [arr(r, 'x', [3, 4, 5, 5]), arr(r, 'w', [4, 1, 3, 3])],
      f: (t, [x, w]) => ce(t, depthwiseConv2d(t, x!, w!, { stride: 1, padding: 1, dilation: 1 })),
    },
    {
      label: 'CE(gap(depthwise 3x3 s2 p2 dilation 2)), odd sizes',
      inputs: (r) => [arr(r, 'x', [3, 4, 7, 6]), arr(r, 'w', [4, 1, 3, 3])],
      f: (t, [x, w]) => ce(t, depthwiseConv2d(t, x!, w!, { stride: 2, padding: 2, dilation: 2 })),
    },
    {
      label: 'CE(gap(sep_conv half: pointwise(depthwise 5x5(relu x)))): H·v of x and both weights',
      inputs: (r) => [arr(r, 'x', [3, 2, 6, 6]), arr(r, 'dw', [2, 1, 5, 5]), arr(r, 'pw', [4, 2, 1, 1])],
      f: (t, [x, dw, pw]) =>
        ce(t, conv2d(t, depthwiseConv2d(t, relu(t, x!), dw!, { stride: 1, padding: 2, dilation: 1 }), pw!, { stride: 1, padding: 0 })),
    },
  ],
  globalAvgPool: [{ label: 'CE(gap(x))', inputs: (r) => [arr(r, 'x', [3, 4, 2, 3])], f: (t, [x]) => ce(t, x!) }],
  linear: [
    {
      label: 'CE(x·wᵀ + b)',
      inputs: (r) => [arr(r, 'x', [3, 5]), arr(r, 'w', [4, 5]), arr(r, 'b', [4])],
      f: (t, [x, w, b]) => ce(t, linear(t, x!, w!, b!)),
    },
  ],
  relu: [{ label: 'CE(gap(relu(x)))', inputs: (r) => [arr(r, 'x', [3, 4, 2, 3])], f: (t, [x]) => ce(t, relu(t, x!)) }],
  scale: [{ label: 'CE(−2.5·z)', inputs: (r) => [arr(r, 'logits', [3, 4])], f: (t, [z]) => ce(t, scale(t, z!, -2.5)) }],
  sliceChannels: [
    {
      label: 'CE(gap(slice 1..4 of x))',
      inputs: (r) => [arr(r, 'x', [3, 6, 2, 3])],
      f: (t, [x]) => ce(t, sliceChannels(t, x!, 1, 3)),
    },
    {
      label: 'CE(gap(concat(slice(conv(x, w)), max pool(slice(conv(x, w))))))',
      inputs: (r) => [arr(r, 'x', [3, 2, 4, 4]), arr(r, 'w', [5, 2, 3, 3])],
      f: (t, [x, w]) => {
        const h = conv2d(t, x!, w!, { stride: 1, padding: 1 });
        return ce(
          t,
          concatChannels(t, [sliceChannels(t, h, 0, 2), maxPool2d(t, sliceChannels(t, h, 2, 3), { kernel: 3, stride: 1, padding: 1 })]),
        );
      },
    },
  ],
  // sum's output is a scalar, which no op here consumes nonlinearly: its H·v term is 0 beside CE's.
  sum: [
    { label: 'CE(z) + 0.1·Σz', inputs: (r) => [arr(r, 'logits', [3, 4])], f: (t, [z]) => add(t, ce(t, z!), scale(t, sum(t, z!), 0.1)) },
  ],
  // zero contributes nothing: w, feeding only zero(), has H·v rows of exactly 0 (as the differences).
  zero: [
    {
      label: 'CE(gap(zero(conv(x, w)) + x))',
      inputs: (r) => [arr(r, 'x', [3, 4, 3, 3]), arr(r, 'w', [4, 4, 3, 3])],
      f: (t, [x, w]) => ce(t, add(t, zero(t, conv2d(t, x!, w!, { stride: 1, padding: 1 })), x!)),
    },
  ],
};

for (const [op, cases] of Object.entries(hvpCases) as [OpName, HvpCase[]][]) {
  cases.forEach((c, k) => {
    test(`${op} ${c.label}: H·v vs differences of gradients`, () => {
      hvpcheck(backend, c.inputs(new Random(200 + k)), c.f);
    });
  });
}

test('every op in the table has a Hessian-vector check', () => {
  for (const op of Object.keys(ops) as OpName[]) assert.ok(hvpCases[op].length > 0, `${op} has no Hessian-vector check`);
});

// ---------------------------------------------------------------------------------------------------------
// Chains and whole networks

for (const mode of ['batch', 'sample', 'running'] as BatchNormMode[]) {
  test(`chain conv → bn(${mode}) → relu → avg_pool + scale → gap → linear → CE (+ Σ logits): H·v of x, conv w, linear w and b`, () => {
    const rng = new Random(21);
    const labels = Int32Array.of(1, 0, 3);
    const bufs = buffers(3);
    hvpcheck(
      backend,
      [
        { name: 'x', shape: [3, 2, 5, 5], data: randomNormal(rng, 150) },
        { name: 'w', shape: [3, 2, 3, 3], data: randomArray(rng, 54, -0.5, 0.5) },
        { name: 'gamma', shape: [3], data: randomArray(rng, 3, 0.5, 1.5), constant: true },
        { name: 'beta', shape: [3], data: randomArray(rng, 3, -0.5, 0.5), constant: true },
        { name: 'lw', shape: [4, 3], data: randomArray(rng, 12) },
        { name: 'lb', shape: [4], data: randomArray(rng, 4) },
      ],
      (t, [x, w, g, b, lw, lb]) => {
        const h = batchNorm(t, conv2d(t, x!, w!, { stride: 1, padding: 1 }), g!, b!, bufs, { mode, updateRunning: false });
        const p = avgPool2d(t, relu(t, h), { kernel: 3, stride: 1, padding: 1 });
        const logits = linear(t, globalAvgPool(t, add(t, p, scale(t, h, 0.5))), lw!, lb!);
        return add(t, crossEntropy(t, logits, labels), scale(t, sum(t, logits), 0.1));
      },
    );
  });
}

test('H·v is exactly linear in v and symmetric: uᵀ(H v) = vᵀ(H u)', () => {
  const rng = new Random(22);
  const net = new Nb201Network(backend, {
    arch: '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
    C: 2,
    N: 1,
    numClasses: 4,
    dtype: 'f64',
  });
  net.parameters.initialize(3);
  const x = backend.fromHost(randomNormal(rng, 2 * 3 * 8 * 8), [2, 3, 8, 8]);
  const weights = net.parameters.countedWeights().map((e) => e.tensor);
  const tape = new Tape(backend);
  weights.forEach((w) => tape.watch(w));
  const loss = crossEntropy(tape, net.forward({ tape, bnMode: 'batch' }, x), Int32Array.of(1, 2));
  const dir = () => new Map(weights.map((w) => [w, backend.fromHost(randomNormal(rng, w.size), w.shape)] as const));
  const u = dir(),
    v = dir();
  const hu = tape.hessianVectorProduct(loss, u),
    hv = tape.hessianVectorProduct(loss, v);
  let uhv = 0,
    vhu = 0;
  for (const w of weights) {
    const a = backend.toHost(u.get(w)!),
      b = backend.toHost(hv.get(w)!),
      c = backend.toHost(v.get(w)!),
      d = backend.toHost(hu.get(w)!);
    for (let i = 0; i < a.length; i++) {
      uhv += a[i]! * b[i]!;
      vhu += c[i]! * d[i]!;
    }
  }
  assert.ok(Math.abs(uhv - vhu) <= 1e-10 * Math.abs(uhv), `uᵀHv ${uhv} vs vᵀHu ${vhu}`);
});

for (const bnMode of ['batch', 'sample'] as const) {
  test(`NB201 C=2 N=1 8x8 f64 (${bnMode} BN): H·v over every conv and linear weight vs differences of gradients`, () => {
    const net = new Nb201Network(backend, {
      arch: '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
      C: 2,
      N: 1,
      numClasses: 5,
      dtype: 'f64',
    });
    net.parameters.initialize(9);
    const rng = new Random(23);
    const counted = net.parameters.countedWeights();
    const x = randomNormal(rng, 3 * 3 * 8 * 8);
    const labels = Int32Array.of(3, 0, 3);
    hvpcheck(
      backend,
      [
        { name: 'input', shape: [3, 3, 8, 8], data: x, constant: true },
        ...counted.map((e) => ({ name: e.name, shape: [...e.tensor.shape], data: Float64Array.from(backend.toHost(e.tensor)) })),
      ],
      (tape, [xt, ...ws]) => {
        counted.forEach((e, i) => {
          e.tensor = ws[i]!;
        });
        return crossEntropy(tape, net.forward({ tape, bnMode }, xt!), labels, 'mean');
      },
    );
  });
}

test('an op without a tangent rule on the path is named, not silently skipped', () => {
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(Float64Array.of(1, 2), [2]));
  const y = tape.record('mystery', [x], backend.sum(x), (dy) => [dy]);
  assert.throws(
    () => tape.hessianVectorProduct(y, new Map([[x, backend.fromHost(Float64Array.of(1, 1), [2])]])),
    /mystery has no tangent rule/,
  );
});

test.run();
