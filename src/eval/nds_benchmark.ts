/**
 * An NDS cell space as eval reads it, from the user's copy of NDS's JSON file (data/nds_table.ts): every record
 * checked against the space (ops, nodes, inputs, concat rule; nets/darts/nds_spaces.ts), its architecture the
 * canonical text of its net (genotype at the record's own width and depth), its accuracy the final test accuracy
 * 100 − test_ep_top1[−1] (NASWOT's and GradSign's reading). A file can hold one model more than once (a
 * genotype trained at the same width and depth twice): the first record is the one an architecture finds.
 */
import type { NdsTable } from '../data/nds_table.js';
import { DataFormatError } from '../io/errors.js';
import { checkNdsArch, ndsArchText, type NdsCellSpace } from '../nets/darts/nds_spaces.js';
import { DartsGenotypeError } from '../nets/darts/genotype.js';
import type { SearchSpace } from '../nets/space.js';
import { indexByCanonicalText, type Benchmark } from './benchmark.js';

export function ndsBenchmark(table: NdsTable, space: SearchSpace & { nds: NdsCellSpace }, source = 'NDS file'): Benchmark {
  const archs = table.records.map((r) => {
    try {
      return ndsArchText(checkNdsArch(space.nds, r.arch));
    } catch (e) {
      if (e instanceof DartsGenotypeError)
        throw new DataFormatError(`record ${r.index}: not a model of ${space.title}: ${e.detail}`, source);
      throw e;
    }
  });
  return {
    space,
    size: archs.length,
    archOf: (i) => archs[i]!,
    indexOf: indexByCanonicalText(space, archs),
    datasets: ['cifar10'],
    // no path here: the note is part of every results line's protocol, which a moved copy of the file must still match
    accuracyNote: `NDS final test accuracy, 100 − test_ep_top1[−1], of the user's copy of ${space.nds.file}`,
    targets: () => [
      {
        label: `${space.title} cifar10 final test accuracy (NDS, ${space.nds.file})`,
        accuracy: (i) => table.records[i]!.finalTestAccuracy,
      },
    ],
    papers: {},
  };
}
