/** A batch of input images (NCHW, already normalised) with integer class labels. */
import { DataFormatError, formatShape } from '../io/errors.js';
import { requireTensor, type RawTensor } from '../io/safetensors.js';
import { nonFiniteProblem } from '../util/finite.js';

export interface Batch {
  /** Normalised pixels, NCHW, row-major; length = B·C·H·W. */
  x: Float32Array;
  /** [B, C, H, W] */
  shape: [number, number, number, number];
  /** Class labels, length B. */
  y: Int32Array;
}

/** The first n samples of a batch (the whole batch when n ≥ B); the arrays are views, not copies. */
export function firstSamples(b: Batch, n: number): Batch {
  const [B, C, H, W] = b.shape;
  if (n >= B) return b;
  return { x: b.x.subarray(0, n * C * H * W), shape: [n, C, H, W], y: b.y.subarray(0, n) };
}

/** Checks that a Batch's arrays agree with its shape and that its pixels are finite. */
export function validateBatch(b: Batch, source?: string): void {
  const [n, c, h, w] = b.shape;
  if (b.shape.length !== 4 || !b.shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new DataFormatError(`batch shape must be 4 positive integers [B,C,H,W], got ${formatShape(b.shape)}`, source);
  }
  if (b.x.length !== n * c * h * w) {
    throw new DataFormatError(`batch x has ${b.x.length} values, expected ${n * c * h * w} for shape ${formatShape(b.shape)}`, source);
  }
  if (b.y.length !== n) throw new DataFormatError(`batch y has ${b.y.length} labels, expected ${n} (batch size)`, source);
  const problem = nonFiniteProblem('x', b.x, b.shape);
  if (problem) throw new DataFormatError(problem, source);
}

/**
 * Reads a batch from safetensors tensors: `x` F32 [B,3,H,W] and `y` I64 or I32 [B] (labels must fit in int32).
 * The arrays are copied.
 */
export function batchFromSafetensors(map: Map<string, RawTensor>, source?: string): Batch {
  const x = requireTensor(map, 'x', { dtype: ['F32'], shape: [null, 3, null, null] }, source);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (n === 0 || h === 0 || w === 0) {
    throw new DataFormatError(`tensor "x" has shape ${formatShape(x.shape)}; batch size and image size must be positive`, source);
  }
  const yt = requireTensor(map, 'y', { dtype: ['I64', 'I32'] }, source);
  if (yt.shape.length !== 1) throw new DataFormatError(`tensor "y" has shape ${formatShape(yt.shape)}, expected [${n}]`, source);
  if (yt.shape[0] !== n) {
    throw new DataFormatError(`tensor "y" has shape ${formatShape(yt.shape)} but "x" has batch size ${n}: expected [${n}]`, source);
  }
  const y = new Int32Array(n);
  if (yt.dtype === 'I32') {
    y.set(yt.data as Int32Array);
  } else {
    const src = yt.data as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = src[i]!;
      if (v < -2147483648n || v > 2147483647n) {
        throw new DataFormatError(`tensor "y": label ${v} at position ${i} does not fit in int32`, source);
      }
      y[i] = Number(v);
    }
  }
  const batch: Batch = { x: (x.data as Float32Array).slice(), shape: [n, c, h, w], y };
  validateBatch(batch, source);
  return batch;
}

/** The safetensors tensors for a batch (`x` F32 [B,C,H,W], `y` I64 [B], as PyTorch would save them). */
export function batchToSafetensors(b: Batch): Map<string, RawTensor> {
  validateBatch(b);
  return new Map<string, RawTensor>([
    ['x', { dtype: 'F32', shape: [...b.shape], data: b.x }],
    ['y', { dtype: 'I64', shape: [b.y.length], data: BigInt64Array.from(b.y, (v) => BigInt(v)) }],
  ]);
}
