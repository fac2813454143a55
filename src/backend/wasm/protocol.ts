/**
 * The control block shared by the main thread and the kernel workers: per worker a slot of 6 ints
 * [state, kernel index, argument count, error flag, gone, exit code] and ARGS_PER_SLOT doubles of arguments.
 * States: IDLE → (main) RUN → (worker) DONE → (main) IDLE; QUIT ends the worker. `gone` turns 1 (with the
 * exit code) when the worker's thread ends, written by the worker itself on its way out: the main thread,
 * blocked in Atomics.wait, cannot hear a worker's exit event.
 */
export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const QUIT = 3;
export const SLOT_INTS = 6;
/** Offsets in a slot. */
export const GONE = 4;
export const EXIT_CODE = 5;
export const ARGS_PER_SLOT = 32;
/**
 * Polls of the state word before a thread blocks in Atomics.wait (a few µs): kernel calls come in quick
 * succession, and a futex sleep and wake-up costs tens of µs on each side. Measured on 2 idle cores (docs/speed-nb201.md):
 * 0 polls 3.72 s, 2^12 3.00 s, 2^16 3.35 s for bench/archs10.txt; with another process on one core, 2^16 polls
 * made the same run 3× slower (the spinning thread takes the core the other needs) and 2^12 12 % slower.
 */
export const SPIN_POLLS = 1 << 12;

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  argsOffset: number;
  index: number;
}

/** A control block for `workers` workers. */
export function createControl(workers: number): { control: SharedArrayBuffer; argsOffset: number } {
  const argsOffset = Math.ceil((workers * SLOT_INTS * 4) / 8) * 8;
  return { control: new SharedArrayBuffer(argsOffset + workers * ARGS_PER_SLOT * 8), argsOffset };
}

/** Marks worker `index` gone (its thread is ending) and wakes a main thread waiting on it. */
export function markGone(control: SharedArrayBuffer, index: number, code: number): void {
  const ints = new Int32Array(control, index * SLOT_INTS * 4, SLOT_INTS);
  ints[EXIT_CODE] = code;
  Atomics.store(ints, GONE, 1);
  Atomics.notify(ints, 0);
}
