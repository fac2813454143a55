/**
 * The control block shared by the main thread and the kernel workers: per worker a slot of 4 ints
 * [state, kernel index, argument count, error flag] and ARGS_PER_SLOT doubles of arguments.
 * States: IDLE → (main) RUN → (worker) DONE → (main) IDLE; QUIT ends the worker.
 */
import type { KernelName } from './kernels.js';

export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const QUIT = 3;
export const SLOT_INTS = 4;
export const ARGS_PER_SLOT = 32;

/** The kernels a worker can run, by index in the control block. */
export const WORKER_KERNELS: KernelName[] = [
  'gemm', 'transpose', 'conv2d_forward', 'conv2d_grad_input', 'conv2d_grad_weight', 'relu', 'relu_grad', 'add', 'scale',
  'avg_pool2d', 'avg_pool2d_grad', 'global_avg_pool', 'global_avg_pool_grad', 'bn_stats', 'bn_forward', 'bn_backward',
  'add_row_vector', 'sum_rows', 'outer_per_sample', 'softmax_ce', 'softmax_ce_grad', 'sign_sum', 'signs_i8', 'class_gram',
];

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
