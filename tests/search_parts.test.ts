/** The search's parts, each against what follows from its definition: Hyperband, the KDE, BOHB's rungs, proxies, the NB201 oracle, statistics, option errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResultLine } from '../src/eval/result_line.js';
import { loadNb201Table } from '../src/node/files.js';
import { Adam } from '../src/search/adam.js';
import { algorithmLabel } from '../src/search/algorithms.js';
import { hyperbandBrackets } from '../src/search/hyperband.js';
import { fitKde, kdeDensity } from '../src/search/kde.js';
import { nb201TableOracle } from '../src/search/nb201_oracle.js';
import { proxyFromResults, proxyPick, proxyTable } from '../src/search/proxy.js';
import { search, type SearchOptions } from '../src/search/search.js';
import { categoricalSpace } from '../src/search/space.js';
import { incumbentCurve, meanStd, summarizeAccuracies } from '../src/search/summary.js';
import { throwsWith } from './helpers.js';
import { additiveLandscape, countingOracle, perfectProxy } from './search_synthetic.js';

test("Hyperband's brackets are hpbandster's: [12, 200] epochs with η = 3, and the classic [1, 81]", () => {
  assert.equal(hyperbandBrackets(3, 12, 200), [
    { counts: [9, 3, 1], fractions: [1 / 9, 1 / 3, 1] },
    { counts: [3, 1], fractions: [1 / 3, 1] },
    { counts: [3], fractions: [1] },
  ]);
  assert.equal(
    hyperbandBrackets(3, 1, 81).map((b) => b.counts),
    [[81, 27, 9, 3, 1], [27, 9, 3, 1], [9, 3, 1], [6, 2], [5]],
  );
  throwsWith(() => hyperbandBrackets(1, 1, 9), 'η > 1');
});

test('BOHB trains the brackets in order and promotes the best third of each rung', async () => {
  const l = additiveLandscape([5, 5, 5, 5, 5, 5]);
  const r = await search({ space: l.space, algorithm: 'bohb', oracle: countingOracle(l), budget: 40, seed: 2 });
  const f = r.history.map((h) => h.fraction);
  const cycle = [...Array(9).fill(1 / 9), ...Array(3).fill(1 / 3), 1, ...Array(3).fill(1 / 3), 1, 1, 1, 1];
  assert.equal(f.slice(0, 20), cycle);
  assert.equal(f.slice(20, 40), cycle);
  const rung0 = r.history.slice(0, 9),
    rung1 = r.history.slice(9, 12);
  const top3 = rung0
    .slice()
    .sort((a, b) => b.reward - a.reward)
    .slice(0, 3)
    .map((h) => h.arch);
  assert.equal(new Set(rung1.map((h) => h.arch)), new Set(top3));
  assert.equal(
    rung1.map((h) => h.arch),
    rung0.map((h) => h.arch).filter((a) => top3.includes(a)),
    'promoted in their original order',
  );
  const best1 = rung1.reduce((b, h) => (h.reward > b.reward ? h : b));
  assert.is(r.history[12]!.arch, best1.arch);
  // the incumbent after the first top-rung training is that training, whatever the lower rungs held
  assert.is(r.incumbents[12], r.history[12]!.arch);
});

test('G-HB published and corrected agree until the model exists, then part', async () => {
  const l = additiveLandscape([5, 5, 5, 5, 5, 5]);
  const o = (variant: 'published' | 'corrected'): SearchOptions => ({
    space: l.space,
    algorithm: 'bohb',
    oracle: countingOracle(l),
    proxy: perfectProxy(l),
    variant,
    budget: 80,
    seed: 3,
  });
  const p = await search(o('published')),
    c = await search(o('corrected'));
  // no budget has the 14 results a model needs before the second bracket of 9 (after 20 + 5 trainings)
  assert.equal(c.history.slice(0, 25), p.history.slice(0, 25));
  assert.not.equal(c.history, p.history);
});

test('the categorical KDE is a density (sums to 1) with bandwidths clipped to [min, (c−1)/c]', () => {
  const choices = [3, 4, 2];
  const space = categoricalSpace('k', choices);
  const data = [
    [0, 1, 1],
    [0, 1, 0],
    [2, 3, 1],
    [0, 0, 1],
  ];
  const kde = fitKde(data, choices, 0.3);
  let total = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 4; b++) for (let c = 0; c < 2; c++) total += kdeDensity(kde, [a, b, c]);
  assert.ok(Math.abs(total - 1) < 1e-12, `${total}`);
  kde.bandwidth.forEach((l, d) => assert.ok(l >= 0.3 && l <= (choices[d]! - 1) / choices[d]! + 1e-15, `λ_${d} = ${l}`));
  // all alike: σ = 0, so λ = the minimum and the data's own point is the mode
  const same = fitKde(
    [
      [1, 2, 0],
      [1, 2, 0],
    ],
    choices,
    0.3,
  );
  assert.equal(same.bandwidth, [0.3, 0.3, 0.3]);
  assert.ok(kdeDensity(same, [1, 2, 0]) > kdeDensity(same, [1, 2, 1]));
  // spread codes: the normal reference rule exceeds (c − 1)/c and is clipped there (the uniform kernel)
  const wide = fitKde(
    [
      [0, 0, 0],
      [2, 3, 1],
      [0, 3, 0],
      [2, 0, 1],
    ],
    choices,
    0.3,
  );
  assert.equal(wide.bandwidth, [2 / 3, 3 / 4, 1.06 * 0.5 * 4 ** (-1 / 7)]); // binary codes never exceed 1/2
  assert.ok(Math.abs(kdeDensity(wide, [1, 1, 1]) - 1 / 24) < 1e-15);
  assert.ok(space.genes('2-3-1').length === 3);
});

test('proxyPick: the highest score, NaN never wins, ties to the first, all NaN the first', () => {
  const p = proxyTable('t', new Map(Object.entries({ a: 1, b: 3, c: NaN, d: 3, e: NaN })));
  assert.is(proxyPick(p, ['a', 'b', 'c', 'd']), 1);
  assert.is(proxyPick(p, ['c', 'a']), 1);
  assert.is(proxyPick(p, ['c', 'e']), 0);
  throwsWith(() => proxyPick(p, ['a', 'zz']), 'the t score table has no score for zz');
  const line = (arch: string, s: number | null): ResultLine =>
    ({
      space: 'nb201',
      index: 0,
      arch,
      dataset: 'cifar10',
      seed: 1,
      scores: { gradsign: s },
      seconds: 0,
      warnings: [],
      protocol: {},
    }) as ResultLine;
  const fromLines = proxyFromResults([line('x', 5), line('y', null)], 'gradsign');
  assert.is(fromLines.score('x'), 5);
  assert.ok(Number.isNaN(fromLines.score('y')), 'a null score reads as NaN');
  throwsWith(() => proxyFromResults([line('x', 1), line('x', 2)], 'gradsign'), 'hold x twice');
});

test('the NB201 table oracle: reward = the search dataset’s validation accuracy, report = every split', () => {
  const table = loadNb201Table();
  const row = table.rows[1]!;
  assert.is(nb201TableOracle(table).train(row.arch, 1), row.val.cifar10);
  assert.is(nb201TableOracle(table, 'imagenet16-120').train(row.arch, 1 / 9), row.val['imagenet16-120'], 'the fraction is ignored');
  assert.equal(nb201TableOracle(table).report!(row.arch), { val: row.val, test: row.test });
  throwsWith(() => nb201TableOracle(table).train('|none~0|', 1), 'not a canonical NB201 arch string');
  throwsWith(() => nb201TableOracle(table, 'mnist' as 'cifar10'), 'unknown NB201 dataset "mnist"');
});

test('mean ± std is the sample std (n − 1); summaries and best-so-far curves follow', () => {
  assert.equal(meanStd([1, 2, 3, 4]), { mean: 2.5, std: Math.sqrt(5 / 3) });
  assert.equal(meanStd([7]), { mean: 7, std: 0 });
  const s = summarizeAccuracies([
    { val: { a: 1 }, test: { a: 10 } },
    { val: { a: 3 }, test: { a: 14 } },
  ]);
  assert.equal(s, { val: { a: { mean: 2, std: Math.SQRT2 } }, test: { a: { mean: 12, std: 2 * Math.SQRT2 } } });
  const v: Record<string, number> = { p: 1, q: 2, r: 5 };
  assert.equal(
    incumbentCurve(
      [
        ['p', 'q', 'q'],
        ['r', 'r', 'r'],
      ],
      (a) => v[a]!,
    ),
    { mean: [3, 3.5, 3.5], std: [Math.sqrt(8), Math.sqrt(4.5), Math.sqrt(4.5)] },
  );
  throwsWith(() => incumbentCurve([['p'], ['p', 'q']], (a) => v[a]!), 'as many trainings');
});

test('Adam steps as torch.optim.Adam: the first step is lr·g/(|g| + ε), the second from the bias-corrected moments', () => {
  const adam = new Adam(2, 0.01);
  const p = Float64Array.from([1, -2]);
  adam.step(p, Float64Array.from([0.5, -3]));
  assert.ok(
    Math.abs(p[0]! - (1 - (0.01 * 0.5) / (0.5 + 1e-8))) < 1e-15 && Math.abs(p[1]! - (-2 + (0.01 * 3) / (3 + 1e-8))) < 1e-15,
    `${p}`,
  );
  const before = p[0]!;
  adam.step(p, Float64Array.from([1, 0]));
  const m = (0.9 * 0.05 + 0.1 * 1) / (1 - 0.81),
    v = (0.999 * 0.00025 + 0.001 * 1) / (1 - 0.999 ** 2);
  assert.ok(Math.abs(p[0]! - (before - (0.01 * m) / (Math.sqrt(v) + 1e-8))) < 1e-15);
});

test('labels are Table 6’s', () => {
  assert.is(algorithmLabel('rea', undefined), 'REA');
  assert.is(algorithmLabel('rea', 'gradsign'), 'G-REA');
  assert.is(algorithmLabel('bohb', 'gradsign'), 'G-HB');
  assert.is(algorithmLabel('bohb', 'naswot', 'corrected'), 'G-HB (naswot), corrected');
  assert.is(algorithmLabel('a-rea', 'naswot'), 'A-REA (naswot)');
  assert.is(algorithmLabel('a-rea', 'gradsign'), 'A-REA (gradsign)');
});

test('search() refuses what it cannot run, naming the problem', async () => {
  const l = additiveLandscape([3, 3]);
  const base: SearchOptions = { space: l.space, algorithm: 'rs', oracle: countingOracle(l), budget: 5, seed: 1 };
  const refused = async (o: Partial<SearchOptions> & Record<string, unknown>, message: string) => {
    let error: unknown;
    await search({ ...base, ...o } as SearchOptions).catch((e) => (error = e));
    assert.ok(error instanceof Error && error.message.includes(message), `${JSON.stringify(Object.keys(o))}: ${String(error)}`);
  };
  await refused({ algorithm: 'bogo' as 'rs' }, 'unknown search algorithm "bogo" (known: rs, rea, reinforce, bohb, a-rea)');
  await refused({ algorithm: 'a-rea' }, 'a-rea needs a proxy');
  await refused({ variant: 'corrected' }, 'rs has no corrected variant');
  await refused({ budget: 0 }, 'the budget must be an integer ≥ 1');
  await refused({ budget: 2.5 }, 'the budget must be an integer ≥ 1');
  await refused({ pool: 0 }, 'pool must be an integer ≥ 1');
  await refused({ seed: -1 }, 'seed must be an integer in [0, 2^32)');
  await refused({ space: 'nb101' as 'nb201' }, 'unknown search space "nb101"');
  await refused({ settings: { population: 0 } }, 'setting population must be an integer ≥ 1');
  const named = await search({ ...base, space: 'nb201', oracle: { train: () => 1 }, budget: 3 });
  assert.is(named.history.length, 3);
});

test.run();
