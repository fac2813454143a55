/** Spearman (average ranks) and Kendall τ-b (Knight's O(n log n)) against brute-force definitions. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { averageRanks, kendallTauB, spearman } from '../src/eval/correlation.js';
import { Random } from '../src/util/random.js';

/** τ-b straight from its definition, O(n²). */
function kendallBrute(x: number[], y: number[]): number {
  let c = 0,
    d = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const sx = Math.sign(x[i]! - x[j]!),
        sy = Math.sign(y[i]! - y[j]!);
      if (sx === 0 && sy === 0) continue;
      if (sx === 0) tx++;
      else if (sy === 0) ty++;
      else if (sx === sy) c++;
      else d++;
    }
  return (c - d) / Math.sqrt((c + d + tx) * (c + d + ty));
}

test('average ranks share tied positions', () => {
  assert.equal(averageRanks([10, 20, 20, 5, 20]), [2, 4, 4, 1, 4]);
});

test('perfect and reversed orders', () => {
  const x = [1, 2, 3, 4, 5],
    y = [10, 20, 30, 40, 50];
  assert.is(spearman(x, y).value, 1);
  assert.is(kendallTauB(x, y).value, 1);
  assert.is(kendallTauB(x, [...y].reverse()).value, -1);
  assert.ok(Math.abs(spearman(x, [...y].reverse()).value + 1) < 1e-15);
});

test('a hand-computed example with ties: τ-b = 3/√30, ρ = 3/√22.5', () => {
  // Pairs: 4 concordant, 1 discordant, 1 tied in x only → τ-b = (4−1)/√((5+1)(5+0)).
  // Ranks x [1.5,1.5,3,4], y [1,3,2,4] → Σdxdy = 3, Σdx² = 4.5, Σdy² = 5 → ρ = 3/√22.5.
  const x = [1, 1, 2, 3],
    y = [1, 3, 2, 4];
  assert.ok(Math.abs(kendallTauB(x, y).value - kendallBrute(x, y)) < 1e-15);
  assert.ok(Math.abs(kendallTauB(x, y).value - 3 / Math.sqrt(5 * 6)) < 1e-15);
  assert.ok(Math.abs(spearman(x, y).value - 3 / Math.sqrt(22.5)) < 1e-15);
});

test('Knight τ-b equals the O(n²) definition on random data with many ties', () => {
  const rng = new Random(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + rng.int(200);
    const x = Array.from({ length: n }, () => rng.int(12));
    const y = Array.from({ length: n }, (_, i) => (trial % 2 ? x[i]! + rng.int(5) : rng.int(8)));
    assert.ok(Math.abs(kendallTauB(x, y).value - kendallBrute(x, y)) < 1e-12, `trial ${trial}`);
  }
});

test('NaN pairs are dropped and counted', () => {
  const r = spearman([1, NaN, 3, 4], [1, 2, NaN, 4]);
  assert.is(r.n, 2);
  assert.is(r.dropped, 2);
  assert.is(r.value, 1);
  assert.ok(Number.isNaN(kendallTauB([NaN], [1]).value));
});

test.run();
