/**
 * NAS-Bench-101 as a search space: a cell written as one JSON line `{"matrix": [[...]], "ops": [...]}` (its
 * canonical text: the pruned cell, specToJson) or, given the NB101 table, as the 32-hex NB101 hash of one of its
 * rows; the network is nb101_model.py's NB101Network at the benchmark's width (stem 128, 3 stacks of 3 cells).
 */
import type { Nb101Table } from '../../data/nb101_table.js';
import type { SearchSpace } from '../space.js';
import { Nb101Network } from './network.js';
import { Nb101SpecError, parseNb101Spec, specToJson } from './spec.js';
import { quote } from '../../util/quote.js';

const HASH = /^[0-9a-fA-F]{32}$/;

/** The NB101 space; with `table`, `canonical` also takes the hash of a table row (→ that row's cell). */
export function nb101Space(table?: Pick<Nb101Table, 'byHash'>): SearchSpace {
  return {
    name: 'nb101',
    title: 'NAS-Bench-101',
    example:
      `'{"matrix": [[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]], "ops": ["input","conv3x3-bn-relu","maxpool3x3","output"]}'` +
      (table ? ' or the NB101 hash of a table row' : ''),
    canonical: (text) => {
      const t = text.trim();
      if (HASH.test(t)) {
        if (!table) {
          throw new Nb101SpecError(
            `${quote(t)} looks like an NB101 hash, but no NB101 table is loaded to look it up in; give the cell as {"matrix": [[...]], "ops": [...]}`,
          );
        }
        const row = table.byHash.get(t.toLowerCase());
        if (!row) throw new Nb101SpecError(`NB101 hash ${quote(t)} is not in the table (${table.byHash.size} cells)`);
        return specToJson(row.spec);
      }
      return specToJson(parseNb101Spec(text));
    },
    build: (backend, arch, o) =>
      new Nb101Network(backend, { spec: parseNb101Spec(arch), numClasses: o.numClasses, ...(o.dtype ? { dtype: o.dtype } : {}) }),
  };
}
