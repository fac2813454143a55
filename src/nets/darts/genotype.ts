/**
 * DARTS genotypes: a normal and a reduction cell, each a list of (op, input) pairs, two per intermediate node,
 * and the states its output concatenates. Read in the two forms in use:
 *
 * - DARTS's printed namedtuple (quark0/darts cnn/genotypes.py, e.g. DARTS_V2):
 *   `Genotype(normal=[('sep_conv_3x3', 0), ...], normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[...])`
 *   (`range(2, 6)` for a concat, positional fields, either quote all accepted);
 * - NASLib's compact form, the keys of NAS-Bench-Suite-Zero's NB301 file: `[[(0, 0), (1, 5), ...], [...]]`, normal
 *   then reduce, 8 (input, op index) pairs each, the index into NASLIB_COMPACT_OPS; concat is always nodes 2..5.
 *
 * State numbering as DARTS's Cell.forward: 0 and 1 are the (preprocessed) outputs of the previous-previous and the
 * previous cell, node k (from 0) is state 2 + k, so pair j (node ⌊j/2⌋) may read states 0 .. 1 + ⌊j/2⌋.
 */
import { quote } from '../../util/quote.js';
import { PyLiteralError, describePy, parsePyLiteral, type PyValue } from './python_literal.js';

/** cnn/genotypes.py PRIMITIVES, in its order. DARTS never derives `none`; the compact form cannot write it. */
export const DARTS_OPS = [
  'none',
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
] as const;
/**
 * The ops NDS's cell spaces add to DARTS's, as pycls defines them (facebookresearch/pycls
 * pycls/models/nas/operations.py OPS; the same file ships in BayesWatch/nas-without-training). pycls's OPS table
 * also has avg_pool_2x2, max_pool_2x2 and avg_pool_5x5, which only NAO's op list uses (not an NDS space here).
 */
export const NDS_EXTRA_OPS = [
  'sep_conv_7x7',
  'dil_sep_conv_3x3',
  'conv_1x1',
  'conv_3x3',
  'conv_3x1_1x3',
  'conv_7x1_1x7',
  'max_pool_5x5',
  'max_pool_7x7',
] as const;

/** Every op a cell may hold: DARTS's primitives and NDS's additions (the pycls op table). */
export const CELL_OPS = [...DARTS_OPS, ...NDS_EXTRA_OPS] as const;
export type DartsOp = (typeof CELL_OPS)[number];

/** The op index of NASLib's compact form (naslib/search_spaces/nasbench301/conversions.py OPS). */
export const NASLIB_COMPACT_OPS: readonly DartsOp[] = [
  'max_pool_3x3',
  'avg_pool_3x3',
  'skip_connect',
  'sep_conv_3x3',
  'sep_conv_5x5',
  'dil_conv_3x3',
  'dil_conv_5x5',
];

/** Pairs per cell in the compact form: 4 intermediate nodes. */
export const COMPACT_PAIRS = 8;

export interface DartsPair {
  op: DartsOp;
  /** The state it reads: 0, 1 the cell inputs, 2 + k node k. */
  input: number;
}

export interface DartsCell {
  /** Two per intermediate node, node k's at 2k and 2k + 1. */
  pairs: DartsPair[];
  /** The states the cell output concatenates, in order. */
  concat: number[];
}

export interface DartsGenotype {
  normal: DartsCell;
  reduce: DartsCell;
}

export class DartsGenotypeError extends Error {
  constructor(readonly detail: string) {
    super(`invalid DARTS genotype: ${detail}`);
    this.name = 'DartsGenotypeError';
  }
}

function fail(detail: string): never {
  throw new DartsGenotypeError(detail);
}

/** Intermediate nodes of a cell. */
export function cellNodes(cell: DartsCell): number {
  return cell.pairs.length / 2;
}

/**
 * Checks a cell and returns a copy: an even, non-zero number of pairs; known ops; every input an earlier state;
 * concat a non-empty list of distinct states of the cell (the cell inputs too, but not in a reduction cell).
 */
export function checkDartsCell(cell: DartsCell, which: 'normal' | 'reduce', ops: readonly string[] = DARTS_OPS): DartsCell {
  const n = cell.pairs.length;
  if (n === 0 || n % 2 !== 0) {
    fail(`${n} (op, input) pairs in the ${which} cell: a cell has two per intermediate node, an even number and at least 2`);
  }
  const pairs = cell.pairs.map(({ op, input }, j) => {
    const node = Math.floor(j / 2);
    if (!ops.includes(op)) {
      fail(`unknown op ${quote(String(op))} in pair ${j} of the ${which} cell (known: ${ops.join(', ')})`);
    }
    if (!Number.isInteger(input) || input < 0 || input > node + 1) {
      fail(
        `input ${input} of pair ${j} (${op}) of the ${which} cell is out of range: node ${node} (state ${node + 2}) reads states 0..${node + 1}` +
          ' (0, 1 the cell inputs, 2.. the earlier nodes)',
      );
    }
    return { op, input };
  });
  const states = n / 2 + 2;
  if (cell.concat.length === 0) fail(`${which}_concat is empty`);
  cell.concat.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s >= states) fail(`${which}_concat entry ${s} is not a state of the cell (0..${states - 1})`);
    if (cell.concat.indexOf(s) !== i) fail(`${which}_concat lists state ${s} twice`);
    // A reduction cell's inputs are at twice its nodes' resolution: DARTS's torch.cat would fail.
    if (which === 'reduce' && s < 2)
      fail(`reduce_concat lists the cell input ${s}, which is at twice the resolution of the reduction cell's nodes`);
  });
  return { pairs, concat: [...cell.concat] };
}

/** Checks a genotype (checkDartsCell on both cells, against `ops`: DARTS's by default) and returns a copy. */
export function createDartsGenotype(g: DartsGenotype, ops: readonly string[] = DARTS_OPS): DartsGenotype {
  return { normal: checkDartsCell(g.normal, 'normal', ops), reduce: checkDartsCell(g.reduce, 'reduce', ops) };
}

// ---- DARTS's printed form ----

const FIELDS = ['normal', 'normal_concat', 'reduce', 'reduce_concat'] as const;

function pairsOf(v: PyValue, which: string): DartsPair[] {
  if (v.kind !== 'list' && v.kind !== 'tuple') fail(`${which} is ${describePy(v)}, not a list of (op, input) pairs`);
  return v.items.map((p, j) => {
    const items = p.kind === 'list' || p.kind === 'tuple' ? p.items : undefined;
    if (items?.length !== 2 || items[0]!.kind !== 'str' || items[1]!.kind !== 'int') {
      fail(`pair ${j} of ${which} is ${describePy(p)}, not an (op, input) pair like ('sep_conv_3x3', 0)`);
    }
    return { op: (items[0] as { value: string }).value as DartsOp, input: (items[1] as { value: number }).value };
  });
}

function concatOf(v: PyValue, which: string): number[] {
  if (v.kind === 'call' && v.name === 'range') {
    const a = v.args;
    if (v.kwargs.length > 0 || a.length < 1 || a.length > 2 || a.some((x) => x.kind !== 'int')) {
      fail(`${which} is range(...) with other than one or two integer arguments`);
    }
    const [lo, hi] = a.length === 1 ? [0, (a[0] as { value: number }).value] : a.map((x) => (x as { value: number }).value);
    return Array.from({ length: Math.max(0, hi! - lo!) }, (_, i) => lo! + i);
  }
  if (v.kind !== 'list' && v.kind !== 'tuple') fail(`${which} is ${describePy(v)}, not a list of states like [2, 3, 4, 5]`);
  return v.items.map((x, i) => {
    if (x.kind !== 'int') fail(`entry ${i} of ${which} is ${describePy(x)}, not a state number`);
    return x.value;
  });
}

function parseLiteral(text: string): PyValue {
  try {
    return parsePyLiteral(text);
  } catch (e) {
    if (e instanceof PyLiteralError) fail(`malformed text: ${e.detail}`);
    throw e;
  }
}

/**
 * A genotype in DARTS's printed form `Genotype(normal=[...], normal_concat=[...], reduce=[...], reduce_concat=[...])`,
 * its ops checked against `ops` (DARTS's by default).
 */
export function parseDartsGenotypeText(text: string, ops: readonly string[] = DARTS_OPS): DartsGenotype {
  const v = parseLiteral(text);
  if (v.kind !== 'call' || v.name.replace(/^.*\./, '') !== 'Genotype') {
    fail(`expected Genotype(normal=..., normal_concat=..., reduce=..., reduce_concat=...), got ${describePy(v)}`);
  }
  if (v.args.length > FIELDS.length) fail(`Genotype(...) takes 4 fields, got ${v.args.length} positional arguments`);
  const fields = new Map<string, PyValue>();
  v.args.forEach((a, i) => fields.set(FIELDS[i]!, a));
  for (const kw of v.kwargs) {
    if (!(FIELDS as readonly string[]).includes(kw.name))
      fail(`unknown field ${quote(kw.name)} of Genotype (fields: ${FIELDS.join(', ')})`);
    if (fields.has(kw.name)) fail(`field ${kw.name} given twice`);
    fields.set(kw.name, kw.value);
  }
  for (const f of FIELDS) if (!fields.has(f)) fail(`no ${f} field`);
  return createDartsGenotype(
    {
      normal: { pairs: pairsOf(fields.get('normal')!, 'normal'), concat: concatOf(fields.get('normal_concat')!, 'normal_concat') },
      reduce: { pairs: pairsOf(fields.get('reduce')!, 'reduce'), concat: concatOf(fields.get('reduce_concat')!, 'reduce_concat') },
    },
    ops,
  );
}

/** DARTS's printed form, as Python prints the namedtuple with list fields: the canonical text of `--space darts`. */
export function dartsGenotypeText(g: DartsGenotype): string {
  const pairs = (c: DartsCell) => `[${c.pairs.map((p) => `('${p.op}', ${p.input})`).join(', ')}]`;
  const concat = (c: DartsCell) => `[${c.concat.join(', ')}]`;
  return (
    `Genotype(normal=${pairs(g.normal)}, normal_concat=${concat(g.normal)}, ` +
    `reduce=${pairs(g.reduce)}, reduce_concat=${concat(g.reduce)})`
  );
}

// ---- NASLib's compact form ----

const COMPACT_CONCAT = [2, 3, 4, 5];

/** A genotype in NASLib's compact form `[[(input, op index) × 8], [(input, op index) × 8]]` (normal, reduce). */
export function parseCompactGenotype(text: string): DartsGenotype {
  const v = parseLiteral(text);
  if ((v.kind !== 'list' && v.kind !== 'tuple') || v.items.length !== 2) {
    fail(`expected the compact form [[(input, op) × 8], [(input, op) × 8]] (normal, reduce), got ${describePy(v)}`);
  }
  const cells = v.items.map((c, ci): DartsCell => {
    const which = ci === 0 ? 'normal' : 'reduce';
    if (c.kind !== 'list' && c.kind !== 'tuple') fail(`the ${which} cell is ${describePy(c)}, not a list of (input, op) pairs`);
    if (c.items.length !== COMPACT_PAIRS) {
      fail(`${c.items.length} (input, op) pairs in the ${which} cell: the compact form has ${COMPACT_PAIRS} (two per node, 4 nodes)`);
    }
    const pairs = c.items.map((p, j): DartsPair => {
      const items = p.kind === 'list' || p.kind === 'tuple' ? p.items : undefined;
      if (items?.length !== 2 || items[0]!.kind !== 'int' || items[1]!.kind !== 'int') {
        fail(`pair ${j} of the ${which} cell is ${describePy(p)}, not an (input, op index) pair of integers like (0, 3)`);
      }
      const [input, index] = items.map((x) => (x as { value: number }).value) as [number, number];
      const op = NASLIB_COMPACT_OPS[index];
      if (op === undefined) {
        fail(
          `unknown op index ${index} in pair ${j} of the ${which} cell (known: ${NASLIB_COMPACT_OPS.map((o, k) => `${k} ${o}`).join(', ')})`,
        );
      }
      return { op, input };
    });
    return { pairs, concat: COMPACT_CONCAT };
  });
  return createDartsGenotype({ normal: cells[0]!, reduce: cells[1]! });
}

/** Whether the compact form can write `g`: 8 pairs per cell, no `none`, concat 2..5. */
export function hasCompactForm(g: DartsGenotype): boolean {
  return [g.normal, g.reduce].every(
    (c) => c.pairs.length === COMPACT_PAIRS && c.pairs.every((p) => p.op !== 'none') && c.concat.join() === COMPACT_CONCAT.join(),
  );
}

/** NASLib's compact form exactly as the NB301 file's keys are written (Python's str of the lists): `--space nb301`'s canonical text. */
export function compactGenotypeText(g: DartsGenotype): string {
  if (!hasCompactForm(g)) {
    throw new DartsGenotypeError(
      'the compact form writes only genotypes of 4 nodes (8 pairs per cell), concat [2, 3, 4, 5] and no "none" op',
    );
  }
  const cell = (c: DartsCell) => `[${c.pairs.map((p) => `(${p.input}, ${NASLIB_COMPACT_OPS.indexOf(p.op)})`).join(', ')}]`;
  return `[${cell(g.normal)}, ${cell(g.reduce)}]`;
}

/** Either form: DARTS's `Genotype(...)` when the text starts with a name, else the compact form. */
export function parseDartsGenotype(text: string): DartsGenotype {
  return /^\s*[A-Za-z_]/.test(text) ? parseDartsGenotypeText(text) : parseCompactGenotype(text);
}

/** cnn/genotypes.py DARTS_V2 (= DARTS), the published CIFAR-10 cell (second-order DARTS). */
export const DARTS_V2: DartsGenotype = parseDartsGenotypeText(
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), " +
    "('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], " +
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), " +
    "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
);
