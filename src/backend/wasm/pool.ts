/**
 * A kernel runner over workers that share the memory (worker_threads in Node, Web Workers in Deno and
 * cross-origin-isolated browsers): the main thread takes one slice of every call itself and waits on the
 * others with Atomics.wait, so kernel calls stay synchronous.
 */
import type { KernelExports, KernelName } from './kernels.js';
import { ARGS_PER_SLOT, IDLE, QUIT, RUN, SLOT_INTS, WORKER_KERNELS } from './protocol.js';
import type { KernelRunner } from './runner.js';

/** What the pool needs of a worker, whatever the runtime. */
export interface PoolWorker {
  terminate(): unknown;
}

export class WorkerPoolRunner implements KernelRunner {
  readonly threads: number;
  private readonly ints: Int32Array;
  private readonly args: Float64Array[];

  constructor(private readonly kernels: KernelExports, private readonly workers: PoolWorker[], control: SharedArrayBuffer, argsOffset: number) {
    this.threads = workers.length + 1;
    this.ints = new Int32Array(control, 0, workers.length * SLOT_INTS);
    this.args = workers.map((_, i) => new Float64Array(control, argsOffset + i * ARGS_PER_SLOT * 8, ARGS_PER_SLOT));
  }

  run(name: KernelName, slices: readonly (readonly number[])[]): void {
    const fn = this.kernels[name] as (...a: number[]) => void;
    const id = WORKER_KERNELS.indexOf(name);
    if (id < 0) throw new Error(`kernel ${name} is not available to workers`);
    // Waves of `threads` slices: worker w takes slice 1 + w, the main thread slice 0.
    for (let start = 0; start < slices.length; start += this.threads) {
      const wave = slices.slice(start, start + this.threads);
      const posted = wave.slice(1).map((args, w) => {
        const slot = w * SLOT_INTS;
        if (args.length > ARGS_PER_SLOT) throw new Error(`kernel ${name}: ${args.length} arguments exceed ${ARGS_PER_SLOT}`);
        this.args[w]!.set(args);
        this.ints[slot + 1] = id;
        this.ints[slot + 2] = args.length;
        Atomics.store(this.ints, slot, RUN);
        Atomics.notify(this.ints, slot);
        return slot;
      });
      fn(...wave[0]!);
      let failed = false;
      for (const slot of posted) {
        while (Atomics.load(this.ints, slot) === RUN) Atomics.wait(this.ints, slot, RUN);
        failed ||= this.ints[slot + 3] !== 0;
        Atomics.store(this.ints, slot, IDLE);
      }
      if (failed) throw new Error(`wasm kernel ${name} trapped in a worker`);
    }
  }

  async close(): Promise<void> {
    this.workers.forEach((_, w) => {
      Atomics.store(this.ints, w * SLOT_INTS, QUIT);
      Atomics.notify(this.ints, w * SLOT_INTS);
    });
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
