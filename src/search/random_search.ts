/**
 * RS: train uniformly random architectures. G-RS (the paper's Algorithm 3): each step draws `pool` (10)
 * architectures uniformly, independently, and trains the one the proxy scores highest.
 */
import type { Algorithm } from './context.js';
import { randomGenes } from './moves.js';

export const randomSearch: Algorithm = async (ctx) => {
  for (;;) await ctx.train(ctx.candidate(() => randomGenes(ctx.space, ctx.rng)));
};
