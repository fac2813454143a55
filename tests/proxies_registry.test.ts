/** The proxy table: names, `all`, options reaching the proxies, and the shared pass giving the same numbers as each proxy alone. */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { firstSamples } from '../src/data/batch.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { BatchPass } from '../src/proxies/batch_pass.js';
import { DEFAULT_PROXY_OPTIONS, PROXY_NAMES, parseProxyList, scoreNetwork } from '../src/proxies/registry.js';
import { ntkConditionNumber } from '../src/proxies/tenas.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, readJson } from './helpers.js';

const backend = new ReferenceBackend();
const c = readJson<{ cases: Record<string, { arch: string; C: number; N: number; num_classes: number }> }>(join(fixturesDir, 'expected.json')).cases.tiny!;
const batch = readBatchFile(join(fixturesDir, 'tiny.input.safetensors'));
function tiny(): Nb201Network {
  const net = new Nb201Network(backend, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
  loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, 'tiny.weights.safetensors')));
  return net;
}

test('proxy lists: `all` is every proxy; an unknown name is named in the error', () => {
  assert.equal(parseProxyList('all'), [...PROXY_NAMES]);
  assert.equal(parseProxyList('snip, naswot,snip'), ['snip', 'naswot']);
  assert.throws(() => parseProxyList('gradsign,synflw'), /unknown proxy "synflw"/);
});

test('every proxy in one run equals each proxy run alone (the shared batch pass changes nothing)', () => {
  const env = { seed: 3, f64: backend };
  const together = scoreNetwork(tiny(), batch, PROXY_NAMES, DEFAULT_PROXY_OPTIONS, {}, env).scores;
  for (const p of PROXY_NAMES) {
    const alone = scoreNetwork(tiny(), batch, [p], DEFAULT_PROXY_OPTIONS, {}, env).scores[p]!;
    assert.ok(Object.is(alone, together[p]) || alone === together[p], `${p}: ${alone} alone vs ${together[p]} together`);
  }
});

test('--ntk-batch: the NTK uses the first N samples', () => {
  const env = { seed: 3, f64: backend };
  const got = scoreNetwork(tiny(), batch, ['tenas_ntk'], { ...DEFAULT_PROXY_OPTIONS, ntkBatch: 4 }, {}, env).scores.tenas_ntk!;
  const net = tiny();
  const want = -ntkConditionNumber(new BatchPass(net, firstSamples(batch, 4), {}));
  assert.is(got, want);
  const full = scoreNetwork(tiny(), batch, ['tenas_ntk'], DEFAULT_PROXY_OPTIONS, {}, env).scores.tenas_ntk!;
  assert.is.not(got, full, 'fewer samples, another kernel');
});

test.run();
