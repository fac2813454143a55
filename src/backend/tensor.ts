/**
 * A tensor: a shape, a dtype and storage owned by a backend. The autodiff never looks inside the storage;
 * only the backend that made it does. Which tensors need gradients is the tape's business (Tape.watch).
 */
export type DType = 'f32' | 'f64';
export type HostArray = Float32Array | Float64Array;

/** A zero-filled host array of n values of dtype. */
export function hostArray(dtype: DType, n: number): HostArray {
  return dtype === 'f64' ? new Float64Array(n) : new Float32Array(n);
}

/** A new host array of dtype holding values (rounded to f32 for f32). */
export function hostArrayOf(dtype: DType, values: ArrayLike<number>): HostArray {
  return dtype === 'f64' ? Float64Array.from(values) : Float32Array.from(values);
}

let nextId = 0;

/** The id the next tensor will get: tensors with ids at or above it were created after this call. */
export function nextTensorId(): number {
  return nextId;
}

export class Tensor {
  /** Identity on a tape, which refers to tensors by id so it never keeps their storage alive. */
  readonly id = nextId++;
  /** Set on parameters: the state_dict name, used by per-sample sinks and error messages. */
  name?: string;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Backend-owned storage (a typed array for the CPU backends). */
    readonly storage: unknown,
  ) {}

  get size(): number {
    return sizeOf(this.shape);
  }

  get rank(): number {
    return this.shape.length;
  }
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
