/**
 * The oracle is what "training an architecture" means to a search: a tabular benchmark's lookup, or a user's own
 * trainer. Every call of `train` counts as one trained architecture against the search budget; scoring
 * candidates with a zero-cost proxy costs nothing.
 */

/** Accuracies (%) of one architecture per dataset, for the report of what a search found. */
export type Accuracies = Record<string, number>;

export interface Oracle {
  /**
   * Trains `arch` (the space's canonical text) and returns its reward, higher is better: the validation accuracy
   * the search maximises. `fraction` is the share of a full training asked for, in (0, 1]: 1 for every algorithm
   * but BOHB, whose Hyperband rungs ask for less (an oracle with only final accuracies may ignore it).
   */
  train(arch: string, fraction: number): number | Promise<number>;
  /** Validation and test accuracies per dataset of an architecture, to report the one a search returns. */
  report?(arch: string): { val: Accuracies; test: Accuracies };
}
