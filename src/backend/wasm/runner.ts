/**
 * Runs a kernel over several argument lists, one per slice of the work: in turn on this thread, or spread
 * over a pool of workers sharing the memory (src/node/worker_pool.ts). Slices must write disjoint memory.
 * Returns when every slice is done.
 */
import type { KernelExports, KernelName } from './kernel_list.js';

export interface KernelRunner {
  readonly threads: number;
  run(name: KernelName, slices: readonly (readonly number[])[]): void;
  close(): Promise<void>;
}

export class SingleThreadRunner implements KernelRunner {
  readonly threads = 1;

  constructor(private readonly kernels: KernelExports) {}

  run(name: KernelName, slices: readonly (readonly number[])[]): void {
    const fn = this.kernels[name] as (...a: number[]) => void;
    for (const args of slices) fn(...args);
  }

  async close(): Promise<void> {}
}

/** Splits [0, n) into at most `parts` contiguous, nearly equal, non-empty ranges. */
export function splitRange(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as [number, number]);
}
