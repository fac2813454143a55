/**
 * NDS's JSON files of trained models (Radosavovic et al. 2019; the per-space files DARTS.json, ENAS.json, PNAS.json,
 * NASNet.json, Amoeba.json, DARTS_fix-w-d.json, … of the NDS release), as the code that reads them does
 * (BayesWatch/nas-without-training nasspace.py NDS, NNI's nds/db_gen.py): the file is a list of records, or
 * `{"top": [...], "mid": [...]}`, read as top then mid. A record of a cell space holds
 *
 *   net           {"genotype": {"normal": [[op, input], ...], "normal_concat": [...], "reduce": [...],
 *                  "reduce_concat": [...]}, "width": w, "depth": d, "aux": bool, "drop_prob": p}
 *   test_ep_top1  the test top-1 ERROR (percent) after each epoch; the final accuracy is 100 − its last entry
 *                  (NASWOT's get_final_accuracy, NNI's final_test_acc)
 *   min_test_top1, params, flops, optim, train_ep_top1, rng_seed, … (read where used, others ignored)
 *
 * NDS's files are not bundled and cannot be fetched here: the user gives their copy. The net is kept as it is;
 * the space (nets/darts/nds_spaces.ts) checks it. Runtime-neutral: parses the JSON text.
 */
import { DataFormatError } from '../io/errors.js';
import { DartsGenotypeError } from '../nets/darts/genotype.js';
import { ndsArchFromNet, type NdsArch } from '../nets/darts/nds_spaces.js';

export interface NdsRecord {
  /** Position in the file (top, then mid), from 0. */
  index: number;
  /** Which list of a {top, mid} file it came from; `list` for a plain list. */
  part: 'top' | 'mid' | 'list';
  /** net.genotype, net.width, net.depth (not yet checked against a space). */
  arch: NdsArch;
  /** test_ep_top1: test top-1 error per epoch, percent. */
  testTop1Error: number[];
  /** 100 − the last test_ep_top1. */
  finalTestAccuracy: number;
  /** 100 − min_test_top1, when the record has it. */
  bestTestAccuracy?: number;
  /** The record's parameter count and flops, when it has them (pycls's counts). */
  params?: number;
  flops?: number;
}

export interface NdsTable {
  records: NdsRecord[];
  /** Whether the file was {top, mid}. */
  split: boolean;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isPercent = (x: unknown): x is number => typeof x === 'number' && x >= 0 && x <= 100;

function parseRecord(r: unknown, index: number, part: NdsRecord['part'], source: string): NdsRecord {
  const where = part === 'list' ? `record ${index}` : `record ${index} (${part})`;
  const err = (msg: string): never => {
    throw new DataFormatError(`${where}: ${msg}`, source);
  };
  if (!isObject(r)) return err('not an object');
  if (!('net' in r)) return err('no "net" field');
  if (isObject(r.net) && !('genotype' in r.net)) {
    return err('net has no genotype: not a cell-space record (ResNet, ResNeXt and Vanilla records are AnyNet models, not cells)');
  }
  let arch: NdsArch;
  try {
    arch = ndsArchFromNet(r.net);
  } catch (e) {
    if (e instanceof DartsGenotypeError) return err(e.detail);
    throw e;
  }
  const t = r.test_ep_top1;
  if (!Array.isArray(t) || t.length === 0 || !t.every(isPercent)) {
    return err(`test_ep_top1 is ${JSON.stringify(t)?.slice(0, 80)}, not a non-empty list of test top-1 errors (percent)`);
  }
  const rec: NdsRecord = { index, part, arch, testTop1Error: t, finalTestAccuracy: 100 - t[t.length - 1]! };
  if ('min_test_top1' in r) {
    if (!isPercent(r.min_test_top1)) err(`min_test_top1 ${JSON.stringify(r.min_test_top1)} is not a percentage`);
    rec.bestTestAccuracy = 100 - (r.min_test_top1 as number);
  }
  for (const f of ['params', 'flops'] as const) {
    if (f in r) {
      const v = r[f];
      if (typeof v !== 'number' || !(v > 0)) err(`${f} ${JSON.stringify(v)} is not a positive number`);
      rec[f] = v as number;
    }
  }
  return rec;
}

/** Parses an NDS file: a list of records or {"top": [...], "mid": [...]}. Errors name the record and field. */
export function parseNdsTable(text: string, source = 'NDS file'): NdsTable {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(`not JSON (${(e as Error).message}): is the file truncated?`, source);
  }
  let parts: { part: NdsRecord['part']; list: unknown[] }[];
  if (Array.isArray(root)) parts = [{ part: 'list', list: root }];
  else if (isObject(root) && Array.isArray(root.top) && Array.isArray(root.mid)) {
    for (const k of Object.keys(root))
      if (k !== 'top' && k !== 'mid') throw new DataFormatError(`unexpected top-level key ${JSON.stringify(k)} beside "top" and "mid"`, source);
    parts = [
      { part: 'top', list: root.top },
      { part: 'mid', list: root.mid },
    ];
  } else {
    throw new DataFormatError('expected a list of NDS records or {"top": [...], "mid": [...]}', source);
  }
  const records: NdsRecord[] = [];
  for (const { part, list } of parts) for (const r of list) records.push(parseRecord(r, records.length, part, source));
  if (records.length === 0) throw new DataFormatError('no records', source);
  return { records, split: parts.length === 2 };
}
