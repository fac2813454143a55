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
import { parseArgs, UsageError } from '../src/cli/args.js';
import { chooseImages } from '../src/cli/images.js';
import { parseProxyOptions, proxyOptionSpecs } from '../src/cli/proxy_flags.js';
import { SCORE_OPTIONS } from '../src/cli/score.js';
import { commandUsage } from '../src/cli/usage.js';
import { READINGS } from '../src/eval/readings.js';
import { defaultSharedDataDir } from '../src/node/files.js';
import { isChoiceOption, PROXY_OPTION_NAMES, PROXY_OPTIONS } from '../src/proxies/options.js';
import { CONSUMED, PROXIES } from '../src/proxies/registry.js';
import { fixturesDir, readJson } from './helpers.js';

const backend = new ReferenceBackend();
const c = readJson<{ cases: Record<string, { arch: string; C: number; N: number; num_classes: number }> }>(
  join(fixturesDir, 'expected.json'),
).cases.tiny!;
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

test('the help lists every proxy with its summary and what it consumes, and every proxy option score takes', () => {
  const help = commandUsage('score').replace(/\s+/g, ' ');
  for (const p of PROXY_NAMES) {
    const e = PROXIES[p];
    assert.ok(help.includes(`${p} ${e.summary} (from ${e.consumes.map((k) => CONSUMED[k]).join(' and ')})`), `${p} in the help`);
  }
  for (const name of PROXY_OPTION_NAMES) {
    const spec = PROXY_OPTIONS[name];
    assert.ok(Object.hasOwn(SCORE_OPTIONS, spec.flag), `score takes --${spec.flag}`);
    assert.ok(help.includes(`--${spec.flag} `) && help.includes(spec.help.replace(/\s+/g, ' ')), `--${spec.flag} in the help`);
  }
  assert.ok(
    commandUsage('eval')
      .replace(/\s+/g, ' ')
      .includes(READINGS.map((r) => r.key).join(', ')),
    'eval names its readings',
  );
});

const specs = { ...proxyOptionSpecs() };
test('every proxy option parses each of its spellings to its value; a bad one names the flag and the choices', () => {
  assert.equal(parseProxyOptions(parseArgs([], specs)), DEFAULT_PROXY_OPTIONS);
  for (const name of PROXY_OPTION_NAMES) {
    const spec = PROXY_OPTIONS[name];
    if (isChoiceOption(spec)) {
      for (const [spelling, value] of Object.entries(spec.choices)) {
        assert.equal(parseProxyOptions(parseArgs([`--${spec.flag}`, spelling], specs)), { ...DEFAULT_PROXY_OPTIONS, [name]: value });
      }
      assert.throws(
        () => parseProxyOptions(parseArgs([`--${spec.flag}`, 'nope'], specs)),
        (e: Error) =>
          e instanceof UsageError && e.message === `--${spec.flag} must be one of ${Object.keys(spec.choices).join('|')}, got "nope"`,
      );
    } else {
      assert.equal(parseProxyOptions(parseArgs([`--${spec.flag}`, String(spec.min + 3)], specs))[name], spec.min + 3);
      assert.throws(
        () => parseProxyOptions(parseArgs([`--${spec.flag}`, String(spec.min - 1)], specs)),
        new RegExp(`--${spec.flag} must be an integer ≥ ${spec.min}`),
      );
    }
  }
  // a command that reads only some options leaves the rest at their defaults
  const only = parseProxyOptions(parseArgs(['--ntk-batch', '8', '--gradalign-norm', 'cosine'], specs), ['ntkBatch']);
  assert.equal(only, { ...DEFAULT_PROXY_OPTIONS, ntkBatch: 8 });
});

test('score and eval choose their images by one rule: --data DIR (train by default), else the bundled CIFAR-10 test sample, else ../shared for CIFAR-100', () => {
  const parse = (argv: string[]) => parseArgs(argv, { data: {}, split: {} });
  const bundled = chooseImages(parse([]), 'cifar10', 16);
  assert.is(bundled.split, 'test');
  assert.is(bundled.data.count, 512);
  assert.is(bundled.label, 'cifar10 test (bundled sample)');
  assert.throws(() => chooseImages(parse(['--split', 'train']), 'cifar10', 16), /the bundled CIFAR-10 sample has only test images/);
  assert.throws(() => chooseImages(parse([]), 'cifar10', 513), /--batch 513 exceeds the 512 images of the bundled CIFAR-10 test sample/);
  const shared = defaultSharedDataDir();
  if (shared !== undefined) {
    const given = chooseImages(parse(['--data', shared]), 'cifar10', 16);
    assert.is(given.split, 'train');
    assert.is(given.label, 'cifar10 train');
    assert.ok(given.data.count > 512);
    const c100 = chooseImages(parse([]), 'cifar100', 16);
    assert.is(c100.label, 'cifar100 train');
    assert.ok(c100.description.includes(shared));
  }
});

test.run();
