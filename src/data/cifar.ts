/**
 * CIFAR-10 / CIFAR-100 in the official binary format, and batch construction.
 *
 * CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: 1 coarse label byte + 1 fine label byte
 * + 3072 pixel bytes. Pixels are 1024 R, then 1024 G, then 1024 B, each a row-major 32×32 plane, i.e. CHW.
 */
import { DataFormatError } from '../io/errors.js';
import { Random } from '../util/random.js';
import type { Batch } from './batch.js';
import { DEFAULT_NORMALIZATION, normalizationStats, type NormalizationName } from './normalization.js';

export type CifarDataset = 'cifar10' | 'cifar100';

export const CIFAR_IMAGE_SIZE = 32;
export const CIFAR_CHANNELS = 3;
/** Bytes of pixels per image (3·32·32). */
export const CIFAR_PIXELS = 3072;

export const CIFAR_NUM_CLASSES: Readonly<Record<CifarDataset, number>> = { cifar10: 10, cifar100: 100 };
/** Bytes per record in the binary format. */
export const CIFAR_RECORD_BYTES: Readonly<Record<CifarDataset, number>> = { cifar10: 3073, cifar100: 3074 };

export interface CifarData {
  /** count × 3072 bytes, each image CHW (R plane, G plane, B plane; row-major 32×32). */
  images: Uint8Array;
  /** Class labels (CIFAR-100: fine labels), length count. */
  labels: Int32Array;
  count: number;
  dataset: CifarDataset;
  /** CIFAR-100 only: the 20 coarse (superclass) labels. */
  coarseLabels?: Int32Array;
}

export function isCifarDataset(s: unknown): s is CifarDataset {
  return s === 'cifar10' || s === 'cifar100';
}

/** Parses CIFAR-10 binary records (e.g. `test_batch.bin`). */
export function parseCifar10(bytes: Uint8Array, source?: string): CifarData {
  return parseCifar(bytes, 'cifar10', source);
}

/** Parses CIFAR-100 binary records (e.g. `train.bin`); `labels` are the fine labels. */
export function parseCifar100(bytes: Uint8Array, source?: string): CifarData {
  return parseCifar(bytes, 'cifar100', source);
}

export function parseCifar(bytes: Uint8Array, dataset: CifarDataset, source?: string): CifarData {
  const rec = CIFAR_RECORD_BYTES[dataset];
  if (rec === undefined) throw new Error(`unknown CIFAR dataset "${String(dataset)}" (expected cifar10 or cifar100)`);
  const name = dataset === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100';
  if (bytes.length % rec !== 0) {
    throw new DataFormatError(
      `truncated or wrong format: ${bytes.length} bytes is not a multiple of the ${rec}-byte record of ${name} binary files`, source);
  }
  const count = bytes.length / rec;
  if (count === 0) throw new DataFormatError(`no ${name} records: the data is empty (0 bytes)`, source);
  const nLabel = rec - CIFAR_PIXELS;
  const numClasses = CIFAR_NUM_CLASSES[dataset];
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Int32Array(count);
  const coarse = dataset === 'cifar100' ? new Int32Array(count) : undefined;
  for (let i = 0; i < count; i++) {
    const o = i * rec;
    const label = bytes[o + nLabel - 1]!;
    if (label >= numClasses) {
      throw new DataFormatError(
        `record ${i} (byte offset ${o + nLabel - 1}) has label ${label}, but ${name} labels must be < ${numClasses} (wrong dataset or format?)`, source);
    }
    labels[i] = label;
    if (coarse) {
      const c = bytes[o]!;
      if (c >= 20) throw new DataFormatError(`record ${i} (byte offset ${o}) has coarse label ${c}, but CIFAR-100 coarse labels must be < 20`, source);
      coarse[i] = c;
    }
    images.set(bytes.subarray(o + nLabel, o + rec), i * CIFAR_PIXELS);
  }
  const out: CifarData = { images, labels, count, dataset };
  if (coarse) out.coarseLabels = coarse;
  return out;
}

/** Concatenates parsed parts (e.g. the five CIFAR-10 training batches) in order. */
export function concatCifar(parts: readonly CifarData[]): CifarData {
  if (parts.length === 0) throw new Error('concatCifar: no parts to concatenate');
  const dataset = parts[0]!.dataset;
  for (const p of parts) {
    if (p.dataset !== dataset) throw new Error(`concatCifar: cannot mix ${dataset} and ${p.dataset}`);
  }
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((s, p) => s + p.count, 0);
  const images = new Uint8Array(count * CIFAR_PIXELS);
  const labels = new Int32Array(count);
  const coarse = dataset === 'cifar100' ? new Int32Array(count) : undefined;
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * CIFAR_PIXELS);
    labels.set(p.labels, at);
    if (coarse && p.coarseLabels) coarse.set(p.coarseLabels, at);
    at += p.count;
  }
  const out: CifarData = { images, labels, count, dataset };
  if (coarse) out.coarseLabels = coarse;
  return out;
}

/**
 * The indices of a batch: `new Random(seed).sample(count, batchSize)` — the same images in the same order for
 * every architecture when the seed is the same (the NASWOT protocol).
 */
export function chooseBatchIndices(count: number, batchSize: number, seed: number): number[] {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`image count must be a non-negative integer, got ${count}`);
  if (batchSize > count) throw new RangeError(`batch size ${batchSize} exceeds the ${count} images available`);
  return new Random(seed).sample(count, batchSize);
}

export interface MakeBatchOptions {
  dataset: CifarDataset;
  /** Default `xautodl`. */
  normalization?: NormalizationName;
}

/**
 * Builds a normalised NCHW 32×32 batch from the given image indices: x = (pixel/255 − mean_c) / std_c.
 * Arithmetic is rounded to float32 at the same steps as torchvision's ToTensor + Normalize, so the values match
 * PyTorch bit for bit.
 */
export function makeBatch(
  images: Uint8Array,
  labels: Int32Array,
  indices: ArrayLike<number>,
  opts: MakeBatchOptions,
): Batch {
  const count = labels.length;
  if (images.length !== count * CIFAR_PIXELS) {
    throw new RangeError(`makeBatch: images has ${images.length} bytes, expected ${count} labels × ${CIFAR_PIXELS} = ${count * CIFAR_PIXELS}`);
  }
  const n = indices.length;
  if (n === 0) throw new RangeError('makeBatch: no indices given (batch would be empty)');
  const { mean, std } = normalizationStats(opts.dataset, opts.normalization ?? DEFAULT_NORMALIZATION);
  const f = Math.fround;
  // Lookup tables per channel: 256 possible pixel values.
  const lut: Float32Array[] = [0, 1, 2].map((c) => {
    const m = f(mean[c]!), s = f(std[c]!);
    const t = new Float32Array(256);
    for (let p = 0; p < 256; p++) t[p] = f(f(f(p / 255) - m) / s);
    return t;
  });
  const x = new Float32Array(n * CIFAR_PIXELS);
  const y = new Int32Array(n);
  const plane = CIFAR_IMAGE_SIZE * CIFAR_IMAGE_SIZE;
  for (let b = 0; b < n; b++) {
    const idx = indices[b]!;
    if (!Number.isInteger(idx) || idx < 0 || idx >= count) {
      throw new RangeError(`makeBatch: index ${idx} at position ${b} is out of range for ${count} images`);
    }
    y[b] = labels[idx]!;
    const src = idx * CIFAR_PIXELS, dst = b * CIFAR_PIXELS;
    for (let c = 0; c < CIFAR_CHANNELS; c++) {
      const t = lut[c]!;
      const o = c * plane;
      for (let k = 0; k < plane; k++) x[dst + o + k] = t[images[src + o + k]!]!;
    }
  }
  return { x, shape: [n, CIFAR_CHANNELS, CIFAR_IMAGE_SIZE, CIFAR_IMAGE_SIZE], y };
}

export interface SampleBatchOptions {
  batchSize: number;
  seed: number;
  normalization?: NormalizationName;
}

/** `makeBatch` on `chooseBatchIndices(data.count, batchSize, seed)`. */
export function sampleCifarBatch(data: CifarData, opts: SampleBatchOptions): Batch {
  const indices = chooseBatchIndices(data.count, opts.batchSize, opts.seed);
  const o: MakeBatchOptions = { dataset: data.dataset };
  if (opts.normalization !== undefined) o.normalization = opts.normalization;
  return makeBatch(data.images, data.labels, indices, o);
}
