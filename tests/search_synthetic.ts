/** Synthetic oracles for the search tests: landscapes whose optimum is known, and proxies of known quality. */
import { categoricalSpace, type CategoricalSpace } from '../src/search/space.js';
import type { Oracle } from '../src/search/oracle.js';
import type { ProxyScores } from '../src/search/proxy.js';
import { Random } from '../src/util/random.js';

export interface Landscape {
  space: CategoricalSpace;
  reward: (arch: string) => number;
  optimum: string;
  best: number;
}

/**
 * An additive landscape: reward = 50 + Σ_d value_d[g_d], each decision's values distinct (drawn from a seeded
 * generator), so the optimum (every decision at its best value) is unique and every one-decision step towards it
 * improves the reward.
 */
export function additiveLandscape(choices: readonly number[], seed = 42): Landscape {
  const space = categoricalSpace(`additive-${choices.join('x')}`, choices);
  const rng = new Random(seed);
  const values = choices.map((c) => {
    const order = rng.sample(c, c);
    return order.map((rank) => rank * (1 + rng.next())); // distinct, increasing with rank
  });
  const reward = (arch: string) => 50 + space.genes(arch).reduce((a, g, d) => a + values[d]![g]!, 0);
  const best = values.map((v) => v.indexOf(Math.max(...v)));
  const optimum = space.text(best);
  return { space, reward, optimum, best: reward(optimum) };
}

/** An oracle over a landscape that counts its trainings. */
export function countingOracle(l: Landscape): Oracle & { calls: number } {
  const o = {
    calls: 0,
    train(arch: string) {
      o.calls++;
      return l.reward(arch);
    },
  };
  return o;
}

/** The reward itself as the proxy (a perfect one). */
export function perfectProxy(l: Landscape): ProxyScores {
  return { name: 'perfect', score: (arch) => l.reward(arch) };
}

/** Scores with nothing to do with the reward: a seeded hash of the text (FNV-1a, then a splitmix finaliser). */
export function randomProxy(seed = 7): ProxyScores {
  return {
    name: 'random',
    score(arch) {
      let h = (0x811c9dc5 ^ seed) >>> 0;
      for (let i = 0; i < arch.length; i++) h = Math.imul(h ^ arch.charCodeAt(i), 0x01000193) >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
      return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
    },
  };
}
