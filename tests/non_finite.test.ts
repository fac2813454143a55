/**
 * NaN and ±Inf never become a plausible score: weights and input batches with one are refused (library and
 * CLI, naming the tensor and the first bad index), and a pass that overflows makes the per-sample proxies NaN
 * with a warning (here on the reference backend; tests/wasm_backend and tests/webgpu_backend run the same checks).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { batchFromSafetensors, batchToSafetensors, type Batch } from '../src/data/batch.js';
import { DataFormatError } from '../src/io/errors.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { NB201_SPACE } from '../src/nets/nb201/space.js';
import type { SearchSpace } from '../src/nets/space.js';
import { writeSafetensorsFile } from '../src/node/files.js';
import { DEFAULT_PROXY_OPTIONS, scoreNetwork } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import { Random } from '../src/util/random.js';
import { loadWeights, weightsToTensors } from '../src/weights.js';
import { checkNonFiniteReductions, checkOverflowScores } from './backend_checks.js';
import { repoRoot } from './helpers.js';

const backend = new ReferenceBackend();
const ARCH = '|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-nonfinite-'));

function smallNet(): Nb201Network {
  const net = new Nb201Network(backend, { arch: ARCH, C: 4, N: 1, numClasses: 3 });
  net.parameters.initialize(2);
  return net;
}

function randomBatch(): Batch {
  const rng = new Random(4);
  return { x: Float32Array.from({ length: 6 * 3 * 8 * 8 }, () => rng.normal()), shape: [6, 3, 8, 8], y: Int32Array.of(0, 1, 2, 0, 1, 2) };
}

/** The weights of smallNet() as safetensors tensors, with `value` at flat index `at` of tensor `name`. */
function weightsWith(name: string, at: number, value: number) {
  const tensors = weightsToTensors(smallNet().parameters);
  (tensors.get(name)!.data as Float32Array)[at] = value;
  return tensors;
}

test('reference: a NaN or ±Inf gradient marks the sign sums and the class Grams', () => {
  checkNonFiniteReductions(backend);
});

test('reference: a pass whose logits overflow gives NaN GradSign and GradAlign-I/II with a warning', () => {
  checkOverflowScores(backend);
});

test('baselines: a forward that overflows (stem BN γ near the f32 maximum) gives NaN, not a plausible number', () => {
  const net = smallNet();
  const state = net.parameters.stateDict();
  state.get('stem.1.weight')!.data = new Float32Array(state.get('stem.1.weight')!.data.length).fill(3e38);
  net.parameters.loadStateDict(state);
  const proxies = ['naswot', 'tenas_lr', 'grad_norm', 'snip'] as const;
  const { scores, warnings } = scoreNetwork(net, randomBatch(), proxies, DEFAULT_PROXY_OPTIONS, {}, { seed: 1, f64: backend });
  for (const p of proxies) assert.ok(Number.isNaN(scores[p]), `${p}: ${scores[p]}`);
  assert.ok(
    warnings.some((w) => w === 'naswot: the activations have NaN or ±Inf values (overflow in the forward); score is NaN'),
    warnings.join('; '),
  );
  assert.ok(
    warnings.some((w) => w.startsWith('tenas_lr: ')),
    warnings.join('; '),
  );
});

test('loading weights with a NaN or ±Inf is an error naming the tensor and the first bad index', () => {
  assert.throws(
    () => loadWeights(smallNet().parameters, weightsWith('classifier.weight', 5, NaN), 'w.safetensors'),
    (e: Error) =>
      e instanceof DataFormatError &&
      e.message ===
        'w.safetensors: tensor "classifier.weight" has a non-finite value NaN at index 5 (position [0,5]); weights and images must be finite',
  );
  assert.throws(
    () => loadWeights(smallNet().parameters, weightsWith('lastact.0.running_var', 2, Infinity)),
    /"lastact\.0\.running_var" has a non-finite value Infinity at index 2;/,
  );
  // an F64 value beyond f32's range overflows to Inf in an f32 network
  const big = weightsToTensors(smallNet().parameters);
  const w = big.get('stem.0.weight')!;
  big.set('stem.0.weight', {
    dtype: 'F64',
    shape: w.shape,
    data: Float64Array.from(w.data as Float32Array, (v, i) => (i === 9 ? 1e300 : v)),
  });
  assert.throws(
    () => loadWeights(smallNet().parameters, big),
    /"stem\.0\.weight" has a non-finite value Infinity at index 9 \(position \[0,1,0,0\]\)/,
  );
});

/** NB201 at stem width 4 with one cell per stage: the scorer's checks on a network that builds in milliseconds. */
const tinyNb201: SearchSpace = {
  ...NB201_SPACE,
  build: (be, arch, o) => new Nb201Network(be, { arch, numClasses: o.numClasses, C: 4, N: 1 }),
};

test('an input batch with a NaN or ±Inf is an error naming x and the first bad index (safetensors and the library)', () => {
  const b = randomBatch();
  const tensors = batchToSafetensors(b);
  (tensors.get('x')!.data as Float32Array)[200] = -Infinity;
  assert.throws(
    () => batchFromSafetensors(tensors, 'in.safetensors'),
    (e: Error) =>
      e instanceof DataFormatError &&
      /^in\.safetensors: tensor "x" has a non-finite value -Infinity at index 200 \(position \[1,0,1,0\]\)/.test(e.message),
  );
  b.x[7] = NaN;
  assert.throws(
    () => scoreArchitecture(backend, ARCH, b, { proxies: ['gradsign'], numClasses: 3, seed: 1, space: tinyNb201 }),
    /tensor "x" has a non-finite value NaN at index 7/,
  );
});

test('CLI: --weights or --input with a NaN exits 1 naming the file, the tensor and the index', () => {
  const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  const full = new Nb201Network(backend, { arch: ARCH, numClasses: 10 });
  full.parameters.initialize(1);
  const tensors = weightsToTensors(full.parameters);
  (tensors.get('classifier.weight')!.data as Float32Array)[3] = NaN;
  const weights = join(tmp, 'nan.weights.safetensors');
  writeSafetensorsFile(weights, tensors);
  const r = run('score', '--arch', ARCH, '--weights', weights, '--batch', '4', '--backend', 'js');
  assert.is(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(`${weights}: tensor "classifier.weight" has a non-finite value NaN at index 3`), r.stderr);

  const input = join(tmp, 'nan.input.safetensors');
  const x = new Float32Array(4 * 3 * 32 * 32).fill(0.5);
  x[100] = NaN;
  writeSafetensorsFile(input, {
    x: { dtype: 'F32', shape: [4, 3, 32, 32], data: x },
    y: { dtype: 'I64', shape: [4], data: BigInt64Array.of(0n, 1n, 0n, 1n) },
  });
  const s = run('score', '--arch', ARCH, '--input', input, '--backend', 'js');
  assert.is(s.status, 1, s.stderr);
  assert.ok(s.stderr.includes(`${input}: tensor "x" has a non-finite value NaN at index 100 (position [0,0,3,4])`), s.stderr);
});

test.run();
