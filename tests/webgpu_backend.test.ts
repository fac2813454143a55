/**
 * The WebGPU backend on a real WebGPU implementation (Dawn in Node; on CI Mesa's lavapipe software Vulkan):
 * every kernel against the reference backend on small shapes, and whole NB201 networks' GradSign and
 * GradAlign against PyTorch's fixtures and the reference backend. Without an adapter the tests say so and
 * skip, unless ZEROCOST_REQUIRE_WEBGPU=1 (set by .ci/run, which installs the driver): then they fail.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { WebGpuBackend } from '../src/gpu/backend.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { createNodeWebGpuBackend } from '../src/node/gpu.js';
import { DEFAULT_PROXY_OPTIONS, PER_SAMPLE_PROXIES, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { loadWeights } from '../src/weights.js';
import type { Backend } from '../src/backend/backend.js';
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
  ref,
} from './backend_checks.js';
import { fixturesDir, readJson, relErr, repoRoot, skipSuite } from './helpers.js';

const TOL = 1e-4;
let gpu: WebGpuBackend | null = null;
// probed before the tests are registered, so that without an adapter they are registered as skipped
try {
  gpu = await createNodeWebGpuBackend({ readTimeoutMs: 300_000 });
} catch (e) {
  if (process.env.ZEROCOST_REQUIRE_WEBGPU === '1') throw e;
  skipSuite('webgpu', (e as Error).message);
}

/** A test that needs the adapter: skipped (and counted so) without one. */
const onGpu = (name: string, fn: (b: WebGpuBackend) => void) =>
  gpu ? test(name, () => gpu!.scope(() => fn(gpu!))) : test.skip(name, () => {});

(gpu ? test : test.skip)('an adapter is there and says what it is', () => {
  const { adapter } = gpu!;
  assert.type(adapter.description, 'string');
  console.log(`  webgpu adapter: ${adapter.vendor} ${adapter.description} (${adapter.software ? 'software' : 'hardware'})`);
});

for (const c of CONV_CASES) onGpu(`conv2d kernels match the reference: ${JSON.stringify(c)}`, (b) => checkConv(b, c, 'webgpu', TOL));
for (const c of DEPTHWISE_CASES)
  onGpu(`depthwise conv kernels match the reference: ${JSON.stringify(c)}`, (b) => checkDepthwise(b, c, 'webgpu', TOL));
onGpu('spatial crop kernels equal the reference bit for bit', (b) => checkCrop(b));
onGpu('element-wise, pooling and batch-norm kernels match the reference', (b) => {
  for (const s of [...MAP_SHAPES, [5, 7]]) checkMaps(b, s, TOL);
});
onGpu('dense and loss kernels match the reference', (b) => checkDense(b, TOL));
onGpu('channel concat and slice kernels equal the reference bit for bit', (b) => checkChannels(b));
onGpu('per-sample reductions are exact: sign sums and class Grams', (b) => checkReductions(b));
onGpu('a NaN or ±Inf gradient marks the sign sums and the class Grams', (b) => checkNonFiniteReductions(b));
onGpu('a pass whose logits overflow gives NaN GradSign and GradAlign-I/II with a warning', (b) => checkOverflowScores(b));

onGpu('scope frees what it made and a released tensor is gone on the GPU', (b) => {
  const kept = b.fromHost(Float32Array.of(1, 2, 3), [3]);
  b.scope(() => b.relu(kept));
  const gone = b.scale(kept, 2);
  b.release(gone);
  assert.throws(() => b.toHost(gone), /does not exist/);
  assert.equal([...b.toHost(kept)], [1, 2, 3]);
});

interface Case {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
  scores: Record<string, number | null>;
}
const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
for (const name of ['tiny', 'index0']) {
  onGpu(`whole-network GradSign and GradAlign on WebGPU equal PyTorch and the reference backend (${name})`, (b) => {
    const c = cases[name]!;
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const [s1, s2] = [b, ref as Backend].map((k) => {
      const net = new Nb201Network(k, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
      loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)));
      const opts = DEFAULT_PROXY_OPTIONS;
      return scoreReduced(reducePerSample(net, batch, reducersNeeded(PER_SAMPLE_PROXIES), { chunk: 5 }), PER_SAMPLE_PROXIES, opts).scores;
    }) as [Record<string, number>, Record<string, number>];
    assert.ok(relErr(s1.gradsign!, c.scores.gradsign_sum!) <= 1e-3, `gradsign ${s1.gradsign} vs PyTorch ${c.scores.gradsign_sum}`);
    assert.ok(relErr(s1.gradalign1!, c.scores.gradalign1_none!) <= 1e-3, `gradalign1 ${s1.gradalign1}`);
    assert.ok(Math.abs(s1.gradalign2! + c.scores.gradalign2_none!) <= 1e-3, `gradalign2 ${s1.gradalign2}`);
    for (const k of ['gradsign', 'gradalign1', 'gradalign2'])
      assert.ok(relErr(s1[k]!, s2[k]!) <= 1e-3, `${k}: webgpu ${s1[k]} vs reference ${s2[k]}`);
  });
}

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
function score(...args: string[]): { scores: Record<string, number | null>; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'score', '--arch', ARCH, '--json', '--batch', '4', ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  assert.is(r.status, 0, `zerocost score ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return {
    scores: (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { scores: Record<string, number | null> }).scores,
    stderr: r.stderr,
  };
}

(gpu ? test : test.skip)(
  'CLI: score --backend webgpu equals --backend wasm; --backend auto says it took WASM over a software adapter',
  () => {
    const g = score('--backend', 'webgpu'),
      w = score('--backend', 'wasm');
    assert.match(g.stderr, /backend: webgpu on /);
    assert.ok(relErr(g.scores.gradsign!, w.scores.gradsign!) <= 1e-4, `gradsign webgpu ${g.scores.gradsign} vs wasm ${w.scores.gradsign}`);
    assert.ok(g.scores.gradsign! > 0);
    if (gpu!.adapter.software) {
      const a = score('--backend', 'auto');
      assert.match(a.stderr, /backend: wasm, \d+ thread\(s\) \(auto: the WebGPU adapter is .* a software renderer/);
      assert.equal(a.scores, w.scores);
    }
  },
);

test('CLI: without an adapter --backend webgpu stops with the reason and auto falls back to WASM, saying why', () => {
  // No Vulkan driver at all: Dawn finds no adapter (the package itself still loads).
  const env = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' };
  const gpuRun = spawnSync(process.execPath, [cli, 'score', '--arch', ARCH, '--batch', '4', '--backend', 'webgpu'], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  assert.is(gpuRun.status, 2, gpuRun.stderr);
  assert.match(gpuRun.stderr, /--backend webgpu: WebGPU: no WebGPU adapter is available/);
  const auto = spawnSync(process.execPath, [cli, 'score', '--arch', ARCH, '--batch', '4', '--json'], {
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  assert.is(auto.status, 0, auto.stderr);
  assert.match(auto.stderr, /backend: wasm, \d+ thread\(s\) \(auto: no WebGPU: no WebGPU adapter is available\)/);
  assert.ok((JSON.parse(auto.stdout.trim()) as { scores: { gradsign: number } }).scores.gradsign > 0);
});

test.run();
