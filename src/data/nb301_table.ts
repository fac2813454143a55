/**
 * NAS-Bench-Suite-Zero's NB301 file (../shared/data/nb301/naslib_zc_nasbench301_725.json, see MANIFEST.txt):
 * 725 DARTS genotypes keyed by NASLib's compact form, each with Suite-Zero's values of 12 proxies (params and
 * flops among them, in millions; Suite-Zero's 13th, zen, is not in this file) and the NAS-Bench-301 SURROGATE model's predicted validation accuracy — a model's
 * prediction, not a trained run: label every correlation against it "vs NB301 surrogate". Runtime-neutral:
 * parses the JSON text.
 */
import { DataFormatError } from '../io/errors.js';
import { DartsGenotypeError, compactGenotypeText, parseCompactGenotype, type DartsGenotype } from '../nets/darts/genotype.js';
import { quote } from '../util/quote.js';

/** Suite-Zero's proxy names in the file, each `{score, time}`. Map to ours with SUITE_ZERO_KEYS (suite_zero.ts). */
export const NB301_PROXY_FIELDS = [
  'flops',
  'params',
  'synflow',
  'grasp',
  'fisher',
  'grad_norm',
  'l2_norm',
  'plain',
  'nwot',
  'epe_nas',
  'jacov',
  'snip',
] as const;
const FIELDS: readonly string[] = ['idx', 'arch', 'val_accuracy', ...NB301_PROXY_FIELDS];

export interface Nb301Row {
  /** Order in the file, from 0. */
  index: number;
  /** The file's `idx` (NASLib's index of the genotype in its sample). */
  idx: number;
  /** The key as the file writes it (the compact form; compactGenotypeText gives it back from `genotype`). */
  key: string;
  genotype: DartsGenotype;
  /** NB301's surrogate-predicted CIFAR-10 validation accuracy, percent. NOT a trained network's accuracy. */
  surrogateValAcc: number;
  /** Suite-Zero's value of every proxy of NB301_PROXY_FIELDS, under its own name (params and flops in M). */
  scores: Record<(typeof NB301_PROXY_FIELDS)[number], number>;
  /** Seconds Suite-Zero took for each proxy. */
  seconds: Record<(typeof NB301_PROXY_FIELDS)[number], number>;
}

export interface Nb301Table {
  /** rows[i].index === i. */
  rows: Nb301Row[];
  /** By canonical compact text (compactGenotypeText). */
  byKey: Map<string, Nb301Row>;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Parses the file `{"cifar10": {compact key: {idx, arch, val_accuracy, flops: {score, time}, ...}}}`. Errors name the
 * key and field: text that is not JSON (a truncated file), a missing, extra or ill-typed field, a key that is not
 * a valid compact genotype, an `arch` that differs from its key, a repeated genotype or idx.
 */
export function parseNb301Table(text: string, source = 'NB301 file'): Nb301Table {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(
      `not JSON (${(e as Error).message}); ${text.length} characters, ending ${quote(text.slice(-40))}: is the file truncated?`,
      source,
    );
  }
  if (!isObject(root) || !isObject(root['cifar10'])) {
    throw new DataFormatError('expected {"cifar10": {compact genotype: {idx, arch, val_accuracy, flops, params, ...}}}', source);
  }
  for (const k of Object.keys(root)) {
    if (k !== 'cifar10') throw new DataFormatError(`unexpected top-level key ${quote(k)} (the file has only "cifar10")`, source);
  }
  const entries = Object.entries(root['cifar10']);
  if (entries.length === 0) throw new DataFormatError('"cifar10" has no genotypes', source);
  const rows: Nb301Row[] = [];
  const byKey = new Map<string, Nb301Row>();
  const byIdx = new Map<number, Nb301Row>();
  for (const [key, entry] of entries) {
    const err = (msg: string): never => {
      throw new DataFormatError(`key ${quote(key, 120)}: ${msg}`, source);
    };
    let genotype: DartsGenotype;
    try {
      genotype = parseCompactGenotype(key);
    } catch (e) {
      if (e instanceof DartsGenotypeError) return err(e.message);
      throw e;
    }
    if (!isObject(entry)) return err('the value is not an object');
    for (const f of FIELDS) if (!(f in entry)) err(`no "${f}" field`);
    for (const f of Object.keys(entry)) if (!FIELDS.includes(f)) err(`unexpected field ${quote(f)}`);
    if (entry['arch'] !== key) err(`arch ${JSON.stringify(entry['arch'])} is not the key`);
    const idxText = entry['idx'];
    if (typeof idxText !== 'string' || !/^\d+$/.test(idxText)) err(`idx ${JSON.stringify(idxText)} is not a decimal integer string`);
    const idx = Number(idxText);
    const valAcc = entry['val_accuracy'];
    if (typeof valAcc !== 'number' || !(valAcc >= 0 && valAcc <= 100)) err(`val_accuracy ${JSON.stringify(valAcc)} is not a percentage`);
    const scores = {} as Nb301Row['scores'];
    const seconds = {} as Nb301Row['seconds'];
    for (const f of NB301_PROXY_FIELDS) {
      const v = entry[f];
      if (!isObject(v) || Object.keys(v).sort().join() !== 'score,time') err(`${f} is ${JSON.stringify(v)}, not {"score": x, "time": t}`);
      const { score, time } = v as { score: unknown; time: unknown };
      if (typeof score !== 'number' || !Number.isFinite(score)) err(`${f}.score ${JSON.stringify(score)} is not a finite number`);
      if (typeof time !== 'number' || !(time >= 0) || !Number.isFinite(time)) err(`${f}.time ${JSON.stringify(time)} is not a number of seconds`);
      scores[f] = score as number;
      seconds[f] = time as number;
    }
    if (!(scores.params > 0) || !(scores.flops > 0)) err(`params ${scores.params} and flops ${scores.flops} must be positive`);
    const canonical = compactGenotypeText(genotype);
    const again = byKey.get(canonical);
    if (again) err(`the same genotype as key ${quote(again.key, 120)} (row ${again.index + 1})`);
    const sameIdx = byIdx.get(idx);
    if (sameIdx) err(`idx ${idx} already belongs to key ${quote(sameIdx.key, 120)}`);
    const row: Nb301Row = { index: rows.length, idx, key, genotype, surrogateValAcc: valAcc as number, scores, seconds };
    rows.push(row);
    byKey.set(canonical, row);
    byIdx.set(idx, row);
  }
  return { rows, byKey };
}
