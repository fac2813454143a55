/**
 * The DARTS network's structure without building it: the cell plan, the layer list against the PyTorch port's
 * parameter and buffer names and shapes (fixtures/pytorch/darts_expected.json), parameter counts and
 * tensorwatch-convention FLOPs against NAS-Bench-Suite-Zero's NB301 file (all 725 genotypes), and the
 * published DARTS-V2 numbers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import {
  DARTS_V2,
  parseCompactGenotype,
  parseDartsGenotype,
  parseDartsGenotypeText,
  type DartsGenotype,
} from '../src/nets/darts/genotype.js';
import { NB301_SHAPE, dartsCellPlans, dartsReductionCells } from '../src/nets/darts/plan.js';
import { convOutputSize, dartsLayers } from '../src/nets/darts/layers.js';
import { dartsBufferShapes, dartsConvLinearMacs, dartsFlops, dartsParameterCount, dartsParameterShapes } from '../src/nets/darts/counts.js';
import { loadNb301Table } from '../src/node/files.js';
import { fixturesDir, readJson, skipSuite, throwsWith } from './helpers.js';

interface FixtureCase {
  name: string;
  genotype: string;
  compact: string | null;
  C: number;
  layers: number;
  num_classes: number;
  ops: 'naslib' | 'darts';
  num_params: number;
  flops: number;
  conv_linear_macs: number;
  parameters: [string, number[]][];
  buffers: [string, number[]][];
  file_params?: number;
  file_flops?: number;
}
const fixture = readJson<{ cases: FixtureCase[]; darts_v2: { num_params: number; conv_linear_macs: number } }>(
  join(fixturesDir, 'darts_expected.json'),
);

/** A genotype whose every pair is `op`, reading inputs 0, 1, 0, 1, ... (valid for any op). */
function uniform(op: string): DartsGenotype {
  const pairs = `[${Array.from({ length: 8 }, (_, j) => `('${op}', ${j % 2})`).join(', ')}]`;
  return parseDartsGenotypeText(`Genotype(normal=${pairs}, normal_concat=[2, 3, 4, 5], reduce=${pairs}, reduce_concat=[2, 3, 4, 5])`);
}

// ---- the plan ----

test("NB301's plan: 8 cells N N R N N R N N, widths 32/64/128, FactorizedReduce after each reduction", () => {
  assert.equal(dartsReductionCells(8), [2, 5]);
  assert.equal(dartsReductionCells(20), [6, 13]);
  const plans = dartsCellPlans(DARTS_V2, NB301_SHAPE);
  assert.equal(
    plans.map((p) => [p.reduction ? 'R' : 'N', p.reductionPrev, p.cPrevPrev, p.cPrev, p.c, p.cOut]),
    [
      ['N', false, 96, 96, 32, 128],
      ['N', false, 96, 128, 32, 128],
      ['R', false, 128, 128, 64, 256],
      ['N', true, 128, 256, 64, 256],
      ['N', false, 256, 256, 64, 256],
      ['R', false, 256, 256, 128, 512],
      ['N', true, 256, 512, 128, 512],
      ['N', false, 512, 512, 128, 512],
    ],
  );
  // stride 2 exactly for the reduction cell's ops on its inputs (DARTS-V2 reduce inputs 0 1 2 1 0 2 2 1)
  assert.equal(plans[2]!.strides, [2, 2, 1, 2, 2, 1, 1, 2]);
  assert.equal(plans[3]!.strides, [1, 1, 1, 1, 1, 1, 1, 1]);
});

test('the layer list at NB301 with DARTS-V2: resolutions 32 → 16 → 8, the preprocessing and op layers as the port names them', () => {
  const layers = dartsLayers(DARTS_V2, NB301_SHAPE);
  const byName = new Map(layers.map((l) => [l.name, l]));
  assert.equal(byName.get('stem.0'), {
    kind: 'conv',
    name: 'stem.0',
    c: 3,
    h: 32,
    w: 32,
    cOut: 96,
    k: 3,
    stride: 1,
    padding: 1,
    dilation: 1,
    groups: 1,
    shifted: false,
    hOut: 32,
    wOut: 32,
  });
  // cell 3 follows the reduction: s0 (cell 1's 128 × 32 × 32) through FactorizedReduce to 64 × 16 × 16
  assert.equal(byName.get('cells.3.preprocess0.conv_1'), {
    kind: 'conv',
    name: 'cells.3.preprocess0.conv_1',
    c: 128,
    h: 32,
    w: 32,
    cOut: 32,
    k: 1,
    stride: 2,
    padding: 0,
    dilation: 1,
    groups: 1,
    shifted: false,
    hOut: 16,
    wOut: 16,
  });
  assert.equal(byName.get('cells.3.preprocess0.conv_2'), {
    kind: 'conv',
    name: 'cells.3.preprocess0.conv_2',
    c: 128,
    h: 31,
    w: 31,
    cOut: 32,
    k: 1,
    stride: 2,
    padding: 0,
    dilation: 1,
    groups: 1,
    shifted: true,
    hOut: 16,
    wOut: 16,
  });
  assert.equal(byName.get('cells.3.preprocess0.bn'), {
    kind: 'batchNorm',
    name: 'cells.3.preprocess0.bn',
    affine: true,
    c: 64,
    h: 16,
    w: 16,
  });
  // the first op of cell 0: sep_conv_3x3's depthwise conv, then its BN without γ/β (NASLib's ops)
  assert.equal(byName.get('cells.0._ops.0.op.1'), {
    kind: 'conv',
    name: 'cells.0._ops.0.op.1',
    c: 32,
    h: 32,
    w: 32,
    cOut: 32,
    k: 3,
    stride: 1,
    padding: 1,
    dilation: 1,
    groups: 32,
    shifted: false,
    hOut: 32,
    wOut: 32,
  });
  assert.equal(byName.get('cells.0._ops.0.op.3'), { kind: 'batchNorm', name: 'cells.0._ops.0.op.3', affine: false, c: 32, h: 32, w: 32 });
  // dil_conv_3x3 (pair 7 of the normal cell): dilation 2, padding 2
  assert.equal(byName.get('cells.0._ops.7.op.1'), {
    kind: 'conv',
    name: 'cells.0._ops.7.op.1',
    c: 32,
    h: 32,
    w: 32,
    cOut: 32,
    k: 3,
    stride: 1,
    padding: 2,
    dilation: 2,
    groups: 32,
    shifted: false,
    hOut: 32,
    wOut: 32,
  });
  // the reduction cell's strided max-pool with its BN(affine=False), and an unstrided one on a node
  assert.equal(byName.get('cells.2._ops.0.0'), {
    kind: 'maxPool',
    name: 'cells.2._ops.0.0',
    c: 64,
    h: 32,
    w: 32,
    k: 3,
    stride: 2,
    padding: 1,
    hOut: 16,
    wOut: 16,
  });
  assert.equal(byName.get('cells.2._ops.0.1'), { kind: 'batchNorm', name: 'cells.2._ops.0.1', affine: false, c: 64, h: 16, w: 16 });
  assert.not.ok(byName.has('cells.2._ops.2.0'), 'skip_connect on node 2 at stride 1 is an identity: no layer');
  assert.equal(layers.slice(-2), [
    { kind: 'globalAvgPool', name: 'global_pooling', c: 512, h: 8, w: 8 },
    { kind: 'linear', name: 'classifier', inFeatures: 512, outFeatures: 10 },
  ]);
  assert.is(convOutputSize(32, 5, 2, 4, 2), 16);
  assert.is(convOutputSize(31, 1, 2, 0), 16);
});

// ---- against the PyTorch port ----

for (const c of fixture.cases) {
  test(`PyTorch port, ${c.name}: parameter and buffer names and shapes in registration order, params, flops, MACs`, () => {
    const g = c.compact !== null ? parseCompactGenotype(c.compact) : parseDartsGenotype(c.genotype);
    assert.equal(g, parseDartsGenotype(c.genotype), 'both forms of the fixture genotype');
    const shape = { C: c.C, layers: c.layers, numClasses: c.num_classes, ops: c.ops };
    assert.equal(
      dartsParameterShapes(g, shape).map((p) => [p.name, p.shape]),
      c.parameters,
    );
    assert.equal(
      dartsBufferShapes(g, shape).map((p) => [p.name, p.shape]),
      c.buffers,
    );
    assert.is(dartsParameterCount(g, shape), c.num_params);
    assert.is(dartsFlops(g, { ...shape, H: 32, W: 32 }), c.flops);
    assert.is(dartsConvLinearMacs(g, shape), c.conv_linear_macs);
    if (c.file_params !== undefined) assert.is(dartsParameterCount(g, shape) / 1e6, c.file_params, 'the NB301 file');
    if (c.file_flops !== undefined) assert.is(dartsFlops(g, shape), c.file_flops, 'the NB301 file');
  });
}

// ---- counts by hand ----

test('counts by hand: max-pools only, C = 2, one (reduction) cell, 3 classes, 4×4 input, both op variants', () => {
  const g = uniform('max_pool_3x3');
  const shape = { C: 2, layers: 1, numClasses: 3, H: 4, W: 4 };
  // stem conv 3→6 (162) + BN (12); preprocess0/1 ReLUConvBN 6→4 (24 + 8 each); pools none; classifier 16·3 + 3
  const params = 162 + 12 + 2 * (24 + 8) + 51;
  assert.is(dartsParameterCount(g, { ...shape, ops: 'darts' }), params);
  assert.is(dartsParameterCount(g, { ...shape, ops: 'naslib' }), params, "the pools' BN(affine=False) has no parameters");
  // stem conv 9·3·6·16 + BN 2·6·16; each preprocessing ReLU 6·16 + conv 6·4·16 + BN 2·4·16; 8 strided pools
  // 4·2·2·9; global pool 16·3·3; linear 16·3. NASLib adds a BN(affine=False) of 4·2·2 after each pool.
  const darts = 2592 + 192 + 2 * (96 + 384 + 128) + 8 * 144 + 144 + 48;
  assert.is(dartsFlops(g, { ...shape, ops: 'darts' }), darts / 1e6);
  assert.is(dartsFlops(g, { ...shape, ops: 'naslib' }), (darts + 8 * 16) / 1e6);
  assert.is(dartsConvLinearMacs(g, { ...shape, ops: 'naslib' }), (2592 + 2 * 384 + 48) / 1e6);
});

test("op variants differ only in the cells' BN: γ and β of every BN inside a cell (DARTS-V2 at NB301's shape)", () => {
  const darts = { ...NB301_SHAPE, ops: 'darts' as const };
  const inCell = dartsLayers(DARTS_V2, darts).filter((l) => l.kind === 'batchNorm' && /\._ops\./.test(l.name));
  const bnChannels = inCell.reduce((n, l) => n + (l.kind === 'batchNorm' ? l.c : 0), 0);
  assert.is(dartsParameterCount(DARTS_V2, darts) - dartsParameterCount(DARTS_V2, NB301_SHAPE), 2 * bnChannels);
  assert.ok(bnChannels > 0);
});

test('published DARTS-V2 at C = 36, 20 cells, DARTS ops, no auxiliary head: 3,349,342 parameters, 528.36 M conv + linear MACs', () => {
  const shape = { C: 36, layers: 20, numClasses: 10, ops: 'darts' as const };
  assert.is(dartsParameterCount(DARTS_V2, shape), 3_349_342);
  assert.is(fixture.darts_v2.num_params, 3_349_342, 'the PyTorch port');
  const macs = dartsConvLinearMacs(DARTS_V2, shape);
  assert.is(macs, 528.35904);
  assert.is(macs.toFixed(2), '528.36');
  assert.is(fixture.darts_v2.conv_linear_macs, macs, 'the PyTorch port');
  // the tensorwatch count of the same network (BN, ReLU, pools too), as the port's hooks give it
  assert.is(dartsFlops(DARTS_V2, shape), 548.174016);
});

test('shapes the network cannot take: an odd size at a FactorizedReduce, a non-positive width or depth', () => {
  throwsWith(
    () => dartsFlops(DARTS_V2, { ...NB301_SHAPE, H: 30, W: 30 }),
    RangeError,
    'cells.6.preprocess0: FactorizedReduce needs an even input size',
    'got 15×15',
  );
  throwsWith(() => dartsParameterCount(DARTS_V2, { ...NB301_SHAPE, C: 0 }), RangeError, 'DARTS width C must be a positive integer, got 0');
  throwsWith(
    () => dartsParameterCount(DARTS_V2, { ...NB301_SHAPE, layers: 2.5 }),
    RangeError,
    'depth (cells) must be a positive integer, got 2.5',
  );
  throwsWith(() => dartsFlops(DARTS_V2, { ...NB301_SHAPE, H: 0 }), RangeError, 'input size must be positive integers, got 0×32');
  // an odd size where no FactorizedReduce sees it is fine (strided ops all give ⌊(h−1)/2⌋ + 1)
  assert.ok(dartsFlops(uniform('sep_conv_3x3'), { ...NB301_SHAPE, layers: 1, H: 7, W: 7 }) > 0);
});

// ---- against the NB301 file ----

const table = loadNb301Table();
if (table === undefined) skipSuite('DARTS counts vs the NB301 file', '../shared/data/nb301 is absent');
else {
  test("NB301 (C = 32, 8 cells, NASLib's ops): params and flops equal Suite-Zero's for all 725 genotypes, exactly", () => {
    assert.is(table.rows.length, 725);
    const badParams: string[] = [];
    const badFlops: string[] = [];
    for (const row of table.rows) {
      const p = dartsParameterCount(row.genotype, NB301_SHAPE) / 1e6;
      const f = dartsFlops(row.genotype, { ...NB301_SHAPE, H: 32, W: 32 });
      if (p !== row.scores.params) badParams.push(`${row.key}: ${p} vs ${row.scores.params}`);
      if (f !== row.scores.flops) badFlops.push(`${row.key}: ${f} vs ${row.scores.flops}`);
    }
    assert.equal(badParams, []);
    assert.equal(badFlops, []);
    // and the range MANIFEST.txt gives
    const ps = table.rows.map((r) => r.scores.params);
    assert.is(Math.min(...ps), 0.575402);
    assert.is(Math.max(...ps), 1.293482);
  });

  test("the same 725 with DARTS's ops give other numbers: the variant matters", () => {
    const row = table.rows[0]!;
    const darts = { ...NB301_SHAPE, ops: 'darts' as const };
    assert.ok(dartsParameterCount(row.genotype, darts) / 1e6 > row.scores.params);
    assert.is.not(dartsFlops(row.genotype, darts), row.scores.flops);
  });
}

test.run();
