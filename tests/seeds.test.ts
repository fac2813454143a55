/** Seeds are integers in [0, 2³²): a larger one is refused everywhere, never aliased to a smaller one. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { sampleCifarBatch, type CifarData } from '../src/data/cifar.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { Random } from '../src/util/random.js';
import { repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('the library refuses a seed outside [0, 2^32) with a RangeError', () => {
  for (const bad of [2 ** 32, 2 ** 32 + 1, -1, 1.5, NaN])
    assert.throws(
      () => new Random(bad),
      (e: Error) => e instanceof RangeError && /seed must be an integer in \[0, 2\^32\)/.test(e.message),
      String(bad),
    );
  assert.is.not(new Random(2 ** 32 - 1).nextUint32(), new Random(0).nextUint32());
  const net = new Nb201Network(new ReferenceBackend(), { arch: A, C: 2, N: 1, numClasses: 3 });
  assert.throws(
    () => net.parameters.initialize(2 ** 32),
    (e: unknown) => e instanceof RangeError,
  );
  const data: CifarData = { images: new Uint8Array(4 * 3072), labels: new Int32Array(4), count: 4, dataset: 'cifar10' };
  assert.throws(
    () => sampleCifarBatch(data, { batchSize: 2, seed: 2 ** 32 }),
    (e: unknown) => e instanceof RangeError,
  );
});

test('every seed option refuses 2^32 with exit 2; the largest seed scores', () => {
  const results = join(repoRoot, 'results', 'nb201-cifar10-b128.jsonl');
  const cases: string[][] = [
    ['score', '--arch', A, '--seed', '4294967296'],
    ['eval', '--seeds', '1,4294967296'],
    ['eval', '--sample-seed', '4294967296'],
    ['select', '--results', results, '--seed', '4294967296'],
    ['select', '--results', results, '--score-seed', '4294967296'],
    ['demo', '--seed', '4294967296'],
  ];
  for (const args of cases) {
    const r = run(...args);
    assert.is(r.status, 2, `${args.join(' ')}: exit ${r.status}, ${r.stderr}`);
    assert.ok(/--[a-z-]+ must be an integer in \[0, 4294967295\], got "(1,)?4294967296"/.test(r.stderr), `${args.join(' ')}: ${r.stderr}`);
  }
  // the derived seeds of zen and TE-NAS (seed XOR an offset) stay valid at the top of the range
  const r = run(
    'score',
    '--arch',
    A,
    '--seed',
    '4294967295',
    '--proxies',
    'params,zen,tenas_lr',
    '--backend',
    'js',
    '--batch',
    '2',
    '--batch-choice',
    'per-arch',
    '--quiet',
  );
  assert.is(r.status, 0, r.stderr);
});

test.run();
