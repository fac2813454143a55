import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseNb201Table, nb201Lookup, isCanonicalNb201Arch, NB201_TABLE_HEADER } from '../src/data/nb201_table.js';
import { bundledNb201TablePath, defaultSharedDataDir, loadNb201Table } from '../src/node/files.js';
import { skipSuite, throwsWith } from './helpers.js';

const ARCH0 = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
const shared = defaultSharedDataDir();
if (shared === undefined) skipSuite('NB201 table vs the source CSVs', '../shared/data is absent');

test('bundled table: 15625 rows, anchors, known values', () => {
  const t = loadNb201Table();
  assert.is(t.rows.length, 15625);
  assert.is(t.byArch.size, 15625);
  assert.ok(t.rows.every((r, i) => r.index === i && isCanonicalNb201Arch(r.arch)));
  const r0 = t.rows[0]!;
  assert.is(r0.arch, ARCH0);
  assert.equal(r0.test, { cifar10: 85.863, cifar100: 52.913, 'imagenet16-120': 26.633 });
  assert.equal(r0.val, { cifar10: 81.9, cifar100: 53.68, 'imagenet16-120': 25.767 });
  assert.is(t.rows[9]!.arch, '|avg_pool_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_3x3~2|');
  assert.is(t.rows[123]!.arch, '|avg_pool_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|');
  assert.is(t.byArch.get(ARCH0), r0);
  assert.is(nb201Lookup(t, 123), t.rows[123]);
  assert.is(nb201Lookup(t, ARCH0), r0);
  const max = (f: (r: (typeof t.rows)[number]) => number) => Math.max(...t.rows.map(f));
  assert.is(
    max((r) => r.test.cifar10),
    94.373,
  );
  assert.is(
    max((r) => r.test.cifar100),
    73.513,
  );
  assert.is(
    max((r) => r.test['imagenet16-120']),
    47.311,
  );
  assert.is(
    max((r) => r.val.cifar10),
    91.57,
  );
  const mean = t.rows.reduce((s, r) => s + r.test.cifar10, 0) / t.rows.length;
  assert.ok(Math.abs(mean - 87.06) < 0.005, `mean ${mean}`);
  assert.is(loadNb201Table(), t); // cached
  assert.ok(statSync(bundledNb201TablePath()).size < 2.5 * 1024 * 1024);
});

test('lookup errors', () => {
  const t = loadNb201Table();
  throwsWith(() => nb201Lookup(t, 15625), 'index 15625 is out of range [0, 15624]');
  throwsWith(() => nb201Lookup(t, '|conv~0|'), 'not a canonical NB201 arch string');
  assert.ok(isCanonicalNb201Arch(ARCH0));
  assert.not.ok(isCanonicalNb201Arch(ARCH0.replace('~2|', '~1|')));
  assert.not.ok(isCanonicalNb201Arch(ARCH0.replace('avg_pool_3x3', 'max_pool_3x3')));
});

test('parser errors name the line', () => {
  const header = NB201_TABLE_HEADER.join('\t');
  const row0 = ['0', ARCH0, '85.863', '52.913', '26.633', '81.9', '53.68', '25.767'];
  const ok = parseNb201Table(`${header}\r\n${row0.join('\t')}\r\n\r\n`);
  assert.is(ok.rows.length, 1);
  assert.is(ok.rows[0]!.test.cifar10, 85.863);
  throwsWith(() => parseNb201Table('', 'x.tsv'), 'x.tsv:', 'empty');
  throwsWith(() => parseNb201Table(`index\tarch\n`, 'x.tsv'), 'x.tsv: line 1: unexpected header');
  throwsWith(
    () => parseNb201Table(`${header}\n${row0.slice(0, 7).join('\t')}\n`, 'x.tsv'),
    'x.tsv: line 2: expected 8 tab-separated fields, got 7',
  );
  throwsWith(() => parseNb201Table(`${header}\n${['1', ...row0.slice(1)].join('\t')}\n`), 'line 2: index 1 out of sequence, expected 0');
  throwsWith(() => parseNb201Table(`${header}\n${['x', ...row0.slice(1)].join('\t')}\n`), 'line 2: index "x" is not an integer');
  throwsWith(
    () => parseNb201Table(`${header}\n${row0.join('\t')}\n${['1', ...row0.slice(1)].join('\t')}\n`),
    'line 3: arch',
    'already appeared as index 0',
  );
  throwsWith(
    () => parseNb201Table(`${header}\n${['0', '|conv~0|', ...row0.slice(2)].join('\t')}\n`),
    'line 2: arch string "|conv~0|" is not in canonical',
  );
  const badAcc = row0.slice();
  badAcc[6] = 'abc';
  throwsWith(() => parseNb201Table(`${header}\n${badAcc.join('\t')}\n`), 'line 2: val_cifar100 "abc" is not an accuracy');
  const bigAcc = row0.slice();
  bigAcc[2] = '100.5';
  throwsWith(() => parseNb201Table(`${header}\n${bigAcc.join('\t')}\n`), 'line 2: test_cifar10 "100.5"');
  throwsWith(() => parseNb201Table(`${header}\n\n${row0.join('\t')}\n`), 'line 2: expected 8 tab-separated fields, got 1');
});

if (shared !== undefined) {
  test('bundled table agrees with both source CSVs (arch strings exact, accuracies to 3 decimals)', () => {
    const t = loadNb201Table();
    const testLines = readFileSync(join(shared, 'nb201', 'nb201_tss_test_acc_200ep.csv'), 'utf8')
      .trim()
      .split('\n');
    const valLines = readFileSync(join(shared, 'nb201', 'nb201_valacc_zen_suitezero.csv'), 'utf8')
      .trim()
      .split('\n');
    assert.is(testLines.length - 1, 15625);
    assert.is(valLines.length - 1, 15625);
    const round3 = (s: string) => Number(Number(s).toFixed(3));
    const first = testLines[1]!.split(',');
    assert.is(t.rows[0]!.test.cifar10, round3(first[0]!)); // 85.86333333333334 -> 85.863
    assert.ok(Math.abs(t.rows[0]!.test.cifar10 - Number(first[0])) < 5e-4);
    let maxErr = 0;
    for (let i = 0; i < 15625; i++) {
      const a = testLines[i + 1]!.split(',');
      const v = valLines[i + 1]!.split(',');
      const r = t.rows[i]!;
      if (r.arch !== a[3] || r.arch !== v[1] || Number(v[0]) !== i) assert.unreachable(`row ${i} arch/index mismatch`);
      const pairs: [number, string][] = [
        [r.test.cifar10, a[0]!],
        [r.test.cifar100, a[1]!],
        [r.test['imagenet16-120'], a[2]!],
        [r.val.cifar10, v[3]!],
        [r.val.cifar100, v[5]!],
        [r.val['imagenet16-120'], v[7]!],
      ];
      for (const [got, src] of pairs) {
        if (got !== round3(src)) assert.unreachable(`row ${i}: ${got} vs source ${src}`);
        maxErr = Math.max(maxErr, Math.abs(got - Number(src)));
      }
    }
    assert.ok(maxErr <= 5e-4 + 1e-9, `max rounding error ${maxErr}`);
  });
}

test.run();
