/**
 * Every autodiff op's VJP against central finite differences in f64 (L = Σ op(θ) ⊙ R, ε = 1e-6), one case
 * table entry per op of the `ops` table, forward
 * values against direct loops or known maths, and whole tiny NB201 networks (batch and sample BN) end to end.
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
import type { Conv2dParams, DepthwiseConv2dParams, Pool2dParams } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';
import { gradcheck, randomArray, randomNormal, type GradcheckOptions, type GradcheckResult, type GradInput } from './gradcheck.js';

const backend = new ReferenceBackend();
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const input = (rng: Random, name: string, shape: number[], extra: Partial<GradInput> = {}): GradInput => ({
  name,
  shape,
  data: randomNormal(rng, size(shape)),
  ...extra,
});
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
  const Ho = Math.floor((H + 2 * p.padding - kh) / p.stride) + 1,
    Wo = Math.floor((W + 2 * p.padding - kw) / p.stride) + 1;
  const y = new Float64Array(N * Co * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < Co; o++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let s = 0;
          for (let c = 0; c < Ci; c++)
            for (let i = 0; i < kh; i++)
              for (let j = 0; j < kw; j++) {
                const h = oh * p.stride - p.padding + i,
                  v = ow * p.stride - p.padding + j;
                if (h >= 0 && h < H && v >= 0 && v < W) s += x[((n * Ci + c) * H + h) * W + v]! * w[((o * Ci + c) * kh + i) * kw + j]!;
              }
          y[((n * Co + o) * Ho + oh) * Wo + ow] = s;
        }
  return y;
}

function naiveAvgPool(x: Float64Array, xs: number[], p: Pool2dParams): Float64Array {
  const [N, C, H, W] = xs as [number, number, number, number];
  const Ho = Math.floor((H + 2 * p.padding - p.kernel) / p.stride) + 1,
    Wo = Math.floor((W + 2 * p.padding - p.kernel) / p.stride) + 1;
  const y = new Float64Array(N * C * Ho * Wo);
  for (let q = 0; q < N * C; q++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let s = 0,
          cnt = 0;
        for (let i = 0; i < p.kernel; i++)
          for (let j = 0; j < p.kernel; j++) {
            const h = oh * p.stride - p.padding + i,
              v = ow * p.stride - p.padding + j;
            if (h >= 0 && h < H && v >= 0 && v < W) {
              s += x[(q * H + h) * W + v]!;
              cnt++;
            }
          }
        y[(q * Ho + oh) * Wo + ow] = s / cnt;
      }
  return y;
}

/** Max pooling the plain way: pad the plane with −∞, then take the largest of every full k×k window. */
function naiveMaxPool(x: Float64Array, xs: number[], p: Pool2dParams): Float64Array {
  const [N, C, H, W] = xs as [number, number, number, number];
  const Hp = H + 2 * p.padding,
    Wp = W + 2 * p.padding;
  const Ho = Math.floor((Hp - p.kernel) / p.stride) + 1,
    Wo = Math.floor((Wp - p.kernel) / p.stride) + 1;
  const y = new Float64Array(N * C * Ho * Wo);
  for (let q = 0; q < N * C; q++) {
    const padded = new Float64Array(Hp * Wp).fill(-Infinity);
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) padded[(h + p.padding) * Wp + w + p.padding] = x[(q * H + h) * W + w]!;
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        let m = -Infinity;
        for (let i = 0; i < p.kernel; i++)
          for (let j = 0; j < p.kernel; j++) m = Math.max(m, padded[(oh * p.stride + i) * Wp + ow * p.stride + j]!);
        y[(q * Ho + oh) * Wo + ow] = m;
      }
  }
  return y;
}

/** n distinct values 0.01 apart in random order: no ties, and no ε-perturbation can change an argmax. */
function distinct(rng: Random, n: number): Float64Array {
  return Float64Array.from(rng.sample(n, n), (v) => (v - n / 2) * 0.01);
}

test('gradcheck itself rejects a VJP that is off by 1%', () => {
  const rng = new Random(0);
  const wrong = (t: Tape, x: Tensor): Tensor => t.record('wrong', [x], backend.scale(x, 2), (dy, ctx) => [ctx.backend.scale(dy, 2.02)]);
  let message = '';
  try {
    gradcheck(backend, [input(rng, 'x', [5])], (t, [x]) => wrong(t, x!));
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message.includes('finite difference'), `gradcheck should fail, got ${JSON.stringify(message)}`);
  const right = (t: Tape, x: Tensor): Tensor => t.record('right', [x], backend.scale(x, 2), (dy, ctx) => [ctx.backend.scale(dy, 2)]);
  assert.is(gradcheck(backend, [input(rng, 'x', [5])], (t, [x]) => right(t, x!)).checked, 5);
});

// ---------------------------------------------------------------------------------------------------------
// The op table's gradient checks: one or more cases per op. The Record type makes TypeScript refuse a
// table without an entry for every op in `ops`, and the last test refuses an empty entry.

interface GradCase {
  label: string;
  inputs: (rng: Random) => GradInput[];
  f: (tape: Tape, xs: Tensor[]) => Tensor;
  options?: GradcheckOptions;
  /** Further assertions on the result. */
  then?: (r: GradcheckResult) => void;
}

const convCases: { x: number[]; w: number[]; p: Conv2dParams }[] = [
  { x: [1, 3, 5, 7], w: [5, 3, 3, 3], p: { stride: 1, padding: 1 } },
  { x: [3, 3, 5, 7], w: [5, 3, 3, 3], p: { stride: 2, padding: 1 } },
  { x: [2, 2, 6, 5], w: [3, 2, 3, 3], p: { stride: 1, padding: 0 } },
  { x: [3, 2, 7, 5], w: [3, 2, 3, 3], p: { stride: 2, padding: 0 } },
  { x: [3, 2, 5, 7], w: [4, 2, 1, 1], p: { stride: 1, padding: 0 } }, // pointwise fast path
  { x: [2, 3, 5, 7], w: [2, 3, 1, 1], p: { stride: 2, padding: 0 } },
  { x: [1, 2, 4, 5], w: [3, 2, 1, 1], p: { stride: 1, padding: 1 } },
  // non-square kernels, as NDS's conv_k×1_1×k runs them (1×k at padding ⌊k/2⌋, then k×1 strided, unpadded)
  { x: [2, 2, 5, 6], w: [3, 2, 1, 7], p: { stride: 1, padding: 3 } },
  { x: [2, 3, 11, 6], w: [2, 3, 7, 1], p: { stride: 2, padding: 0 } },
  { x: [3, 2, 4, 5], w: [2, 2, 3, 1], p: { stride: 1, padding: 1 } },
];

/** DARTS's sep_conv 3×3/5×5 (dilation 1) and dil_conv 3×3/5×5 (dilation 2), stride 1 and 2, odd sizes, a stride 3. */
const depthwiseCases: { x: number[]; w: number[]; p: DepthwiseConv2dParams }[] = [
  { x: [2, 3, 6, 7], w: [3, 1, 3, 3], p: { stride: 1, padding: 1, dilation: 1 } },
  { x: [2, 2, 7, 8], w: [2, 1, 5, 5], p: { stride: 1, padding: 2, dilation: 1 } },
  { x: [2, 2, 8, 7], w: [2, 1, 3, 3], p: { stride: 1, padding: 2, dilation: 2 } },
  { x: [1, 2, 10, 9], w: [2, 1, 5, 5], p: { stride: 1, padding: 4, dilation: 2 } },
  { x: [2, 3, 7, 6], w: [3, 1, 3, 3], p: { stride: 2, padding: 1, dilation: 1 } },
  { x: [2, 2, 8, 9], w: [2, 1, 3, 3], p: { stride: 2, padding: 2, dilation: 2 } },
  { x: [1, 2, 9, 8], w: [2, 1, 5, 5], p: { stride: 2, padding: 4, dilation: 2 } },
  { x: [2, 2, 6, 5], w: [2, 1, 3, 3], p: { stride: 1, padding: 0, dilation: 1 } },
  { x: [1, 2, 8, 7], w: [2, 1, 3, 3], p: { stride: 3, padding: 1, dilation: 1 } },
];

const poolCases: { x: number[]; p: Pool2dParams }[] = [
  { x: [2, 2, 5, 7], p: { kernel: 3, stride: 1, padding: 1 } },
  { x: [2, 2, 6, 8], p: { kernel: 2, stride: 2, padding: 0 } },
  { x: [1, 3, 5, 7], p: { kernel: 2, stride: 2, padding: 0 } },
  { x: [2, 2, 5, 7], p: { kernel: 3, stride: 2, padding: 1 } },
  { x: [1, 2, 6, 6], p: { kernel: 3, stride: 2, padding: 1 } },
];

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

function bnCase(mode: BatchNormMode, shape: number[]): GradCase {
  const buffers = buffersFor(shape[1]!, mode === 'running' ? new Random(4) : undefined);
  const snapshot = { m: buffers.runningMean.slice(), v: buffers.runningVar.slice() };
  return {
    label: `${mode} x[${shape}]: dx, dγ, dβ`,
    inputs: (rng) => bnInputs(rng, shape),
    f: (t, [x, g, b]) => batchNorm(t, x!, g!, b!, buffers, { mode, updateRunning: false }),
    options: { maxChecks: 40 },
    then: () => {
      assert.equal([...buffers.runningMean], [...snapshot.m], 'running mean untouched');
      assert.equal([...buffers.runningVar], [...snapshot.v], 'running var untouched');
    },
  };
}

const labels4 = Int32Array.of(2, 0, 4, 2);

const gradCases: Record<OpName, GradCase[]> = {
  add: [
    { label: 'a + b', inputs: (rng) => [input(rng, 'a', [2, 3, 2, 2]), input(rng, 'b', [2, 3, 2, 2])], f: (t, [a, b]) => add(t, a!, b!) },
    {
      label: 'a + a (accumulated)',
      inputs: (rng) => [input(rng, 'a', [7])],
      f: (t, [a]) => add(t, a!, a!),
      then: (r) => assert.is(r.checked, 7),
    },
  ],
  avgPool2d: poolCases.map((c) => ({
    label: `x[${c.x}] k${c.p.kernel} s${c.p.stride} p${c.p.padding}`,
    inputs: (rng) => [input(rng, 'x', c.x)],
    f: (t, [x]) => avgPool2d(t, x!, c.p),
    options: { maxChecks: 80 },
  })),
  maxPool2d: [
    ...poolCases.map((c): GradCase => ({
      label: `x[${c.x}] k${c.p.kernel} s${c.p.stride} p${c.p.padding} (distinct values)`,
      inputs: (rng) => [{ name: 'x', shape: c.x, data: distinct(rng, size(c.x)) }],
      f: (t, [x]) => maxPool2d(t, x!, c.p),
      options: { maxChecks: 200 },
      // the cells no window picked (the plane's minimum, at least) get exactly 0
      then: (r) => assert.ok(r.analytic[0]!.includes(0), 'some cell is no window’s argmax'),
    })),
    {
      label: 'after a conv, before a relu (the NB101 max-pool branch)',
      inputs: (rng) => [input(rng, 'x', [2, 2, 5, 5]), input(rng, 'w', [3, 2, 1, 1])],
      f: (t, [x, w]) => maxPool2d(t, relu(t, conv2d(t, x!, w!, { stride: 1, padding: 0 })), { kernel: 3, stride: 1, padding: 1 }),
      options: { maxChecks: 60 },
    },
  ],
  batchNorm: [
    ...(['batch', 'sample', 'running'] as BatchNormMode[]).flatMap((mode) => [bnCase(mode, [3, 2, 3, 4]), bnCase(mode, [2, 3, 5, 3])]),
    bnCase('batch', [5, 3]), // [N,C]: no spatial axes
  ],
  channelBias: [
    {
      label: 'x[2,3,4,5] + b[3]: dx, db',
      inputs: (rng) => [input(rng, 'x', [2, 3, 4, 5]), input(rng, 'b', [3])],
      f: (t, [x, b]) => channelBias(t, x!, b!),
      options: { maxChecks: 60 },
    },
    {
      label: 'x[3,2,3,3] constant: db alone',
      inputs: (rng) => [input(rng, 'x', [3, 2, 3, 3], { check: false }), input(rng, 'b', [2])],
      f: (t, [x, b]) => channelBias(t, x!, b!),
      then: (r) => assert.not.ok(r.grads.has(r.tensors[0]!), 'no gradient for the unwatched input'),
    },
    {
      label: 'after a conv (its bias, as the nets use it)',
      inputs: (rng) => [input(rng, 'x', [2, 2, 4, 4]), input(rng, 'w', [3, 2, 3, 3]), input(rng, 'b', [3])],
      f: (t, [x, w, b]) => channelBias(t, conv2d(t, x!, w!, { stride: 1, padding: 1 }), b!),
      options: { maxChecks: 40 },
    },
  ],
  // A segment recomputed in the backward: the same gradients as the ops inline, for its input and parameters.
  checkpoint: [
    {
      label: 'relu(bn(conv(x, w))) as one segment: dx, dw, dγ, dβ (batch statistics)',
      inputs: (rng) => [input(rng, 'x', [3, 2, 4, 4]), input(rng, 'w', [3, 2, 3, 3]), ...bnInputs(rng, [3, 3, 4, 4]).slice(1)],
      f: (t, [x, w, g, b]) =>
        checkpoint(t, x!, [w!, g!, b!], (tape, x) =>
          relu(
            tape,
            batchNorm(tape, conv2d(tape, x, w!, { stride: 1, padding: 1 }), g!, b!, buffersFor(3), { mode: 'batch', updateRunning: false }),
          ),
        ),
      options: { maxChecks: 60 },
    },
    {
      label: 'two segments in a row, the second reading a parameter of the first',
      inputs: (rng) => [input(rng, 'x', [2, 2, 3, 3]), input(rng, 'w', [2, 2, 1, 1])],
      f: (t, [x, w]) => {
        const seg = (tape: Tape, h: Tensor) =>
          maxPool2d(tape, relu(tape, conv2d(tape, h, w!, { stride: 1, padding: 0 })), { kernel: 3, stride: 1, padding: 1 });
        return checkpoint(t, checkpoint(t, x!, [w!], seg), [w!], seg);
      },
      options: { maxChecks: 40 },
    },
    {
      label: 'a constant input: only the parameter’s gradient',
      inputs: (rng) => [input(rng, 'x', [2, 2, 3, 3], { check: false }), input(rng, 'w', [3, 2, 3, 3])],
      f: (t, [x, w]) => checkpoint(t, x!, [w!], (tape, x) => relu(tape, conv2d(tape, x, w!, { stride: 1, padding: 1 }))),
      then: (r) => assert.not.ok(r.grads.has(r.tensors[0]!), 'no gradient for the unwatched input'),
    },
  ],
  concatChannels: [
    {
      label: 'x[2,1,3,5] x[2,3,3,5] x[2,2,3,5]: each input’s dx',
      inputs: (rng) => [input(rng, 'a', [2, 1, 3, 5]), input(rng, 'b', [2, 3, 3, 5]), input(rng, 'c', [2, 2, 3, 5])],
      f: (t, [a, b, c]) => concatChannels(t, [a!, b!, c!]),
      options: { maxChecks: 90 },
    },
    {
      label: 'one input: a copy',
      inputs: (rng) => [input(rng, 'a', [1, 3, 2, 3])],
      f: (t, [a]) => concatChannels(t, [a!]),
    },
    {
      label: '[a, b, a] with b constant: a gets both its slices, b nothing',
      inputs: (rng) => [input(rng, 'a', [2, 2, 3, 3]), input(rng, 'b', [2, 1, 3, 3], { check: false })],
      f: (t, [a, b]) => concatChannels(t, [a!, b!, a!]),
      then: (r) => assert.not.ok(r.grads.has(r.tensors[1]!), 'no gradient for the unwatched input'),
    },
    {
      label: 'of a conv and a max pool (an NB101 output vertex)',
      inputs: (rng) => [input(rng, 'x', [2, 2, 4, 5]), input(rng, 'w', [3, 2, 3, 3])],
      f: (t, [x, w]) =>
        concatChannels(t, [conv2d(t, x!, w!, { stride: 1, padding: 1 }), maxPool2d(t, x!, { kernel: 3, stride: 1, padding: 1 })]),
      options: { maxChecks: 60 },
    },
  ],
  conv2d: [
    {
      label: "NDS's conv_7x1_1x7 at stride 2: conv 1×7 (padding 3) then conv 7×1 (stride 2): dx, dw₁, dw₂",
      inputs: (rng) => [input(rng, 'x', [2, 2, 6, 6]), input(rng, 'w1', [2, 2, 1, 7]), input(rng, 'w2', [2, 2, 7, 1])],
      f: (t, [x, w1, w2]) => conv2d(t, conv2d(t, x!, w1!, { stride: 1, padding: 3 }), w2!, { stride: 2, padding: 0 }),
    },
    ...convCases.map((c): GradCase => ({
      label: `x[${c.x}] w[${c.w}] stride ${c.p.stride} pad ${c.p.padding}: dx, dw`,
      inputs: (rng) => [input(rng, 'x', c.x), input(rng, 'w', c.w)],
      f: (t, [x, w]) => conv2d(t, x!, w!, c.p),
    })),
    {
      label: 'only the watched weight gets a gradient (input not needed)',
      inputs: (rng) => [input(rng, 'x', convCases[1]!.x, { check: false }), input(rng, 'w', convCases[1]!.w)],
      f: (t, [x, w]) => conv2d(t, x!, w!, convCases[1]!.p),
      then: (r) => {
        assert.not.ok(r.grads.has(r.tensors[0]!), 'no gradient for an unwatched input');
        assert.ok(r.grads.has(r.tensors[1]!));
      },
    },
  ],
  cropSpatial: [
    ...[
      [1, 1],
      [0, 2],
      [2, 0],
      [0, 0],
    ].map(([top, left]): GradCase => ({
      label: `x[2,3,5,6] [:, :, ${top!}:, ${left!}:]`,
      inputs: (rng) => [input(rng, 'x', [2, 3, 5, 6])],
      f: (t, [x]) => cropSpatial(t, x!, top!, left!),
      options: { maxChecks: 90 },
    })),
    {
      label: 'FactorizedReduce: concat(conv1x1 s2(relu x), conv1x1 s2(relu(x)[:, :, 1:, 1:])), x 6×8: dx, both dw',
      inputs: (rng) => [input(rng, 'x', [2, 3, 6, 8]), input(rng, 'w1', [2, 3, 1, 1]), input(rng, 'w2', [2, 3, 1, 1])],
      f: (t, [x, w1, w2]) => {
        const h = relu(t, x!);
        const p = { stride: 2, padding: 0 };
        return concatChannels(t, [conv2d(t, h, w1!, p), conv2d(t, cropSpatial(t, h, 1, 1), w2!, p)]);
      },
      options: { maxChecks: 60 },
    },
  ],
  crossEntropy: (['mean', 'sum'] as const).map((reduction) => ({
    label: `${reduction}: dlogits`,
    inputs: (rng) => [input(rng, 'logits', [4, 5])],
    f: (t, [z]) => crossEntropy(t, z!, labels4, reduction),
  })),
  depthwiseConv2d: [
    ...depthwiseCases.map((c): GradCase => ({
      label: `x[${c.x}] w[${c.w}] stride ${c.p.stride} pad ${c.p.padding} dilation ${c.p.dilation}: dx, dw`,
      inputs: (rng) => [input(rng, 'x', c.x), input(rng, 'w', c.w)],
      f: (t, [x, w]) => depthwiseConv2d(t, x!, w!, c.p),
      options: { maxChecks: 60 },
    })),
    {
      label: 'only the watched weight gets a gradient (input not needed)',
      inputs: (rng) => [input(rng, 'x', depthwiseCases[2]!.x, { check: false }), input(rng, 'w', depthwiseCases[2]!.w)],
      f: (t, [x, w]) => depthwiseConv2d(t, x!, w!, depthwiseCases[2]!.p),
      then: (r) => {
        assert.not.ok(r.grads.has(r.tensors[0]!), 'no gradient for an unwatched input');
        assert.ok(r.grads.has(r.tensors[1]!));
      },
    },
    {
      label: 'DARTS sep_conv_3x3 half: pointwise(depthwise(relu x)): dx, both weights',
      inputs: (rng) => [input(rng, 'x', [2, 3, 5, 6]), input(rng, 'dw', [3, 1, 3, 3]), input(rng, 'pw', [4, 3, 1, 1])],
      f: (t, [x, dw, pw]) =>
        conv2d(t, depthwiseConv2d(t, relu(t, x!), dw!, { stride: 2, padding: 1, dilation: 1 }), pw!, { stride: 1, padding: 0 }),
      options: { maxChecks: 60 },
    },
  ],
  globalAvgPool: [{ label: 'x[2,3,3,5]', inputs: (rng) => [input(rng, 'x', [2, 3, 3, 5])], f: (t, [x]) => globalAvgPool(t, x!) }],
  linear: [
    {
      label: 'x[4,5] w[3,5] b[3]: dx, dw, db',
      inputs: (rng) => [input(rng, 'x', [4, 5]), input(rng, 'w', [3, 5]), input(rng, 'b', [3])],
      f: (t, [x, w, b]) => linear(t, x!, w!, b!),
    },
  ],
  relu: [
    {
      label: 'x[2,3,4,5] away from the kink',
      inputs: (rng) => [{ ...input(rng, 'x', [2, 3, 4, 5]), data: randomNormal(rng, 120).map((v) => (Math.abs(v) < 1e-3 ? v + 0.01 : v)) }],
      f: (t, [x]) => relu(t, x!),
      options: { maxChecks: 120 },
      then: (r) => {
        const x = host(r.tensors[0]!);
        r.analytic[0]!.forEach((g, i) => {
          if (x[i]! < 0) assert.is(g, 0, `relu grad at negative x[${i}]`);
        });
      },
    },
  ],
  scale: [{ label: 's = −2.5', inputs: (rng) => [input(rng, 'x', [3, 4])], f: (t, [x]) => scale(t, x!, -2.5) }],
  sliceChannels: [
    ...[
      [1, 3],
      [0, 2],
      [3, 2],
      [0, 5],
    ].map(([start, count]): GradCase => ({
      label: `x[2,5,3,3] channels [${start!}, ${start! + count!})`,
      inputs: (rng) => [input(rng, 'x', [2, 5, 3, 3])],
      f: (t, [x]) => sliceChannels(t, x!, start!, count!),
      options: { maxChecks: 90 },
    })),
    {
      label: 'two slices of one tensor, concatenated the other way round (their dx add up)',
      inputs: (rng) => [input(rng, 'x', [2, 4, 3, 5])],
      f: (t, [x]) => concatChannels(t, [sliceChannels(t, x!, 2, 2), sliceChannels(t, x!, 0, 3)]),
      options: { maxChecks: 120 },
    },
  ],
  sum: [{ label: 'x[2,3,4]', inputs: (rng) => [input(rng, 'x', [2, 3, 4])], f: (t, [x]) => sum(t, x!) }],
  // zero's VJP is 0: the finite differences are exactly 0 too, and nothing upstream gets a gradient entry.
  zero: [
    {
      label: 'zero(x): dx = 0',
      inputs: (rng) => [input(rng, 'x', [2, 2, 3, 3])],
      f: (t, [x]) => zero(t, x!),
      then: (r) => assert.not.ok(r.grads.has(r.tensors[0]!), 'zero(x) gives x no gradient entry'),
    },
    {
      label: 'zero(conv(x, w)) + relu(x): w gets nothing',
      inputs: (rng) => [input(rng, 'x', [1, 2, 4, 4]), input(rng, 'w', [2, 2, 3, 3])],
      f: (t, [x, w]) => add(t, zero(t, conv2d(t, x!, w!, { stride: 1, padding: 1 })), relu(t, x!)),
      then: (r) => assert.not.ok(r.grads.has(r.tensors[1]!), 'a weight feeding only zero() gets no gradient'),
    },
  ],
};

for (const [op, cases] of Object.entries(gradCases) as [OpName, GradCase[]][]) {
  cases.forEach((c, k) => {
    test(`${op} ${c.label}: VJP vs finite differences`, () => {
      const r = gradcheck(backend, c.inputs(new Random(100 + k)), c.f, c.options);
      assert.ok(r.checked > 0, 'something was checked');
      c.then?.(r);
    });
  });
}

test('every op in the table has a gradient check', () => {
  for (const op of Object.keys(ops) as OpName[]) assert.ok(gradCases[op].length > 0, `${op} has no gradient check`);
});

// ---------------------------------------------------------------------------------------------------------
// Forward values against direct loops or known maths, and hand-computed gradients.

for (const c of convCases) {
  const label = `conv2d x[${c.x}] w[${c.w}] stride ${c.p.stride} pad ${c.p.padding}`;
  test(`${label}: forward equals direct convolution`, () => {
    const rng = new Random(1);
    const x = randomNormal(rng, size(c.x)),
      w = randomNormal(rng, size(c.w));
    const y = conv2d(new Tape(backend), backend.fromHost(x, c.x), backend.fromHost(w, c.w), c.p);
    close(host(y), naiveConv(x, c.x, w, c.w, c.p), 1e-12, label);
  });
}

/**
 * A depthwise convolution is an ordinary one with a block-diagonal weight, the dilated taps spread over a
 * (d·(k − 1) + 1)² kernel with zeros between: the forward and both gradients must equal conv2d's on that weight.
 */
function denseOfDepthwise(w: Float64Array, shape: number[], dilation: number): { data: Float64Array; shape: number[] } {
  const [C, , kh, kw] = shape as [number, number, number, number];
  const KH = dilation * (kh - 1) + 1,
    KW = dilation * (kw - 1) + 1;
  const data = new Float64Array(C * C * KH * KW);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) data[((c * C + c) * KH + i * dilation) * KW + j * dilation] = w[(c * kh + i) * kw + j]!;
  return { data, shape: [C, C, KH, KW] };
}

for (const c of depthwiseCases) {
  const label = `depthwise_conv2d x[${c.x}] w[${c.w}] stride ${c.p.stride} pad ${c.p.padding} dilation ${c.p.dilation}`;
  test(`${label}: forward, dx and dw equal conv2d with the block-diagonal dilated weight`, () => {
    const rng = new Random(11);
    const xd = randomNormal(rng, size(c.x)),
      wd = randomNormal(rng, size(c.w));
    const dense = denseOfDepthwise(wd, c.w, c.p.dilation);
    const conv = { stride: c.p.stride, padding: c.p.padding };
    const run = (f: (t: Tape, x: Tensor, w: Tensor) => Tensor, wData: Float64Array, wShape: number[]) => {
      const tape = new Tape(backend);
      const x = tape.watch(backend.fromHost(xd, c.x)),
        w = tape.watch(backend.fromHost(wData, wShape));
      const y = f(tape, x, w);
      const R = randomNormal(new Random(12), y.size);
      const g = tape.backward(y, { seed: backend.fromHost(R, y.shape) });
      return { y: host(y), shape: [...y.shape], dx: host(g.get(x)!), dw: host(g.get(w)!) };
    };
    const a = run((t, x, w) => depthwiseConv2d(t, x, w, c.p), wd, c.w);
    const b = run((t, x, w) => conv2d(t, x, w, conv), dense.data, dense.shape);
    assert.equal(a.shape, b.shape);
    close(a.y, b.y, 1e-12, `${label} forward`);
    close(a.y, naiveConv(xd, c.x, dense.data, dense.shape, conv), 1e-12, `${label} forward vs direct loops`);
    close(a.dx, b.dx, 1e-12, `${label} dx`);
    // conv2d's dw at the taps the depthwise weight has
    const wanted = Float64Array.from(wd, (_, k) => {
      const [C, , kh, kw] = c.w as [number, number, number, number];
      const ch = Math.floor(k / (kh * kw)),
        i = Math.floor(k / kw) % kh,
        j = k % kw;
      const KH = c.p.dilation * (kh - 1) + 1,
        KW = c.p.dilation * (kw - 1) + 1;
      return b.dw[((ch * C + ch) * KH + i * c.p.dilation) * KW + j * c.p.dilation]!;
    });
    close(a.dw, wanted, 1e-12, `${label} dw`);
  });
}

test('depthwise_conv2d: output sizes as PyTorch (DARTS sep/dil convs keep 32×32 at stride 1, halve it at stride 2)', () => {
  const x = backend.fromHost(new Float64Array(2 * 32 * 32), [1, 2, 32, 32]);
  for (const [k, d, p, s, out] of [
    [3, 1, 1, 1, 32],
    [5, 1, 2, 1, 32],
    [3, 2, 2, 1, 32],
    [5, 2, 4, 1, 32],
    [3, 1, 1, 2, 16],
    [5, 1, 2, 2, 16],
    [3, 2, 2, 2, 16],
    [5, 2, 4, 2, 16],
    [3, 1, 0, 1, 30],
    [3, 3, 1, 2, 14],
  ] as const) {
    const w = backend.fromHost(new Float64Array(2 * k * k), [2, 1, k, k]);
    assert.equal(
      [...backend.depthwiseConv2d(x, w, { stride: s, padding: p, dilation: d }).shape],
      [1, 2, out, out],
      `k${k} d${d} p${p} s${s}`,
    );
  }
});

test('depthwise_conv2d: bad weights and geometry are named', () => {
  const x = backend.fromHost(new Float64Array(2 * 3 * 5 * 5), [2, 3, 5, 5]);
  const w = (shape: number[]) => backend.fromHost(new Float64Array(size(shape)), shape);
  const p = { stride: 1, padding: 1, dilation: 1 };
  assert.throws(() => backend.depthwiseConv2d(x, w([3, 2, 3, 3]), p), /weight \[3, ?2, ?3, ?3\] is not \[3, 1, kh, kw\]/);
  assert.throws(() => backend.depthwiseConv2d(x, w([4, 1, 3, 3]), p), /is not \[3, 1, kh, kw\]/);
  assert.throws(() => backend.depthwiseConv2d(x, w([3, 1, 3, 3]), { ...p, dilation: 0 }), /dilation 0 must be/);
  assert.throws(() => backend.depthwiseConv2d(x, w([3, 1, 3, 3]), { ...p, stride: 1.5 }), /stride 1.5/);
  assert.throws(() => backend.depthwiseConv2d(x, w([3, 1, 5, 5]), { stride: 1, padding: 0, dilation: 2 }), /output would be empty/);
  const dy = backend.fromHost(new Float64Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
  assert.throws(() => backend.depthwiseConv2dGradInput(dy, w([3, 1, 3, 3]), x.shape, p), /dy \[2, ?3, ?4, ?4\] is not the output shape/);
});

test('crop_spatial: x[:, :, 1:, 1:] of known values; dx is dy in zeros; FactorizedReduce sizes as PyTorch (32→16 both ways)', () => {
  const x = backend.fromHost(
    Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i),
    [1, 2, 3, 4],
  );
  const tape = new Tape(backend);
  tape.watch(x);
  const y = cropSpatial(tape, x, 1, 1);
  assert.equal([...y.shape], [1, 2, 2, 3]);
  assert.equal([...host(y)], [5, 6, 7, 9, 10, 11, 17, 18, 19, 21, 22, 23]);
  const dx = host(tape.backward(y, { seed: backend.fromHost(new Float64Array(12).fill(1), y.shape) }).get(x)!);
  assert.equal([...dx], [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1]);
  // A stride-2 1×1 conv gives ⌈H/2⌉: 32 → 16 and, after the crop, 31 → 16, so the halves concatenate.
  const w = backend.fromHost(new Float64Array(4 * 2), [4, 2, 1, 1]);
  const p = { stride: 2, padding: 0 };
  for (const [H, full, cropped] of [
    [32, 16, 16],
    [16, 8, 8],
    [8, 4, 4],
    [7, 4, 3],
  ] as const) {
    const xh = backend.fromHost(new Float64Array(2 * H * H), [1, 2, H, H]);
    assert.is(backend.conv2d(xh, w, p).shape[2], full, `${H}: conv1x1 s2`);
    assert.is(backend.conv2d(backend.cropSpatial(xh, 1, 1), w, p).shape[2], cropped, `${H}: crop, conv1x1 s2`);
  }
  // odd sizes do not concatenate (nor do they in PyTorch's FactorizedReduce): the concat names the shapes
  const x7 = backend.fromHost(new Float64Array(2 * 49), [1, 2, 7, 7]);
  assert.throws(
    () => backend.concatChannels([backend.conv2d(x7, w, p), backend.conv2d(backend.cropSpatial(x7, 1, 1), w, p)]),
    /N, H and W must agree/,
  );
  assert.throws(() => backend.cropSpatial(x7, 7, 0), /offsets \(7, 0\) must be integers in \[0, 7\)/);
  assert.throws(() => backend.cropSpatial(x7, -1, 0), /offsets/);
  assert.throws(() => backend.cropSpatialGrad(x7, [1, 2, 7, 7], 1, 1), /dy \[1, ?2, ?7, ?7\] is not the output shape/);
});

test('batch_norm forward: zero mean and unit biased variance per statistics group; running mode formula', () => {
  const rng = new Random(6);
  const [N, C, H, W] = [3, 2, 3, 4],
    HW = H * W;
  const x = Float64Array.from(randomNormal(rng, N * C * HW), (v) => 3 * v + 1.5);
  const ones = backend.fromHost(new Float64Array(C).fill(1), [C]),
    zeros = backend.fromHost(new Float64Array(C), [C]);
  const eps = 1e-5;
  for (const mode of ['batch', 'sample'] as const) {
    const y = host(batchNorm(new Tape(backend), backend.fromHost(x, [N, C, H, W]), ones, zeros, buffersFor(C), { mode }));
    const groups = mode === 'batch' ? C : N * C;
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) {
          if (mode === 'batch' ? c === g : n * C + c === g) for (let i = 0; i < HW; i++) idx.push((n * C + c) * HW + i);
        }
      const mean = (a: Float64Array): number => idx.reduce((s, i) => s + a[i]!, 0) / idx.length;
      const mx = mean(x),
        vx = idx.reduce((s, i) => s + (x[i]! - mx) ** 2, 0) / idx.length;
      const my = mean(y),
        vy = idx.reduce((s, i) => s + (y[i]! - my) ** 2, 0) / idx.length;
      assert.ok(Math.abs(my) < 1e-12, `${mode} group ${g}: mean ${my}`);
      assert.ok(Math.abs(vy - vx / (vx + eps)) < 1e-12, `${mode} group ${g}: biased variance ${vy}, expected ${vx / (vx + eps)}`);
    }
  }
  const bufs = buffersFor(C, rng);
  const gamma = randomArray(rng, C, 0.5, 1.5),
    beta = randomArray(rng, C, -1, 1);
  const y = host(
    batchNorm(new Tape(backend), backend.fromHost(x, [N, C, H, W]), backend.fromHost(gamma, [C]), backend.fromHost(beta, [C]), bufs, {
      mode: 'running',
    }),
  );
  const want = x.map((v, i) => {
    const c = Math.floor(i / HW) % C;
    return (gamma[c]! * (v - bufs.runningMean[c]!)) / Math.sqrt(bufs.runningVar[c]! + eps) + beta[c]!;
  });
  close(y, want, 1e-13, 'running-mode output');
});

test('relu: forward max(x,0)', () => {
  const rng = new Random(7);
  const inp = input(rng, 'x', [2, 3, 4, 5]);
  const y = host(relu(new Tape(backend), backend.fromHost(inp.data, inp.shape)));
  close(
    y,
    inp.data.map((v) => Math.max(v, 0)),
    0,
    'relu',
  );
});

test('relu: the subgradient at exactly 0 is 0 (as PyTorch)', () => {
  const tape = new Tape(backend);
  const x = tape.watch(backend.fromHost(Float64Array.of(-1, 0, 2), [3]));
  const g = tape.backward(relu(tape, x), { seed: backend.fromHost(Float64Array.of(5, 6, 7), [3]) });
  assert.equal([...backend.toHost(g.get(x)!)], [0, 0, 7]);
});

for (const c of poolCases) {
  const label = `avg_pool2d x[${c.x}] k${c.p.kernel} s${c.p.stride} p${c.p.padding}`;
  test(`${label}: forward (count_include_pad=false) equals direct pooling`, () => {
    const inp = input(new Random(8), 'x', c.x);
    close(host(avgPool2d(new Tape(backend), backend.fromHost(inp.data, c.x), c.p)), naiveAvgPool(inp.data, c.x, c.p), 1e-14, label);
  });
}

test('avg_pool2d 3x3 pad 1: corner divides by 4, edge by 6, interior by 9', () => {
  const x = backend.fromHost(
    new Float64Array(25).fill(1).map((_, i) => i),
    [1, 1, 5, 5],
  );
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

for (const c of poolCases) {
  const label = `max_pool2d x[${c.x}] k${c.p.kernel} s${c.p.stride} p${c.p.padding}`;
  test(`${label}: forward equals direct pooling over a −∞-padded plane`, () => {
    const inp = input(new Random(8), 'x', c.x);
    close(host(maxPool2d(new Tape(backend), backend.fromHost(inp.data, c.x), c.p)), naiveMaxPool(inp.data, c.x, c.p), 0, label);
  });
}

/** y = maxPool2d(x) and dx for the seed dy, on the reference backend. */
function maxPoolWithGrad(x: number[], shape: number[], p: Pool2dParams, dy: number[]): { y: number[]; dx: number[] } {
  const tape = new Tape(backend);
  const xt = tape.watch(backend.fromHost(Float64Array.from(x), shape));
  const y = maxPool2d(tape, xt, p);
  const dx = tape.backward(y, { seed: backend.fromHost(Float64Array.from(dy), y.shape) }).get(xt)!;
  return { y: [...backend.toHost(y)], dx: [...backend.toHost(dx)] };
}

test('max_pool2d 2x2 stride 2 on a 4x4 plane: known argmaxes, ties to the first in row-major order', () => {
  // windows: {1,3,5,0} → 5 at (1,0); {2,2,2,1} a tie → (0,2); {−1,−2,−3,−4} → (2,0); {7,7,7,0} a tie → (2,2)
  const x = [1, 3, 2, 2, 5, 0, 2, 1, -1, -2, 7, 7, -3, -4, 7, 0];
  const { y, dx } = maxPoolWithGrad(x, [1, 1, 4, 4], { kernel: 2, stride: 2, padding: 0 }, [10, 20, 30, 40]);
  assert.equal(y, [5, 2, -1, 7]);
  assert.equal(dx, [0, 0, 20, 0, 10, 0, 0, 0, 30, 0, 40, 0, 0, 0, 0, 0]);
});

test('max_pool2d 3x3 stride 1 pad 1: −∞ padding (negative planes keep their values), ties to the window’s first cell', () => {
  // x = −1, −2, …, −16: every window's maximum is its first real cell, (max(oh−1, 0), max(ow−1, 0)); zero
  // padding would give 0 along the border instead. A constant plane ties everywhere: the same cells win.
  const counts = [4, 2, 2, 0, 2, 1, 1, 0, 2, 1, 1, 0, 0, 0, 0, 0]; // windows whose first real cell each cell is
  const p = { kernel: 3, stride: 1, padding: 1 };
  const ones = new Array(16).fill(1);
  const descending = maxPoolWithGrad(
    Array.from({ length: 16 }, (_, i) => -(i + 1)),
    [1, 1, 4, 4],
    p,
    ones,
  );
  assert.equal(
    descending.y,
    Array.from({ length: 16 }, (_, o) => -(Math.max(Math.floor(o / 4) - 1, 0) * 4 + Math.max((o % 4) - 1, 0) + 1)),
  );
  assert.equal(descending.dx, counts);
  const constant = maxPoolWithGrad(new Array(16).fill(-2.5), [1, 1, 4, 4], p, ones);
  assert.equal(constant.y, new Array(16).fill(-2.5));
  assert.equal(constant.dx, counts);
});

test('max_pool2d: a NaN wins its windows (the last NaN of a window, as PyTorch), and its gradient goes there', () => {
  // PyTorch 1.13 CPU on this input (2x2 stride 1): y = [nan, nan, nan, 7], x.grad = [0, 20, 0, 40, 0, 0, 0, 0, 40]
  const { y, dx } = maxPoolWithGrad([1, NaN, 3, NaN, 0, 2, 5, 6, 7], [1, 1, 3, 3], { kernel: 2, stride: 1, padding: 0 }, [10, 20, 30, 40]);
  assert.equal(y, [NaN, NaN, NaN, 7]);
  assert.equal(dx, [0, 20, 0, 40, 0, 0, 0, 0, 40]);
});

test('max_pool2d: bad geometry is named', () => {
  const x = backend.fromHost(new Float64Array(2 * 3 * 3), [1, 2, 3, 3]);
  assert.throws(
    () => maxPool2d(new Tape(backend), x, { kernel: 2, stride: 1, padding: 2 }),
    /padding 2 must be an integer in \[0, kernel\/2\]/,
  );
  assert.throws(
    () => maxPool2d(new Tape(backend), x, { kernel: 3, stride: 0, padding: 1 }),
    /kernel 3 and stride 0 must be positive integers/,
  );
  assert.throws(
    () => maxPool2d(new Tape(backend), x, { kernel: 5, stride: 1, padding: 0 }),
    /max_pool2d: output would be empty for input 3x3/,
  );
  assert.throws(
    () => backend.maxPool2dGrad(backend.fromHost(new Float64Array(4), [1, 1, 2, 2]), x, { kernel: 2, stride: 1, padding: 0 }),
    /dy \[1,1,2,2\] is not the output shape \[1,2,2,2\]/,
  );
});

test('concat_channels / slice_channels: known values, and slice’s dx is dy between zeros', () => {
  const a = backend.fromHost(Float64Array.of(1, 2, 3, 4), [2, 1, 1, 2]);
  const b = backend.fromHost(Float64Array.of(5, 6, 7, 8, 9, 10, 11, 12), [2, 2, 1, 2]);
  const tape = new Tape(backend);
  const [aw, bw] = [tape.watch(a), tape.watch(b)];
  const y = concatChannels(tape, [aw, bw]);
  assert.equal(y.shape, [2, 3, 1, 2]);
  assert.equal([...host(y)], [1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12]);
  const s = sliceChannels(tape, y, 1, 1);
  assert.equal(s.shape, [2, 1, 1, 2]);
  assert.equal([...host(s)], [5, 6, 9, 10]);
  // Σ R ⊙ s: R lands on b's first channel; a and b's second channel get exact zeros
  const g = tape.backward(s, { seed: backend.fromHost(Float64Array.of(-1, -2, -3, -4), [2, 1, 1, 2]) });
  assert.equal([...host(g.get(aw)!)], [0, 0, 0, 0]);
  assert.equal([...host(g.get(bw)!)], [-1, -2, 0, 0, -3, -4, 0, 0]);
  const t2 = new Tape(backend);
  const xw = t2.watch(backend.fromHost(new Float64Array(8), [1, 4, 1, 2]));
  const dx = t2.backward(sliceChannels(t2, xw, 1, 2), { seed: backend.fromHost(Float64Array.of(1, 2, 3, 4), [1, 2, 1, 2]) }).get(xw)!;
  assert.equal([...host(dx)], [0, 0, 1, 2, 3, 4, 0, 0]);
});

test('concat_channels / slice_channels: bad shapes are named', () => {
  const x = (shape: number[]) => backend.fromHost(new Float64Array(size(shape)), shape);
  const tape = new Tape(backend);
  assert.throws(() => concatChannels(tape, []), /concat_channels: no inputs/);
  assert.throws(
    () => concatChannels(tape, [x([2, 1, 3, 3]), x([2, 2, 3, 4])]),
    /concat_channels: input 1 is \[2,2,3,4\], input 0 \[2,1,3,3\]: N, H and W must agree/,
  );
  assert.throws(() => concatChannels(tape, [x([2, 1, 3, 3]), x([2, 3])]), /input 1 is \[2,3\], not \[N,C,H,W\]/);
  assert.throws(
    () => concatChannels(tape, [x([1, 1, 2, 2]), backend.fromHost(new Float32Array(4), [1, 1, 2, 2])]),
    /concat_channels: input 1 is f32, input 0 f64/,
  );
  assert.throws(
    () => sliceChannels(tape, x([2, 4, 3, 3]), 3, 2),
    /slice_channels: channels \[3, 5\) are not a non-empty range inside the 4 of \[2,4,3,3\]/,
  );
  assert.throws(() => sliceChannels(tape, x([2, 4, 3, 3]), 1, 0), /channels \[1, 1\)/);
  assert.throws(() => sliceChannels(tape, x([2, 4, 3, 3]), -1, 2), /channels \[-1, 1\)/);
});

test('add: an input used twice gets dy twice', () => {
  const tape = new Tape(backend);
  const a = tape.watch(backend.fromHost(new Float64Array(3), [3]));
  const g = tape.backward(add(tape, a, a), { seed: backend.fromHost(Float64Array.of(1, 2, 3), [3]) });
  assert.equal([...backend.toHost(g.get(a)!)], [2, 4, 6]);
});

test('scale: y = s·x', () => {
  const inp = input(new Random(10), 'x', [3, 4]);
  close(
    host(scale(new Tape(backend), backend.fromHost(inp.data, inp.shape), -2.5)),
    inp.data.map((v) => -2.5 * v),
    0,
    'scale',
  );
});

test('channel_bias: y = x + b[c] at every (n, h, w); db = Σ_{n,h,w} dy', () => {
  const rng = new Random(18);
  const [N, C, HW] = [2, 3, 6];
  const x = randomNormal(rng, N * C * HW),
    b = randomNormal(rng, C),
    R = randomNormal(rng, N * C * HW);
  const tape = new Tape(backend);
  const bt = tape.watch(backend.fromHost(b, [C]));
  const y = channelBias(tape, backend.fromHost(x, [N, C, 2, 3]), bt);
  close(
    host(y),
    x.map((v, i) => v + b[Math.floor(i / HW) % C]!),
    0,
    'channel_bias',
  );
  const db = host(tape.backward(y, { seed: backend.fromHost(R, [N, C, 2, 3]) }).get(bt)!);
  close(
    db,
    b.map((_, c) => R.reduce((s, r, i) => (Math.floor(i / HW) % C === c ? s + r : s), 0)),
    1e-14,
    'db',
  );
});

test('zero: exact zeros; y = zero(x) + 2x has gradient exactly 2R', () => {
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
});

test('global_avg_pool: forward is the spatial mean', () => {
  const rng = new Random(12);
  const inp = input(rng, 'x', [2, 3, 3, 5]);
  const y = host(globalAvgPool(new Tape(backend), backend.fromHost(inp.data, inp.shape)));
  close(
    y,
    Array.from({ length: 6 }, (_, q) => inp.data.subarray(q * 15, q * 15 + 15).reduce((a, b) => a + b, 0) / 15),
    1e-15,
    'gap',
  );
});

test('linear: forward x·wᵀ + b', () => {
  const rng = new Random(13);
  const [N, I, O] = [4, 5, 3];
  const ins = [input(rng, 'x', [N, I]), input(rng, 'w', [O, I]), input(rng, 'b', [O])];
  const y = host(linear(new Tape(backend), ...(ins.map((i) => backend.fromHost(i.data, i.shape)) as [Tensor, Tensor, Tensor])));
  const want = new Float64Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let s = ins[2]!.data[o]!;
      for (let i = 0; i < I; i++) s += ins[0]!.data[n * I + i]! * ins[1]!.data[o * I + i]!;
      want[n * O + o] = s;
    }
  close(y, want, 1e-14, 'linear');
});

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

test('sum: y = Σx; Σ(3x) has gradient 3 everywhere with the default seed 1 for a scalar root', () => {
  const rng = new Random(15);
  const inp = input(rng, 'x', [2, 3, 4]);
  assert.ok(
    Math.abs(host(sum(new Tape(backend), backend.fromHost(inp.data, inp.shape)))[0]! - inp.data.reduce((a, b) => a + b, 0)) < 1e-14,
  );
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
  gradcheck(
    backend,
    [
      input(rng, 'x', [2, 2, 5, 5]),
      input(rng, 'w', [3, 2, 3, 3]),
      { name: 'gamma', shape: [3], data: randomArray(rng, 3, 0.5, 1.5) },
      { name: 'beta', shape: [3], data: randomArray(rng, 3, -0.5, 0.5) },
      input(rng, 'lw', [4, 3]),
      input(rng, 'lb', [4]),
    ],
    (t, [x, w, g, b, lw, lb]) => {
      const h = batchNorm(t, conv2d(t, x!, w!, { stride: 2, padding: 1 }), g!, b!, bufs, { mode: 'batch', updateRunning: false });
      const p = avgPool2d(t, relu(t, h), { kernel: 3, stride: 1, padding: 1 });
      return crossEntropy(t, linear(t, globalAvgPool(t, add(t, p, scale(t, h, 0.5))), lw!, lb!), labels);
    },
    { maxChecks: 30 },
  );
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
        name: e.name,
        shape: [...e.tensor.shape],
        data: Float64Array.from(backend.toHost(e.tensor)),
        indices: rng.sample(e.tensor.size, Math.min(e.tensor.size, e.kind === 'conv_weight' || e.kind === 'linear_weight' ? 3 : 2)),
      })),
    ];
    const r = gradcheck(
      backend,
      inputs,
      (tape, [x, ...ps]) => {
        entries.forEach((e, i) => {
          e.tensor = ps[i]!;
        });
        return crossEntropy(tape, net.forward({ tape, bnMode }, x!), labels, 'mean');
      },
      { rtol: 1e-5, atol: 1e-9 },
    );
    assert.ok(r.checked > 100, `checked ${r.checked}`);
    // every conv in this arch lies on a live path (node 1 reaches node 3 through avg_pool → node 2 → conv)
    entries.forEach((e, i) => {
      if (e.kind === 'conv_weight')
        assert.ok(
          r.analytic[i + 1]!.some((v) => v !== 0),
          `${e.name} has a gradient`,
        );
    });
  });
}

test.run();
