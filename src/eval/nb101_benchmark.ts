/**
 * NAS-Bench-101 as eval reads it, from two tables of ../shared (MANIFEST.txt):
 * - `nb101`: the 1,000 trained cells with NB101's 108-epoch validation accuracy of one repeat (no test
 *   accuracies are reachable here; the papers correlate with test accuracy, printed beside with that label);
 * - `suite-zero`: the 292 distinct cells of NAS-Bench-Suite-Zero's NB101 file with their proxy scores, for
 *   the per-cell agreement of ours with theirs. Each cell is built as its first key's spec (two vertex orders
 *   of one hash can differ in channels), the one their scores and the validation accuracy used come from.
 */
import type { Nb101Table } from '../data/nb101_table.js';
import type { SuiteZeroNb101 } from '../data/suite_zero_nb101.js';
import { nb101Hash } from '../nets/nb101/hash.js';
import { parseNb101Spec, specToJson } from '../nets/nb101/spec.js';
import type { SearchSpace } from '../nets/space.js';
import type { Benchmark } from './benchmark.js';
import { NB101_PAPER_NUMBERS } from './paper_numbers.js';

/** An index by hash (the tables are keyed by it), so that an isomorphic writing of a cell finds its row. */
function indexByHash(indexOfHash: (hash: string) => number | undefined): (arch: string) => number | undefined {
  return (arch) => {
    try {
      return indexOfHash(nb101Hash(parseNb101Spec(arch)));
    } catch {
      return undefined;
    }
  };
}

export function nb101Benchmark(table: Nb101Table, space: SearchSpace): Benchmark {
  const archs = table.rows.map((r) => specToJson(r.spec));
  return {
    space,
    size: archs.length,
    archOf: (i) => archs[i]!,
    indexOf: indexByHash((h) => table.byHash.get(h)?.index),
    datasets: ['cifar10'],
    accuracyNote: 'NB101 108-epoch validation accuracy, one of three repeats (../shared nb101_1k_graphs_valacc108.jsonl)',
    targets: () => [
      {
        label: 'NB101 cifar10 validation accuracy (108 epochs, one repeat; the papers: test)',
        paper: 'cifar10',
        accuracy: (i) => table.rows[i]!.valAcc,
      },
    ],
    papers: NB101_PAPER_NUMBERS,
  };
}

export function suiteZeroNb101Benchmark(
  sz: SuiteZeroNb101,
  space: SearchSpace,
): Benchmark & { scoresOf(i: number): Record<string, number> } {
  const cells = [...sz.cells.values()];
  const archs = cells.map((c) => specToJson(c.spec));
  const indexOfHash = new Map(cells.map((c, i) => [c.hash, i]));
  return {
    space,
    table: 'suite-zero',
    size: archs.length,
    archOf: (i) => archs[i]!,
    indexOf: indexByHash((h) => indexOfHash.get(h)),
    datasets: ['cifar10'],
    accuracyNote: "NAS-Bench-Suite-Zero's NB101 val_accuracy of each cell's first key (108 epochs, one random repeat)",
    targets: () => [
      { label: "NB101 cifar10 validation accuracy (Suite-Zero's, first key of each cell)", accuracy: (i) => cells[i]!.valAccs[0]! },
    ],
    papers: NB101_PAPER_NUMBERS,
    scoresOf: (i) => cells[i]!.scores,
  };
}
