/**
 * The search algorithms on synthetic oracles whose optimum is known: they find it; a perfect proxy helps and a
 * random one does not (means over many seeded runs, compared with a margin of 3 standard errors, so the
 * outcome is fixed by the seeds); the budget is exact; a seed fixes the run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AlgorithmName } from '../src/search/algorithms.js';
import type { Variant } from '../src/search/context.js';
import type { ProxyScores } from '../src/search/proxy.js';
import { search, searchRuns, type SearchOptions } from '../src/search/search.js';
import { meanStd } from '../src/search/summary.js';
import { additiveLandscape, countingOracle, perfectProxy, randomProxy, type Landscape } from './search_synthetic.js';

/** Every algorithm and variant: [algorithm, assisted, variant]. */
const CONFIGS: [AlgorithmName, boolean, Variant][] = [
  ['rs', false, 'published'],
  ['rea', false, 'published'],
  ['reinforce', false, 'published'],
  ['bohb', false, 'published'],
  ['rs', true, 'published'],
  ['rea', true, 'published'],
  ['reinforce', true, 'published'],
  ['reinforce', true, 'corrected'],
  ['bohb', true, 'published'],
  ['bohb', true, 'corrected'],
  ['a-rea', true, 'published'],
];
const name = ([a, p, v]: (typeof CONFIGS)[number]) => `${p ? 'G-' : ''}${a}${v === 'corrected' ? ' (corrected)' : ''}`;

function options(
  l: Landscape,
  [algorithm, assisted, variant]: (typeof CONFIGS)[number],
  budget: number,
  seed: number,
  proxy?: ProxyScores,
): SearchOptions {
  return {
    space: l.space,
    algorithm,
    oracle: countingOracle(l),
    budget,
    seed,
    variant,
    ...(assisted ? { proxy: proxy ?? perfectProxy(l) } : {}),
  };
}

async function bestRewards(o: SearchOptions, runs: number): Promise<number[]> {
  const out: number[] = [];
  for await (const r of searchRuns(o, runs)) out.push(r.best.reward);
  return out;
}

/** mean(a) − mean(b) and three standard errors of that difference. */
function difference(a: number[], b: number[]): { diff: number; margin: number } {
  const sa = meanStd(a),
    sb = meanStd(b);
  return { diff: sa.mean - sb.mean, margin: 3 * Math.sqrt(sa.std ** 2 / a.length + sb.std ** 2 / b.length) };
}

const small = additiveLandscape([3, 3, 3]);
const nb201Shaped = additiveLandscape([5, 5, 5, 5, 5, 5]);

test('every algorithm and variant finds the known optimum of a 27-point landscape in 200 trainings (10 seeds each)', async () => {
  for (const c of CONFIGS)
    for await (const r of searchRuns(options(small, c, 200, 11), 10))
      assert.is(
        r.best.arch,
        small.optimum,
        `${name(c)}, seed ${r.seed}: found ${r.best.arch} (${r.best.reward}), optimum ${small.optimum}`,
      );
});

test('on NB201’s shape (5^6), a perfect proxy beats the plain algorithm and a random one is no better (200 runs × 20 trainings)', async () => {
  const plain: Partial<Record<AlgorithmName, number[]>> = {};
  for (const a of ['rs', 'rea', 'reinforce', 'bohb'] as const)
    plain[a] = await bestRewards(options(nb201Shaped, [a, false, 'published'], 20, 5), 200);
  for (const c of CONFIGS.filter(([, assisted]) => assisted)) {
    const baseline = plain[c[0] === 'a-rea' ? 'rea' : c[0]]!;
    const perfect = difference(await bestRewards(options(nb201Shaped, c, 20, 5), 200), baseline);
    assert.ok(
      perfect.diff > perfect.margin,
      `${name(c)} with a perfect proxy: ${perfect.diff.toFixed(3)} over plain (margin ${perfect.margin.toFixed(3)})`,
    );
    const random = difference(await bestRewards(options(nb201Shaped, c, 20, 5, randomProxy()), 200), baseline);
    assert.ok(
      random.diff < random.margin,
      `${name(c)} with a random proxy: ${random.diff.toFixed(3)} over plain (margin ${random.margin.toFixed(3)})`,
    );
  }
});

test('REA climbs: it beats RS on an additive landscape (300 runs × 50 trainings)', async () => {
  const rea = await bestRewards(options(nb201Shaped, ['rea', false, 'published'], 50, 8), 300);
  const rs = await bestRewards(options(nb201Shaped, ['rs', false, 'published'], 50, 8), 300);
  const d = difference(rea, rs);
  assert.ok(d.diff > 1 && d.diff > d.margin, `REA − RS = ${d.diff.toFixed(3)} (margin ${d.margin.toFixed(3)})`);
});

test('REINFORCE learns with a large learning rate (later samples better), and hardly moves at AutoDL’s 0.001 in 200 steps', async () => {
  const gain = async (learningRate: number) => {
    const gains: number[] = [];
    for await (const r of searchRuns(
      { ...options(nb201Shaped, ['reinforce', false, 'published'], 200, 3), settings: { learningRate } },
      30,
    )) {
      const mean = (h: typeof r.history) => meanStd(h.map((t) => t.reward)).mean;
      gains.push(mean(r.history.slice(150)) - mean(r.history.slice(0, 50)));
    }
    return meanStd(gains).mean;
  };
  const fast = await gain(0.05),
    slow = await gain(0.001);
  assert.ok(fast > 5, `lr 0.05: the last 50 samples average ${fast.toFixed(2)} above the first 50`);
  assert.ok(Math.abs(slow) < 1.5, `lr 0.001: ${slow.toFixed(2)}`);
});

test('the budget is exact: every algorithm trains exactly N architectures', async () => {
  for (const c of CONFIGS)
    for (const budget of [1, 2, 9, 13, 21, 47]) {
      const o = options(nb201Shaped, c, budget, 4);
      const r = await search(o);
      assert.is((o.oracle as unknown as { calls: number }).calls, budget, `${name(c)} budget ${budget}`);
      assert.is(r.history.length, budget);
      assert.is(r.incumbents.length, budget);
      assert.is(r.incumbents[budget - 1], r.best.arch);
    }
});

test('the same seed gives the same run, another seed another, and budget N is the first N trainings of budget 60', async () => {
  for (const c of CONFIGS) {
    const long = await search(options(nb201Shaped, c, 60, 9));
    const again = await search(options(nb201Shaped, c, 60, 9));
    assert.equal(again.history, long.history, name(c));
    const other = await search(options(nb201Shaped, c, 60, 10));
    assert.not.equal(other.history, long.history, name(c));
    for (const n of [7, 25]) {
      const short = await search(options(nb201Shaped, c, n, 9));
      assert.equal(short.history, long.history.slice(0, n), `${name(c)} budget ${n}`);
      assert.equal(short.incumbents, long.incumbents.slice(0, n));
    }
  }
});

test('the incumbent is the best reward so far (full trainings), the first of equals', async () => {
  for (const c of CONFIGS.filter(([a]) => a !== 'bohb')) {
    const r = await search(options(nb201Shaped, c, 40, 2));
    r.incumbents.forEach((arch, t) => {
      const best = r.history.slice(0, t + 1).reduce((b, h) => (h.reward > b.reward ? h : b));
      assert.is(arch, best.arch, `${name(c)} after ${t + 1}`);
    });
  }
});

test('G-REINFORCE: published and corrected start alike and then learn from different architectures', async () => {
  const run = (variant: Variant) =>
    search({ ...options(nb201Shaped, ['reinforce', true, variant], 60, 6), settings: { learningRate: 0.05 } });
  const published = await run('published'),
    corrected = await run('corrected');
  assert.equal(published.history[0], corrected.history[0], 'the first sample precedes any update');
  assert.not.equal(published.history, corrected.history);
});

test('A-REA trains the proxy’s top 10 of its sample first, best first, then evolves', async () => {
  const l = additiveLandscape([3, 3, 3, 3]); // 81 points: a sample of 5,000 holds them all
  const r = await search({ ...options(l, ['a-rea', true, 'published'], 30, 1), settings: { initSample: 5000 } });
  const all = Array.from({ length: 81 }, (_, i) => l.space.text([i % 3, Math.floor(i / 3) % 3, Math.floor(i / 9) % 3, Math.floor(i / 27)]));
  const top = all.sort((a, b) => l.reward(b) - l.reward(a)).slice(0, 10);
  assert.equal(
    r.history.slice(0, 10).map((h) => h.arch),
    top,
  );
  assert.is(r.best.arch, l.optimum);
});

test.run();
