/**
 * The bundled NAS-Bench-201 accuracy table (`data/nb201/accuracy.tsv`): for each of the 15625 architectures
 * (row i = NB201 / NATS-Bench TSS index i) the 200-epoch test accuracies and the NAS-Bench-Suite-Zero validation
 * accuracies on CIFAR-10, CIFAR-100 and ImageNet16-120. See data/nb201/README.md for provenance.
 */
import { NB201_OPS } from '../nets/nb201/arch.js';
import { DataFormatError } from '../io/errors.js';

export type Nb201Dataset = 'cifar10' | 'cifar100' | 'imagenet16-120';
export const NB201_DATASETS: readonly Nb201Dataset[] = ['cifar10', 'cifar100', 'imagenet16-120'];
export const NB201_NUM_ARCHS = 15625;

export interface Nb201Row {
  /** NB201 / NATS-Bench TSS index. */
  index: number;
  /** Canonical arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
  arch: string;
  /** Test accuracy (%), 200 epochs, mean over seeds (CIFAR-10: trained on train, ori-test; others: x-test). */
  test: Record<Nb201Dataset, number>;
  /** NAS-Bench-Suite-Zero validation accuracy (%) (CIFAR-10: the cifar10-valid split). */
  val: Record<Nb201Dataset, number>;
}

export interface Nb201Table {
  /** rows[i].index === i. */
  rows: Nb201Row[];
  byArch: Map<string, Nb201Row>;
}

export const NB201_TABLE_HEADER = [
  'index', 'arch', 'test_cifar10', 'test_cifar100', 'test_imagenet16_120', 'val_cifar10', 'val_cifar100', 'val_imagenet16_120',
] as const;

const OP = `(?:${NB201_OPS.join('|')})`;
const ARCH_RE = new RegExp(`^\\|${OP}~0\\|\\+\\|${OP}~0\\|${OP}~1\\|\\+\\|${OP}~0\\|${OP}~1\\|${OP}~2\\|$`);

/** True for an arch string in canonical NB201 form with 6 valid ops. */
export function isCanonicalNb201Arch(s: string): boolean {
  return ARCH_RE.test(s);
}

/**
 * Parses the TSV table. Errors name the line number: wrong header, wrong field count, index out of sequence,
 * non-canonical or duplicate arch string, accuracy not a number in [0, 100].
 */
export function parseNb201Table(text: string, source = 'nb201 accuracy table'): Nb201Table {
  const lines = text.split('\n');
  let last = lines.length;
  while (last > 0 && lines[last - 1]!.replace(/\r$/, '') === '') last--;
  if (last === 0) throw new DataFormatError('table is empty', source);
  const header = lines[0]!.replace(/\r$/, '');
  if (header !== NB201_TABLE_HEADER.join('\t')) {
    throw new DataFormatError(
      `line 1: unexpected header ${JSON.stringify(header)}, expected the tab-separated columns ${NB201_TABLE_HEADER.join(', ')}`, source);
  }
  const rows: Nb201Row[] = [];
  const byArch = new Map<string, Nb201Row>();
  for (let li = 1; li < last; li++) {
    const lineNo = li + 1;
    const err = (msg: string): never => { throw new DataFormatError(`line ${lineNo}: ${msg}`, source); };
    const f = lines[li]!.replace(/\r$/, '').split('\t');
    if (f.length !== NB201_TABLE_HEADER.length) err(`expected ${NB201_TABLE_HEADER.length} tab-separated fields, got ${f.length}`);
    const index = Number(f[0]);
    if (f[0] === '' || !Number.isInteger(index)) err(`index ${JSON.stringify(f[0])} is not an integer`);
    if (index !== rows.length) err(`index ${index} out of sequence, expected ${rows.length}`);
    const arch = f[1]!;
    if (!ARCH_RE.test(arch)) err(`arch string ${JSON.stringify(arch)} is not in canonical NB201 form |op~0|+|op~0|op~1|+|op~0|op~1|op~2|`);
    const prev = byArch.get(arch);
    if (prev !== undefined) err(`arch ${arch} already appeared as index ${prev.index}`);
    const num = (k: number): number => {
      const s = f[k]!;
      const v = Number(s);
      if (s === '' || !Number.isFinite(v) || v < 0 || v > 100) err(`${NB201_TABLE_HEADER[k]} ${JSON.stringify(s)} is not an accuracy in [0, 100]`);
      return v;
    };
    const row: Nb201Row = {
      index,
      arch,
      test: { cifar10: num(2), cifar100: num(3), 'imagenet16-120': num(4) },
      val: { cifar10: num(5), cifar100: num(6), 'imagenet16-120': num(7) },
    };
    rows.push(row);
    byArch.set(arch, row);
  }
  return { rows, byArch };
}

/** Looks up an architecture by index or arch string, with a clear error when absent. */
export function nb201Lookup(table: Nb201Table, key: number | string): Nb201Row {
  if (typeof key === 'number') {
    const r = table.rows[key];
    if (r === undefined) throw new RangeError(`NB201 index ${key} is out of range [0, ${table.rows.length - 1}]`);
    return r;
  }
  const r = table.byArch.get(key);
  if (r === undefined) {
    throw new RangeError(isCanonicalNb201Arch(key)
      ? `arch ${key} is not in the NB201 table`
      : `arch ${JSON.stringify(key)} is not a canonical NB201 arch string (|op~0|+|op~0|op~1|+|op~0|op~1|op~2|)`);
  }
  return r;
}
