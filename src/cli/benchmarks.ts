/** The benchmarks `--space` names, loaded from the bundled tables (and ../shared for Suite-Zero's scores). */
import type { Benchmark } from '../eval/benchmark.js';
import { checkResultLine, type ResultLine, type ResultTable } from '../eval/result_line.js';
import { nb201Benchmark } from '../eval/nb201_benchmark.js';
import { NB201_SPACE } from '../nets/nb201/space.js';
import type { SearchSpace } from '../nets/space.js';
import { loadNb201Table, loadSuiteZeroCifar10 } from '../node/files.js';

export const SPACE_NAMES = ['nb201'] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

/** A benchmark with, where ../shared has them, NAS-Bench-Suite-Zero's scores of its architectures. */
export interface LoadedBenchmark extends Benchmark {
  /** Suite-Zero's scores by canonical architecture, for the images of `dataset`, if available. */
  suiteZero?: (dataset: string) => ReadonlyMap<string, Record<string, number>> | undefined;
}

export function loadBenchmark(name: SpaceName): LoadedBenchmark {
  switch (name) {
    case 'nb201':
      return { ...nb201Benchmark(loadNb201Table()), suiteZero: (d) => (d === 'cifar10' ? loadSuiteZeroCifar10() : undefined) };
  }
}

/** The space alone (what `score` needs), without loading a table it does not use. */
export function spaceNamed(name: SpaceName): SearchSpace {
  switch (name) {
    case 'nb201':
      return NB201_SPACE;
  }
}

/** What a results line of this benchmark is checked against. */
export function resultTableOf(b: Benchmark): ResultTable {
  return { space: b.space.name, size: b.size, archOf: (i) => b.archOf(i) };
}

const loaded = new Map<SpaceName, LoadedBenchmark>();

/** Checks a results line against the table of the space it names (merge reads files of any space). */
export function checkLineOfItsSpace(v: unknown): ResultLine {
  const space = (v as { space?: unknown } | null)?.space;
  const name = SPACE_NAMES.find((n) => n === space) ?? 'nb201';
  if (!loaded.has(name)) loaded.set(name, loadBenchmark(name));
  return checkResultLine(v, resultTableOf(loaded.get(name)!));
}
