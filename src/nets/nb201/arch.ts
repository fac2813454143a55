/**
 * NAS-Bench-201 architecture strings: `|op~i|+|op~i|op~i|+|op~i|op~i|op~i|`. Group k (1-based) lists the
 * inputs of node k, each `op~source`. Parsing is strict and every error names what is wrong and where.
 */
import { quote } from '../../util/quote.js';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

export interface CellEdge {
  op: Nb201Op;
  from: number;
  to: number;
}

/** The six edges in xautodl's layer order: node 1's inputs, then node 2's, then node 3's, each in string order. */
export interface Genotype {
  edges: CellEdge[];
}

export class ArchStringError extends Error {
  constructor(
    readonly arch: string,
    detail: string,
  ) {
    super(`invalid NB201 arch string ${typeof arch === 'string' ? quote(arch) : String(arch)}: ${detail}`);
    this.name = 'ArchStringError';
  }
}

const NODES = 3;

export function parseArch(arch: string): Genotype {
  const fail = (detail: string): never => {
    throw new ArchStringError(arch, detail);
  };
  if (typeof arch !== 'string') fail(`expected a string, got ${typeof arch}`);
  if (arch.length === 0) fail('empty string');
  const stray = arch.match(/[^a-z0-9_~|+]/);
  if (stray) fail(`stray character ${quote(stray[0])} at position ${stray.index}`);
  const groups = arch.split('+');
  if (groups.length !== NODES) fail(`expected ${NODES} node groups separated by '+', found ${groups.length}`);
  const edges: CellEdge[] = [];
  groups.forEach((group, k) => {
    const node = k + 1;
    if (!group.startsWith('|') || !group.endsWith('|') || group.length < 2) {
      fail(`node ${node} group ${quote(group)} must start and end with '|'`);
    }
    const items = group.slice(1, -1).split('|');
    if (items.some((s) => s === '')) fail(`node ${node} group ${quote(group)} has an empty entry`);
    if (items.length !== node) fail(`node ${node} must have ${node} input edge(s), found ${items.length} in ${quote(group)}`);
    const seen = new Set<number>();
    for (const item of items) {
      const parts = item.split('~');
      if (parts.length !== 2) fail(`edge ${quote(item)} of node ${node} is not of the form op~source`);
      const [op, src] = parts as [string, string];
      if (!(NB201_OPS as readonly string[]).includes(op)) {
        fail(`unknown op ${quote(op)} on node ${node} (known: ${NB201_OPS.join(', ')})`);
      }
      if (!/^\d+$/.test(src)) fail(`source ${quote(src)} of edge ${quote(item)} is not a node index`);
      const from = Number(src);
      if (from >= node) fail(`edge ${quote(item)} of node ${node} takes node ${from}, which is not before it (valid: 0..${node - 1})`);
      if (seen.has(from)) fail(`node ${node} takes node ${from} twice`);
      seen.add(from);
      edges.push({ op: op as Nb201Op, from, to: node });
    }
  });
  return { edges };
}

/** The arch string of a genotype, edges in their stored order. */
export function archString(g: Genotype): string {
  const groups: string[] = [];
  for (let node = 1; node <= NODES; node++) {
    groups.push(
      '|' +
        g.edges
          .filter((e) => e.to === node)
          .map((e) => `${e.op}~${e.from}`)
          .join('|') +
        '|',
    );
  }
  return groups.join('+');
}
