/**
 * A kernel runner over workers that share the memory (worker_threads in Node, Web Workers in Deno and
 * cross-origin-isolated browsers): the main thread takes one slice of every call itself and waits on the
 * others with Atomics.wait, so kernel calls stay synchronous. Waits are bounded: a worker that is gone (see
 * protocol.ts) or silent past the timeout fails the call, naming it, and the pool refuses every later call.
 */
import { WORKER_KERNELS, type KernelExports, type KernelName } from './kernel_list.js';
import { ARGS_PER_SLOT, EXIT_CODE, GONE, IDLE, QUIT, RUN, SLOT_INTS, SPIN_POLLS } from './protocol.js';
import type { KernelRunner } from './runner.js';
import { BackendLostError } from '../backend.js';

/** What the pool needs of a worker, whatever the runtime. */
export interface PoolWorker {
  terminate(): unknown;
}

/** Longest wait for one worker's slice: far beyond any slice, short of forever. */
const SLICE_TIMEOUT_MS = 600_000;

export class WorkerPoolRunner implements KernelRunner {
  readonly threads: number;
  private readonly ints: Int32Array;
  private readonly args: Float64Array[];
  private closed = false;
  /** Set once a worker is gone or silent: the pool cannot run a full wave any more. */
  private broken: Error | null = null;
  /** Milliseconds the main thread has spent waiting for workers after its own slice (load imbalance, hand-offs). */
  waitMs = 0;

  constructor(
    private readonly kernels: KernelExports,
    private readonly workers: PoolWorker[],
    control: SharedArrayBuffer,
    argsOffset: number,
  ) {
    this.threads = workers.length + 1;
    this.ints = new Int32Array(control, 0, workers.length * SLOT_INTS);
    this.args = workers.map((_, i) => new Float64Array(control, argsOffset + i * ARGS_PER_SLOT * 8, ARGS_PER_SLOT));
  }

  private gone(w: number, doing: string): Error {
    const code = this.ints[w * SLOT_INTS + EXIT_CODE];
    return new BackendLostError(
      `wasm worker ${w + 1} (of ${this.workers.length}) exited (code ${code}) ${doing}; the backend cannot be used any more`,
    );
  }

  run(name: KernelName, slices: readonly (readonly number[])[]): void {
    if (this.closed) throw new Error('wasm backend: used after close()');
    if (this.broken) throw this.broken;
    const fn = this.kernels[name] as (...a: number[]) => void;
    const id = WORKER_KERNELS.indexOf(name);
    if (id < 0) throw new Error(`kernel ${name} is not available to workers`);
    // Waves of `threads` slices: worker w takes slice 1 + w, the main thread slice 0.
    for (let start = 0; start < slices.length; start += this.threads) {
      const wave = slices.slice(start, start + this.threads);
      const lost = wave.slice(1).findIndex((_, w) => Atomics.load(this.ints, w * SLOT_INTS + GONE) !== 0);
      if (lost >= 0) throw (this.broken = this.gone(lost, `before kernel ${name}`));
      const posted = wave.slice(1).map((args, w) => {
        const slot = w * SLOT_INTS;
        if (args.length > ARGS_PER_SLOT) throw new Error(`kernel ${name}: ${args.length} arguments exceed ${ARGS_PER_SLOT}`);
        this.args[w]!.set(args);
        this.ints[slot + 1] = id;
        this.ints[slot + 2] = args.length;
        Atomics.store(this.ints, slot, RUN);
        Atomics.notify(this.ints, slot);
        return w;
      });
      let trapped: unknown = null;
      try {
        fn(...wave[0]!);
      } catch (e) {
        trapped = e;
      }
      let failed = false;
      // Every posted slice is waited for, even after a failure: the others still write the memory.
      const waitStart = performance.now();
      const deadline = Date.now() + SLICE_TIMEOUT_MS;
      for (const w of posted) {
        const error = this.await(w, name, deadline);
        this.broken ??= error;
        failed ||= this.ints[w * SLOT_INTS + 3] !== 0;
        if (!error) Atomics.store(this.ints, w * SLOT_INTS, IDLE);
      }
      this.waitMs += performance.now() - waitStart;
      if (this.broken) throw this.broken;
      if (trapped) throw trapped;
      if (failed) throw new Error(`wasm kernel ${name} trapped in a worker`);
    }
  }

  /** Waits for worker w's slice in bounded steps; the error when it is gone or silent past the deadline. */
  private await(w: number, name: KernelName, deadline: number): Error | null {
    const slot = w * SLOT_INTS;
    for (let i = 0; i < SPIN_POLLS && Atomics.load(this.ints, slot) === RUN; i++);
    while (Atomics.load(this.ints, slot) === RUN) {
      if (Atomics.load(this.ints, slot + GONE) !== 0) return this.gone(w, `while running kernel ${name}`);
      const left = deadline - Date.now();
      if (left <= 0)
        return new BackendLostError(
          `wasm worker ${w + 1} (of ${this.workers.length}): no answer in ${SLICE_TIMEOUT_MS / 1000} s running kernel ${name}; the backend cannot be used any more`,
        );
      Atomics.wait(this.ints, slot, RUN, Math.min(left, 1000));
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.workers.forEach((_, w) => {
      Atomics.store(this.ints, w * SLOT_INTS, QUIT);
      Atomics.notify(this.ints, w * SLOT_INTS);
    });
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
