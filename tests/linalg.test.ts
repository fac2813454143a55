/** Dense f64 linear algebra used by the proxies, checked against known maths. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { corrcoef, logAbsDet, logDetSpd, symmetricEigenvalues } from '../src/util/linalg.js';
import { packCodes, popcount, ReluCodes } from '../src/proxies/relu_codes.js';
import { Random } from '../src/util/random.js';

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('symmetric eigenvalues: a rotated diagonal matrix gives back its diagonal, ascending, to 1e-12', () => {
  const rng = new Random(1);
  const n = 12;
  const d = Array.from({ length: n }, (_, i) => (i - 4) * 1.5 + (i === 7 ? 1e-9 : 0));
  // Q from Gram–Schmidt of a random matrix; A = Q diag(d) Qᵀ
  const Q = Array.from({ length: n }, () => Array.from({ length: n }, () => rng.normal()));
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const p = Q[i]!.reduce((s, v, j) => s + v * Q[k]![j]!, 0);
      Q[i] = Q[i]!.map((v, j) => v - p * Q[k]![j]!);
    }
    const norm = Math.hypot(...Q[i]!);
    Q[i] = Q[i]!.map((v) => v / norm);
  }
  const A = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) A[r * n + c] = d.reduce((s, dk, k) => s + Q[k]![r]! * dk * Q[k]![c]!, 0);
  const got = symmetricEigenvalues(A, n);
  const want = [...d].sort((a, b) => a - b);
  want.forEach((w, i) => close(got[i]!, w, 1e-12, `λ${i}`));
  assert.ok(symmetricEigenvalues(Float64Array.of(1, NaN, NaN, 1), 2).every(Number.isNaN), 'NaN in, NaN out');
});

test('logAbsDet: matches Cholesky on SPD, |det| of a permutation-heavy matrix, −∞ when singular', () => {
  const rng = new Random(2);
  const n = 8;
  const M = Float64Array.from({ length: n * n }, () => rng.normal());
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += M[i * n + k]! * M[j * n + k]!;
      S[i * n + j] = s;
    }
  close(logAbsDet(S, n), logDetSpd(S, n), 1e-12, 'SPD');
  // det [[0,2],[3,0]] = −6
  close(logAbsDet(Float64Array.of(0, 2, 3, 0), 2), Math.log(6), 1e-15, 'needs pivoting');
  assert.is(logAbsDet(Float64Array.of(5, 5, 5, 5), 2), -Infinity);
});

test('corrcoef: rows of a known 3×4 matrix (numpy values); a constant row is NaN', () => {
  const R = corrcoef([1, 2, 3, 4, 2, 4, 6, 8.5, 4, 3, 2, 1], 3, 4);
  close(R[0]!, 1, 1e-15, 'r00');
  close(R[1]!, 0.9983814394570298, 1e-14, 'r01'); // numpy.corrcoef
  close(R[2]!, -1, 1e-15, 'r02');
  close(R[5]!, -0.9983814394570298, 1e-14, 'r12');
  assert.ok(Number.isNaN(corrcoef([1, 1, 1, 1, 2, 3], 2, 3)[1]!));
});

test('ReLU codes: popcount and bit packing; K = units − Hamming equals the brute-force code agreement count', () => {
  assert.equal([0, 1, 0xffffffff, 0x80000001, 0x12345678].map(popcount), [0, 1, 32, 2, 13]);
  const rng = new Random(3);
  const B = 5;
  const calls = [37, 64, 3].map((D) => Float64Array.from({ length: B * D }, () => rng.normal()));
  const codes = new ReluCodes(B);
  calls.forEach((z) => codes.add(z));
  const K = codes.kernel();
  for (let i = 0; i < B; i++)
    for (let j = 0; j < B; j++) {
      let agree = 0;
      for (const z of calls) {
        const D = z.length / B;
        for (let k = 0; k < D; k++) agree += Number(z[i * D + k]! > 0 === z[j * D + k]! > 0);
      }
      assert.is(K[i * B + j], agree, `K[${i},${j}]`);
    }
  assert.equal([...packCodes([1, -1, 0, 2], 1, 4)], [0b1001]);
});

test.run();
