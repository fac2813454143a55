/**
 * Per-sample gradients: the batched pass (sample-statistics BN, per-sample weight kernels) against an explicit
 * loop of batch-of-one passes, against PyTorch's `tiny` fixture (per-sample and batch-mean gradients, logits,
 * losses), and the reducers against explicit computations on the collected rows.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tape,
  concatChannels,
  conv2d,
  cropSpatial,
  crossEntropy,
  depthwiseConv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  sliceChannels,
  type PerSampleSink,
  type Tensor,
} from '../src/autodiff/index.js';
import { OutOfMemoryError } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { Batch } from '../src/data/batch.js';
import { tensorToFloat64 } from '../src/io/safetensors.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { ClassGramReducer } from '../src/per_sample/class_gram.js';
import { CollectAllReducer } from '../src/per_sample/collect_all.js';
import { runPerSampleGradients, weightLayout } from '../src/per_sample/per_sample_gradients.js';
import { signsOf as signs } from '../src/backend/reference/reduce.js';
import { SignSumReducer } from '../src/per_sample/sign_sum.js';
import type { DType } from '../src/autodiff/index.js';
import { Random } from '../src/util/random.js';
import { loadWeights } from '../src/weights.js';
import { reducePerSample } from '../src/proxies/registry.js';
import { fixturesDir, maxNormErr, readJson, relErr } from './helpers.js';

const backend = new ReferenceBackend();
const verbose = !!process.env.GRADCHECK_VERBOSE;
const README_ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const EVERY_OP = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
/** Node 1's conv feeds only `none` edges, and node 2 is all zeros, so both cell convs are dead. */
const DEAD_ARCH = '|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';

function randomBatch(seed: number, labels: number[], hw = 8): Batch {
  const rng = new Random(seed);
  const B = labels.length;
  return { x: Float32Array.from({ length: B * 3 * hw * hw }, () => rng.normal()), shape: [B, 3, hw, hw], y: Int32Array.from(labels) };
}

function hostOf(net: Nb201Network, data: Float32Array, shape: number[]): Tensor {
  return backend.fromHost(net.parameters.dtype === 'f64' ? Float64Array.from(data) : data.slice(), shape);
}

/** Sample i alone: a batch of one in train-mode BN, mean CE, ordinary summed weight gradients. */
function batchOfOneGrads(net: Nb201Network, batch: Batch, i: number): { grads: Map<string, Float64Array>; loss: number } {
  const [, C, H, W] = batch.shape;
  const tape = new Tape(backend);
  const weights = net.parameters.countedWeights().map((e) => tape.watch(e.tensor));
  const x = hostOf(net, batch.x.subarray(i * C * H * W, (i + 1) * C * H * W), [1, C, H, W]);
  const loss = crossEntropy(tape, net.forward({ tape, bnMode: 'batch' }, x), batch.y.subarray(i, i + 1), 'mean');
  const g = tape.backward(loss);
  const grads = new Map<string, Float64Array>();
  for (const w of weights) {
    const gw = g.get(w);
    grads.set(w.name!, gw ? Float64Array.from(backend.toHost(gw)) : new Float64Array(w.size));
  }
  return { grads, loss: backend.toHost(loss)[0]! };
}

// ---------------------------------------------------------------------------------------------------------
// (a) batched pass == loop of batch-of-one passes

for (const [dtype, tol] of [
  ['f64', 1e-10],
  ['f32', 1e-4],
] as [DType, number][]) {
  for (const arch of [README_ARCH, EVERY_OP]) {
    test(`per-sample pass equals a batch-of-one loop (${dtype}, C=4 N=1, ${arch})`, () => {
      const net = new Nb201Network(backend, { arch, C: 4, N: 1, numClasses: 5, dtype });
      net.parameters.initialize(21);
      const batch = randomBatch(22, [1, 4, 1, 0, 2]);
      const collect = new CollectAllReducer();
      const lossSum = runPerSampleGradients(net, batch, [collect]);
      let worst = 0,
        lossLoop = 0,
        nonZero = 0;
      for (let i = 0; i < batch.y.length; i++) {
        const { grads, loss } = batchOfOneGrads(net, batch, i);
        lossLoop += loss;
        for (const l of collect.layout) {
          const got = collect.grads.get(l.name)!.subarray(i * l.numel, (i + 1) * l.numel);
          const want = grads.get(l.name)!;
          const err = maxNormErr(got, want);
          worst = Math.max(worst, err);
          assert.ok(err <= tol, `${l.name} sample ${i}: error ${err} relative to the layer's max`);
          if (want.some((v) => v !== 0)) nonZero++;
        }
      }
      assert.ok(nonZero > collect.layout.length * 4, 'most layers have non-zero gradients');
      assert.ok(relErr(lossSum, lossLoop) < (dtype === 'f64' ? 1e-12 : 1e-5), `loss sum ${lossSum} vs loop ${lossLoop}`);
      if (verbose) console.log(`per-sample vs loop ${dtype}: max error ${worst.toExponential(2)}`);
    });
  }
}

test('per-sample sink: Σ_i per-sample weight gradients equal the ordinary summed gradient (sample BN, CE sum)', () => {
  const net = new Nb201Network(backend, { arch: EVERY_OP, C: 2, N: 1, numClasses: 3, dtype: 'f64' });
  net.parameters.initialize(23);
  const batch = randomBatch(24, [0, 2, 2, 1]);
  const collect = new CollectAllReducer();
  runPerSampleGradients(net, batch, [collect]);
  const tape = new Tape(backend);
  const weights = net.parameters.countedWeights().map((e) => tape.watch(e.tensor));
  const loss = crossEntropy(tape, net.forward({ tape, bnMode: 'sample' }, hostOf(net, batch.x, batch.shape)), batch.y, 'sum');
  const g = tape.backward(loss);
  for (const w of weights) {
    const summed = backend.toHost(g.get(w)!);
    const rows = collect.grads.get(w.name!)!;
    const acc = new Float64Array(w.size);
    for (let i = 0; i < 4; i++) for (let k = 0; k < w.size; k++) acc[k]! += rows[i * w.size + k]!;
    assert.ok(maxNormErr(acc, summed) < 1e-13, `${w.name}: Σ per-sample vs summed`);
  }
});

test('per-sample sink through max pools, channel slices and a concat (no weights of their own): each sample’s own gradients', () => {
  const rng = new Random(25);
  const normal = (n: number, scale = 1) => Float64Array.from({ length: n }, () => rng.normal() * scale);
  const shapes: Record<string, number[]> = { w1: [4, 3, 3, 3], w2: [3, 2, 1, 1], lw: [5, 5], lb: [5] };
  const values = Object.fromEntries(
    Object.entries(shapes).map(([k, sh]) => [
      k,
      normal(
        sh.reduce((a, b) => a * b, 1),
        0.5,
      ),
    ]),
  );
  const B = 3,
    labels = Int32Array.of(4, 0, 2),
    x = normal(B * 3 * 8 * 8);
  // relu(conv) → channels 0..2 through a 1×1 conv, channels 2..4 through a 3×3 max pool, concatenated, 2×2 max pool
  const forward = (tape: Tape, xt: Tensor, w: Record<string, Tensor>) => {
    const h = relu(tape, conv2d(tape, xt, w.w1!, { stride: 1, padding: 1 }));
    const a = conv2d(tape, sliceChannels(tape, h, 0, 2), w.w2!, { stride: 1, padding: 0 });
    const b = maxPool2d(tape, sliceChannels(tape, h, 2, 2), { kernel: 3, stride: 1, padding: 1 });
    const p = maxPool2d(tape, concatChannels(tape, [b, a]), { kernel: 2, stride: 2, padding: 0 });
    return linear(tape, globalAvgPool(tape, p), w.lw!, w.lb!);
  };
  const watched = (tape: Tape) =>
    Object.fromEntries(Object.entries(shapes).map(([k, sh]) => [k, tape.watch(backend.fromHost(values[k]!, sh))]));
  // the batched pass: CE summed over the batch, per-sample gradients of the weights handed to the sink
  const tape = new Tape(backend);
  const w = watched(tape);
  const rows = new Map<string, Float64Array>();
  const sink: PerSampleSink = {
    wants: (t) => t === w.w1 || t === w.w2 || t === w.lw,
    consume: (t, grads) => {
      assert.is(grads.shape[0], B);
      rows.set(
        Object.keys(w).find((k) => w[k] === t)!,
        Float64Array.from(backend.toHost(grads)),
      );
    },
  };
  const loss = crossEntropy(tape, forward(tape, backend.fromHost(x, [B, 3, 8, 8]), w), labels, 'sum');
  tape.backward(loss, { perSample: sink });
  assert.equal([...rows.keys()].sort(), ['lw', 'w1', 'w2']);
  for (let i = 0; i < B; i++) {
    const alone = new Tape(backend);
    const wi = watched(alone);
    const xi = backend.fromHost(x.slice(i * 192, (i + 1) * 192), [1, 3, 8, 8]);
    const g = alone.backward(crossEntropy(alone, forward(alone, xi, wi), labels.subarray(i, i + 1), 'mean'));
    for (const [k, r] of rows) {
      const n = values[k]!.length;
      const want = backend.toHost(g.get(wi[k]!)!);
      assert.ok(
        want.some((v) => v !== 0),
        `${k} sample ${i}: a non-zero gradient`,
      );
      assert.ok(maxNormErr(r.subarray(i * n, (i + 1) * n), want) < 1e-12, `${k} sample ${i}: batched per-sample vs alone`);
    }
  }
});

test('per-sample sink through depthwise convs (sep 3×3, dil 5×5 stride 2) and a FactorizedReduce crop: each sample’s own gradients', () => {
  const rng = new Random(26);
  const normal = (n: number, scale = 1) => Float64Array.from({ length: n }, () => rng.normal() * scale);
  const shapes: Record<string, number[]> = {
    sep: [3, 1, 3, 3],
    pw: [4, 3, 1, 1],
    dil: [4, 1, 5, 5],
    fr1: [2, 4, 1, 1],
    fr2: [2, 4, 1, 1],
    lw: [5, 6],
    lb: [5],
  };
  const values = Object.fromEntries(
    Object.entries(shapes).map(([k, sh]) => [
      k,
      normal(
        sh.reduce((a, b) => a * b, 1),
        0.5,
      ),
    ]),
  );
  const B = 4,
    labels = Int32Array.of(4, 0, 2, 0),
    x = normal(B * 3 * 8 * 8);
  // sep-conv half (relu, depthwise 3×3, pointwise), then a dil_conv 5×5 stride 2 beside a FactorizedReduce of the
  // same input, concatenated: [B, 2 + 2 + 2, 4, 4] → gap → linear
  const forward = (tape: Tape, xt: Tensor, w: Record<string, Tensor>) => {
    const h = conv2d(tape, depthwiseConv2d(tape, relu(tape, xt), w.sep!, { stride: 1, padding: 1, dilation: 1 }), w.pw!, {
      stride: 1,
      padding: 0,
    });
    const r = relu(tape, h);
    const d = depthwiseConv2d(tape, r, w.dil!, { stride: 2, padding: 4, dilation: 2 });
    const p = { stride: 2, padding: 0 };
    const f = concatChannels(tape, [conv2d(tape, r, w.fr1!, p), conv2d(tape, cropSpatial(tape, r, 1, 1), w.fr2!, p)]);
    const cat = concatChannels(tape, [sliceChannels(tape, d, 0, 2), f]);
    return linear(tape, globalAvgPool(tape, cat), w.lw!, w.lb!);
  };
  const watched = (tape: Tape) =>
    Object.fromEntries(Object.entries(shapes).map(([k, sh]) => [k, tape.watch(backend.fromHost(values[k]!, sh))]));
  const tape = new Tape(backend);
  const w = watched(tape);
  const rows = new Map<string, Float64Array>();
  const perSample = ['sep', 'pw', 'dil', 'fr1', 'fr2', 'lw'];
  const sink: PerSampleSink = {
    wants: (t) => perSample.some((k) => w[k] === t),
    consume: (t, grads) => {
      const name = Object.keys(w).find((k) => w[k] === t)!;
      assert.equal([...grads.shape], [B, ...shapes[name]!], `${name}: [B, ...shape]`);
      rows.set(name, Float64Array.from(backend.toHost(grads)));
    },
  };
  const loss = crossEntropy(tape, forward(tape, backend.fromHost(x, [B, 3, 8, 8]), w), labels, 'sum');
  tape.backward(loss, { perSample: sink });
  assert.equal([...rows.keys()].sort(), [...perSample].sort());
  for (let i = 0; i < B; i++) {
    const alone = new Tape(backend);
    const wi = watched(alone);
    const xi = backend.fromHost(x.slice(i * 192, (i + 1) * 192), [1, 3, 8, 8]);
    const g = alone.backward(crossEntropy(alone, forward(alone, xi, wi), labels.subarray(i, i + 1), 'mean'));
    for (const [k, r] of rows) {
      const n = values[k]!.length;
      const want = backend.toHost(g.get(wi[k]!)!);
      assert.ok(
        want.some((v) => v !== 0),
        `${k} sample ${i}: a non-zero gradient`,
      );
      assert.ok(maxNormErr(r.subarray(i * n, (i + 1) * n), want) < 1e-12, `${k} sample ${i}: batched per-sample vs alone`);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// (b) PyTorch `tiny` fixture

interface TinyCase {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
  labels: number[];
  weight_layers: string[];
  per_sample_loss: number[];
  batch_train_loss: number;
  batch_eval_loss: number;
  num_zero_grads: number;
  batch_train_logits?: number[][];
}
const tiny = readJson<{ cases: { tiny: TinyCase } }>(join(fixturesDir, 'expected.json')).cases.tiny;
const tinyGrads = readSafetensorsFile(join(fixturesDir, 'tiny.grads.safetensors'));
const tinyBatch = readBatchFile(join(fixturesDir, 'tiny.input.safetensors'));
const fixture = (name: string): Float64Array => tensorToFloat64(tinyGrads.get(name)!, name, 'tiny.grads');

function tinyNet(): Nb201Network {
  const net = new Nb201Network(backend, { arch: tiny.arch, C: tiny.C, N: tiny.N, numClasses: tiny.num_classes });
  loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, 'tiny.weights.safetensors')), 'tiny.weights');
  return net;
}

test('PyTorch tiny: per-sample gradients of every Conv/Linear weight element-wise (f32)', () => {
  const net = tinyNet();
  assert.equal(Array.from(tinyBatch.y), tiny.labels);
  const layout = weightLayout(net);
  assert.equal(
    layout.map((l) => l.name),
    tiny.weight_layers,
    'weight layer order',
  );
  const collect = new CollectAllReducer();
  const lossSum = runPerSampleGradients(net, tinyBatch, [collect]);
  assert.ok(
    relErr(
      lossSum,
      tiny.per_sample_loss.reduce((a, b) => a + b, 0),
    ) < 1e-5,
  );
  // PyTorch's own f32 rounding is ~1e-4 of the max for sample 0 (sample-statistics BN on 2×2 maps amplifies it;
  // an f64 run of ours shows the same difference), so: ≤ 2e-4 of each layer's max, ≤ 5e-4 of each sample's max.
  let worst = 0,
    worstLayer = '',
    worstSample = 0,
    zeros = 0,
    zerosBoth = 0;
  for (const l of layout) {
    const want = fixture(`per_sample.${l.name}`);
    const got = collect.grads.get(l.name)!;
    assert.is(want.length, got.length, `${l.name} size`);
    const err = maxNormErr(got, want);
    if (err > worst) {
      worst = err;
      worstLayer = l.name;
    }
    assert.ok(err < 2e-4, `${l.name}: max error ${err} relative to the layer's max |g|`);
    for (let i = 0; i < tinyBatch.y.length; i++) {
      const s = i * l.numel,
        e = s + l.numel;
      const ei = maxNormErr(got.subarray(s, e), want.subarray(s, e));
      worstSample = Math.max(worstSample, ei);
      assert.ok(ei < 5e-4, `${l.name} sample ${i}: max error ${ei} relative to the sample's max |g|`);
    }
    for (let k = 0; k < got.length; k++) {
      if (got[k] === 0) zeros++;
      if (got[k] === 0 && want[k] === 0) zerosBoth++;
    }
  }
  assert.is(zeros, tiny.num_zero_grads, 'exact zeros in G');
  assert.is(zerosBoth, tiny.num_zero_grads, 'the same exact zeros as PyTorch');
  if (verbose)
    console.log(
      `PyTorch per-sample: max error ${worst.toExponential(2)} of the layer max (${worstLayer}), ${worstSample.toExponential(2)} of a sample's max`,
    );
});

test('PyTorch tiny: per-sample (sample-BN) logits and losses, eval-mode logits', () => {
  const net = tinyNet();
  const x = hostOf(net, tinyBatch.x, tinyBatch.shape);
  const logits = backend.toHost(net.forward({ tape: new Tape(backend), bnMode: 'sample' }, x));
  const want = fixture('logits.per_sample');
  const err = maxNormErr(logits, want);
  assert.ok(err < 1e-5, `per-sample logits error ${err}`);
  const { losses } = backend.softmaxCrossEntropy(backend.fromHost(logits, [6, 10]), tinyBatch.y);
  backend
    .toHost(losses)
    .forEach((l, i) => assert.ok(relErr(l, tiny.per_sample_loss[i]!) < 1e-5, `loss ${i}: ${l} vs ${tiny.per_sample_loss[i]}`));
  // eval mode with the initial running statistics (0 / 1)
  const evalNet = tinyNet();
  const tape = new Tape(backend);
  const z = evalNet.forward({ tape, bnMode: 'running' }, x);
  const evalErr = maxNormErr(backend.toHost(z), fixture('logits.batch_eval'));
  assert.ok(evalErr < 1e-5, `eval logits error ${evalErr}`);
  assert.ok(relErr(backend.toHost(crossEntropy(tape, z, tinyBatch.y))[0]!, tiny.batch_eval_loss) < 1e-5);
  if (verbose) console.log(`PyTorch logits: per-sample ${err.toExponential(2)}, eval ${evalErr.toExponential(2)}`);
});

test('PyTorch tiny: batch-statistics forward (logits, mean CE) and its gradient for every parameter', () => {
  const net = tinyNet();
  const tape = new Tape(backend);
  const params = net.parameters.entries.map((e) => tape.watch(e.tensor));
  const logits = net.forward({ tape, bnMode: 'batch' }, hostOf(net, tinyBatch.x, tinyBatch.shape));
  const lerr = maxNormErr(backend.toHost(logits), fixture('logits.batch_train'));
  assert.ok(lerr < 1e-5, `batch-train logits error ${lerr}`);
  if (tiny.batch_train_logits) assert.ok(maxNormErr(backend.toHost(logits), tiny.batch_train_logits.flat()) < 1e-5);
  const loss = crossEntropy(tape, logits, tinyBatch.y, 'mean');
  assert.ok(relErr(backend.toHost(loss)[0]!, tiny.batch_train_loss) < 1e-5, 'batch-train loss');
  const g = tape.backward(loss);
  const batchMeanNames = [...tinyGrads.keys()].filter((k) => k.startsWith('batch_mean.')).map((k) => k.slice('batch_mean.'.length));
  assert.equal(batchMeanNames.sort(), params.map((p) => p.name!).sort(), 'the fixture covers every parameter');
  // cells.4's layers.1 and layers.4 BN biases shift channels of node 3, which lastact's batch-statistics BN
  // removes: their true gradient is 0 (PyTorch returns rounding noise ~2e-9), so errors are measured against
  // max(the tensor's max, 1e-2 × the largest gradient of any parameter).
  const global = Math.max(...params.map((p) => Math.max(...fixture(`batch_mean.${p.name}`).map(Math.abs))));
  let worst = 0,
    worstName = '';
  for (const p of params) {
    const want = fixture(`batch_mean.${p.name}`);
    const got = g.get(p) ? backend.toHost(g.get(p)!) : new Float32Array(p.size);
    let e = 0,
      s = 0;
    want.forEach((v, i) => {
      e = Math.max(e, Math.abs(got[i]! - v));
      s = Math.max(s, Math.abs(v));
    });
    const err = e / Math.max(s, 1e-2 * global);
    if (err > worst) {
      worst = err;
      worstName = p.name!;
    }
    assert.ok(err < 1e-4, `${p.name}: batch-mean gradient error ${err} relative to its max`);
    if (/^cells\.4\.layers\.[14]\.op\.2\.bias$/.test(p.name!)) {
      assert.ok(
        got.every((v) => Math.abs(v) < 1e-6 * global),
        `${p.name}: gradient should vanish, got ${[...got]}`,
      );
    }
  }
  if (verbose) console.log(`PyTorch batch-mean grads: max error ${worst.toExponential(2)} (${worstName}); logits ${lerr.toExponential(2)}`);
});

// ---------------------------------------------------------------------------------------------------------
// (c) reducers

function signRows(collect: CollectAllReducer, B: number): Int8Array[] {
  return Array.from({ length: B }, (_, i) => signs(collect.row(i)));
}

for (const arch of [EVERY_OP, DEAD_ARCH]) {
  test(`reducers agree with explicit sums and dot products of the collected sign rows (${arch})`, () => {
    const net = new Nb201Network(backend, { arch, C: 2, N: 1, numClasses: 4, dtype: 'f32' });
    net.parameters.initialize(31);
    const labels = [2, 0, 2, 1, 0, 2, 3, 0];
    const batch = randomBatch(32, labels);
    const collect = new CollectAllReducer(),
      signSum = new SignSumReducer(),
      gram = new ClassGramReducer();
    runPerSampleGradients(net, batch, [collect, signSum, gram]);
    const B = labels.length;
    const S = signRows(collect, B);
    const m = collect.layout.reduce((t, l) => t + l.numel, 0);
    assert.is(S[0]!.length, m);

    // SignSum = Σ_i sign(row_i)
    assert.is(signSum.sums.length, m);
    for (let k = 0; k < m; k++) {
      let s = 0;
      for (const row of S) s += row[k]!;
      assert.is(signSum.sums[k], s, `sign sum at ${k}`);
    }

    // classes and members
    assert.equal(gram.classes, [0, 1, 2, 3]);
    assert.equal(gram.members, [[1, 4, 7], [3], [0, 2, 5], [6]]);

    gram.members.forEach((rows, c) => {
      const n = rows.length,
        G = gram.grams[c]!;
      let total = 0;
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) {
          let d = 0;
          for (let k = 0; k < m; k++) d += S[rows[a]!]![k]! * S[rows[b]!]![k]!;
          assert.is(G[a * n + b], d, `class ${gram.classes[c]} Gram[${a},${b}]`);
          total += d;
        }
      // ‖Σ_{i∈c} s_i‖² = Σ_ab (S_c S_cᵀ)_ab
      assert.is(gram.squaredNorms()[c], total, `class ${gram.classes[c]} squared norm`);
    });

    if (arch === DEAD_ARCH) {
      const dead = collect.layout.filter((l) => /^cells\.(0|2|4)\.layers\.(0|5)\./.test(l.name));
      assert.is(dead.length, 6, 'two dead convs per cell');
      for (const l of dead) {
        assert.ok(
          collect.grads.get(l.name)!.every((v) => v === 0),
          `${l.name}: exact zeros`,
        );
        assert.ok(
          signSum.sums.subarray(l.offset, l.offset + l.numel).every((v) => v === 0),
          `${l.name}: sign sum 0`,
        );
      }
      // Gram diagonals count the non-zero entries only
      gram.members.forEach((rows, c) =>
        rows.forEach((i, a) => {
          assert.is(
            gram.grams[c]![a * rows.length + a],
            S[i]!.reduce((t, v) => t + (v !== 0 ? 1 : 0), 0),
          );
        }),
      );
      // live layers do have gradients
      assert.ok(collect.grads.get('stem.0.weight')!.some((v) => v !== 0));
      assert.ok(collect.grads.get('classifier.weight')!.some((v) => v !== 0));
    }
  });
}

test('chunked passes give exactly the whole-batch reductions (GradSign sums, class Grams, raw gradients)', () => {
  const net = new Nb201Network(backend, { arch: EVERY_OP, C: 2, N: 1, numClasses: 4, dtype: 'f32' });
  net.parameters.initialize(5);
  const labels = [2, 0, 2, 1, 0, 2, 3, 0, 1];
  const batch = randomBatch(41, labels);
  const run = (chunk?: number) => {
    const collect = new CollectAllReducer(),
      signSum = new SignSumReducer(),
      gram = new ClassGramReducer();
    const loss = runPerSampleGradients(net, batch, [collect, signSum, gram], chunk === undefined ? {} : { chunk });
    return { collect, signSum, gram, loss };
  };
  const whole = run();
  for (const chunk of [1, 2, 4]) {
    const part = run(chunk);
    assert.equal(Array.from(part.signSum.sums), Array.from(whole.signSum.sums), `sign sums, chunk ${chunk}`);
    assert.equal(
      part.gram.grams.map((g) => Array.from(g)),
      whole.gram.grams.map((g) => Array.from(g)),
      `Grams, chunk ${chunk}`,
    );
    for (const [name, g] of whole.collect.grads)
      assert.equal(Array.from(part.collect.grads.get(name)!), Array.from(g), `${name}, chunk ${chunk}`);
    assert.ok(Math.abs(part.loss - whole.loss) < 1e-4 * Math.abs(whole.loss));
  }
});

/** A reference backend whose memory, once armed (after the weights), holds no image chunk of more than `fits` samples. */
class SmallMemoryBackend extends ReferenceBackend {
  armed = false;
  refusals = 0;
  constructor(private readonly fits: number) {
    super();
  }
  override fromHost(data: Parameters<ReferenceBackend['fromHost']>[0], shape: readonly number[]): Tensor {
    if (this.armed && shape.length === 4 && shape[0]! > this.fits) {
      this.refusals++;
      throw new OutOfMemoryError(`${shape[0]} samples do not fit`);
    }
    return super.fromHost(data, shape);
  }
}

test('a chunk that runs out of memory is run again in halves: the same reductions, the chunk that ran reported', () => {
  const labels = [2, 0, 2, 1, 0, 2, 3, 0, 1];
  const batch = randomBatch(43, labels);
  const reduce = (b: ReferenceBackend, chunk: number, C = 2) => {
    if (b instanceof SmallMemoryBackend) b.armed = false;
    const net = new Nb201Network(b, { arch: EVERY_OP, C, N: 1, numClasses: 4, dtype: 'f32' });
    net.parameters.initialize(6);
    if (b instanceof SmallMemoryBackend) b.armed = true;
    return reducePerSample(net, batch, new Set(['signSum', 'classGram']), { chunk });
  };
  const whole = reduce(backend, 9);
  assert.is(whole.chunk, 9);
  const small = new SmallMemoryBackend(3);
  const halved = reduce(small, 9); // 9 → 5 → 3
  assert.is(halved.chunk, 3);
  assert.is(small.refusals, 2);
  // the same backend remembers: as many weights or more start at 3, fewer at the chunk asked
  assert.is(reduce(small, 9).chunk, 3);
  assert.is(reduce(small, 9, 3).chunk, 3);
  assert.is(small.refusals, 2, 'no attempt that runs out of memory again');
  reduce(small, 9, 1);
  assert.is(small.refusals, 4, 'a smaller network tries the chunk asked first');
  assert.equal(Array.from(halved.signSums), Array.from(whole.signSums));
  assert.equal(
    halved.classes.map((c) => Array.from(c.gram)),
    whole.classes.map((c) => Array.from(c.gram)),
  );
  assert.throws(
    () => reduce(new SmallMemoryBackend(0), 9),
    (e: unknown) => e instanceof OutOfMemoryError,
    'not even one sample fits: the error',
  );
});

test.run();
