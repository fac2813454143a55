/**
 * The WASM backend against the reference backend through the Backend interface (random shapes: odd sizes,
 * stride 2, 1×1 and 3×3, channels not divisible by 4, batch 1), whole-network scores against the PyTorch
 * fixtures, and the threaded backend against the single-threaded one.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Tensor } from '../src/autodiff/tensor.js';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { createNodeWasmBackend } from '../src/node/worker_pool.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { DEFAULT_PROXY_OPTIONS, PER_SAMPLE_PROXIES, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { Random } from '../src/util/random.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, readJson, relErr } from './helpers.js';

const ref = new ReferenceBackend();
let one: WasmBackend;
let two: WasmBackend;
const rng = new Random(99);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
const t = (b: Backend, shape: number[], data?: Float32Array) => b.fromHost(data ?? rand(shape.reduce((a, c) => a * c, 1)), shape);

/** max |a − b| relative to max |b|. */
function close(b: Backend, got: Tensor, want: Tensor, what: string, tol = 1e-5): void {
  assert.equal([...got.shape], [...want.shape], `${what}: shape`);
  const g = b.toHost(got), w = ref.toHost(want);
  let scale = 1e-30, err = 0;
  for (let i = 0; i < w.length; i++) {
    scale = Math.max(scale, Math.abs(w[i]!));
    err = Math.max(err, Math.abs(g[i]! - w[i]!));
  }
  assert.ok(err / scale <= tol, `${what}: relative error ${(err / scale).toExponential(2)} > ${tol}`);
}

test.before(async () => {
  one = await createNodeWasmBackend(1);
  two = await createNodeWasmBackend(2);
});
test.after(async () => {
  await one.close();
  await two.close();
});

const convCases = [
  { N: 1, Ci: 3, H: 8, W: 8, Co: 5, k: 3, stride: 1, pad: 1 },
  { N: 3, Ci: 5, H: 7, W: 5, Co: 6, k: 3, stride: 2, pad: 1 },
  { N: 4, Ci: 16, H: 8, W: 8, Co: 16, k: 1, stride: 1, pad: 0 },
  { N: 2, Ci: 7, H: 9, W: 6, Co: 3, k: 1, stride: 2, pad: 0 },
  { N: 5, Ci: 12, H: 6, W: 6, Co: 20, k: 3, stride: 1, pad: 0 },
];

for (const c of convCases) {
  test(`conv2d kernels match the reference: ${JSON.stringify(c)}`, () => {
    const p = { stride: c.stride, padding: c.pad };
    const xd = rand(c.N * c.Ci * c.H * c.W), wd = rand(c.Co * c.Ci * c.k * c.k);
    const yRef = ref.conv2d(t(ref, [c.N, c.Ci, c.H, c.W], xd), t(ref, [c.Co, c.Ci, c.k, c.k], wd), p);
    const dyd = rand(yRef.size);
    for (const b of [one, two]) {
      const x = t(b, [c.N, c.Ci, c.H, c.W], xd), w = t(b, [c.Co, c.Ci, c.k, c.k], wd), dy = t(b, [...yRef.shape], dyd);
      const xr = t(ref, [c.N, c.Ci, c.H, c.W], xd), wr = t(ref, [c.Co, c.Ci, c.k, c.k], wd), dyr = t(ref, [...yRef.shape], dyd);
      close(b, b.conv2d(x, w, p), yRef, `forward (${b.threads} threads)`);
      close(b, b.conv2dGradInput(dy, w, x.shape, p), ref.conv2dGradInput(dyr, wr, xr.shape, p), `grad input (${b.threads} threads)`);
      close(b, b.conv2dGradWeight(x, dy, w.shape, p), ref.conv2dGradWeight(xr, dyr, wr.shape, p), `grad weight (${b.threads} threads)`);
      close(b, b.conv2dGradWeightPerSample(x, dy, w.shape, p), ref.conv2dGradWeightPerSample(xr, dyr, wr.shape, p), `per-sample grad weight (${b.threads} threads)`);
    }
  });
}

test('element-wise, pooling, batch-norm, dense and loss kernels match the reference', () => {
  for (const b of [one, two]) {
    for (const shape of [[1, 3, 5, 7], [3, 5, 8, 8], [2, 16, 4, 4]]) {
      const [N, C, H, W] = shape as [number, number, number, number];
      const xd = rand(N * C * H * W), yd = rand(N * C * H * W);
      const x = t(b, shape, xd), y = t(b, shape, yd), xr = t(ref, shape, xd), yr = t(ref, shape, yd);
      close(b, b.relu(x), ref.relu(xr), 'relu');
      close(b, b.reluGrad(y, x), ref.reluGrad(yr, xr), 'relu grad');
      close(b, b.add(x, y), ref.add(xr, yr), 'add');
      close(b, b.scale(x, -0.37), ref.scale(xr, -0.37), 'scale');
      for (const pool of [{ kernel: 3, stride: 1, padding: 1 }, { kernel: 2, stride: 2, padding: 0 }, { kernel: 3, stride: 2, padding: 1 }]) {
        const out = ref.avgPool2d(xr, pool);
        close(b, b.avgPool2d(x, pool), out, `avg_pool2d ${JSON.stringify(pool)}`);
        const g = rand(out.size);
        close(b, b.avgPool2dGrad(t(b, [...out.shape], g), shape, pool), ref.avgPool2dGrad(t(ref, [...out.shape], g), shape, pool), 'avg_pool2d grad');
      }
      close(b, b.globalAvgPool(x), ref.globalAvgPool(xr), 'global avg pool');
      const gp = rand(N * C);
      close(b, b.globalAvgPoolGrad(t(b, [N, C], gp), shape), ref.globalAvgPoolGrad(t(ref, [N, C], gp), shape), 'global avg pool grad');
      for (const grouping of ['channel', 'sample'] as const) {
        const s = b.batchNormStatistics(x, grouping), sr = ref.batchNormStatistics(xr, grouping);
        close(b, s.mean, sr.mean, `bn mean ${grouping}`);
        close(b, s.variance, sr.variance, `bn variance ${grouping}`);
        const G = s.mean.size, inv = Float32Array.from(ref.toHost(sr.variance), (v) => 1 / Math.sqrt(v + 1e-5));
        const gd = rand(C), bd = rand(C);
        const args = (k: Backend, m: Tensor) => [m, k.fromHost(inv, [G]), t(k, [C], gd), t(k, [C], bd)] as const;
        close(b, b.batchNormForward(x, ...args(b, s.mean), grouping), ref.batchNormForward(xr, ...args(ref, sr.mean), grouping), `bn forward ${grouping}`);
        for (const fromInput of [true, false]) {
          const r1 = b.batchNormBackward(y, x, s.mean, b.fromHost(inv, [G]), t(b, [C], gd), grouping, fromInput);
          const r2 = ref.batchNormBackward(yr, xr, sr.mean, ref.fromHost(inv, [G]), t(ref, [C], gd), grouping, fromInput);
          close(b, r1.dx, r2.dx, `bn backward dx ${grouping} ${fromInput}`);
          close(b, r1.dgamma, r2.dgamma, `bn backward dgamma ${grouping} ${fromInput}`);
          close(b, r1.dbeta, r2.dbeta, `bn backward dbeta ${grouping} ${fromInput}`);
        }
      }
    }
  }
});

test('per-sample reductions are exact: sign sums and class Grams', () => {
  for (const b of [one, two]) {
    const B = 9, numel = 1037;
    const data = Float32Array.from({ length: B * numel }, (_, i) => (i % 7 === 0 ? 0 : rng.uniform(-1, 1)));
    const sums = new Int32Array(numel + 5).fill(3), want = new Int32Array(numel + 5).fill(3);
    b.signSum(t(b, [B, numel], data), sums, 5);
    ref.signSum(t(ref, [B, numel], data), want, 5);
    assert.equal([...sums], [...want]);
    const S = b.signs(t(b, [B, numel], data));
    assert.equal([...S], [...ref.signs(t(ref, [B, numel], data))]);
    const classes = [[0, 3, 4], [1], [2, 5, 6, 7, 8]];
    const g1 = classes.map((r) => new Float64Array(r.length * r.length).fill(1)), g2 = classes.map((r) => new Float64Array(r.length * r.length).fill(1));
    // Signs written at an offset of a store, as the Gram reducer does for one layer of a larger vector.
    const offset = 7 * numel;
    const s1 = b.allocSigns(offset + B * numel), s2 = ref.allocSigns(offset + B * numel);
    b.writeSigns(t(b, [B, numel], data), s1, offset);
    ref.writeSigns(t(ref, [B, numel], data), s2, offset);
    b.classGram(s1, offset, numel, classes, g1);
    ref.classGram(s2, offset, numel, classes, g2);
    assert.equal(g1.map((g) => [...g]), g2.map((g) => [...g]));
    assert.ok(g2[2]![0]! > 1, 'a non-trivial Gram');
  }
});

interface Case { arch: string; C: number; N: number; num_classes: number; scores: Record<string, number | null> }
const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
for (const name of ['index0', 'dead_branch', 'imagenet16', 'tiny']) {
  test(`whole-network scores on wasm equal PyTorch and the threaded run equals the single-threaded one (${name})`, () => {
    const c = cases[name]!;
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const results = [one, two].map((b) => {
      const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
      loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)));
      const opts = DEFAULT_PROXY_OPTIONS;
      return scoreReduced(reducePerSample(net, batch, reducersNeeded(PER_SAMPLE_PROXIES, [opts]), { chunk: 5 }), PER_SAMPLE_PROXIES, opts).scores;
    });
    const [s1, s2] = results as [Record<string, number>, Record<string, number>];
    assert.ok(relErr(s1.gradsign!, c.scores.gradsign_sum!) <= 1e-3, `gradsign ${s1.gradsign} vs ${c.scores.gradsign_sum}`);
    assert.ok(relErr(s1.gradalign1!, c.scores.gradalign1_none!) <= 1e-3, `gradalign1 ${s1.gradalign1}`);
    assert.ok(Math.abs(s1.gradalign2! + c.scores.gradalign2_none!) <= 1e-3, `gradalign2 ${s1.gradalign2}`);
    // Threads split the batch by sample and per-sample results do not depend on the split.
    assert.equal(s2, s1);
  });
}

test('without shared memory (a page that is not cross-origin isolated) the kernels run on plain memory, same scores', async () => {
  const plain = await createWasmBackend({ shared: false });
  const c = cases.index0!;
  const batch = readBatchFile(join(fixturesDir, 'index0.input.safetensors'));
  const scores = [plain, one].map((b) => {
    const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
    loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, 'index0.weights.safetensors')));
    const opts = DEFAULT_PROXY_OPTIONS;
    return scoreReduced(reducePerSample(net, batch, reducersNeeded(PER_SAMPLE_PROXIES, [opts])), PER_SAMPLE_PROXIES, opts).scores;
  });
  assert.not.ok(plain.heap.capacity === 0);
  assert.equal(scores[0], scores[1]);
  assert.is(scores[0]!.gradsign, c.scores.gradsign_sum);
});

test.run();
