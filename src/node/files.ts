/**
 * Node-only file helpers around the runtime-neutral readers in src/io and src/data.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { batchFromSafetensors, batchToSafetensors, type Batch } from '../data/batch.js';
import { concatCifar, parseCifar, type CifarData, type CifarDataset } from '../data/cifar.js';
import { parseNb101Table, type Nb101Table } from '../data/nb101_table.js';
import { parseNb201Table, type Nb201Table } from '../data/nb201_table.js';
import { parseNb301Table, type Nb301Table } from '../data/nb301_table.js';
import { parseNdsTable, type NdsTable } from '../data/nds_table.js';
import { parseSuiteZeroCsv } from '../data/suite_zero.js';
import { parseSuiteZeroNb101, type SuiteZeroNb101 } from '../data/suite_zero_nb101.js';
import { parseSafetensorsFile, serializeSafetensors, type RawTensor, type SafetensorsFile } from '../io/safetensors.js';

export type CifarSplit = 'train' | 'test';

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new Error(`cannot read ${what} ${path}: ${why}`);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

let cachedRoot: string | undefined;

/**
 * The root folder of the zerocost package: the nearest ancestor of this module's folder holding a package.json
 * whose name is "zerocost" (works from src/ via a TS runner and from dist/src/ after compilation).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let d = start; ; d = dirname(d)) {
    const pj = join(d, 'package.json');
    if (isFile(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: unknown }).name === 'zerocost') return (cachedRoot = d);
      } catch {
        // unreadable or invalid package.json: keep walking up
      }
    }
    if (dirname(d) === d) break;
  }
  throw new Error(`cannot find the zerocost package root: no package.json named "zerocost" above ${start}`);
}

/** The package's bundled `data/` folder (NB201 table, CIFAR-10 sample). */
export function bundledDataDir(): string {
  return join(packageRoot(), 'data');
}

/** `<package root>/../shared/data` when that folder exists (the development checkout's fetched data), else undefined. */
export function defaultSharedDataDir(): string | undefined {
  const d = resolve(packageRoot(), '..', 'shared', 'data');
  return isDir(d) ? d : undefined;
}

/** Reads and parses a safetensors file (errors name the file). */
export function readSafetensorsFile(path: string): Map<string, RawTensor> {
  return parseSafetensorsFile(readBytes(path, 'safetensors file'), path).tensors;
}

/** Reads a safetensors file with its `__metadata__`. */
export function readSafetensorsFileWithMetadata(path: string): SafetensorsFile {
  return parseSafetensorsFile(readBytes(path, 'safetensors file'), path);
}

/** Writes tensors as a safetensors file, creating parent folders as needed. */
export function writeSafetensorsFile(
  path: string,
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): void {
  const bytes = serializeSafetensors(tensors, metadata);
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, bytes);
}

/** Reads a batch file: safetensors with `x` F32 [B,3,H,W] and `y` I64/I32 [B]. */
export function readBatchFile(path: string): Batch {
  return batchFromSafetensors(readSafetensorsFile(path), path);
}

/** Writes a batch as safetensors (`x` F32, `y` I64). */
export function writeBatchFile(path: string, batch: Batch, metadata?: Record<string, string>): void {
  writeSafetensorsFile(path, batchToSafetensors(batch), metadata);
}

const CIFAR_LAYOUT: Record<CifarDataset, { subdirs: string[]; files: Record<CifarSplit, string[][]> }> = {
  // Each inner list is one alternative set of files; the first alternative with any file present wins.
  cifar10: {
    subdirs: ['', 'cifar-10-batches-bin', 'cifar10'],
    files: { train: [[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`)], test: [['test_batch.bin']] },
  },
  cifar100: {
    subdirs: ['', 'cifar-100-binary', 'cifar100'],
    files: { train: [['train.bin'], ['train_partial.bin']], test: [['test.bin']] },
  },
};

/**
 * Loads a CIFAR split from the official binary files in `dir` (or its `cifar-10-batches-bin/`,
 * `cifar-100-binary/`, `cifar10/` or `cifar100/` subfolder). CIFAR-10 train concatenates the data_batch_1..5.bin
 * files present, in order; CIFAR-100 train reads train.bin, or else train_partial.bin.
 */
export function loadCifar(dir: string, dataset: CifarDataset, split: CifarSplit): CifarData {
  const layout = CIFAR_LAYOUT[dataset];
  if (layout === undefined) throw new Error(`unknown dataset "${String(dataset)}" (expected cifar10 or cifar100)`);
  const alternatives = layout.files[split];
  if (alternatives === undefined) throw new Error(`unknown split "${String(split)}" (expected train or test)`);
  if (!isDir(dir)) throw new Error(`CIFAR data folder ${dir} does not exist or is not a folder`);
  const looked: string[] = [];
  for (const sub of layout.subdirs) {
    const d = sub === '' ? dir : join(dir, sub);
    for (const names of alternatives) {
      const paths = names.map((n) => join(d, n));
      looked.push(...paths);
      const found = paths.filter(isFile);
      if (found.length > 0) return concatCifar(found.map((p) => parseCifar(readBytes(p, `${dataset} file`), dataset, p)));
    }
  }
  throw new Error(`no ${dataset} ${split} data found in ${dir}; looked for: ${looked.join(', ')}`);
}

/** The bundled sample: the first 512 CIFAR-10 test images (data/cifar10-sample/test_batch.bin). */
export function loadBundledCifar10Sample(): CifarData {
  return loadCifar(join(bundledDataDir(), 'cifar10-sample'), 'cifar10', 'test');
}

/** Path of the bundled NB201 accuracy table. */
export function bundledNb201TablePath(): string {
  return join(bundledDataDir(), 'nb201', 'accuracy.tsv');
}

let cachedTable: Nb201Table | undefined;

/** Loads an NB201 accuracy table (default: the bundled one, parsed once and cached). */
export function loadNb201Table(path?: string): Nb201Table {
  if (path === undefined) {
    if (cachedTable === undefined) cachedTable = loadNb201Table(bundledNb201TablePath());
    return cachedTable;
  }
  const bytes = readBytes(path, 'NB201 table');
  return parseNb201Table(new TextDecoder().decode(bytes), path);
}

/** NAS-Bench-Suite-Zero's NB201 CIFAR-10 proxy scores from ../shared/data, or undefined when absent. */
export function loadSuiteZeroCifar10(): Map<string, Record<string, number>> | undefined {
  const dir = defaultSharedDataDir();
  const path = dir && join(dir, 'nb201', 'nb201_zc_proxies_cifar10_suitezero.csv');
  if (!path || !existsSync(path)) return undefined;
  return parseSuiteZeroCsv(new TextDecoder().decode(readBytes(path, 'NAS-Bench-Suite-Zero table')), path);
}

/** `../shared/data/nb101/nb101_1k_graphs_valacc108.jsonl` when present (the NB101 sample table: 1,000 cells), else undefined. */
export function defaultNb101TablePath(): string | undefined {
  const dir = defaultSharedDataDir();
  const path = dir && join(dir, 'nb101', 'nb101_1k_graphs_valacc108.jsonl');
  return path && isFile(path) ? path : undefined;
}

/**
 * Loads an NB101 table (JSON lines, as src/data/nb101_table.ts reads them; errors name the file and line).
 * Without a path: the ../shared one, or undefined when ../shared is absent.
 */
export function loadNb101Table(path: string): Nb101Table;
export function loadNb101Table(path?: string): Nb101Table | undefined;
export function loadNb101Table(path?: string): Nb101Table | undefined {
  const file = path ?? defaultNb101TablePath();
  if (file === undefined) return undefined;
  return parseNb101Table(new TextDecoder().decode(readBytes(file, 'NB101 table')), file);
}

/** `../shared/data/nb301/naslib_zc_nasbench301_725.json` when present (Suite-Zero's NB301 file: 725 genotypes), else undefined. */
export function defaultNb301TablePath(): string | undefined {
  const dir = defaultSharedDataDir();
  const path = dir && join(dir, 'nb301', 'naslib_zc_nasbench301_725.json');
  return path && isFile(path) ? path : undefined;
}

/**
 * Loads Suite-Zero's NB301 file (src/data/nb301_table.ts; errors name the file and key). Without a path: the
 * ../shared one, or undefined when ../shared is absent.
 */
export function loadNb301Table(path: string): Nb301Table;
export function loadNb301Table(path?: string): Nb301Table | undefined;
export function loadNb301Table(path?: string): Nb301Table | undefined {
  const file = path ?? defaultNb301TablePath();
  if (file === undefined) return undefined;
  return parseNb301Table(new TextDecoder().decode(readBytes(file, 'NB301 file')), file);
}

/** The user's copy of one of NDS's JSON files (src/data/nds_table.ts); errors name the file and record. */
export function readNdsTable(path: string): NdsTable {
  return parseNdsTable(new TextDecoder().decode(readBytes(path, 'NDS file')), path);
}

/** NAS-Bench-Suite-Zero's NB101 proxy scores (500 unpruned keys, 292 cells) from ../shared/data, or undefined when absent. */
export function loadSuiteZeroNb101(): SuiteZeroNb101 | undefined {
  const dir = defaultSharedDataDir();
  const path = dir && join(dir, 'nb101', 'naslib_zc_nasbench101_subset.json');
  if (!path || !existsSync(path)) return undefined;
  return parseSuiteZeroNb101(new TextDecoder().decode(readBytes(path, 'NAS-Bench-Suite-Zero NB101 file')), path);
}
