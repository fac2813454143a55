/**
 * params and flops of every NB201 architecture against NAS-Bench-Suite-Zero's table (../shared/data/nb201,
 * 9,445 architectures each for CIFAR-10 and ImageNet16-120): exact, to the last printed digit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { parseArch } from '../src/nets/nb201/arch.js';
import { nb201Flops } from '../src/nets/nb201/flops.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { defaultSharedDataDir } from '../src/node/files.js';
import { Random } from '../src/util/random.js';
import { naslibTupleToArch, parseSuiteZeroCsv } from '../src/data/suite_zero.js';
import { skipSuite } from './helpers.js';

const shared = defaultSharedDataDir();
if (shared === undefined) skipSuite('counts vs the NB201 source', '../shared/data is absent');

/** Rows of a CSV whose quoted fields may hold commas. */
function csvRows(text: string): Record<string, string>[] {
  const lines = text
    .trim()
    .split('\n')
    .map((l) => [...l.matchAll(/("([^"]*)"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[2] ?? m[1]!));
  const header = lines[0]!;
  return lines.slice(1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]!])));
}

if (shared !== undefined) {
  const tables = [
    { file: 'nb201_zc_proxies_cifar10_suitezero.csv', classes: 10, H: 32 },
    { file: 'nb201_zc_proxies_imagenet16-120_suitezero.csv', classes: 120, H: 16 },
  ];
  for (const t of tables) {
    const rows = csvRows(readFileSync(join(shared, 'nb201', t.file), 'utf8'));
    test(`flops of all ${rows.length} architectures equal the table (${t.file})`, () => {
      assert.is(rows.length, 9445);
      for (const r of rows) {
        const arch = r.net_str || naslibTupleToArch(r.net!);
        const got = nb201Flops(parseArch(arch), { C: 16, N: 5, numClasses: t.classes, H: t.H, W: t.H });
        assert.ok(Math.abs(got - Number(r.flops)) < 5e-7, `${arch}: ${got} vs ${r.flops}`);
      }
    });
    test(`params of 40 sampled architectures equal the table (${t.file})`, () => {
      const backend = new ReferenceBackend();
      for (const i of new Random(t.classes).sample(rows.length, 40)) {
        const arch = rows[i]!.net_str || naslibTupleToArch(rows[i]!.net!);
        const net = new Nb201Network(backend, { arch, numClasses: t.classes });
        assert.is(net.parameters.parameterCount() / 1e6, Number(rows[i]!.params), arch);
      }
    });
  }
}

if (shared !== undefined) {
  test('the Suite-Zero table parses to 9,445 architectures under our proxy names', () => {
    const t = parseSuiteZeroCsv(readFileSync(join(shared, 'nb201', 'nb201_zc_proxies_cifar10_suitezero.csv'), 'utf8'));
    assert.is(t.size, 9445);
    const r = t.get('|avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|nor_conv_1x1~2|')!;
    assert.equal([r.flops, r.params, r.jacob_cov, r.naswot], [19.248832, 0.129306, -88.28987084337544, 754.6843327648469]);
  });
}

test('the network reports the same flops as the formula, for its input size', () => {
  const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
  const net = new Nb201Network(new ReferenceBackend(), { arch, numClasses: 10 });
  // the GradSign fixtures' readme case: NASLib's counter on PyTorch gives 116.692672 (fixtures/pytorch/baselines.json)
  assert.is(Number(net.flops([3, 32, 32]).toFixed(6)), 116.692672);
});

test.run();
