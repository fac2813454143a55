/**
 * AZ-NAS's four terms and VKDNW against PyTorch ports of their official code (fixtures/pytorch/aznas_vkdnw.json,
 * make_aznas_vkdnw_fixtures.py), in f64 on the reference backend. The draws (Kaiming weights, Gaussian input,
 * Rademacher cotangents) come from a Python port of our generator, so both sides see the same numbers; the
 * first test checks that port. Tolerances: 1e-8 relative on every AZ-NAS term (entropy per feature,
 * trainability per cell) and on VKDNW's entropy; the Fisher spectrum's deciles to 1e-8 of λ_max (the small
 * eigenvalues of a rank-deficient Fisher matrix are rounding noise on both sides). Measured: AZ-NAS ≤ 2e-13,
 * VKDNW's entropy ≤ 4e-12, λ ≤ 2e-14·λ_max.
 * f32 on the WASM backend against the same float64 numbers (the weights and input rounded to float32, float32
 * kernels; the spectra, entropies and singular values on the host in f64): entropies per feature 1e-6 and
 * the trainability terms 1e-3 relative (measured ≤ 6e-9 and 4e-5: a term is σ_max of a mean of products of ±1
 * cotangents, which cancel), VKDNW's λ to 1e-5·λ_max (measured 2e-7) and its entropy to 1e-3 absolute
 * (measured 3e-7 on the small cases, 1.2e-4 on readme_full, whose low deciles are eigenvalues near 1e-7·λ_max:
 * PyTorch's own float32 port gives 0.74275 there against its float64 0.74117, a gap of 1.6e-3).
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { azNas, azNasComplexity, covarianceEntropy, trainabilityTerm } from '../src/proxies/az_nas.js';
import { choleskyCovariance, decileEntropy, quantile, toFloat16, vkdnw, vkdnwOf, VKDNW_QUANTILES } from '../src/proxies/vkdnw.js';
import { Random } from '../src/util/random.js';
import { fixturesDir, near, readJson, relErr } from './helpers.js';

type Num = number | string | null;
interface Case {
  arch: string;
  C: number;
  N: number;
  num_classes: number;
  H: number;
  aznas_batch: number;
  vkdnw_batch: number;
  seed: number;
  az_nas: { expressivity: Num; progressivity: Num; trainability: Num; entropies: Num[]; trainability_terms: Num[] };
  vkdnw: {
    vkdnw_dim: number;
    vkdnw_entropy: number;
    vkdnw: number;
    deciles: number[];
    q: number[];
    lambdas: number[];
    prob_sum: number;
    parameter_names: string[];
  };
  weight_check: Record<string, [number, number]>;
}
const doc = readJson<{ rng_check: { seed: number; uint32: number[]; normal: number[] }; cases: Record<string, Case> }>(
  join(fixturesDir, 'aznas_vkdnw.json'),
);
const num = (v: Num): number => (v === null ? NaN : v === '-inf' ? -Infinity : v === 'inf' ? Infinity : (v as number));
const reference = new ReferenceBackend();

test('the fixture generator draws what src/util/random.ts draws', () => {
  const r = new Random(doc.rng_check.seed);
  assert.equal(
    doc.rng_check.uint32.map(() => r.nextUint32()),
    doc.rng_check.uint32,
  );
  near(new Random(doc.rng_check.seed).normal(), doc.rng_check.normal[0]!, 1e-15, 'normal');
});

/** The official-protocol case (C 16, N 5, batches 64 and 32) is checked in f32 only: the f64 reference kernels take minutes. */
const F64_CASES = Object.entries(doc.cases).filter(([name]) => name !== 'readme_full');

const net = (c: Case) => new Nb201Network(reference, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes, dtype: 'f64' });

for (const [name, c] of F64_CASES) {
  test(`AZ-NAS ${name} (${c.arch}, C ${c.C}, N ${c.N}) equals the PyTorch port in f64`, () => {
    const n = net(c);
    // the Kaiming draws: same names, first values and sums as the port's
    const w = n.variant({});
    w.parameters.initializeKaimingNormal(new Random(c.seed));
    assert.equal(
      w.parameters.entries.map((e) => e.name),
      Object.keys(c.weight_check),
    );
    for (const e of w.parameters.entries) {
      const h = reference.toHost(e.tensor);
      const [first, sum] = c.weight_check[e.name]!;
      near(h[0]!, first, 1e-13, `${e.name}[0]`);
      near(
        Array.from(h).reduce((a, b) => a + b, 0),
        sum,
        1e-10,
        `Σ ${e.name}`,
      );
    }
    const r = azNas(n, { batch: c.aznas_batch, height: c.H, width: c.H, seed: c.seed });
    const want = c.az_nas;
    assert.is(r.entropies.length, want.entropies.length, 'features');
    r.entropies.forEach((h, i) => near(h, num(want.entropies[i]!), 1e-8, `H(F_${i})`));
    r.trainabilityTerms.forEach((t, i) => near(t, num(want.trainability_terms[i]!), 1e-8, `trainability term ${i}`));
    near(r.expressivity, num(want.expressivity), 1e-8, 'expressivity');
    near(r.progressivity, num(want.progressivity), 1e-8, 'progressivity');
    near(r.trainability, num(want.trainability), 1e-8, 'trainability');
  });

  test(`VKDNW ${name} equals the PyTorch port in f64`, () => {
    const n = net(c);
    const want = c.vkdnw;
    assert.equal(
      n.parameters.entries.map((e) => e.name),
      want.parameter_names,
      'ℵ: the tensors, in named_parameters order',
    );
    const r = vkdnw(n, { batch: c.vkdnw_batch, height: c.H, width: c.H, seed: c.seed });
    assert.is(r.tensors, want.vkdnw_dim);
    const top = want.lambdas[0]!;
    assert.is(r.lambdas.length, want.lambdas.length);
    r.lambdas.forEach((l, i) => assert.ok(Math.abs(l - want.lambdas[i]!) <= 1e-8 * top, `λ${i}: ${l} vs ${want.lambdas[i]}`));
    r.deciles.forEach((d, i) => assert.ok(Math.abs(d - want.deciles[i]!) <= 1e-8 * top, `decile ${i}: ${d} vs ${want.deciles[i]}`));
    assert.ok(
      Math.abs(r.entropy - want.vkdnw_entropy) <= 1e-8 * Math.max(1, Math.abs(want.vkdnw_entropy)),
      `entropy ${r.entropy} vs ${want.vkdnw_entropy}`,
    );
    near(r.score, want.vkdnw, 1e-12, 'vkdnw');
  });
}

const wasm = await createWasmBackend({ shared: false });
for (const [name, c] of Object.entries(doc.cases)) {
  test(`AZ-NAS and VKDNW ${name} in f32 on WASM, against the PyTorch port's float64 numbers`, () => {
    wasm.scope(() => {
      const n = new Nb201Network(wasm, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes, dtype: 'f32' });
      const r = azNas(n, { batch: c.aznas_batch, height: c.H, width: c.H, seed: c.seed });
      r.entropies.forEach((h, i) => near(h, num(c.az_nas.entropies[i]!), 1e-6, `H(F_${i})`));
      r.trainabilityTerms.forEach((t, i) => near(t, num(c.az_nas.trainability_terms[i]!), 1e-3, `trainability term ${i}`));
      near(r.expressivity, num(c.az_nas.expressivity), 1e-6, 'expressivity');
      near(r.trainability, num(c.az_nas.trainability), 1e-3, 'trainability');
      const v = vkdnw(n, { batch: c.vkdnw_batch, height: c.H, width: c.H, seed: c.seed });
      const top = c.vkdnw.lambdas[0]!;
      v.lambdas.forEach((l, i) => assert.ok(Math.abs(l - c.vkdnw.lambdas[i]!) <= 1e-5 * top, `λ${i}: ${l} vs ${c.vkdnw.lambdas[i]}`));
      assert.ok(Math.abs(v.entropy - c.vkdnw.vkdnw_entropy) <= 1e-3, `entropy ${v.entropy} vs ${c.vkdnw.vkdnw_entropy}`);
    });
  });
}

test('--vkdnw-tensors N: the Fisher matrix of the first N tensors is the top-left block of the full one; ℵ counts all', () => {
  const c = doc.cases.identity_cell!;
  const o = { batch: 4, height: c.H, width: c.H, seed: 3 };
  const full = vkdnw(net(c), o);
  const cut = vkdnw(net(c), { ...o, tensors: 7 });
  const P = full.lambdas.length;
  assert.is(cut.lambdas.length, 7);
  assert.is(cut.tensors, full.tensors);
  for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) near(cut.fisher[a * 7 + b]!, full.fisher[a * P + b]!, 1e-12, `F[${a}][${b}]`);
});

test('--vkdnw-input images: the same Kaiming copy, scored on the given images instead of Gaussian ones', () => {
  const c = doc.cases.identity_cell!;
  const shape = [3, 3, c.H, c.H];
  const rng = new Random(77);
  const x = Float64Array.from({ length: 3 * 3 * c.H * c.H }, () => rng.uniform(-1, 1));
  const got = vkdnw(net(c), { batch: 3, height: c.H, width: c.H, seed: 5, images: { x, shape } });
  const copy = net(c);
  copy.parameters.initializeKaimingNormal(new Random(5));
  assert.is(got.entropy, vkdnwOf(copy, x, shape).entropy);
  assert.is.not(got.entropy, vkdnw(net(c), { batch: 3, height: c.H, width: c.H, seed: 5 }).entropy, 'not the Gaussian input');
});

test("VKDNW's float16 constants and quantiles are the official code's", () => {
  const c = Object.values(doc.cases)[0]!;
  assert.equal([...VKDNW_QUANTILES], c.vkdnw.q, 'torch.arange(0.1, 1.0, 0.1) in float32');
  assert.is(toFloat16(0.05), 0.04998779296875);
  assert.is(toFloat16(1 - toFloat16(0.05)), 0.9501953125);
  assert.is(toFloat16(1 + 2 ** -11), 1, 'a tie rounds to even');
  // the smoothed probabilities sum to 1 + (what float16 rounding leaves), as the port's
  const z = Float64Array.from({ length: 10 }, (_, i) => Math.sin(i));
  const L = choleskyCovariance(z);
  // L Lᵀ reproduces diag(p) − p pᵀ of the smoothed p to rounding, so its trace is Σ p(1 − p)
  let trace = 0;
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) trace += L[i * 10 + j]! ** 2;
  assert.ok(trace > 0 && trace < 1, `trace ${trace}`);
  for (const k of Object.values(doc.cases)) assert.ok(relErr(k.vkdnw.prob_sum, 1) > 1e-5, 'the probabilities do not sum to 1');
  assert.is(quantile([3, 1, 2, 4], 0.5), 2.5);
  assert.is(quantile([0, 10], Math.fround(0.3)), 10 * Math.fround(0.3));
  near(decileEntropy([1, 1, 1, 1]), Math.log(4), 1e-9, 'uniform deciles: ln 4 (less the 1e-10 guards)');
});

test("AZ-NAS complexity: the NB201 API's FLOPs (xautodl's counter: Conv2d and Linear only)", () => {
  const flops = (arch: string, K = 10) => azNasComplexity(new Nb201Network(reference, { arch, numClasses: K }), [3, 32, 32]);
  // all 3×3 convs, by hand: stem 442,368 + 3 stages × 30 convs × 2,359,296 + 2 reductions × 3,670,016 + 64·10 + 10
  assert.is(
    Number(flops('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|').toFixed(6)),
    220.11969,
  );
  // no cell op costs anything: the stem, the two reductions and the classifier
  assert.is(Number(flops('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|').toFixed(6)), 7.78305);
  assert.is(
    Number(flops('|skip_connect~0|+|avg_pool_3x3~0|none~1|+|none~0|none~1|skip_connect~2|').toFixed(6)),
    7.78305,
    'pooling is not counted',
  );
});

test('AZ-NAS pieces: covariance entropy of independent channels, trainability of an identity, a scaled VJP', () => {
  // two channels with variances 1 and 1 (±1 patterns, uncorrelated): p = ½, ½ → ln 2
  const x = [1, -1, 1, -1, 1, 1, -1, -1]; // [B=1, C=2, H=2, W=2]
  near(covarianceEntropy(x, [1, 2, 2, 2]), Math.log(2), 1e-7, 'ln 2');
  const g = [1, -1, 1, 1];
  assert.is(trainabilityTerm(g, [1, 1, 2, 2], g, [1, 1, 2, 2]), -Infinity);
  // gIn = 2·gOut: M = 2·mean(g²) = 2, σ = 2: −2 − 1/(2 + 1e-6) + 2
  near(
    trainabilityTerm(
      g.map((v) => 2 * v),
      [1, 1, 2, 2],
      g,
      [1, 1, 2, 2],
    ),
    -1 / (2 + 1e-6),
    1e-12,
    'σ = 2',
  );
});

test.run();
