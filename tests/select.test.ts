/** Table-5 selection: known cases where the answer follows from the definition. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { selectArchitectures } from '../src/eval/select.js';
import { Random } from '../src/util/random.js';

const rng = new Random(4);
const acc = Array.from({ length: 200 }, () => 50 + 40 * rng.next());

test('a score equal to the accuracy picks the optimum of every draw', () => {
  const r = selectArchitectures(acc, [acc], 10, 300, 1);
  assert.equal(r.score.mean, r.optimal.mean);
  assert.equal(r.score.std, r.optimal.std);
  assert.ok(r.optimal.mean[0]! > r.random.mean[0]! + 5);
});

test('with N = 1 the pick is the random draw; a reversed score finds the worst', () => {
  const one = selectArchitectures(acc, [acc], 1, 200, 2);
  assert.equal(one.score.mean, one.random.mean);
  const worst = selectArchitectures(
    acc.map((a) => -a),
    [acc],
    20,
    200,
    3,
  );
  assert.ok(worst.score.mean[0]! < worst.random.mean[0]! - 5);
});

test('NaN scores never win; the random mean approaches the pool mean', () => {
  const scores = acc.map((a, i) => (i % 2 ? NaN : a));
  const r = selectArchitectures(scores, [acc.map((_, i) => i % 2)], 30, 200, 5);
  assert.is(r.score.mean[0], 0, 'only even (non-NaN) candidates are picked');
  const big = selectArchitectures(acc, [acc], 1, 20000, 6);
  const poolMean = acc.reduce((a, b) => a + b, 0) / acc.length;
  assert.ok(Math.abs(big.random.mean[0]! - poolMean) < 0.5);
});

test.run();
