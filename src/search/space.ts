/**
 * What a search algorithm sees of a search space: a point is a list of categorical decisions ("genes"), one per
 * position, each with its own number of choices (NB201: 6 edges × 5 ops). The canonical text of a point is its key
 * for oracles and score tables. Algorithms sample, mutate and model genes; they never parse architectures.
 */

export interface CategoricalSpace {
  /** The space's name (`nb201`), for reports. */
  readonly name: string;
  /** choices[d]: how many values decision d takes (each ≥ 2, so that a mutation can change it). */
  readonly choices: readonly number[];
  /** The canonical text of a point. */
  text(genes: readonly number[]): string;
  /** The genes of a canonical text; throws, naming the problem, when it is not a point of the space. */
  genes(text: string): number[];
}

/**
 * A space of `choices.length` decisions written as their values joined by '-', e.g. "0-2-1": for tests and for a
 * user's own space when its architectures need no other spelling.
 */
export function categoricalSpace(name: string, choices: readonly number[]): CategoricalSpace {
  if (choices.length === 0) throw new RangeError(`space ${name}: no decisions`);
  for (const c of choices)
    if (!Number.isInteger(c) || c < 2) throw new RangeError(`space ${name}: every decision needs at least 2 choices, got ${c}`);
  return {
    name,
    choices,
    text: (genes) => genes.join('-'),
    genes(text) {
      const parts = text.split('-');
      const genes = parts.map(Number);
      if (parts.length !== choices.length || genes.some((g, d) => !/^\d+$/.test(parts[d]!) || g >= choices[d]!))
        throw new RangeError(
          `${JSON.stringify(text)} is not a point of space ${name} (${choices.length} values, each below ${choices.join('/')})`,
        );
      return genes;
    },
  };
}

/** The number of points of a space. */
export function spaceSize(space: CategoricalSpace): number {
  return space.choices.reduce((a, c) => a * c, 1);
}
