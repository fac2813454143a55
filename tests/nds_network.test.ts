/**
 * NDS's cell networks (pycls's NetworkCIFAR with pycls's ops: the DARTS network's `darts` op variant) against the
 * PyTorch port (fixtures/pytorch/darts_model.py with pycls's ops, make_nds_fixtures.py):
 * - nds_expected.json: pycls's NASNet, AmoebaNet and PNASNet genotypes (C = 32, 20 cells) and the Amoeba model
 *   of NNI's NDS tutorial (w = 32, d = 12), each accepted by its space: every parameter's name and shape in
 *   registration order, the parameter count, flops, conv + linear MACs;
 * - nds_gradsign.json: two C = 8, 5-cell networks holding every NDS op (conv_3x1_1x3 and conv_7x1_1x7, which
 *   PyTorch runs with per-axis stride and padding, strided and not): logits, every parameter's gradient, per-sample
 *   losses (f64 on reference, f32 on WASM), GradSign and GradAlign-I/II from the per-sample pass;
 * - the per-sample BN degeneracy NB301 has (darts_network.test.ts) holds here: without a pool in the last cell,
 *   every per-sample gradient is rounding noise.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import type { Batch } from '../src/data/batch.js';
import { dartsConvLinearMacs, dartsFlops, dartsParameterCount, dartsParameterShapes } from '../src/nets/darts/counts.js';
import { DartsNetwork } from '../src/nets/darts/network.js';
import { ndsCellSpace, ndsSearchSpace, parseNdsArch } from '../src/nets/darts/nds_spaces.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { CollectAllReducer } from '../src/per_sample/collect_all.js';
import { runPerSampleGradients } from '../src/per_sample/per_sample_gradients.js';
import { loadWeights } from '../src/weights.js';
import { checkForwards, checkPerSample, type GradsignCase } from './darts_fixture_checks.js';
import { fixturesDir, readJson, relErr } from './helpers.js';

interface StructuralCase {
  name: string;
  space: string;
  genotype: string;
  C: number;
  layers: number;
  num_classes: number;
  num_params: number;
  flops: number;
  conv_linear_macs: number;
  parameters: [string, number[]][];
}

const structural = readJson<{ cases: StructuralCase[] }>(join(fixturesDir, 'nds_expected.json')).cases;
const gs = readJson<{ cases: Record<string, GradsignCase & { space: string; sign_differences_f32_vs_f64: number }> }>(
  join(fixturesDir, 'nds_gradsign.json'),
).cases;
const batch: Batch = readBatchFile(join(fixturesDir, 'darts_gradsign.input.safetensors'));
const reference = new ReferenceBackend();
const wasm = await createWasmBackend({ shared: false });
const measured: string[] = [];

for (const c of structural) {
  test(`${c.name} (${c.space}, C = ${c.C}, ${c.layers} cells): the space accepts it; names, shapes and counts = the PyTorch port`, () => {
    const a = parseNdsArch(ndsCellSpace(c.space), c.genotype, { width: c.C, depth: c.layers });
    const shape = { C: a.width, layers: a.depth, numClasses: c.num_classes, ops: 'darts' as const };
    assert.equal(
      dartsParameterShapes(a.genotype, shape).map((p) => [p.name, p.shape]),
      c.parameters,
    );
    assert.is(dartsParameterCount(a.genotype, shape), c.num_params);
    assert.ok(relErr(dartsFlops(a.genotype, shape), c.flops) < 1e-12, `flops ${dartsFlops(a.genotype, shape)} vs ${c.flops}`);
    assert.ok(relErr(dartsConvLinearMacs(a.genotype, shape), c.conv_linear_macs) < 1e-12, 'conv + linear MACs');
    // the built network registers the same parameters
    const net = new DartsNetwork(reference, { genotype: a.genotype, C: a.width, layers: a.depth, numClasses: c.num_classes, ops: 'darts' });
    assert.equal(
      net.parameters.entries.map((e) => [e.name, [...e.tensor.shape]]),
      c.parameters,
    );
  });
}

function network(be: Backend, name: string, dtype: 'f32' | 'f64'): DartsNetwork {
  const c = gs[name]!;
  const a = parseNdsArch(ndsCellSpace(c.space), c.genotype, { width: c.C, depth: c.layers });
  const net = new DartsNetwork(be, { genotype: a.genotype, C: a.width, layers: a.depth, numClasses: c.num_classes, ops: 'darts', dtype });
  loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `nds_${name}.weights.safetensors`)), `nds_${name}.weights`);
  return net;
}

for (const name of Object.keys(gs)) {
  test(`PyTorch NDS ${name} in f64 on reference: logits, loss, every parameter's gradient, eval logits, per-sample losses`, () => {
    measured.push(checkForwards(reference, name, gs[name]!, () => network(reference, name, 'f64'), batch, 'f64'));
  });
  test(`PyTorch NDS ${name} in f32 on WASM: the same`, () => {
    measured.push(checkForwards(wasm, name, gs[name]!, () => network(wasm, name, 'f32'), batch, 'f32'));
  });
  test(`PyTorch NDS ${name}: GradSign, GradAlign-I/II in f64 on reference (≤ 1e-6)`, () => {
    assert.ok(gs[name]!.per_sample_grad_max_abs_f64 > 1e-3, 'the case has real per-sample gradients');
    measured.push(checkPerSample(reference, name, gs[name]!, () => network(reference, name, 'f64'), batch, 'f64'));
  });
}

test('PyTorch NDS nasnet_ops_c8: GradSign, GradAlign-I/II in f32 on WASM (≤ 1e-3; PyTorch f32 and f64 signs differ on 1 element)', () => {
  assert.ok(gs.nasnet_ops_c8!.sign_differences_f32_vs_f64 <= 1);
  measured.push(checkPerSample(wasm, 'nasnet_ops_c8', gs.nasnet_ops_c8!, () => network(wasm, 'nasnet_ops_c8', 'f32'), batch, 'f32'));
});

test("per-sample BN: without a pool in the last cell every per-sample gradient is rounding noise (pycls's convs end in a BN)", () => {
  const space = ndsSearchSpace('nds-darts');
  const reduce =
    "reduce=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
    "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], reduce_concat=[2, 3, 4, 5])";
  const rest =
    "('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)";
  const maxGrad = (first: string) => {
    const arch = parseNdsArch(space.nds, `Genotype(normal=[${first}, ${rest}], normal_concat=[2, 3, 4, 5], ${reduce}`, {
      width: 8,
      depth: 5,
    });
    const net = new DartsNetwork(reference, { genotype: arch.genotype, C: 8, layers: 5, ops: 'darts', dtype: 'f64' });
    net.parameters.initialize(1);
    const collect = new CollectAllReducer();
    runPerSampleGradients(net, batch, [collect]);
    let max = 0;
    for (const g of collect.grads.values()) for (const v of g) max = Math.max(max, Math.abs(v));
    return max;
  };
  const none = maxGrad("('sep_conv_3x3', 0)"),
    pool = maxGrad("('max_pool_3x3', 0)");
  assert.ok(none < 1e-13, `no pool: max |g| ${none}`);
  assert.ok(pool > 1e-2, `one max pool: max |g| ${pool}`);
  measured.push(
    `per-sample max |g| (f64), last cell without a pool: ${none.toExponential(2)}; with one max pool: ${pool.toExponential(2)}`,
  );
});

test('agreement measured', () => {
  console.log(`nds_network:\n  ${measured.join('\n  ')}`);
});

test.run();
