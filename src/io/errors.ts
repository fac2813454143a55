/**
 * Error raised for malformed or mismatching input data (safetensors files, CIFAR binaries, NB201 tables, batches).
 * The message always starts with the source (file name) when one is known.
 */
export class DataFormatError extends Error {
  /** File name or other description of where the data came from, if known. */
  readonly source: string | undefined;

  constructor(message: string, source?: string) {
    super(source ? `${source}: ${message}` : message);
    this.name = 'DataFormatError';
    this.source = source;
  }
}

/** Formats a shape like `[16,3,3,3]`; `null` entries (wildcards) print as `?`. */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
