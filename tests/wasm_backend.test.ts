/**
 * The WASM backend against the reference backend through the Backend interface (random shapes: odd sizes,
 * stride 2, 1×1 and 3×3, channels not divisible by 4, batch 1), whole-network scores against the PyTorch
 * fixtures, and the threaded backend against the single-threaded one.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { createNodeWasmBackend } from '../src/node/worker_pool.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { DEFAULT_PROXY_OPTIONS, DEFAULT_PROXIES, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { loadWeights } from '../src/weights.js';
import {
  CONV_CASES,
  DEPTHWISE_CASES,
  MAP_SHAPES,
  checkChannels,
  checkConv,
  checkCrop,
  checkDepthwise,
  checkDense,
  checkMaps,
  checkNonFiniteReductions,
  checkOverflowScores,
  checkReductions,
} from './backend_checks.js';
import { fixturesDir, readJson, relErr } from './helpers.js';

let one: WasmBackend;
let two: WasmBackend;

test.before(async () => {
  one = await createNodeWasmBackend(1);
  two = await createNodeWasmBackend(2);
});
test.after(async () => {
  await one.close();
  await two.close();
});

for (const c of CONV_CASES) {
  test(`conv2d kernels match the reference: ${JSON.stringify(c)}`, () => {
    for (const b of [one, two]) checkConv(b, c, `${b.threads} threads`);
  });
}

for (const c of DEPTHWISE_CASES) {
  test(`depthwise conv kernels match the reference: ${JSON.stringify(c)}`, () => {
    for (const b of [one, two]) checkDepthwise(b, c, `${b.threads} threads`);
  });
}

test('spatial crop kernels equal the reference bit for bit', () => {
  for (const b of [one, two]) checkCrop(b);
});

test('element-wise, pooling, batch-norm, dense and loss kernels match the reference', () => {
  for (const b of [one, two]) {
    for (const shape of MAP_SHAPES) checkMaps(b, shape);
    checkDense(b);
  }
});

test('channel concat and slice kernels equal the reference bit for bit', () => {
  for (const b of [one, two]) checkChannels(b);
});

test('per-sample reductions are exact: sign sums and class Grams', () => {
  for (const b of [one, two]) checkReductions(b);
});

test('a NaN or ±Inf gradient marks the sign sums and the class Grams', () => {
  for (const b of [one, two]) checkNonFiniteReductions(b);
});

test('a pass whose logits overflow gives NaN GradSign and GradAlign-I/II with a warning', () => {
  for (const b of [one, two]) b.scope(() => checkOverflowScores(b));
});

interface Case {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
  scores: Record<string, number | null>;
}
const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
for (const name of ['index0', 'dead_branch', 'imagenet16', 'tiny']) {
  test(`whole-network scores on wasm equal PyTorch and the threaded run equals the single-threaded one (${name})`, () => {
    const c = cases[name]!;
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const results = [one, two].map((b) => {
      const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
      loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)));
      const opts = DEFAULT_PROXY_OPTIONS;
      return scoreReduced(reducePerSample(net, batch, reducersNeeded(DEFAULT_PROXIES), { chunk: 5 }), DEFAULT_PROXIES, opts).scores;
    });
    const [s1, s2] = results as [Record<string, number>, Record<string, number>];
    assert.ok(relErr(s1.gradsign!, c.scores.gradsign_sum!) <= 1e-3, `gradsign ${s1.gradsign} vs ${c.scores.gradsign_sum}`);
    assert.ok(relErr(s1.gradalign1!, c.scores.gradalign1_none!) <= 1e-3, `gradalign1 ${s1.gradalign1}`);
    assert.ok(Math.abs(s1.gradalign2! + c.scores.gradalign2_none!) <= 1e-3, `gradalign2 ${s1.gradalign2}`);
    // Threads split the batch by sample and per-sample results do not depend on the split.
    assert.equal(s2, s1);
  });
}

test("--conv winograd: the fixtures' GradSign/GradAlign within the per-sample tolerance of PyTorch, threads equal to one thread; direct is the default", () => {
  assert.is(one.convolution, 'direct');
  for (const name of ['index0', 'readme', 'all_conv3']) {
    const c = cases[name]!;
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const [s1, s2] = [one, two].map((b) => {
      b.convolution = 'winograd';
      try {
        const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
        loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)));
        return scoreReduced(
          reducePerSample(net, batch, reducersNeeded(DEFAULT_PROXIES), { chunk: 5 }),
          DEFAULT_PROXIES,
          DEFAULT_PROXY_OPTIONS,
        ).scores;
      } finally {
        b.convolution = 'direct';
      }
    }) as [Record<string, number>, Record<string, number>];
    // a few sign flips of near-zero gradients at most (index0: 2 of its 410,406-sum signs; direct: none)
    assert.ok(relErr(s1.gradsign!, c.scores.gradsign_sum!) <= 1e-3, `${name} gradsign ${s1.gradsign} vs ${c.scores.gradsign_sum}`);
    assert.ok(relErr(s1.gradalign1!, c.scores.gradalign1_none!) <= 1e-3, `${name} gradalign1 ${s1.gradalign1}`);
    assert.ok(Math.abs(s1.gradalign2! + c.scores.gradalign2_none!) <= 1e-3, `${name} gradalign2 ${s1.gradalign2}`);
    assert.equal(s2, s1);
  }
});

test('without shared memory (a page that is not cross-origin isolated) the kernels run on plain memory, same scores', async () => {
  const plain = await createWasmBackend({ shared: false });
  const c = cases.index0!;
  const batch = readBatchFile(join(fixturesDir, 'index0.input.safetensors'));
  const scores = [plain, one].map((b) => {
    const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
    loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, 'index0.weights.safetensors')));
    const opts = DEFAULT_PROXY_OPTIONS;
    return scoreReduced(reducePerSample(net, batch, reducersNeeded(DEFAULT_PROXIES)), DEFAULT_PROXIES, opts).scores;
  });
  assert.not.ok(plain.heap.capacity === 0);
  assert.equal(scores[0], scores[1]);
  assert.is(scores[0]!.gradsign, c.scores.gradsign_sum);
});

test.run();
