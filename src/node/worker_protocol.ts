/**
 * The control block shared by the main thread and the kernel workers: per worker a slot of 4 ints
 * [state, kernel index, argument count, error flag] and ARGS_PER_SLOT doubles of arguments.
 * States: IDLE → (main) RUN → (worker) DONE → (main) IDLE; QUIT ends the worker.
 */
export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const QUIT = 3;
export const SLOT_INTS = 4;
export const ARGS_PER_SLOT = 32;

export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  argsOffset: number;
  index: number;
  names: string[];
}
