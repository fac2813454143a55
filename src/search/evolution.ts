/**
 * REA (regularised evolution, Real et al. 2019, as AutoDL's R_EA.py runs it): a population of 10 random trained
 * architectures; each cycle draws a tournament of 3 members with replacement, mutates the best (the first drawn
 * of equals) in one decision, trains the child, adds it and removes the oldest member.
 * G-REA (the paper's Algorithm 2): `pool` (10) mutants of the parent, the proxy's best is trained.
 * A-REA (NASWOT's assisted REA): REA whose initial population is the proxy's top `population` of `initSample`
 * random architectures (distinct), then plain mutation.
 */
import type { Algorithm, SearchContext } from './context.js';
import { mutate, randomGenes } from './moves.js';

interface Member {
  genes: number[];
  reward: number;
}

async function evolve(ctx: SearchContext, initial: number[][], assistedMutation: boolean): Promise<void> {
  const population: Member[] = [];
  for (const genes of initial) population.push({ genes, reward: await ctx.train(genes) });
  for (;;) {
    let parent = population[ctx.rng.int(population.length)]!;
    for (let k = 1; k < ctx.settings.tournament; k++) {
      const c = population[ctx.rng.int(population.length)]!;
      if (c.reward > parent.reward) parent = c;
    }
    const child = assistedMutation
      ? ctx.candidate(() => mutate(ctx.space, parent.genes, ctx.rng))
      : mutate(ctx.space, parent.genes, ctx.rng);
    population.push({ genes: child, reward: await ctx.train(child) });
    population.shift(); // the oldest dies, not the worst
  }
}

export const regularizedEvolution: Algorithm = (ctx) =>
  evolve(
    ctx,
    Array.from({ length: ctx.settings.population }, () => randomGenes(ctx.space, ctx.rng)),
    ctx.proxy !== undefined,
  );

export const assistedEvolution: Algorithm = (ctx) => {
  const proxy = ctx.proxy;
  if (!proxy) throw new Error('A-REA needs a proxy to choose its initial population');
  const sample = new Map<string, number[]>();
  for (let i = 0; i < ctx.settings.initSample; i++) {
    const g = randomGenes(ctx.space, ctx.rng);
    const text = ctx.space.text(g);
    if (!sample.has(text)) sample.set(text, g);
  }
  const ranked = [...sample].map(([text, genes]) => ({ genes, score: proxy.score(text) })).sort((a, b) => byScore(a.score, b.score));
  return evolve(
    ctx,
    ranked.slice(0, ctx.settings.population).map((m) => m.genes),
    false,
  );
};

/** Highest first, NaN last; equal scores keep their order (Array.prototype.sort is stable). */
function byScore(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  return a > b ? -1 : a < b ? 1 : 0;
}
