/**
 * BOHB (Falkner et al. 2018; hpbandster with one worker, as the paper's BOHB.py runs it): Hyperband brackets
 * (hyperband.ts) whose new configurations come from the TPE model (tpe.ts), proposed one at a time, each after
 * the previous result; successive halving promotes the best 1/η of a rung (in their original order).
 *
 * Fidelity: every rung's evaluation is one training against the budget, and the oracle is told the rung's share
 * of a full training. On the NB201 table, which has only 200-epoch accuracies, the lower rungs cannot be real:
 * every rung returns the final number, and a promoted configuration is trained (and paid for) again for the same
 * reward. That is what the paper's harness did too: its worker ignored the budget it was given, returned the
 * 12-epoch accuracy and charged its time at every rung. The run returns the best at the top rung reached
 * (hpbandster's incumbent).
 *
 * G-HB, `published` (their config generator): the model's proposal is thrown away and replaced by the proxy's
 * best of `pool` (10) distinct uniformly random architectures; the model is fitted but never used. `corrected`:
 * the proxy picks among `pool` proposals of the model, so the model still guides the search.
 */
import type { Algorithm, SearchContext } from './context.js';
import { hyperbandBrackets } from './hyperband.js';
import { randomGenes } from './moves.js';
import { spaceSize } from './space.js';
import { TpeModel } from './tpe.js';

export const bohb: Algorithm = async (ctx) => {
  const { eta, minBudget, maxBudget } = ctx.settings;
  const brackets = hyperbandBrackets(eta, minBudget, maxBudget);
  const model = new TpeModel(ctx.space, ctx.settings);
  const propose = (): number[] => {
    if (!ctx.proxy) return model.propose(ctx.rng);
    if (ctx.variant === 'published') return ctx.pick(distinctRandom(ctx, ctx.pool));
    return ctx.pick(Array.from({ length: ctx.pool }, () => model.propose(ctx.rng)));
  };
  const evaluate = async (genes: number[], fraction: number) => {
    const reward = await ctx.train(genes, fraction);
    model.observe(genes, reward, fraction);
    return { genes, reward };
  };
  for (let i = 0; ; i++) {
    const { counts, fractions } = brackets[i % brackets.length]!;
    let rung: { genes: number[]; reward: number }[] = [];
    for (let j = 0; j < counts[0]!; j++) rung.push(await evaluate(propose(), fractions[0]!));
    for (let k = 1; k < counts.length; k++) {
      const kept = new Set(
        rung
          .map((c, j) => ({ reward: c.reward, j }))
          .sort((a, b) => b.reward - a.reward) // stable: the earlier of equals goes on
          .slice(0, counts[k]!)
          .map((c) => c.j),
      );
      const next: typeof rung = [];
      for (const [j, c] of rung.entries()) if (kept.has(j)) next.push(await evaluate(c.genes, fractions[k]!));
      rung = next;
    }
  }
};

/** `n` distinct uniformly random points (as random.sample over NB201's indices), or every point of a smaller space. */
function distinctRandom(ctx: SearchContext, n: number): number[][] {
  const want = Math.min(n, spaceSize(ctx.space));
  const seen = new Map<string, number[]>();
  while (seen.size < want) {
    const g = randomGenes(ctx.space, ctx.rng);
    const text = ctx.space.text(g);
    if (!seen.has(text)) seen.set(text, g);
  }
  return [...seen.values()];
}
