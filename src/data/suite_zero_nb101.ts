/**
 * NAS-Bench-Suite-Zero's NB101 proxy scores (../shared/data/nb101/naslib_zc_nasbench101_subset.json, 500 keys,
 * see MANIFEST.txt). Its keys are UNPRUNED 7x7 cells; pruned, they collapse to 292 distinct NB101 cells, so
 * everything here is grouped by the NB101 hash. Runtime-neutral: parses the JSON text.
 *
 * Duplicates (keys that prune to one cell): every val_accuracy is kept (NASLib's query drew a random one of
 * NB101's 3 repeats each time, so they differ), but only the FIRST key's proxy scores (file order). Checked on
 * this file: the proxy scores of duplicates never agree — all 208 duplicate keys differ from their first in
 * every score, as a fresh random initialisation would make them, and 3 even in flops/params (NB101 gives the
 * channel remainder to the lower-numbered vertices, so isomorphic orderings of one cell can differ in size).
 * `scoreDisagreements` counts the duplicate keys whose scores differ from their first.
 */
import { DataFormatError } from '../io/errors.js';
import { nb101Hash } from '../nets/nb101/hash.js';
import { createNb101Spec, type Nb101Spec, type Nb101VertexOp } from '../nets/nb101/spec.js';
import { quote } from '../util/quote.js';
import { SUITE_ZERO_KEYS } from './suite_zero.js';

/** The key's op codes (MANIFEST.txt): 0 input, 1 output, 2 maxpool3x3, 3 conv1x1-bn-relu, 4 conv3x3-bn-relu. */
export const SUITE_ZERO_NB101_OP_CODES: readonly Nb101VertexOp[] = ['input', 'output', 'maxpool3x3', 'conv1x1-bn-relu', 'conv3x3-bn-relu'];

const V = 7;

/**
 * A Suite-Zero NB101 key, `"(a0, a1, ..., a48, o0, ..., o6)"`: the 7x7 adjacency row-major then the 7 op
 * codes, as the pruned, checked cell. A malformed key is a DataFormatError; a well-formed key of an invalid
 * cell an Nb101SpecError.
 */
export function parseSuiteZeroNb101Key(key: string): Nb101Spec {
  const m = /^\((.*)\)$/.exec(key);
  const entries = m ? m[1]!.split(',').map((s) => s.trim()) : [];
  if (!m || entries.length !== V * V + V || entries.some((s) => !/^\d+$/.test(s))) {
    throw new DataFormatError(`not a Suite-Zero NB101 key "(49 adjacency entries, 7 op codes)": ${quote(key, 80)}`);
  }
  const n = entries.map(Number);
  const matrix = Array.from({ length: V }, (_, i) => n.slice(V * i, V * i + V));
  const ops = n.slice(V * V).map((c, i) => {
    const op = SUITE_ZERO_NB101_OP_CODES[c];
    if (op === undefined) throw new DataFormatError(`op code ${c} at vertex ${i} is not one of 0..4 in key ${quote(key, 80)}`);
    return op;
  });
  return createNb101Spec(matrix, ops);
}

export interface SuiteZeroNb101Cell {
  hash: string;
  /** The pruned cell (of the first key). */
  spec: Nb101Spec;
  /** Every key that prunes to this cell, in file order. */
  keys: string[];
  /** NB101 108-epoch validation accuracy (%), one per key, in file order. */
  valAccs: number[];
  /** The first key's proxy scores under our names (params and flops in M). */
  scores: Record<string, number>;
}

export interface SuiteZeroNb101 {
  /** By NB101 hash, in order of first appearance. */
  cells: Map<string, SuiteZeroNb101Cell>;
  /** Keys in the file (500). */
  keyCount: number;
  /** Duplicate keys whose proxy scores differ from their cell's first key's. */
  scoreDisagreements: number;
}

/** Parses the Suite-Zero NB101 JSON (`{nasbench101: {cifar10: {key: {val_accuracy, flops, ...}}}}`). Errors name the key. */
export function parseSuiteZeroNb101(text: string, source = 'Suite-Zero NB101 file'): SuiteZeroNb101 {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(`not JSON (${(e as Error).message})`, source);
  }
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const nb101 = isObject(root) ? root['nasbench101'] : undefined;
  const table = isObject(nb101) ? nb101['cifar10'] : undefined;
  if (!isObject(table)) throw new DataFormatError('expected {"nasbench101": {"cifar10": {key: scores}}}', source);
  const cells = new Map<string, SuiteZeroNb101Cell>();
  let keyCount = 0;
  let scoreDisagreements = 0;
  for (const [key, entry] of Object.entries(table)) {
    const err = (msg: string): never => {
      throw new DataFormatError(`key ${quote(key, 80)}: ${msg}`, source);
    };
    keyCount++;
    let spec: Nb101Spec;
    try {
      spec = parseSuiteZeroNb101Key(key);
    } catch (e) {
      return err((e as Error).message);
    }
    if (!isObject(entry)) err('the value is not an object of scores');
    const values = entry as Record<string, unknown>;
    const number = (name: string): number => {
      const x = values[name];
      if (typeof x !== 'number' || !Number.isFinite(x)) err(`${name} ${JSON.stringify(x)} is not a finite number`);
      return x as number;
    };
    const valAcc = number('val_accuracy');
    if (valAcc < 0 || valAcc > 100) err(`val_accuracy ${valAcc} is not a percentage`);
    const scores: Record<string, number> = {};
    for (const name of Object.keys(values)) if (SUITE_ZERO_KEYS[name]) scores[SUITE_ZERO_KEYS[name]!] = number(name);
    const hash = nb101Hash(spec);
    const cell = cells.get(hash);
    if (cell === undefined) {
      cells.set(hash, { hash, spec, keys: [key], valAccs: [valAcc], scores });
      continue;
    }
    cell.keys.push(key);
    cell.valAccs.push(valAcc);
    const names = new Set([...Object.keys(cell.scores), ...Object.keys(scores)]);
    if ([...names].some((k) => cell.scores[k] !== scores[k])) scoreDisagreements++;
  }
  return { cells, keyCount, scoreDisagreements };
}
