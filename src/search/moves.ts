/** The two moves every algorithm here is built from: a uniformly random point, and a one-decision mutation. */
import type { Random } from '../util/random.js';
import type { CategoricalSpace } from './space.js';

/** Every decision drawn uniformly and independently: a uniform draw over the whole space. */
export function randomGenes(space: CategoricalSpace, rng: Random): number[] {
  return space.choices.map((c) => rng.int(c));
}

/**
 * The parent with exactly one decision, drawn uniformly, changed to a different value, drawn uniformly among the
 * others (REA's mutation; never the parent itself). AutoDL's mutate_arch draws a node first and then one of its
 * inputs, which favours the single edge of node 1 (1/3 instead of 1/6); here every edge is equally likely.
 */
export function mutate(space: CategoricalSpace, parent: readonly number[], rng: Random): number[] {
  const child = parent.slice();
  const d = rng.int(space.choices.length);
  const shift = 1 + rng.int(space.choices[d]! - 1); // 1 … c−1 steps round the choices: never the same value
  child[d] = (parent[d]! + shift) % space.choices[d]!;
  return child;
}
