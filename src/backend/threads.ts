/** What a web runtime lets a thread do: shared by the WASM Web Worker pool and the WebGPU link, which both block. */

/** Whether this web-style thread may block on Atomics.wait over shared memory (Deno; a dedicated worker of a cross-origin-isolated page). */
export function canBlock(): boolean {
  const g = globalThis as { SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean; document?: unknown; Deno?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function') return false;
  if (g.Deno !== undefined) return true;
  // A browser page's main thread cannot Atomics.wait; a dedicated worker of an isolated page can.
  return g.crossOriginIsolated === true && g.document === undefined;
}

/**
 * Refuses a thread count outside [1, limit] (the cores available): more threads than cores only add memory
 * (each worker holds its own instance) and contention, never speed.
 */
export function checkThreads(threads: number, limit: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > limit) {
    throw new RangeError(`threads must be an integer from 1 to ${limit} (the cores available), got ${threads}`);
  }
}
