/**
 * NDS's NAS cell spaces (Radosavovic et al. 2019, "On Network Design Spaces for Visual Recognition", §5): five
 * published NAS cell search spaces re-instantiated in one network, pycls's NetworkCIFAR (= DARTS's, plan.ts), with
 * pycls's op table (layers.ts, network.ts: the `darts` op variant). A space fixes
 *
 * - its ops: pycls/models/nas/genotypes.py NASNET_OPS, AMOEBA_OPS, PNAS_OPS, ENAS_OPS, DARTS_OPS (DARTS's
 *   includes `none`); the same lists, per JSON file, in the NDS API of a third-party benchmark wrapper that reads
 *   the published files (OP_LIST there, with its input/output pseudo-ops);
 * - its intermediate nodes: 5, DARTS 4 (NUM_VERTICES 13 and 11 there: 2 inputs + 2 per node + 1 output);
 * - its cell output: `loose` ends (NASNet, Amoeba, ENAS: the nodes no pair of the cell reads, NASNet's rule) or
 *   `all` nodes (PNAS, DARTS). pycls's own NASNet, AmoebaNet and PNASNet genotypes follow these rules, and so does
 *   the Amoeba record NNI's NDS tutorial queries (normal_concat [3, 5, 6], reduce_concat [3, 6]);
 * - the width w (C) and depth d (cells) a model is sampled at. NDS samples them per model and stores them in each
 *   record (`net.width`, `net.depth`); the `_fix-w-d` files hold one fixed pair. The ranges, w ∈ {16, 24, 32} and
 *   d ∈ {4, 8, 12, 16, 20} for all five spaces, are those of NNI's NDS model-space hub (microsoft/nni,
 *   nni/retiarii/hub/pytorch/nasnet.py, written after unnas's pycls/models/nas/nas.py), whose op lists, node counts
 *   and cell outputs are also the ones here, and whose d cells split into three stages of (i+1)·d/3 − i·d/3 with a
 *   reduction first in the second and third, as DARTS's do; the paper's text itself was not reachable. The
 *   fix-w-d pair (32, 20) is NOT checked against any source. The ranges matter only to the sampler; an
 *   architecture of any width and depth is accepted, and `eval` takes each record's own from the user's table.
 *
 * A pair reads any earlier state (0, 1 the cell inputs, 2 + k node k), both pairs of a node the same one if drawn
 * so (the tutorial's Amoeba record has a node reading state 2 twice); each pair's op and input are drawn
 * uniformly and independently. That is the count behind NDS's table of cell-space sizes (in billions, as
 * remembered: NASNet 71,465,842, Amoeba and PNAS 556,628): ∏ over the pairs of ops × inputs, 13^10 · (2·3·4·5·6)²
 * = 7.1465842·10^16 and 8^10 · (2·3·4·5·6)² = 5.56628·10^14, which independent draws with repeats give and
 * distinct inputs or unordered pairs would not.
 *
 * An architecture's canonical text is NDS's `net` record reduced to what builds the network, as compact JSON:
 * `{"width":32,"depth":12,"genotype":{"normal":[["avg_pool_3x3",0],...],"normal_concat":[3,5,6],"reduce":[...],"reduce_concat":[3,6]}}`.
 * `Genotype(...)` text is accepted too, at the width and depth the space is given (`--width`, `--depth`).
 */
import type { Random } from '../../util/random.js';
import type { SearchSpace } from '../space.js';
import {
  createDartsGenotype,
  DARTS_OPS,
  DartsGenotypeError,
  parseDartsGenotypeText,
  type DartsCell,
  type DartsGenotype,
  type DartsOp,
} from './genotype.js';
import { DartsNetwork } from './network.js';

export type NdsCellOutput = 'loose' | 'all';

export interface NdsCellSpace {
  /** The `--space` name. */
  name: string;
  title: string;
  /** NDS's file of this space's trained models (CIFAR-10). */
  file: string;
  ops: readonly DartsOp[];
  nodes: number;
  output: NdsCellOutput;
  /** The widths and depths the sampler draws from (one each for a fix-w-d space). */
  widths: readonly number[];
  depths: readonly number[];
}

/** genotypes.py NASNET_OPS (13). */
const NASNET_OPS: readonly DartsOp[] = [
  'skip_connect',
  'conv_3x1_1x3',
  'conv_7x1_1x7',
  'dil_conv_3x3',
  'avg_pool_3x3',
  'max_pool_3x3',
  'max_pool_5x5',
  'max_pool_7x7',
  'conv_1x1',
  'conv_3x3',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'sep_conv_7x7',
];
/** genotypes.py ENAS_OPS (5). */
const ENAS_OPS: readonly DartsOp[] = ['skip_connect', 'sep_conv_3x3', 'sep_conv_5x5', 'avg_pool_3x3', 'max_pool_3x3'];
/** genotypes.py AMOEBA_OPS (8). */
const AMOEBA_OPS: readonly DartsOp[] = [
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'sep_conv_7x7',
  'avg_pool_3x3',
  'max_pool_3x3',
  'dil_sep_conv_3x3',
  'conv_7x1_1x7',
];
/** genotypes.py PNAS_OPS (8). */
const PNAS_OPS: readonly DartsOp[] = [
  'sep_conv_3x3',
  'sep_conv_5x5',
  'sep_conv_7x7',
  'conv_7x1_1x7',
  'skip_connect',
  'avg_pool_3x3',
  'max_pool_3x3',
  'dil_conv_3x3',
];
/** genotypes.py DARTS_OPS (8, with `none`): DARTS's PRIMITIVES, in the same order. */
const NDS_DARTS_OPS: readonly DartsOp[] = DARTS_OPS;

/** Sampled widths and depths (NNI's NDS hub; see the header). */
const NDS_WIDTHS = [16, 24, 32] as const;
const NDS_DEPTHS = [4, 8, 12, 16, 20] as const;
/** DARTS_fix-w-d's one width and depth (unchecked: see the header). */
export const NDS_FIXED_WIDTH = 32;
export const NDS_FIXED_DEPTH = 20;

export const NDS_CELL_SPACES: readonly NdsCellSpace[] = [
  {
    name: 'nds-darts',
    title: 'NDS DARTS',
    file: 'DARTS.json',
    ops: NDS_DARTS_OPS,
    nodes: 4,
    output: 'all',
    widths: NDS_WIDTHS,
    depths: NDS_DEPTHS,
  },
  {
    name: 'nds-enas',
    title: 'NDS ENAS',
    file: 'ENAS.json',
    ops: ENAS_OPS,
    nodes: 5,
    output: 'loose',
    widths: NDS_WIDTHS,
    depths: NDS_DEPTHS,
  },
  {
    name: 'nds-pnas',
    title: 'NDS PNAS',
    file: 'PNAS.json',
    ops: PNAS_OPS,
    nodes: 5,
    output: 'all',
    widths: NDS_WIDTHS,
    depths: NDS_DEPTHS,
  },
  {
    name: 'nds-nasnet',
    title: 'NDS NASNet',
    file: 'NASNet.json',
    ops: NASNET_OPS,
    nodes: 5,
    output: 'loose',
    widths: NDS_WIDTHS,
    depths: NDS_DEPTHS,
  },
  {
    name: 'nds-amoeba',
    title: 'NDS Amoeba',
    file: 'Amoeba.json',
    ops: AMOEBA_OPS,
    nodes: 5,
    output: 'loose',
    widths: NDS_WIDTHS,
    depths: NDS_DEPTHS,
  },
  {
    name: 'nds-darts-fix-w-d',
    title: 'NDS DARTS (fixed width and depth)',
    file: 'DARTS_fix-w-d.json',
    ops: NDS_DARTS_OPS,
    nodes: 4,
    output: 'all',
    widths: [NDS_FIXED_WIDTH],
    depths: [NDS_FIXED_DEPTH],
  },
];

export const NDS_SPACE_NAMES = NDS_CELL_SPACES.map((s) => s.name);

export function ndsCellSpace(name: string): NdsCellSpace {
  const s = NDS_CELL_SPACES.find((x) => x.name === name);
  if (!s) throw new RangeError(`unknown NDS space ${name} (known: ${NDS_SPACE_NAMES.join(', ')})`);
  return s;
}

/** The states a cell's output concatenates under the rule: every node, or the nodes no pair reads (in order). */
export function ndsConcat(pairs: DartsCell['pairs'], output: NdsCellOutput): number[] {
  const nodes = Array.from({ length: pairs.length / 2 }, (_, k) => k + 2);
  if (output === 'all') return nodes;
  const read = new Set(pairs.map((p) => p.input));
  return nodes.filter((s) => !read.has(s));
}

/** An NDS model: its genotype at a width and depth. */
export interface NdsArch {
  genotype: DartsGenotype;
  width: number;
  depth: number;
}

function positive(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new DartsGenotypeError(`${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks a genotype against a space: its ops, its node count, its inputs (createDartsGenotype) and its concat
 * against the space's output rule; width and depth positive integers. Returns a checked copy.
 */
export function checkNdsArch(space: NdsCellSpace, a: NdsArch): NdsArch {
  const genotype = createDartsGenotype(a.genotype, space.ops);
  for (const which of ['normal', 'reduce'] as const) {
    const cell = genotype[which];
    const nodes = cell.pairs.length / 2;
    if (nodes !== space.nodes) {
      throw new DartsGenotypeError(
        `the ${which} cell has ${nodes} nodes (${cell.pairs.length} pairs); ${space.title} cells have ${space.nodes} (${2 * space.nodes} pairs)`,
      );
    }
    const want = ndsConcat(cell.pairs, space.output);
    if (cell.concat.join() !== want.join()) {
      throw new DartsGenotypeError(
        `${which}_concat is [${cell.concat.join(', ')}], but ${space.title} cells concatenate ${space.output === 'loose' ? 'their loose ends (the nodes no pair reads)' : 'all their nodes'}: [${want.join(', ')}]`,
      );
    }
  }
  return { genotype, width: positive('width', a.width), depth: positive('depth', a.depth) };
}

// ---- NDS's JSON form ----

function jsonPairs(v: unknown, which: string): DartsCell['pairs'] {
  if (!Array.isArray(v)) throw new DartsGenotypeError(`genotype.${which} is ${JSON.stringify(v)}, not a list of [op, input] pairs`);
  return v.map((p, j) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || !Number.isInteger(p[1])) {
      throw new DartsGenotypeError(
        `pair ${j} of genotype.${which} is ${JSON.stringify(p)}, not an [op, input] pair like ["sep_conv_3x3", 0]`,
      );
    }
    return { op: p[0] as DartsOp, input: p[1] as number };
  });
}

function jsonConcat(v: unknown, which: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x))) {
    throw new DartsGenotypeError(`genotype.${which}_concat is ${JSON.stringify(v)}, not a list of states`);
  }
  return v as number[];
}

/** An NDS record's `net` object (genotype, width, depth; `aux` and `drop_prob` only matter to training). */
export function ndsArchFromNet(net: unknown): NdsArch {
  if (typeof net !== 'object' || net === null || Array.isArray(net))
    throw new DartsGenotypeError(`net is ${JSON.stringify(net)}, not an object`);
  const n = net as Record<string, unknown>;
  const g = n.genotype as Record<string, unknown> | undefined;
  if (typeof g !== 'object' || g === null)
    throw new DartsGenotypeError('net has no genotype object (a cell-space record has net.genotype)');
  return {
    genotype: {
      normal: { pairs: jsonPairs(g.normal, 'normal'), concat: jsonConcat(g.normal_concat, 'normal') },
      reduce: { pairs: jsonPairs(g.reduce, 'reduce'), concat: jsonConcat(g.reduce_concat, 'reduce') },
    },
    width: n.width as number,
    depth: n.depth as number,
  };
}

/** The canonical text: `{"width":…,"depth":…,"genotype":{…}}`, compact, in this key order. */
export function ndsArchText(a: NdsArch): string {
  const cell = (c: DartsCell) => c.pairs.map((p) => [p.op, p.input]);
  return JSON.stringify({
    width: a.width,
    depth: a.depth,
    genotype: {
      normal: cell(a.genotype.normal),
      normal_concat: a.genotype.normal.concat,
      reduce: cell(a.genotype.reduce),
      reduce_concat: a.genotype.reduce.concat,
    },
  });
}

/** Either form: JSON (`{…}`, NDS's `net` record) or DARTS's `Genotype(...)` text at `width` and `depth`. */
export function parseNdsArch(space: NdsCellSpace, text: string, shape: { width: number; depth: number }): NdsArch {
  if (/^\s*\{/.test(text)) {
    let net: unknown;
    try {
      net = JSON.parse(text);
    } catch (e) {
      throw new DartsGenotypeError(`malformed JSON: ${(e as Error).message}`);
    }
    return checkNdsArch(space, ndsArchFromNet(net));
  }
  return checkNdsArch(space, { genotype: parseDartsGenotypeText(text, space.ops), ...shape });
}

/** A model drawn uniformly from the space: width, depth, then each pair's op and input (normal cell, then reduce). */
export function sampleNdsArch(space: NdsCellSpace, random: Random): NdsArch {
  const width = space.widths[random.int(space.widths.length)]!;
  const depth = space.depths[random.int(space.depths.length)]!;
  const cell = (): DartsCell => {
    const pairs = Array.from({ length: 2 * space.nodes }, (_, j) => {
      const op = space.ops[random.int(space.ops.length)]!;
      return { op, input: random.int(Math.floor(j / 2) + 2) };
    });
    return { pairs, concat: ndsConcat(pairs, space.output) };
  };
  const normal = cell();
  return checkNdsArch(space, { genotype: { normal, reduce: cell() }, width, depth });
}

export interface NdsSpaceOptions {
  /** The width and depth of `Genotype(...)` text (default: the space's largest, w = 32, d = 20; fix-w-d's fixed pair). */
  width?: number;
  depth?: number;
}

/** `--space nds-…`: the space, its canonical text, its network (pycls's ops) and its sampler. */
export function ndsSearchSpace(name: string, options: NdsSpaceOptions = {}): SearchSpace & { nds: NdsCellSpace } {
  const nds = ndsCellSpace(name);
  const shape = { width: options.width ?? nds.widths[nds.widths.length - 1]!, depth: options.depth ?? nds.depths[nds.depths.length - 1]! };
  return {
    name: nds.name,
    title: nds.title,
    nds,
    example: `'{"width":${shape.width},"depth":${shape.depth},"genotype":{"normal":[["${nds.ops[1]}",0],["${nds.ops[0]}",1],...],"normal_concat":[...],"reduce":[...],"reduce_concat":[...]}}' (an NDS record's net) or "Genotype(...)" with --width, --depth`,
    canonical: (text) => ndsArchText(parseNdsArch(nds, text, shape)),
    sample: (random) => ndsArchText(sampleNdsArch(nds, random)),
    build: (backend, arch, o) => {
      const a = parseNdsArch(nds, arch, shape);
      return new DartsNetwork(backend, {
        genotype: a.genotype,
        C: a.width,
        layers: a.depth,
        ops: 'darts',
        numClasses: o.numClasses,
        ...(o.dtype ? { dtype: o.dtype } : {}),
      });
    },
  };
}
