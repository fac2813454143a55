/** Greedy ensemble selection on synthetic scores whose rank correlations with accuracy are known by construction. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spearman } from '../src/eval/correlation.js';
import { chooseEnsemble } from '../src/eval/ensemble.js';
import { ENSEMBLE_SCORE, logRankAggregate, withEnsembleRanks } from '../src/eval/population_scores.js';
import { ENSEMBLE_MEMBERS } from '../src/proxies/ensemble.js';
import { parseProxyList, wantsEnsemble } from '../src/proxies/registry.js';
import type { EvalLine } from '../src/eval/report.js';
import { Random } from '../src/util/random.js';

// accuracy = index; `a` and `b` are accuracy plus independent noise (each alone ρ ≈ 0.8, together better);
// `noise` is unrelated; `copy` ranks exactly as `a` (adds nothing); `c` has a NaN on one line.
const n = 400;
const rng = new Random(5);
const lines: EvalLine[] = Array.from({ length: n }, (_, i) => ({
  index: i,
  arch: `a${i}`,
  dataset: 'cifar10',
  seed: 1,
  scores: { a: i + 120 * rng.normal(), b: i + 120 * rng.normal(), noise: rng.normal(), c: i === 7 ? null : i + 400 * rng.normal() },
}));
for (const l of lines) l.scores.copy = 2 * l.scores.a! + 1;
const acc = (i: number) => i;
const rho = (keys: string[], ls = lines) =>
  spearman(
    logRankAggregate(keys.map((k) => ls.map((l) => l.scores[k]!))),
    ls.map((l) => acc(l.index)),
  ).value;

test('greedy selection: the best single proxy first, then what adds most; a copy and noise add nothing', () => {
  const choice = chooseEnsemble(lines, ['noise', 'a', 'b', 'copy'], acc);
  assert.is(choice.archs, n);
  assert.ok(['a', 'b', 'copy'].includes(choice.members[0]!), `first ${choice.members[0]}`);
  const single = Math.max(rho(['a']), rho(['b']));
  assert.ok(Math.abs(choice.steps[0]!.rho - single) < 1e-12);
  assert.ok(choice.members.includes('b') && (choice.members.includes('a') || choice.members.includes('copy')));
  assert.not.ok(choice.members.includes('a') && choice.members.includes('copy'), 'a rank copy never joins its original');
  assert.not.ok(choice.members.includes('noise'));
  // each step's ρ is the aggregate's, and rises by at least the minimum gain
  choice.steps.forEach((s, i) => {
    assert.ok(Math.abs(s.rho - rho(choice.members.slice(0, i + 1))) < 1e-12);
    if (i > 0) assert.ok(s.rho - choice.steps[i - 1]!.rho >= 0.002);
  });
  assert.ok(choice.steps.at(-1)!.rho > single + 0.02, `${choice.steps.at(-1)!.rho} vs ${single}`);
});

test('a candidate with a NaN removes that line from the population; maxMembers caps the ensemble', () => {
  const choice = chooseEnsemble(lines, ['a', 'b', 'c'], acc, { maxMembers: 1 });
  assert.is(choice.archs, n - 1);
  assert.is(choice.members.length, 1);
  const usable = lines.filter((l) => l.index !== 7);
  assert.ok(Math.abs(choice.steps[0]!.rho - Math.max(rho(['a'], usable), rho(['b'], usable))) < 1e-12);
});

test('--proxies ensemble: its members; with every member, a run yields the ensemble', () => {
  assert.equal(parseProxyList('ensemble'), [...ENSEMBLE_MEMBERS]);
  assert.equal(parseProxyList('gradsign,ensemble,synflow'), ['gradsign', ...ENSEMBLE_MEMBERS]);
  assert.ok(wantsEnsemble(parseProxyList('all')));
  assert.not.ok(wantsEnsemble(parseProxyList('gradsign,meco')));
  assert.equal(ENSEMBLE_SCORE.members, ENSEMBLE_MEMBERS);
});

test('the ensemble over a run: Σ_m ln(rank_m / N) per (dataset, seed), average ranks for ties, a NaN member drops the line', () => {
  // three architectures, every member ranking them 1, 2, 3 except the last member, which ties the first two
  const M = ENSEMBLE_MEMBERS.length;
  const member = (m: number, i: number) => (m === M - 1 && i < 2 ? 0 : i);
  const mk = (seed: number, i: number, nan = false): EvalLine => ({
    index: i,
    arch: `a${i}`,
    dataset: 'cifar10',
    seed,
    scores: Object.fromEntries(ENSEMBLE_MEMBERS.map((k, m) => [k, nan && m === 0 ? null : member(m, i)])),
  });
  const out = withEnsembleRanks([mk(1, 0), mk(1, 1), mk(1, 2), mk(2, 0, true), mk(2, 1), mk(2, 2)]);
  const ln = Math.log;
  const expected1 = [(M - 1) * ln(1 / 3) + ln(1.5 / 3), (M - 1) * ln(2 / 3) + ln(1.5 / 3), M * ln(3 / 3)];
  out
    .slice(0, 3)
    .forEach((l, i) => assert.ok(Math.abs(l.scores.ensemble! - expected1[i]!) < 1e-12, `seed 1 arch ${i}: ${l.scores.ensemble}`));
  // seed 2: architecture 0 has a NaN member, so the population is the other two, ranked 1, 2 by every member
  assert.is(out[3]!.scores.ensemble, null);
  const expected2 = [M * ln(1 / 2), M * ln(2 / 2)];
  out
    .slice(4)
    .forEach((l, i) => assert.ok(Math.abs(l.scores.ensemble! - expected2[i]!) < 1e-12, `seed 2 arch ${i + 1}: ${l.scores.ensemble}`));
});

test.run();
