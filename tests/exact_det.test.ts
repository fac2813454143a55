/**
 * Exact determinants of the integer class Grams (Bareiss in BigInt) and GradAlign-II on them: known
 * determinants, f64 LU on random integer matrices, huge determinants, the rank-1 Grams of a network whose
 * cells ignore their input, and agreement with the old Cholesky log det where the Gram is nonsingular.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { Batch } from '../src/data/batch.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { gradalign2, type ClassBlock } from '../src/proxies/gradalign.js';
import { reducePerSample } from '../src/proxies/registry.js';
import { bareissDeterminant, logBigInt } from '../src/util/exact_det.js';
import { logAbsDet, logDetSpd } from '../src/util/linalg.js';
import { Random } from '../src/util/random.js';

test('Bareiss: known determinants, row swaps, singular matrices', () => {
  assert.is(bareissDeterminant([], 0), 1n);
  assert.is(bareissDeterminant([-7], 1), -7n);
  assert.is(bareissDeterminant([0, 2, 3, 0], 2), -6n); // needs a row swap
  assert.is(bareissDeterminant([2, -1, 0, -1, 2, -1, 0, -1, 2], 3), 4n); // the 1-d Laplacian: n + 1
  assert.is(bareissDeterminant([1, 2, 3, 4, 5, 6, 7, 8, 9], 3), 0n);
  assert.is(bareissDeterminant([0, 0, 1, 0, 1, 0, 1, 0, 0], 3), -1n); // an odd permutation
  assert.is(bareissDeterminant([0, 0, 0, 0, 1, 2, 0, 3, 4], 3), 0n); // a zero column
  // the Hilbert-like integer matrix a_ij = min(i, j) + 1 has det 1 at every size
  const n = 12;
  assert.is(
    bareissDeterminant(
      Array.from({ length: n * n }, (_, k) => Math.min(Math.floor(k / n), k % n) + 1),
      n,
    ),
    1n,
  );
  assert.throws(() => bareissDeterminant([0.5], 1), /not an exact integer/);
});

test('Bareiss: random integer matrices agree with f64 LU; logBigInt stays exact for huge determinants', () => {
  const rng = new Random(7);
  for (const n of [2, 5, 9, 14]) {
    const A = Float64Array.from({ length: n * n }, () => Math.round(rng.uniform(-50, 50)));
    const det = bareissDeterminant(A, n);
    const want = logAbsDet(A, n);
    const got = logBigInt(det < 0n ? -det : det);
    assert.ok(Math.abs(got - want) <= 1e-10 * Math.abs(want), `n=${n}: ${got} vs LU ${want}`);
  }
  assert.ok(Math.abs(logBigInt(3n ** 2000n) - 2000 * Math.log(3)) <= 1e-12 * 2000 * Math.log(3), '3^2000');
  assert.is(logBigInt(1n), 0);
  assert.ok(Math.abs(logBigInt(2n ** 80n + 1n) - 80 * Math.LN2) < 1e-15 * 80);
});

function gramOf(S: number[][]): Float64Array {
  const n = S.length;
  return Float64Array.from({ length: n * n }, (_, k) => S[Math.floor(k / n)]!.reduce((t, v, j) => t + v * S[k % n]![j]!, 0));
}

test('GradAlign-II: a nonsingular Gram gives the old Cholesky log det (to 1e-9) under every norm', () => {
  const rng = new Random(3);
  const m = 4000;
  const blocks: ClassBlock[] = [5, 9, 13].map((n, label) => {
    const S = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.floor(rng.uniform(0, 3)) - 1));
    return { label, count: n, gram: gramOf(S) };
  });
  const cholesky = (b: ClassBlock, norm: string): number => {
    const n = b.count,
      G = b.gram;
    const scaled = norm === 'cosine' ? G.map((v, k) => v / Math.sqrt(G[Math.floor(k / n) * (n + 1)]! * G[(k % n) * (n + 1)]!)) : G;
    return logDetSpd(scaled, n) - (norm === 'params' ? n * Math.log(m) : 0);
  };
  for (const norm of ['none', 'params', 'cosine'] as const) {
    const warnings: string[] = [];
    const got = gradalign2(blocks, norm, m, (w) => warnings.push(w));
    const want = blocks.reduce((t, b) => t + cholesky(b, norm), 0) / blocks.length;
    assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${norm}: ${got} vs Cholesky ${want}`);
    assert.equal(warnings, []);
  }
});

test('GradAlign-II: an exactly singular Gram is NaN with a warning naming its class', () => {
  const v = [1013, 977, 1009]; // G = v vᵀ, rank 1
  const G = Float64Array.from({ length: 9 }, (_, k) => v[Math.floor(k / 3)]! * v[k % 3]!);
  const warnings: string[] = [];
  assert.ok(Number.isNaN(gradalign2([{ label: 4, count: 3, gram: G }], 'none', 10, (w) => warnings.push(w))));
  assert.match(warnings.join('\n'), /class 4 \(3 samples\) is singular/);
});

/** The case: node 3 = conv1x1(node 1) and node 1 = none, so each cell outputs its last BN's β. */
const INPUT_BLIND_ARCH = '|none~0|+|nor_conv_3x3~0|none~1|+|none~0|nor_conv_1x1~1|none~2|';

test('GradAlign-II on a network that ignores its input: every class Gram has rank 1, score NaN under every norm', () => {
  const backend = new ReferenceBackend();
  // small (C 8, one cell per stage, 8×8 images) but as in the issue: batch 32, here two classes of 16
  const net = new Nb201Network(backend, { arch: INPUT_BLIND_ARCH, C: 8, N: 1, numClasses: 10 });
  net.parameters.initialize(1);
  const rng = new Random(11);
  const state = net.parameters.stateDict();
  for (const e of net.parameters.entries) {
    if (e.kind === 'bn_weight') state.get(e.name)!.data = Float32Array.from({ length: e.tensor.size }, () => rng.uniform(0.5, 1.5));
    if (e.kind === 'bn_bias') state.get(e.name)!.data = Float32Array.from({ length: e.tensor.size }, () => rng.uniform(-0.2, 0.2));
  }
  net.parameters.loadStateDict(state);
  const B = 32,
    hw = 8;
  const batch: Batch = {
    x: Float32Array.from({ length: B * 3 * hw * hw }, () => rng.normal()),
    shape: [B, 3, hw, hw],
    y: Int32Array.from({ length: B }, (_, i) => i % 2),
  };
  const r = reducePerSample(net, batch, new Set(['classGram']));
  for (const c of r.classes) {
    assert.ok(c.gram[0]! > 0, `class ${c.label}: signs are not all zero`);
    assert.is(bareissDeterminant(c.gram, c.count), 0n, `class ${c.label}'s Gram is singular`);
  }
  // the old f64 Cholesky left positive pivots: a finite (and negative, impossible for det ≥ 1) log det
  for (const c of r.classes) assert.ok(logDetSpd(c.gram, c.count) < 0, `Cholesky on class ${c.label}: ${logDetSpd(c.gram, c.count)}`);
  for (const norm of ['none', 'params', 'cosine'] as const) {
    const warnings: string[] = [];
    assert.ok(Number.isNaN(gradalign2(r.classes, norm, r.m, (w) => warnings.push(w))), norm);
    assert.match(warnings.join('\n'), /is singular; score is NaN/);
  }
});

test.run();
