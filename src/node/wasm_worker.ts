/**
 * A kernel worker: instantiates the kernel module on the shared memory and runs the slices the main thread
 * posts in the control block, synchronised with Atomics (see worker_pool.ts for the protocol).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ARGS_PER_SLOT, DONE, QUIT, RUN, SLOT_INTS, type WorkerInit } from './worker_protocol.js';

const { module, memory, control, index, names } = workerData as WorkerInit;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const kernels = names.map((n) => instance.exports[n] as (...args: number[]) => unknown);
const ints = new Int32Array(control, 0, (index + 1) * SLOT_INTS);
const slot = index * SLOT_INTS;
const argView = new Float64Array(control, (workerData as WorkerInit).argsOffset + index * ARGS_PER_SLOT * 8, ARGS_PER_SLOT);
parentPort!.postMessage('ready');

for (;;) {
  let state = Atomics.load(ints, slot);
  while (state !== RUN && state !== QUIT) {
    Atomics.wait(ints, slot, state);
    state = Atomics.load(ints, slot);
  }
  if (state === QUIT) break;
  const fn = kernels[ints[slot + 1]!]!;
  const n = ints[slot + 2]!;
  try {
    fn(...Array.from(argView.subarray(0, n)));
    ints[slot + 3] = 0;
  } catch {
    ints[slot + 3] = 1;
  }
  Atomics.store(ints, slot, DONE);
  Atomics.notify(ints, slot);
}
