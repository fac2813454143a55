/**
 * The NAS-Bench-101 sample table (../shared/data/nb101/nb101_1k_graphs_valacc108.jsonl, see MANIFEST.txt):
 * 1,000 cells, each with its NB101 hash, the pruned cell as adjacency + hash labels, and NB101's 108-epoch
 * validation accuracy (one training repeat), training time and parameter count. Runtime-neutral: parses text.
 */
import { DataFormatError } from '../io/errors.js';
import { nb101Hash } from '../nets/nb101/hash.js';
import { Nb101SpecError, specFromLabels, type Nb101Spec } from '../nets/nb101/spec.js';
import { quote } from '../util/quote.js';

export interface Nb101Row {
  /** Line order in the file, from 0. */
  index: number;
  /** NB101 graph hash (nasbench's hash_module), checked against the cell. */
  hash: string;
  /** The pruned cell. */
  spec: Nb101Spec;
  /** Validation accuracy after 108 epochs, in PERCENT (the file's fraction × 100), as the NB201 table and Suite-Zero give it. */
  valAcc: number;
  /** Training time of the 108-epoch run, seconds. */
  trainTimeS: number;
  /** NB101's trainable parameter count (every trainable parameter, BN and classifier included). */
  trainableParams: number;
}

export interface Nb101Table {
  /** rows[i].index === i. */
  rows: Nb101Row[];
  byHash: Map<string, Nb101Row>;
}

const FIELDS = ['hash', 'adjacency', 'labels', 'val_acc_108ep', 'train_time_108ep_s', 'trainable_params'] as const;

/** The row's cell, its Nb101SpecError turned into the line's error. */
function cellOf(adjacency: unknown, labels: unknown, err: (msg: string) => never): Nb101Spec {
  try {
    return specFromLabels(adjacency, labels);
  } catch (e) {
    if (e instanceof Nb101SpecError) return err(e.message);
    throw e;
  }
}

/**
 * Parses the JSON-lines table. Errors name the line: not JSON, a missing or extra field, an invalid or unpruned
 * cell, a hash that is not the cell's, a repeated hash, a number out of range.
 */
export function parseNb101Table(text: string, source = 'nb101 table'): Nb101Table {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new DataFormatError('table is empty', source);
  const rows: Nb101Row[] = [];
  const byHash = new Map<string, Nb101Row>();
  lines.forEach((line, li) => {
    const err = (msg: string): never => {
      throw new DataFormatError(`line ${li + 1}: ${msg}`, source);
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      err(`not JSON (${(e as Error).message}): ${quote(line, 80)}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) err(`expected a JSON object, got ${quote(line, 80)}`);
    const o = value as Record<string, unknown>;
    for (const f of FIELDS) if (!(f in o)) err(`no "${f}" field`);
    for (const k of Object.keys(o)) if (!(FIELDS as readonly string[]).includes(k)) err(`unexpected field ${quote(k)}`);
    const hash = o['hash'];
    if (typeof hash !== 'string' || !/^[0-9a-f]{32}$/.test(hash)) err(`hash ${JSON.stringify(hash)} is not 32 lowercase hex digits`);
    const spec = cellOf(o['adjacency'], o['labels'], err);
    const v = (o['adjacency'] as unknown[]).length;
    if (spec.ops.length !== v) err(`the cell is not pruned: ${v - spec.ops.length} of its ${v} vertices are not on an input→output path`);
    const computed = nb101Hash(spec);
    if (computed !== hash) err(`hash ${hash} is not the cell's NB101 hash ${computed}`);
    const prev = byHash.get(hash as string);
    if (prev !== undefined) err(`hash ${hash} already appeared on line ${prev.index + 1}`);
    const num = (field: string, ok: (x: number) => boolean, what: string): number => {
      const x = o[field];
      if (typeof x !== 'number' || !ok(x)) err(`${field} ${JSON.stringify(x)} is not ${what}`);
      return x as number;
    };
    const row: Nb101Row = {
      index: rows.length,
      hash: hash as string,
      spec,
      valAcc: 100 * num('val_acc_108ep', (x) => x >= 0 && x <= 1, 'a fraction in [0, 1]'),
      trainTimeS: num('train_time_108ep_s', (x) => Number.isFinite(x) && x > 0, 'a positive number of seconds'),
      trainableParams: num('trainable_params', (x) => Number.isSafeInteger(x) && x > 0, 'a positive integer'),
    };
    rows.push(row);
    byHash.set(row.hash, row);
  });
  return { rows, byHash };
}
