/**
 * NAS-Bench-201 as a categorical space: genes[e] is the index in NB201_OPS of the op on edge e, the edges in
 * xautodl's layer order (1←0, 2←0, 2←1, 3←0, 3←1, 3←2), the order of AutoDL's search scripts' `edge2index`.
 */
import { NB201_OPS, archString, parseArch, type CellEdge } from '../nets/nb201/arch.js';
import type { CategoricalSpace } from './space.js';

const EDGES: readonly { from: number; to: number }[] = [
  { from: 0, to: 1 },
  { from: 0, to: 2 },
  { from: 1, to: 2 },
  { from: 0, to: 3 },
  { from: 1, to: 3 },
  { from: 2, to: 3 },
];

function buildText(genes: readonly number[]): string {
  return archString({
    edges: EDGES.map((e, i): CellEdge => {
      const op = NB201_OPS[genes[i]!];
      if (op === undefined) throw new RangeError(`NB201 gene ${i} is ${genes[i]}, not an op index in [0, ${NB201_OPS.length})`);
      return { op, ...e };
    }),
  });
}

/** Every point's text by its code Σ_e genes[e]·5^(5−e), built on first use: searches ask for texts in hot loops. */
let texts: string[] | undefined;

export const NB201_SEARCH_SPACE: CategoricalSpace = {
  name: 'nb201',
  choices: EDGES.map(() => NB201_OPS.length),
  text(genes) {
    let code = 0;
    for (let i = 0; i < EDGES.length; i++) {
      const g = genes[i]!;
      if (!(Number.isInteger(g) && g >= 0 && g < NB201_OPS.length)) return buildText(genes); // which throws, naming it
      code = code * NB201_OPS.length + g;
    }
    texts ??= Array.from({ length: NB201_OPS.length ** EDGES.length }, (_, c) =>
      buildText(EDGES.map((_, i) => Math.floor(c / NB201_OPS.length ** (EDGES.length - 1 - i)) % NB201_OPS.length)),
    );
    return texts[code]!;
  },
  // by (from, to), so that a string listing a node's inputs out of order still reads right
  genes(text) {
    const edges = parseArch(text).edges;
    return EDGES.map(({ from, to }) => NB201_OPS.indexOf(edges.find((e) => e.from === from && e.to === to)!.op));
  },
};
