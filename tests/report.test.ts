/** The evaluation report's population scores and counts, on hand-made lines. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { azNasAggregate, logRankAggregate, withAzNasRanks, withTenasRanks } from '../src/eval/population_scores.js';
import { NEG_INF_SCORE, correlationRows, formatSuiteZeroAgreement, type EvalLine } from '../src/eval/report.js';

const line = (index: number, seed: number, scores: Record<string, number | null>): EvalLine => ({
  index,
  arch: `a${index}`,
  dataset: 'cifar10',
  seed,
  scores,
});

test('TE-NAS rank score: rank(ntk) + rank(lr) per seed with average ranks; NaN parts give null', () => {
  const lines = [
    line(0, 1, { tenas_ntk: -10, tenas_lr: 5 }),
    line(1, 1, { tenas_ntk: -2, tenas_lr: 5 }),
    line(2, 1, { tenas_ntk: -5, tenas_lr: 9 }),
    line(3, 1, { tenas_ntk: null, tenas_lr: 1 }),
    line(0, 2, { tenas_ntk: -1, tenas_lr: 1 }),
  ];
  const out = withTenasRanks(lines);
  // seed 1 over the three finite lines: ntk ranks 1, 3, 2; lr ranks 1.5, 1.5, 3
  assert.equal(
    out.slice(0, 4).map((l) => l.scores.tenas),
    [2.5, 4.5, 5, null],
  );
  assert.is(out[4]!.scores.tenas, 2, 'a population of one');
  assert.is(lines[0]!.scores.tenas, undefined, 'the input lines are not modified');
});

test('AZ-NAS aggregate: Σ_m ln(rank_m / N), average ranks; −∞ ranks lowest; a NaN term leaves the population', () => {
  // two columns over three architectures: ranks (1, 2, 3) and (2.5, 2.5, 1)
  const agg = azNasAggregate([
    [1, 2, 3],
    [5, 5, NEG_INF_SCORE],
  ]);
  const want = [Math.log(1 / 3) + Math.log(2.5 / 3), Math.log(2 / 3) + Math.log(2.5 / 3), Math.log(1) + Math.log(1 / 3)];
  agg.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-15, `${v} vs ${want[i]}`));
  const terms = (c: number, e: number | null, p: number, t: number) => ({
    az_nas_complexity: c,
    az_nas_expressivity: e,
    az_nas_progressivity: p,
    az_nas_trainability: t,
  });
  const out = withAzNasRanks([
    line(0, 1, terms(10, 20, 1, -1)),
    line(1, 1, terms(30, 10, 2, NEG_INF_SCORE)),
    line(2, 1, terms(20, null, 3, -2)),
    line(0, 2, terms(1, 1, 1, 1)),
  ]);
  // seed 1 over lines 0 and 1: ranks complexity (1, 2), expressivity (2, 1), progressivity (1, 2), trainability (2, 1)
  const l2 = Math.log(1 / 2);
  assert.ok(Math.abs(out[0]!.scores.az_nas! - 2 * l2) < 1e-15);
  assert.ok(Math.abs(out[1]!.scores.az_nas! - 2 * l2) < 1e-15);
  assert.is(out[2]!.scores.az_nas, null);
  assert.is(out[3]!.scores.az_nas, 0, 'a population of one: every rank is N');
});

test('a weighted log-rank aggregate: Σ_m w_m ln(rank_m / N)', () => {
  const agg = logRankAggregate(
    [
      [1, 2, 3],
      [30, 20, 10],
    ],
    [1, 0.5],
  );
  const want = [Math.log(1 / 3) + 0.5 * Math.log(1), Math.log(2 / 3) + 0.5 * Math.log(2 / 3), Math.log(1) + 0.5 * Math.log(1 / 3)];
  agg.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-15, `${v} vs ${want[i]}`));
  assert.equal(logRankAggregate([[5, 5]]), [Math.log(1.5 / 2), Math.log(1.5 / 2)], 'ties share the average rank');
});

test('correlation rows count NaN scores (dropped) and −∞ scores (kept, ranked last) separately', () => {
  const lines = [line(0, 1, { naswot: NEG_INF_SCORE }), line(1, 1, { naswot: null }), line(2, 1, { naswot: 3 }), line(3, 1, { naswot: 4 })];
  const [r] = correlationRows(lines, [{ label: 'c10 test', accuracy: (i) => 80 + i }]);
  assert.is(r!.nan, 1);
  assert.is(r!.negInf, 1);
  assert.is(r!.rho.mean, 1, 'the −∞ architecture ranks last, as the worst accuracy does');
});

test('agreement with published per-architecture scores: ρ over the architectures both have, first seed', () => {
  const lines = [
    line(0, 1, { snip: 1 }),
    line(1, 1, { snip: 2 }),
    line(2, 1, { snip: 3 }),
    line(3, 1, { snip: 9 }),
    line(0, 2, { snip: 5 }),
  ];
  const theirs = new Map([
    ['a0', { snip: 10 }],
    ['a1', { snip: 30 }],
    ['a2', { snip: 20 }],
  ]);
  const text = formatSuiteZeroAgreement(lines, theirs);
  assert.ok(text.includes('| snip | 3 | 0.500 |'), text);
});

test.run();
