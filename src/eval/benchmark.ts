/**
 * A benchmark as eval reads it: a search space, its trained architectures by index (the canonical text of
 * each), the accuracies to correlate scores with, and the published numbers to print beside ours.
 */
import type { CifarDataset } from '../data/cifar.js';
import type { SearchSpace } from '../nets/space.js';
import type { PaperNumber } from './paper_numbers.js';

export interface AccuracyTarget {
  /** The report's heading, e.g. "NB201 cifar10 test accuracy". */
  label: string;
  /** The key of the papers' numbers comparable with this target (absent: none are). */
  paper?: string;
  accuracy(index: number): number;
}

/**
 * `indexOf` for a table of architectures in canonical text: an architecture written another way is canonicalised
 * first (text the space does not take is in no table); a repeated architecture is found at its first row.
 */
export function indexByCanonicalText(space: SearchSpace, archs: readonly string[]): (arch: string) => number | undefined {
  const index = new Map<string, number>();
  archs.forEach((a, i) => {
    if (!index.has(a)) index.set(a, i);
  });
  return (arch) => {
    try {
      return index.get(space.canonical(arch));
    } catch {
      return undefined;
    }
  };
}

export interface Benchmark {
  readonly space: SearchSpace;
  /** The table's name when it is not the space's default one (results lines carry it). */
  readonly table?: string;
  /** Architectures in the table; indices are 0 … size − 1. */
  readonly size: number;
  archOf(index: number): string;
  /** The index of an architecture given in canonical text, if the table holds it. */
  indexOf(arch: string): number | undefined;
  /** The image datasets whose accuracies the table holds. */
  readonly datasets: readonly CifarDataset[];
  /** Which accuracies, in words: recorded in every results line's protocol. */
  readonly accuracyNote: string;
  /** What the scores on `dataset`'s images are correlated with; the first is the one plotted. */
  targets(dataset: CifarDataset): AccuracyTarget[];
  /** Published correlations by score key. */
  readonly papers: Readonly<Record<string, readonly PaperNumber[]>>;
}
