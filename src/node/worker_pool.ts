/**
 * Threads for the WASM backend in Node: worker_threads, each with its own instance of the kernel module on
 * the one shared memory (the protocol and runner are runtime-neutral, in src/backend/wasm/).
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { checkThreads } from '../backend/threads.js';
import { WasmBackend } from '../backend/wasm/index.js';
import { createSharedMemory, instantiateKernels, kernelModule } from '../backend/wasm/kernels.js';
import { WorkerPoolRunner } from '../backend/wasm/pool.js';
import { createControl, type WorkerInit } from '../backend/wasm/protocol.js';
import { SingleThreadRunner } from '../backend/wasm/runner.js';

/** Default thread count: the cores available to this process. */
export function defaultThreads(): number {
  return availableParallelism();
}

export interface NodeWasmOptions {
  /** The workers' entry module (tests swap in one that dies); default: wasm_worker.js. */
  workerUrl?: URL;
}

/** A WASM backend on `threads` threads (the main thread plus threads − 1 workers), at most one per core. */
export async function createNodeWasmBackend(threads = defaultThreads(), options: NodeWasmOptions = {}): Promise<WasmBackend> {
  checkThreads(threads, defaultThreads());
  // Compile the kernels with the optimising compiler up front: V8 would otherwise run them in its baseline
  // tier (Liftoff, ~30 % slower here) until tier-up, which a short run never reaches. Process-wide; must
  // precede the first compile.
  setFlagsFromString('--no-liftoff');
  const module = await kernelModule();
  const memory = createSharedMemory();
  const kernels = await instantiateKernels(module, memory);
  if (threads === 1) return new WasmBackend({ kernels, memory, runner: new SingleThreadRunner(kernels) });
  const { control, argsOffset } = createControl(threads - 1);
  const workers = await Promise.all(
    Array.from(
      { length: threads - 1 },
      (_, index) =>
        new Promise<Worker>((resolve, reject) => {
          const init: WorkerInit = { module, memory, control, argsOffset, index };
          const worker = new Worker(options.workerUrl ?? new URL('./wasm_worker.js', import.meta.url), { workerData: init });
          worker.once('message', () => {
            worker.unref(); // idle workers must not keep the process alive
            resolve(worker);
          });
          worker.once('error', reject);
        }),
    ),
  );
  return new WasmBackend({ kernels, memory, runner: new WorkerPoolRunner(kernels, workers, control, argsOffset) });
}
