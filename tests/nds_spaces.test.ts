/**
 * NDS's cell spaces (src/nets/darts/nds_spaces.ts): each space's ops, nodes and output rule as pycls's
 * genotypes.py and NDS's files have them; the canonical text and both accepted forms; the errors for an op the
 * space lacks, a wrong node count, a bad input and a concat against the rule; the seeded sampler.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape } from '../src/autodiff/index.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { DartsGenotypeError, dartsGenotypeText, DARTS_V2 } from '../src/nets/darts/genotype.js';
import type { DartsNetwork } from '../src/nets/darts/network.js';
import {
  NDS_CELL_SPACES,
  NDS_SPACE_NAMES,
  ndsCellSpace,
  ndsConcat,
  ndsSearchSpace,
  parseNdsArch,
  sampleNdsArch,
  type NdsArch,
} from '../src/nets/darts/nds_spaces.js';
import { Random } from '../src/util/random.js';
import { throwsWith } from './helpers.js';

// pycls/models/nas/genotypes.py AmoebaNet
const AMOEBANET =
  "Genotype(normal=[('avg_pool_3x3', 0), ('max_pool_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), " +
  "('avg_pool_3x3', 3), ('sep_conv_3x3', 1), ('skip_connect', 1), ('skip_connect', 0), ('avg_pool_3x3', 1)], normal_concat=[4, 5, 6], " +
  "reduce=[('avg_pool_3x3', 0), ('sep_conv_3x3', 1), ('max_pool_3x3', 0), ('sep_conv_7x7', 2), ('sep_conv_7x7', 0), " +
  "('avg_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('conv_7x1_1x7', 0), ('sep_conv_3x3', 5)], reduce_concat=[3, 4, 6])";

test('the spaces: names, files, op counts (NASNet 13, Amoeba 8, PNAS 8, ENAS 5, DARTS 8 with none), nodes, output rule', () => {
  assert.equal(NDS_SPACE_NAMES, ['nds-darts', 'nds-enas', 'nds-pnas', 'nds-nasnet', 'nds-amoeba', 'nds-darts-fix-w-d']);
  const summary = NDS_CELL_SPACES.map((s) => [s.name, s.file, s.ops.length, s.nodes, s.output]);
  assert.equal(summary, [
    ['nds-darts', 'DARTS.json', 8, 4, 'all'],
    ['nds-enas', 'ENAS.json', 5, 5, 'loose'],
    ['nds-pnas', 'PNAS.json', 8, 5, 'all'],
    ['nds-nasnet', 'NASNet.json', 13, 5, 'loose'],
    ['nds-amoeba', 'Amoeba.json', 8, 5, 'loose'],
    ['nds-darts-fix-w-d', 'DARTS_fix-w-d.json', 8, 4, 'all'],
  ]);
  assert.ok(ndsCellSpace('nds-darts').ops.includes('none'));
  assert.ok(ndsCellSpace('nds-nasnet').ops.includes('conv_3x1_1x3'));
  assert.ok(!ndsCellSpace('nds-enas').ops.includes('dil_conv_3x3'));
  assert.equal(ndsCellSpace('nds-darts-fix-w-d').widths.length * ndsCellSpace('nds-darts-fix-w-d').depths.length, 1);
  throwsWith(() => ndsCellSpace('nds-resnet'), 'unknown NDS space nds-resnet');
});

test("loose ends: the nodes no pair of the cell reads; pycls's AmoebaNet and NASNet follow the rule", () => {
  const a = parseNdsArch(ndsCellSpace('nds-amoeba'), AMOEBANET, { width: 16, depth: 8 });
  assert.equal(ndsConcat(a.genotype.normal.pairs, 'loose'), [4, 5, 6]);
  assert.equal(ndsConcat(a.genotype.reduce.pairs, 'loose'), [3, 4, 6]);
  assert.equal(ndsConcat(a.genotype.reduce.pairs, 'all'), [2, 3, 4, 5, 6]);
});

test('both forms give one canonical text: an NDS net record (extra keys ignored) and Genotype(...) at --width/--depth', () => {
  const space = ndsSearchSpace('nds-amoeba', { width: 16, depth: 8 });
  const fromText = space.canonical(AMOEBANET);
  assert.ok(fromText.startsWith('{"width":16,"depth":8,"genotype":{"normal":[["avg_pool_3x3",0],["max_pool_3x3",1],'), fromText);
  const net = { ...(JSON.parse(fromText) as object), aux: false, drop_prob: 0 };
  assert.is(space.canonical(JSON.stringify(net, null, 1)), fromText);
  assert.is(space.canonical(fromText), fromText);
  // the default width and depth of Genotype(...) text: 32, 20; fix-w-d's fixed pair
  assert.ok(ndsSearchSpace('nds-darts').canonical(dartsGenotypeText(DARTS_V2)).startsWith('{"width":32,"depth":20,'));
  // builds pycls's network at the record's width and depth
  const netOf = space.build(new ReferenceBackend(), fromText, { numClasses: 10 }) as DartsNetwork;
  assert.is(netOf.C, 16);
  assert.is(netOf.layers, 8);
  assert.is(netOf.ops, 'darts');
});

test("nds-darts builds pycls's network = DARTS's: DARTS-V2 at w = 36, d = 20 has DARTS's 3,349,342 parameters", () => {
  const space = ndsSearchSpace('nds-darts', { width: 36, depth: 20 });
  const net = space.build(new ReferenceBackend(), space.canonical(dartsGenotypeText(DARTS_V2)), { numClasses: 10 });
  assert.is(net.parameters.parameterCount(), 3349342);
});

test('errors: an op of another space, a wrong node count, a bad input, a concat against the rule, bad width, JSON', () => {
  const amoeba = ndsCellSpace('nds-amoeba');
  const darts = ndsSearchSpace('nds-darts');
  throwsWith(
    () => darts.canonical(AMOEBANET),
    DartsGenotypeError,
    'unknown op "sep_conv_7x7" in pair 3 of the reduce cell (known: none, max_pool_3x3',
  );
  throwsWith(
    () => parseNdsArch(amoeba, dartsGenotypeText(DARTS_V2).replace('dil_conv_3x3', 'sep_conv_3x3'), { width: 16, depth: 8 }),
    DartsGenotypeError,
    'the normal cell has 4 nodes (8 pairs); NDS Amoeba cells have 5 (10 pairs)',
  );
  throwsWith(
    () => parseNdsArch(amoeba, AMOEBANET.replace("('sep_conv_5x5', 2)", "('sep_conv_5x5', 3)"), { width: 16, depth: 8 }),
    'input 3 of pair 3 (sep_conv_5x5) of the normal cell is out of range: node 1 (state 3) reads states 0..2',
  );
  throwsWith(
    () => parseNdsArch(amoeba, AMOEBANET.replace('normal_concat=[4, 5, 6]', 'normal_concat=[2, 3, 4, 5, 6]'), { width: 16, depth: 8 }),
    'normal_concat is [2, 3, 4, 5, 6], but NDS Amoeba cells concatenate their loose ends (the nodes no pair reads): [4, 5, 6]',
  );
  const v2 = darts.canonical(dartsGenotypeText(DARTS_V2));
  throwsWith(
    () => darts.canonical(v2.replace('"normal_concat":[2,3,4,5]', '"normal_concat":[5]')),
    'cells concatenate all their nodes: [2, 3, 4, 5]',
  );
  throwsWith(() => darts.canonical(v2.replace('"width":32', '"width":0')), 'width must be a positive integer, got 0');
  throwsWith(() => darts.canonical(v2.replace('"depth":20', '"depth":"20"')), 'depth must be a positive integer, got "20"');
  throwsWith(() => darts.canonical('{"width": 8'), 'malformed JSON');
  throwsWith(() => darts.canonical('{"width": 8, "depth": 4}'), 'net has no genotype object');
});

test('the sampler: seeded, every draw a valid model of its space (ops, inputs, concat by the rule, width and depth drawn)', () => {
  for (const s of NDS_CELL_SPACES) {
    const space = ndsSearchSpace(s.name);
    const draw = (seed: number, n: number) => {
      const r = new Random(seed);
      return Array.from({ length: n }, () => space.sample!(r));
    };
    const a = draw(7, 40);
    assert.equal(draw(7, 40), a, `${s.name}: the same seed, the same models`);
    assert.not.equal(draw(8, 40), a);
    const used = new Set<string>();
    const shapes = new Set<string>();
    for (const text of a) {
      assert.is(space.canonical(text), text, 'canonical');
      const m = JSON.parse(text) as { width: number; depth: number; genotype: { normal: [string, number][] } };
      shapes.add(`${m.width}x${m.depth}`);
      for (const [op] of m.genotype.normal) used.add(op);
    }
    // 40 × 8–10 draws of 5–13 ops: every op appears; each of the space's width × depth pairs can
    assert.is(used.size, s.ops.length, `${s.name}: every op drawn`);
    assert.ok(shapes.size > (s.widths.length * s.depths.length > 1 ? 4 : 0), `${s.name}: widths and depths drawn ${[...shapes]}`);
  }
  // the inputs of node k range over 0..k + 1, both pairs of a node may read the same state
  const r = new Random(3);
  const space = ndsCellSpace('nds-nasnet');
  let same = 0;
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const m: NdsArch = sampleNdsArch(space, r);
    m.genotype.normal.pairs.forEach((p, j) => seen.add(`${Math.floor(j / 2)}:${p.input}`));
    for (let k = 0; k < 5; k++) if (m.genotype.normal.pairs[2 * k]!.input === m.genotype.normal.pairs[2 * k + 1]!.input) same++;
  }
  assert.is(seen.size, 2 + 3 + 4 + 5 + 6);
  assert.ok(same > 100, `a node's two inputs coincide sometimes: ${same} of 1000`);
});

test('a sampled NASNet model with the non-square convs builds and runs (f64, reference)', () => {
  const space = ndsSearchSpace('nds-nasnet');
  const r = new Random(11);
  let text = '';
  do text = space.sample!(r);
  while (!(text.includes('conv_7x1_1x7') && text.includes('conv_3x1_1x3')));
  const small = text.replace(/"width":\d+,"depth":\d+/, '"width":4,"depth":3');
  const be = new ReferenceBackend();
  const net = space.build(be, space.canonical(small), { numClasses: 10, dtype: 'f64' });
  net.parameters.initialize(1);
  const x = be.fromHost(
    Float64Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i)),
    [2, 3, 8, 8],
  );
  const y = be.toHost(net.forward({ tape: new Tape(be), bnMode: 'batch' }, x));
  assert.is(y.length, 20);
  assert.ok(y.every((v) => Number.isFinite(v)));
});

test.run();
