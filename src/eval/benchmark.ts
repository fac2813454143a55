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
