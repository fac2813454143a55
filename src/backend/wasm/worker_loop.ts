/**
 * The body of a kernel worker, the same in worker_threads and Web Workers: instantiate the kernel module on
 * the shared memory, then run the slices the main thread posts in the control block until told to quit.
 */
import { WORKER_KERNELS } from './kernel_list.js';
import { DONE, QUIT, RUN, SLOT_INTS, ARGS_PER_SLOT, SPIN_POLLS, type WorkerInit } from './protocol.js';

/** Instantiates the kernels, calls `ready`, then serves slices forever (until QUIT). */
export function serveKernels(init: WorkerInit, ready: () => void): void {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = WORKER_KERNELS.map((n) => instance.exports[n] as (...args: number[]) => unknown);
  const slot = init.index * SLOT_INTS;
  const ints = new Int32Array(init.control, 0, slot + SLOT_INTS);
  const args = new Float64Array(init.control, init.argsOffset + init.index * ARGS_PER_SLOT * 8, ARGS_PER_SLOT);
  ready();
  for (;;) {
    let state = Atomics.load(ints, slot);
    for (let i = 0; i < SPIN_POLLS && state !== RUN && state !== QUIT; i++) state = Atomics.load(ints, slot);
    // No timeout on the idle wait: a worker cannot outlive its owner (ending a thread, or the process, ends
    // the workers it started), so there is no other side whose death it would have to notice.
    while (state !== RUN && state !== QUIT) {
      Atomics.wait(ints, slot, state);
      state = Atomics.load(ints, slot);
    }
    if (state === QUIT) return;
    try {
      kernels[ints[slot + 1]!]!(...Array.from(args.subarray(0, ints[slot + 2]!)));
      ints[slot + 3] = 0;
    } catch {
      ints[slot + 3] = 1;
    }
    Atomics.store(ints, slot, DONE);
    Atomics.notify(ints, slot);
  }
}
