/**
 * The benchmarks `--space` (and `--table`) name: NAS-Bench-201 from the bundled table; NAS-Bench-101 from
 * ../shared (its 1,000 trained cells, or Suite-Zero's 292 cells with `--table suite-zero`); NAS-Bench-301 from
 * Suite-Zero's file of 725 genotypes in ../shared (surrogate accuracies). `darts` (any genotype, width and depth)
 * can be scored (`score`) but has no benchmark table for `eval`. The NDS cell spaces (`nds-…`) are evaluated on
 * the user's copy of NDS's JSON file (`--nds-table FILE`), which is not bundled.
 */
import type { Benchmark } from '../eval/benchmark.js';
import { nb101Benchmark, suiteZeroNb101Benchmark } from '../eval/nb101_benchmark.js';
import { nb201Benchmark } from '../eval/nb201_benchmark.js';
import { nb301Benchmark } from '../eval/nb301_benchmark.js';
import { ndsBenchmark } from '../eval/nds_benchmark.js';
import { DataFormatError } from '../io/errors.js';
import { ndsSearchSpace } from '../nets/darts/nds_spaces.js';
import { checkResultLine, type ResultLine, type ResultTable } from '../eval/result_line.js';
import { dartsSpace, NB301_SPACE, type DartsSpaceOptions } from '../nets/darts/space.js';
import { nb101Space } from '../nets/nb101/space.js';
import { NB201_SPACE } from '../nets/nb201/space.js';
import type { SearchSpace } from '../nets/space.js';
import { loadNb101Table, loadNb201Table, loadNb301Table, loadSuiteZeroCifar10, loadSuiteZeroNb101, readNdsTable } from '../node/files.js';
import { UsageError } from './args.js';

export const SPACE_NAMES = [
  'nb201',
  'nb101',
  'nb301',
  'darts',
  'nds-darts',
  'nds-enas',
  'nds-pnas',
  'nds-nasnet',
  'nds-amoeba',
  'nds-darts-fix-w-d',
] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

/** Each space's tables; the first is the default (`darts` has none that eval can read). */
export const TABLE_NAMES: Record<SpaceName, readonly string[]> = {
  nb201: ['nb201'],
  nb101: ['nb101', 'suite-zero'],
  nb301: ['nb301'],
  darts: ['darts'],
  'nds-darts': ['nds'],
  'nds-enas': ['nds'],
  'nds-pnas': ['nds'],
  'nds-nasnet': ['nds'],
  'nds-amoeba': ['nds'],
  'nds-darts-fix-w-d': ['nds'],
};

/** An NDS space's name. */
export function isNdsSpace(name: SpaceName): name is (typeof SPACE_NAMES)[number] & `nds-${string}` {
  return name.startsWith('nds-');
}

/** A benchmark with, where ../shared has them, NAS-Bench-Suite-Zero's scores of its architectures. */
export interface LoadedBenchmark extends Benchmark {
  /** Suite-Zero's scores by canonical architecture, for the images of `dataset`, if available. */
  suiteZero?: (dataset: string) => ReadonlyMap<string, Record<string, number>> | undefined;
}

const NB101_MISSING = 'NB101 needs ../shared/data/nb101 beside the checkout (its tables are not bundled)';

export function loadBenchmark(
  name: SpaceName,
  table: string = TABLE_NAMES[name][0]!,
  options: { ndsTable?: string } = {},
): LoadedBenchmark {
  if (!TABLE_NAMES[name].includes(table))
    throw new UsageError(`--table for --space ${name} must be one of ${TABLE_NAMES[name].join('|')}, got ${table}`);
  if (options.ndsTable !== undefined && !isNdsSpace(name)) throw new UsageError(`--nds-table is for the nds-… spaces, not --space ${name}`);
  if (isNdsSpace(name)) {
    const space = ndsSearchSpace(name);
    if (options.ndsTable === undefined) {
      throw new UsageError(
        `--space ${name} needs --nds-table FILE: your copy of NDS's ${space.nds.file} (NDS's tables are not bundled, and nothing here downloads them)`,
      );
    }
    try {
      return ndsBenchmark(readNdsTable(options.ndsTable), space, options.ndsTable);
    } catch (e) {
      if (e instanceof DataFormatError) throw new UsageError(e.message);
      throw e;
    }
  }
  switch (name) {
    case 'nb201':
      return { ...nb201Benchmark(loadNb201Table()), suiteZero: (d) => (d === 'cifar10' ? loadSuiteZeroCifar10() : undefined) };
    case 'nb101': {
      const rows = loadNb101Table();
      if (rows === undefined) throw new UsageError(NB101_MISSING);
      const space = nb101Space(rows);
      if (table === 'nb101') return nb101Benchmark(rows, space);
      const sz = loadSuiteZeroNb101();
      if (sz === undefined) throw new UsageError(NB101_MISSING);
      const b = suiteZeroNb101Benchmark(sz, space);
      const theirs = new Map(Array.from({ length: b.size }, (_, i) => [b.archOf(i), b.scoresOf(i)]));
      return { ...b, suiteZero: () => theirs };
    }
    case 'nb301': {
      const t = loadNb301Table();
      if (t === undefined) throw new UsageError('NB301 needs ../shared/data/nb301 beside the checkout (its table is not bundled)');
      const b = nb301Benchmark(t, NB301_SPACE);
      const theirs = new Map(Array.from({ length: b.size }, (_, i) => [b.archOf(i), b.scoresOf(i)]));
      return { ...b, suiteZero: () => theirs };
    }
    case 'darts':
      throw new UsageError(
        `--space ${name} has no benchmark table for eval yet: score its architectures with zerocost score --space ${name}`,
      );
  }
}

/**
 * The space alone (what `score` needs): NB101 knows its table's hashes when ../shared has it; `darts` takes its
 * width, depth and op variant (`--width`, `--depth`, `--ops`).
 */
export function spaceNamed(name: SpaceName, darts: DartsSpaceOptions = {}): SearchSpace {
  if (isNdsSpace(name))
    return ndsSearchSpace(name, { ...(darts.C ? { width: darts.C } : {}), ...(darts.layers ? { depth: darts.layers } : {}) });
  switch (name) {
    case 'nb201':
      return NB201_SPACE;
    case 'nb101':
      return nb101Space(loadNb101Table());
    case 'nb301':
      return NB301_SPACE;
    case 'darts':
      return dartsSpace(darts);
  }
}

/** What a results line of this benchmark is checked against. */
export function resultTableOf(b: Benchmark): ResultTable {
  return { space: b.space.name, ...(b.table ? { table: b.table } : {}), size: b.size, archOf: (i) => b.archOf(i) };
}

const loaded = new Map<string, LoadedBenchmark>();

/** Checks a results line against the table of the space (and table) it names: merge reads files of any space. */
export function checkLineOfItsSpace(v: unknown): ResultLine {
  const o = v as { space?: unknown; table?: unknown } | null;
  const name = SPACE_NAMES.find((n) => n === o?.space) ?? 'nb201';
  const table = typeof o?.table === 'string' && TABLE_NAMES[name].includes(o.table) ? o.table : TABLE_NAMES[name][0]!;
  const key = `${name}/${table}`;
  if (!loaded.has(key)) loaded.set(key, loadBenchmark(name, table));
  return checkResultLine(v, resultTableOf(loaded.get(key)!));
}
