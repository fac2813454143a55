/**
 * The baseline proxies against the PyTorch reference values in fixtures/pytorch/baselines.json
 * (make_baseline_fixtures.py: the same weights and batches as the GradSign fixtures; random inputs and
 * Gaussian weights of zen / TE-NAS regions and synflow's zc biases stored beside them).
 * - f64 (reference backend) against PyTorch in float64: the maths, to 1e-8 relative (1e-6 where an
 *   eigenvalue near 0 or a log-determinant amplifies rounding).
 * - f32 (WASM backend, what users run) against PyTorch in float32, every case: within float32 noise. These
 *   deep ReLU networks are chaotic in rounding: on all_conv3 our own f32 and f64 grad_norm differ by 5e-4, and
 *   PyTorch's f32 and f64 by as much. So each f32 bound is 3× PyTorch's own f32-vs-f64 gap for that number
 *   (from the fixture), at least 1e-4 (1e-3 for jacob_cov, whose small eigenvalues amplify rounding).
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { createNodeWebGpuBackend } from '../src/node/gpu.js';
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
import { f64, fixturesDir, near, readJson, relErr, skipSuite } from './helpers.js';

interface Case {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
}
type Baseline = Record<string, number | string | null | { delta: number; bn_term: number; score: number }>;

const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
const baselines = readJson<{ cases: Record<string, Baseline> }>(join(fixturesDir, 'baselines.json')).cases;
const reference = new ReferenceBackend();
const num = (v: unknown): number => (v === null ? NaN : v === '-inf' ? -Infinity : v === 'inf' ? Infinity : (v as number));

function network(be: Backend, name: string, dtype: 'f32' | 'f64'): Nb201Network {
  const c = cases[name]!;
  const net = new Nb201Network(be, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes, dtype });
  loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, `${name}.weights.safetensors`)), `${name}.weights`);
  return net;
}

const F64_CASES = (process.env.F64 ?? 'tiny,index0,all_none,imagenet16').split(',').filter(Boolean);
const wasm = await createWasmBackend({ shared: false });

/** Every baseline of one fixture case on backend `be` in `dtype`, against PyTorch in that precision. */
function checkBaselines(be: Backend, name: string, dtype: 'f32' | 'f64'): void {
  const want = baselines[name]!;
  const key = (k: string) => num(dtype === 'f64' ? want[`${k}_f64`] : want[k]);
  // f32: within 3× PyTorch's own float32-vs-float64 gap for that number, and at least 1e-4
  const f32Bound = (k: string) => Math.max(1e-4, 3 * relErr(num(want[k]), num(want[`${k}_f64`])));
  const tol = (k: string, f64Bound = 1e-8) => (dtype === 'f64' ? f64Bound : f32Bound(k));
  be.scope(() => {
    const net = network(be, name, dtype);
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const pass = new BatchPass(net, batch, { layerOutputs: true, reluCodes: true });
    near(gradNorm(pass), key('grad_norm'), tol('grad_norm'), 'grad_norm');
    near(snip(pass), key('snip'), tol('snip'), 'snip');
    near(grasp(pass), key('grasp'), tol('grasp', 1e-7), 'grasp');
    near(fisher(pass), key('fisher'), tol('fisher'), 'fisher');
    // all-none: only the classifier (64 inputs per output channel) is on a path to the loss
    if (name === 'all_none') near(fisher(pass, false), key('fisher') / 64, tol('fisher'), 'fisher without the broadcast factor');
    near(
      jacobCov(pass),
      key(dtype === 'f64' ? 'jacob_cov' : 'jacob_cov_eigh'),
      dtype === 'f64' ? 1e-6 : Math.max(1e-3, 3 * relErr(num(want.jacob_cov_eigh), num(want.jacob_cov_f64))),
      'jacob_cov',
    );
    // K counts exact integers; a ReLU input within rounding of 0 may flip one code in f32
    near(naswot(pass), key('naswot'), dtype === 'f64' ? 1e-12 : 1e-4, 'naswot');
    near(ntkConditionNumber(pass), key('tenas_ntk_cond'), tol('tenas_ntk_cond', 1e-6), 'NTK condition number');
    const tenas = readSafetensorsFile(join(fixturesDir, `${name}.tenas.safetensors`));
    const lrx = tenas.get('lr.x')!;
    assert.is(linearRegionsOf(net, f64(lrx, 'lr.x'), lrx.shape), key('tenas_lr'), 'tenas_lr');
    assert.is(net.parameters.parameterCount(), num(want.params), 'params');
    assert.is(Number(net.flops([batch.shape[1], batch.shape[2], batch.shape[3]]).toFixed(6)), num(want.flops_naslib), 'flops');
    if (dtype === 'f32') {
      // synflow always runs in f64 (values reach 1e30–1e60), from the f32 weights: PyTorch does the same
      const [, C, H, W] = batch.shape;
      near(
        synflow(net, { variant: 'clean', inputShape: [C, H, W], backend: reference, seed: 0 }),
        num(want.synflow),
        1e-9,
        'synflow clean',
      );
      const biases = readSafetensorsFile(join(fixturesDir, `${name}.synflow_zc_bias.safetensors`));
      const given = new Map([...biases].map(([k, t]) => [k, f64(t, k)] as const));
      near(
        synflow(net, { variant: 'zc', inputShape: [C, H, W], backend: reference, seed: 0, variantParameters: given }),
        num(want.synflow_zc),
        1e-9,
        'synflow zc',
      );
    }
  });
}

for (const [dtype, names] of [
  ['f64', F64_CASES],
  ['f32', (process.env.F32 ?? Object.keys(baselines).join(',')).split(',').filter(Boolean)],
] as const) {
  for (const name of names) {
    test(`PyTorch baselines ${name} in ${dtype}: grad_norm, snip, grasp, fisher, jacob_cov, NASWOT, TE-NAS, synflow, params`, () => {
      checkBaselines(dtype === 'f64' ? reference : wasm, name, dtype);
    });
  }
}

// Any backend that implements the kernel interface runs the baselines: the WebGPU one (where there is an adapter).
const gpu = await createNodeWebGpuBackend().catch((e: Error) => {
  if (process.env.ZEROCOST_REQUIRE_WEBGPU === '1') throw e;
  skipSuite('pytorch_baselines on webgpu', e.message);
  return null;
});
if (gpu) {
  test('PyTorch baselines tiny in f32 on the WebGPU backend', () => checkBaselines(gpu, 'tiny', 'f32'));
}

/** Zen-NAS's score of one case (Gaussian weights, x and x + 0.01ε from the fixture) on `be` in `dtype`. */
function checkZen(be: Backend, name: string, dtype: 'f32' | 'f64'): void {
  const want = (dtype === 'f64' ? baselines[name]!.zen_f64 : baselines[name]!.zen) as { delta: number; bn_term: number; score: number };
  const c = cases[name]!;
  be.scope(() => {
    const net = new Nb201Network(be, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes, dtype });
    const file = readSafetensorsFile(join(fixturesDir, `${name}.zen.safetensors`));
    const x = file.get('zen.x')!;
    loadWeights(net.parameters, new Map([...file].filter(([k]) => !k.startsWith('zen.'))), `${name}.zen`);
    const z = zenOf(net, f64(x, 'zen.x'), f64(file.get('zen.eps'), 'zen.eps'), x.shape);
    const tol = dtype === 'f64' ? 1e-9 : 1e-4;
    near(z.bnTerm, want.bn_term, tol, 'zen BN term');
    near(z.delta, want.delta, tol, 'zen Δ');
    near(z.score, want.score, tol, 'zen');
  });
}

for (const dtype of ['f64', 'f32'] as const) {
  for (const name of Object.keys(baselines).filter((n) => baselines[n]!.zen)) {
    test(`PyTorch Zen-score ${name} in ${dtype}: Gaussian weights, x and x + 0.01ε from the fixture`, () =>
      checkZen(dtype === 'f64' ? reference : wasm, name, dtype));
  }
}
if (gpu && baselines.tiny!.zen) test('PyTorch Zen-score tiny in f32 on the WebGPU backend', () => checkZen(gpu, 'tiny', 'f32'));

test.run();
