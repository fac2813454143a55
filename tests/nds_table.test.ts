/**
 * NDS's JSON record files (src/data/nds_table.ts) and the benchmark eval builds on them (src/eval/nds_benchmark.ts),
 * on two small files in the published record format (fixtures/pytorch/make_nds_tables.py: a plain list as
 * Amoeba.json, {top, mid} as DARTS.json; real genotypes, the PyTorch port's parameter counts, synthetic training
 * curves), and on malformed text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseNdsTable } from '../src/data/nds_table.js';
import { ndsBenchmark } from '../src/eval/nds_benchmark.js';
import { DataFormatError } from '../src/io/errors.js';
import { dartsParameterCount } from '../src/nets/darts/counts.js';
import { DARTS_V2 } from '../src/nets/darts/genotype.js';
import { checkNdsArch, ndsArchText, ndsSearchSpace } from '../src/nets/darts/nds_spaces.js';
import { readNdsTable } from '../src/node/files.js';
import { fixturesDir, throwsWith } from './helpers.js';

const amoebaFile = join(fixturesDir, 'nds_amoeba_small.json');
const dartsFile = join(fixturesDir, 'nds_darts_small.json');
const raw = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as unknown;

test('a plain list (Amoeba.json): every record, its net, final and best test accuracy, params and flops', () => {
  const t = readNdsTable(amoebaFile);
  assert.is(t.split, false);
  assert.is(t.records.length, 3);
  const r = t.records[0]!;
  assert.is(r.index, 0);
  assert.is(r.part, 'list');
  assert.is(r.arch.width, 32);
  assert.is(r.arch.depth, 12);
  // the Amoeba model of NNI's NDS tutorial: its cell_spec as a genotype
  assert.equal(r.arch.genotype.normal.pairs[1], { op: 'conv_7x1_1x7', input: 1 });
  assert.equal(r.arch.genotype.normal.concat, [3, 5, 6]);
  assert.equal(r.arch.genotype.reduce.concat, [3, 6]);
  assert.equal(r.testTop1Error, [73.25, 56.5, 39.75, 23, 6.25]);
  assert.is(r.finalTestAccuracy, 93.75);
  assert.is(r.bestTestAccuracy, 93.75);
  assert.equal(
    t.records.map((x) => x.finalTestAccuracy),
    [93.75, 91.5, 88.25],
  );
  assert.equal(
    t.records.map((x) => [x.arch.width, x.arch.depth]),
    [
      [32, 12],
      [16, 8],
      [24, 4],
    ],
  );
  assert.equal(
    t.records.map((x) => x.params),
    [4190314, 326330, 738898],
  );
});

test("each record's params (the PyTorch port's count of pycls's network) = ours", () => {
  for (const f of [amoebaFile, dartsFile]) {
    for (const r of readNdsTable(f).records) {
      const shape = { C: r.arch.width, layers: r.arch.depth, numClasses: 10, ops: 'darts' as const };
      assert.is(dartsParameterCount(r.arch.genotype, shape), r.params, `${f} record ${r.index}`);
    }
  }
  assert.is(readNdsTable(amoebaFile).records[0]!.params, 4190314);
});

test('{top, mid} (DARTS.json): top then mid, as NASWOT and NNI read it', () => {
  const t = readNdsTable(dartsFile);
  assert.is(t.split, true);
  assert.equal(
    t.records.map((r) => [r.index, r.part, r.finalTestAccuracy]),
    [
      [0, 'top', 95.5],
      [1, 'mid', 88],
      [2, 'mid', 93],
    ],
  );
  assert.equal(t.records[0]!.arch.genotype, DARTS_V2);
  assert.is(t.records[1]!.arch.genotype.normal.pairs[0]!.op, 'none');
});

test('the benchmark: archs are canonical texts at each record’s width and depth; indexOf finds them; accuracy', () => {
  const space = ndsSearchSpace('nds-amoeba');
  const t = readNdsTable(amoebaFile);
  const b = ndsBenchmark(t, space, amoebaFile);
  assert.is(b.size, 3);
  const a0 = b.archOf(0);
  assert.is(a0, ndsArchText(checkNdsArch(space.nds, t.records[0]!.arch)));
  assert.ok(a0.startsWith('{"width":32,"depth":12,"genotype":{"normal":[["avg_pool_3x3",0],["conv_7x1_1x7",1],'), a0);
  assert.is(b.indexOf(a0), 0);
  // the record's own net JSON (extra keys, other spacing) finds it too
  const net = (raw(amoebaFile) as { net: unknown }[])[2]!.net;
  assert.is(b.indexOf(JSON.stringify(net, null, 2)), 2);
  assert.is(b.indexOf('not an arch'), undefined);
  assert.equal(b.datasets, ['cifar10']);
  const [target] = b.targets('cifar10');
  assert.equal(
    [0, 1, 2].map((i) => target!.accuracy(i)),
    [93.75, 91.5, 88.25],
  );
  assert.match(b.accuracyNote, /100 − test_ep_top1\[−1\]/);
  // a DARTS file is not an Amoeba table: the record and the reason are named
  throwsWith(
    () => ndsBenchmark(readNdsTable(dartsFile), space, dartsFile),
    DataFormatError,
    'record 0: not a model of NDS Amoeba: unknown op "dil_conv_3x3" in pair 7 of the normal cell',
  );
  // a duplicate model: the first record is the one its text finds
  const rec = (raw(amoebaFile) as unknown[])[1];
  const twice = ndsBenchmark(parseNdsTable(JSON.stringify([rec, rec])), space);
  assert.is(twice.size, 2);
  assert.is(twice.indexOf(twice.archOf(1)), 0);
});

test('malformed files: errors name the record and the field', () => {
  const rec = (raw(amoebaFile) as Record<string, unknown>[])[0]!;
  const bad = (patch: Record<string, unknown>, drop?: string) => {
    const r: Record<string, unknown> = { ...rec, ...patch };
    if (drop) delete r[drop];
    return JSON.stringify([rec, r]);
  };
  throwsWith(() => parseNdsTable('[{"net"', 'F.json'), DataFormatError, 'F.json: not JSON');
  throwsWith(() => parseNdsTable('{"top": []}'), DataFormatError, 'a list of NDS records or {"top"');
  throwsWith(() => parseNdsTable('{"top": [], "mid": [], "x": 1}'), DataFormatError, 'unexpected top-level key "x"');
  throwsWith(() => parseNdsTable('[]'), DataFormatError, 'no records');
  throwsWith(() => parseNdsTable(bad({}, 'net')), DataFormatError, 'record 1: no "net" field');
  throwsWith(
    () => parseNdsTable(bad({ net: { ds: [1], ws: [16] } })),
    DataFormatError,
    'record 1: net has no genotype: not a cell-space record',
  );
  throwsWith(() => parseNdsTable(bad({ test_ep_top1: [] })), DataFormatError, 'record 1: test_ep_top1 is [], not a non-empty list');
  throwsWith(() => parseNdsTable(bad({ test_ep_top1: [50, 101] })), DataFormatError, 'record 1: test_ep_top1');
  throwsWith(() => parseNdsTable(bad({ min_test_top1: 'x' })), DataFormatError, 'record 1: min_test_top1 "x" is not a percentage');
  throwsWith(() => parseNdsTable(bad({ params: -1 })), DataFormatError, 'record 1: params -1 is not a positive number');
  const net = rec.net as { genotype: Record<string, unknown> };
  throwsWith(
    () => parseNdsTable(bad({ net: { ...net, genotype: { ...net.genotype, normal: [['sep_conv_3x3']] } } })),
    DataFormatError,
    'record 1: pair 0 of genotype.normal is ["sep_conv_3x3"], not an [op, input] pair',
  );
  const split = JSON.stringify({ top: [rec], mid: [{ ...rec, test_ep_top1: 'x' }] });
  throwsWith(() => parseNdsTable(split), DataFormatError, 'record 1 (mid): test_ep_top1');
});

test.run();
