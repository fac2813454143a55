/** Greedy ensemble selection on synthetic scores whose rank correlations with accuracy are known by construction. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spearman } from '../src/eval/correlation.js';
import { chooseEnsemble } from '../src/eval/ensemble.js';
import { logRankAggregate } from '../src/eval/population_scores.js';
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

test.run();
