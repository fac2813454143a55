/**
 * NAS-Bench-301 as eval reads it: NAS-Bench-Suite-Zero's file of 725 DARTS genotypes (../shared, MANIFEST.txt).
 * Its accuracy is the NB301 SURROGATE model's predicted CIFAR-10 validation accuracy — a model's prediction, not
 * a trained network — and every heading says so. The file also holds Suite-Zero's values of 12 proxies for each
 * genotype: the per-architecture agreement of ours with theirs.
 */
import { SUITE_ZERO_KEYS } from '../data/suite_zero.js';
import type { Nb301Table } from '../data/nb301_table.js';
import { compactGenotypeText } from '../nets/darts/genotype.js';
import type { SearchSpace } from '../nets/space.js';
import { indexByCanonicalText, type Benchmark } from './benchmark.js';

export function nb301Benchmark(table: Nb301Table, space: SearchSpace): Benchmark & { scoresOf(i: number): Record<string, number> } {
  const archs = table.rows.map((r) => compactGenotypeText(r.genotype));
  // their names → ours (jacov → jacob_cov, nwot → naswot); l2_norm, plain and epe_nas have no counterpart here
  const scores = table.rows.map((r) =>
    Object.fromEntries(Object.entries(r.scores).flatMap(([k, v]) => (SUITE_ZERO_KEYS[k] ? [[SUITE_ZERO_KEYS[k]!, v] as const] : []))),
  );
  return {
    space,
    size: archs.length,
    archOf: (i) => archs[i]!,
    indexOf: indexByCanonicalText(space, archs),
    datasets: ['cifar10'],
    accuracyNote:
      "NAS-Bench-301's surrogate-predicted CIFAR-10 validation accuracy (NAS-Bench-Suite-Zero's naslib_zc_nasbench301_725.json): a model's prediction, not a trained run",
    targets: () => [{ label: 'NB301 cifar10 surrogate-predicted validation accuracy', accuracy: (i) => table.rows[i]!.surrogateValAcc }],
    papers: {},
    scoresOf: (i) => scores[i]!,
  };
}
