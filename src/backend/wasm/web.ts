/**
 * The WASM backend with Web Workers (Deno; browsers when cross-origin isolated). Kernel calls block the
 * calling thread with Atomics.wait, which a browser's main thread may not do: there, and wherever shared
 * memory is unavailable, this falls back to one thread. Run it from a worker to use every core in a page.
 */
import { canBlock, checkThreads } from '../threads.js';
import { WasmBackend, createWasmBackend } from './index.js';
import { createSharedMemory, instantiateKernels, kernelModule } from './kernels.js';
import { WorkerPoolRunner, type PoolWorker } from './pool.js';
import { createControl, type WorkerInit } from './protocol.js';

interface WebWorker extends PoolWorker {
  postMessage(message: unknown): void;
  onmessage: ((e: unknown) => void) | null;
  onerror: ((e: unknown) => void) | null;
}

type WorkerConstructor = new (url: URL, options: { type: 'module' }) => WebWorker;

/** Whether this thread may block on Atomics.wait and share memory with workers. */
function canUseWorkerThreads(): boolean {
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' && canBlock();
}

/** Default thread count: navigator.hardwareConcurrency where known. */
export function webDefaultThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Number.isInteger(n) && n! > 0 ? n! : 1;
}

export async function createWebWasmBackend(threads = webDefaultThreads()): Promise<WasmBackend> {
  checkThreads(threads, webDefaultThreads());
  if (threads <= 1 || !canUseWorkerThreads()) return createWasmBackend();
  const module = await kernelModule();
  const memory = createSharedMemory();
  const kernels = await instantiateKernels(module, memory);
  const WorkerCtor = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;
  const { control, argsOffset } = createControl(threads - 1);
  const workers = await Promise.all(
    Array.from(
      { length: threads - 1 },
      (_, index) =>
        new Promise<WebWorker>((resolve, reject) => {
          const worker = new WorkerCtor(new URL('./web_worker.js', import.meta.url), { type: 'module' });
          worker.onmessage = () => resolve(worker);
          worker.onerror = reject;
          const init: WorkerInit = { module, memory, control, argsOffset, index };
          worker.postMessage(init);
        }),
    ),
  );
  return new WasmBackend({ kernels, memory, runner: new WorkerPoolRunner(kernels, workers, control, argsOffset) });
}
