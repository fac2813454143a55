/**
 * ZiCo (and its per-sample variant), MeCo, MeCo_opt, SWAP, swap_reg and n_tensors against the PyTorch ports of
 * their official code in fixtures/pytorch/new_proxies.json (make_new_proxy_fixtures.py, the GradSign fixture
 * cases' weights and batches; SWAP's Gaussian re-init from <case>.zen.safetensors).
 * - f64 (reference backend) against PyTorch in float64: 1e-8 relative; MeCo term by term (every hook call, in
 *   order) to 1e-8 relative or 1e-10 absolute (the λ_min of a rank-deficient correlation is 0 up to rounding);
 *   SWAP's counts exactly.
 * - f32 (WASM backend) against PyTorch in float32: 3× PyTorch's own float32-vs-float64 gap for that number, at
 *   least 1e-4 — for ZiCo 3× PyTorch's largest gap over all cases, as its ratios mean|g|/σ amplify the rounding
 *   of the elements whose two gradients nearly agree (PyTorch's own float32 and float64 ZiCo differ by up to
 *   5e-3 on nb101_truncate and by 2e-5 on cifar100, the `separate` reading by up to 1.5e-2, so one case's gap
 *   says little). A SWAP count moves when a ReLU input within rounding of 0 changes
 *   sign.
 * The NB101 cases (stem 16) check ZiCo, SWAP and n_tensors on the other network; MeCo is NaN there (its module
 * tree is NB201's NAS201Model).
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { Nb101Network } from '../src/nets/nb101/network.js';
import type { Nb101Spec } from '../src/nets/nb101/spec.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import type { Network } from '../src/nets/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { cleanCorrelation, mecoOf } from '../src/proxies/meco.js';
import { DEFAULT_PROXY_OPTIONS, PROXIES, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { swapOf, swapRegularFactor } from '../src/proxies/swap.js';
import { zico, zicoFromLayerSums, zicoLayerSum } from '../src/proxies/zico.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, near, readJson, relErr } from './helpers.js';

interface Case {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
}
type Fixture = Record<string, unknown> & {
  meco_calls_f64: { module: string; n: number; cols: number; value: number }[];
  meco_opt_picks?: number[][];
};

const cases = readJson<{ cases: Record<string, Case> }>(join(fixturesDir, 'expected.json')).cases;
const fixtureFile = readJson<{ cases: Record<string, Fixture>; nb101_cases: Record<string, Fixture> }>(
  join(fixturesDir, 'new_proxies.json'),
);
const fixtures = fixtureFile.cases;
const nb101Cases = readJson<{ cases: Record<string, { matrix: number[][]; ops: string[]; stem_channels: number; num_classes: number }> }>(
  join(fixturesDir, 'nb101_expected.json'),
).cases;
const reference = new ReferenceBackend();
const wasm = await createWasmBackend({ shared: false });
const num = (v: unknown): number => (v === null ? NaN : (v as number));

function network(be: Backend, name: string, dtype: 'f32' | 'f64', weights = `${name}.weights`): Network {
  const n = nb101Cases[name];
  const c = cases[name]!;
  const net = n
    ? new Nb101Network(be, {
        spec: { matrix: n.matrix, ops: n.ops as Nb101Spec['ops'] },
        stemChannels: n.stem_channels,
        numClasses: n.num_classes,
        dtype,
      })
    : new Nb201Network(be, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes, dtype });
  const file = readSafetensorsFile(join(fixturesDir, `${weights}.safetensors`));
  loadWeights(net.parameters, new Map([...file].filter(([k]) => !k.startsWith('zen.'))), weights);
  return net;
}

/** PyTorch's largest float32-vs-float64 relative gap of a number over every fixture case. */
function largestGap(k: string): number {
  return Math.max(
    ...[...Object.values(fixtures), ...Object.values(fixtureFile.nb101_cases)].map((w) => relErr(num(w[k]), num(w[`${k}_f64`])) || 0),
  );
}

function check(be: Backend, name: string, dtype: 'f32' | 'f64'): void {
  const want = fixtures[name] ?? fixtureFile.nb101_cases[name]!;
  const key = (k: string) => num(dtype === 'f64' ? want[`${k}_f64`] : want[k]);
  // ZiCo's float32 noise (see above) is not measured well by one case's gap: 3× the largest over all cases there
  const floor = (k: string) => (k === 'zico' || k === 'zico_separate' ? 3 * largestGap(k) : 1e-4);
  const tol = (k: string) => (dtype === 'f64' ? 1e-8 : Math.max(floor(k), 3 * relErr(num(want[k]), num(want[`${k}_f64`]))));
  be.scope(() => {
    const net = network(be, name, dtype);
    const batch = readBatchFile(join(fixturesDir, `${name}.input.safetensors`));
    const [, C, H, W] = batch.shape;
    assert.is(PROXIES.n_tensors.fromNetwork({ net } as never), num(want.n_tensors), 'n_tensors');
    near(zico(net, batch, { gradients: 'accumulated' }), key('zico'), tol('zico'), 'zico');
    near(zico(net, batch, { gradients: 'separate' }), key('zico_separate'), tol('zico_separate'), 'zico separate');
    const reduced = reducePerSample(net, batch, reducersNeeded(['zico_per_sample']), { chunk: 5 });
    const perSample = scoreReduced(reduced, ['zico_per_sample'], DEFAULT_PROXY_OPTIONS).scores.zico_per_sample!;
    near(perSample, key('zico_per_sample'), tol('zico_per_sample'), 'zico_per_sample');

    const image = batch.x.subarray(0, C * H * W);
    const m = mecoOf(net, image, [1, C, H, W]);
    if (nb101Cases[name]) assert.ok(Number.isNaN(m.score), 'MeCo on NB101: NaN');
    else {
      near(m.score, key('meco'), tol('meco'), 'meco');
      if (dtype === 'f64') {
        const calls = want.meco_calls_f64;
        assert.is(m.terms.length, calls.length, 'MeCo: one term per hook call');
        m.terms.forEach((t, i) => {
          const c = calls[i]!;
          assert.is(`${t.n}x${t.cols}`, `${c.n}x${c.cols}`, `MeCo term ${i} (${c.module}): shape`);
          assert.ok(
            Math.abs(t.value - c.value) <= 1e-10 || relErr(t.value, c.value) <= 1e-8,
            `MeCo term ${i} (${c.module}): ${t.value} vs PyTorch ${c.value}`,
          );
        });
      }
      if (want.meco_opt_picks) {
        const picks = [...want.meco_opt_picks];
        const opt = mecoOf(net, image, [1, C, H, W], () => picks.shift()!);
        assert.is(picks.length, 0, 'meco_opt: every drawn channel set used');
        near(opt.score, key('meco_opt'), tol('meco_opt'), 'meco_opt');
      } else {
        // fewer than 8 channels somewhere: the official random.sample raises
        assert.ok(Number.isNaN(mecoOf(net, image, [1, C, H, W], (n) => (n < 8 ? null : [0, 1, 2, 3, 4, 5, 6, 7])).score));
      }
    }

    const swapBound = (k: string) => (dtype === 'f64' ? 0 : Math.max(1e-4, 3 * relErr(num(want[k]), num(want[`${k}_f64`]))));
    const s = swapOf(net, batch.x, batch.shape);
    assert.ok(relErr(s, key('swap')) <= swapBound('swap'), `swap ${s} vs PyTorch ${key('swap')}`);
    near(
      s * swapRegularFactor(net.parameters.parameterCount(), 1500, 1.5e6),
      key('swap') * Math.exp(-((num(want.params_k) - 1500) ** 2) / 1.5e6),
      dtype === 'f64' ? 1e-12 : swapBound('swap'),
      'swap_reg',
    );
    if (want.swap_gaussian !== undefined) {
      const g = network(be, name, dtype, `${name}.zen`);
      const sg = swapOf(g, batch.x, batch.shape);
      assert.ok(relErr(sg, key('swap_gaussian')) <= swapBound('swap_gaussian'), `swap (Gaussian) ${sg} vs ${key('swap_gaussian')}`);
    }
  });
}

const F64_CASES = (process.env.F64 ?? 'tiny,index0,all_none,imagenet16').split(',').filter(Boolean);
for (const [dtype, names] of [
  ['f64', F64_CASES],
  ['f32', (process.env.F32 ?? Object.keys(fixtures).join(',')).split(',').filter(Boolean)],
] as const) {
  for (const name of names) {
    test(`PyTorch zico, meco, meco_opt, swap, swap_reg, n_tensors ${name} in ${dtype}`, () =>
      check(dtype === 'f64' ? reference : wasm, name, dtype));
  }
}
for (const name of Object.keys(fixtureFile.nb101_cases ?? {})) {
  for (const dtype of ['f64', 'f32'] as const) {
    test(`PyTorch zico, swap, swap_reg, n_tensors on NB101 ${name} in ${dtype}`, () =>
      check(dtype === 'f64' ? reference : wasm, name, dtype));
  }
}

test('MeCo cleans its correlations: a constant channel or one value per channel gives 0 entries, not NaN', () => {
  const R = cleanCorrelation([1, 2, 3, 5, 5, 5, 3, 2, 1], 3, 3);
  [1, 0, -1, 0, 0, 0, -1, 0, 1].forEach((v, i) => assert.ok(Math.abs(R[i]! - v) < 1e-15, `R[${i}] = ${R[i]}`));
  assert.equal([...cleanCorrelation([1, 2, 3], 3, 1)], new Array(9).fill(0));
});

test("ZiCo's reduction: numpy's std over the two snapshots (ddof 0), elements with σ = 0 and layers summing to 0 left out", () => {
  // σ(1, 3) = 1, mean|g| = 2; σ(−2, 2) = 2, mean|g| = 2; σ(4, 4) = 0 skipped
  assert.is(zicoLayerSum([1, -2, 4], [3, 2, 4]), 2 / 1 + 2 / 2);
  assert.is(zicoFromLayerSums([3, 0, Math.E]), Math.log(3) + 1);
});

test.run();
