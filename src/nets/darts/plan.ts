/**
 * The DARTS evaluation network's cell plan (quark0/darts cnn/model.py NetworkCIFAR): which cells reduce, their
 * widths, how their two inputs are preprocessed and at which stride each node op runs. The layer list (layers.ts),
 * the counts (counts.ts) and the network take their shapes from here, so all agree.
 *
 *   stem: conv 3×3, 3 → 3C, + BN; then `layers` cells. Cells ⌊L/3⌋ and ⌊2L/3⌋ reduce: the width doubles and the
 *   ops that read the cell inputs (states 0, 1) have stride 2. Cell i reads s0 = output of cell i−2 (the stem for
 *   i < 2) and s1 = output of cell i−1; s1 goes through ReLU-conv 1×1-BN to the cell width, and s0 too, unless
 *   cell i−1 reduced: then s0 is at twice s1's resolution and goes through FactorizedReduce. A cell's output
 *   concatenates its `concat` states: |concat| · width channels.
 */
import type { DartsCell, DartsGenotype } from './genotype.js';

/** `naslib`: NASLib's ops, as NAS-Bench-Suite-Zero built NB301; `darts`: DARTS's own (see layers.ts). */
export type DartsOpsVariant = 'naslib' | 'darts';
export const DARTS_OPS_VARIANTS: readonly DartsOpsVariant[] = ['naslib', 'darts'];

export interface DartsShape {
  /** Initial width C (the first cells' width; the stem has 3C). */
  C: number;
  /** Number of cells L. */
  layers: number;
}

/** NB301's configuration, the network Suite-Zero scored: C = 32, 8 cells (N N R N N R N N), NASLib's ops. */
export const NB301_SHAPE = { C: 32, layers: 8, numClasses: 10, ops: 'naslib' } as const satisfies DartsShape & {
  numClasses: number;
  ops: DartsOpsVariant;
};

export interface DartsCellPlan {
  index: number;
  reduction: boolean;
  /** Whether the previous cell reduced (s0 then goes through FactorizedReduce). */
  reductionPrev: boolean;
  /** Channels of s0 and s1 as they arrive. */
  cPrevPrev: number;
  cPrev: number;
  /** The cell's width: every state after preprocessing has this many channels. */
  c: number;
  /** Output channels: concat.length · c. */
  cOut: number;
  /** The genotype cell it is built from (normal or reduce). */
  cell: DartsCell;
  /** The stride of each pair's op: 2 for the inputs of a reduction cell, else 1. */
  strides: number[];
}

/** The reduction cells' indices, ⌊L/3⌋ and ⌊2L/3⌋ (cnn/model.py; for L = 8 cells 2 and 5). */
export function dartsReductionCells(layers: number): [number, number] {
  return [Math.floor(layers / 3), Math.floor((2 * layers) / 3)];
}

function checkShape(s: DartsShape): void {
  if (!Number.isSafeInteger(s.C) || s.C < 1) throw new RangeError(`DARTS width C must be a positive integer, got ${s.C}`);
  if (!Number.isSafeInteger(s.layers) || s.layers < 1)
    throw new RangeError(`DARTS depth (cells) must be a positive integer, got ${s.layers}`);
}

/** The cells in network order. */
export function dartsCellPlans(g: DartsGenotype, s: DartsShape): DartsCellPlan[] {
  checkShape(s);
  const reductions = dartsReductionCells(s.layers);
  const plans: DartsCellPlan[] = [];
  let cPrevPrev = 3 * s.C,
    cPrev = 3 * s.C,
    c = s.C,
    reductionPrev = false;
  for (let i = 0; i < s.layers; i++) {
    const reduction = reductions.includes(i);
    if (reduction) c *= 2;
    const cell = reduction ? g.reduce : g.normal;
    const strides = cell.pairs.map((p) => (reduction && p.input < 2 ? 2 : 1));
    const cOut = cell.concat.length * c;
    plans.push({ index: i, reduction, reductionPrev, cPrevPrev, cPrev, c, cOut, cell, strides });
    reductionPrev = reduction;
    cPrevPrev = cPrev;
    cPrev = cOut;
  }
  return plans;
}
