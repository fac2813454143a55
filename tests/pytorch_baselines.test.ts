/**
 * The baseline proxies against the PyTorch reference values in fixtures/pytorch/baselines.json
 * (make_baseline_fixtures.py: the same weights and batches as the GradSign fixtures; random inputs and
 * Gaussian weights of zen / TE-NAS regions and synflow's zc biases stored beside them). Continuous scores
 * agree to 1e-4 relative; the bounds that differ are stated where they are checked.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { RawTensor } from '../src/io/safetensors.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { BatchPass } from '../src/proxies/batch_pass.js';
import { fisher } from '../src/proxies/fisher.js';
import { gradNorm } from '../src/proxies/grad_norm.js';
import { grasp } from '../src/proxies/grasp.js';
import { jacobCov } from '../src/proxies/jacob_cov.js';
import { naswot } from '../src/proxies/naswot.js';
import { snip } from '../src/proxies/snip.js';
import { synflow } from '../src/proxies/synflow.js';
import { linearRegionsOf, ntkConditionNumber } from '../src/proxies/tenas.js';
import { zenOf } from '../src/proxies/zen.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, readJson, relErr } from './helpers.js';

interface Case {
  arch: string; C: number; N: number; num_classes: number;
}
type Baseline = Record<string, number | string | null | { delta: number; bn_term: number; score: number }>;

const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
const baselines = readJson<{ cases: Record<string, Baseline> }>(join(fixturesDir, 'baselines.json')).cases;
const backend = new ReferenceBackend();
const num = (v: unknown): number => (v === null ? NaN : v === '-inf' ? -Infinity : v === 'inf' ? Infinity : (v as number));

function near(got: number, want: number, tol: number, what: string): void {
  if (!Number.isFinite(want)) return assert.is(got, want, `${what}: ${got} vs PyTorch ${want}`);
  assert.ok(relErr(got, want) <= tol || Math.abs(got - want) <= tol * 1e-3, `${what}: ${got} vs PyTorch ${want} (rel ${relErr(got, want).toExponential(2)})`);
}

const f64 = (t: RawTensor | undefined, what: string) => {
  if (!t) throw new Error(`fixture lacks ${what}`);
  return Float64Array.from(t.data as Float32Array);
};

function network(name: string): Nb201Network {
  const c = cases[name]!;
  const net = new Nb201Network(backend, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
  loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)), `${name}.weights`);
  return net;
}

for (const name of Object.keys(baselines)) {
  test(`PyTorch baselines ${name}: grad_norm, snip, grasp, fisher, jacob_cov, NASWOT, TE-NAS, synflow, params`, () => {
    const want = baselines[name]!;
    const net = network(name);
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const pass = new BatchPass(net, batch, { layerOutputs: true, reluCodes: true });
    near(gradNorm(pass), num(want.grad_norm), 1e-4, 'grad_norm');
    near(snip(pass), num(want.snip), 1e-4, 'snip');
    // H·g sums products of two f32 backward passes with cancelling signs: 1e-3
    near(grasp(pass), num(want.grasp), 1e-3, 'grasp');
    near(fisher(pass), num(want.fisher), 1e-4, 'fisher');
    // eigenvalues of a correlation matrix of f32 Jacobians near 0 dominate: 1e-3
    near(jacobCov(pass), num(want.jacob_cov_eigh), 1e-3, 'jacob_cov');
    // K is exact integers when every ReLU input sign agrees with PyTorch's
    near(naswot(pass), num(want.naswot), 1e-6, 'naswot');
    near(-ntkConditionNumber(pass), num(want.tenas_ntk_score), 1e-3, 'tenas_ntk');
    const tenas = readSafetensorsFile(join(fixturesDir, `${name}.tenas.safetensors`));
    const lrx = tenas.get('lr.x')!;
    assert.is(linearRegionsOf(net, f64(lrx, 'lr.x'), lrx.shape), num(want.tenas_lr), 'tenas_lr');
    const [, C, H, W] = batch.shape;
    near(synflow(net, { variant: 'clean', inputShape: [C, H, W], backend: new ReferenceBackend(), seed: 0 }), num(want.synflow), 1e-9, 'synflow clean');
    const biases = readSafetensorsFile(join(fixturesDir, `${name}.synflow_zc_bias.safetensors`));
    const given = new Map([...biases].map(([k, t]) => [k, f64(t, k)] as const));
    near(synflow(net, { variant: 'zc', inputShape: [C, H, W], backend: new ReferenceBackend(), seed: 0, variantParameters: given }), num(want.synflow_zc), 1e-9, 'synflow zc');
    assert.is(net.parameters.parameterCount(), num(want.params), 'params');
  });
}

for (const name of Object.keys(baselines).filter((n) => baselines[n]!.zen)) {
  test(`PyTorch Zen-score ${name}: Gaussian weights, x and x + 0.01ε from the fixture`, () => {
    const want = baselines[name]!.zen as { delta: number; bn_term: number; score: number };
    const c = cases[name]!;
    const net = new Nb201Network(backend, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
    const file = readSafetensorsFile(join(fixturesDir, `${name}.zen.safetensors`));
    const x = file.get('zen.x')!;
    loadWeights(net.parameters, new Map([...file].filter(([k]) => !k.startsWith('zen.'))), `${name}.zen`);
    const z = zenOf(net, f64(x, 'zen.x'), f64(file.get('zen.eps'), 'zen.eps'), x.shape);
    near(z.bnTerm, want.bn_term, 1e-5, 'zen BN term');
    near(z.delta, want.delta, 1e-4, 'zen Δ');
    near(z.score, want.score, 1e-5, 'zen');
  });
}

test.run();
