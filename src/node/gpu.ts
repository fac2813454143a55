/**
 * The WebGPU backend in Node: one GPU thread per process (Dawn via the optional `webgpu` package), shared by
 * every caller, closed when the process has nothing else to do (device destroyed after its queue drains).
 */
import { Worker } from 'node:worker_threads';
import { GpuLink, type GpuLinkOptions } from '../gpu/link.js';
import { WebGpuBackend } from '../gpu/backend.js';

let shared: Promise<WebGpuBackend> | null = null;

/** The process's WebGPU backend (one until it is closed); rejects with the reason when there is no usable adapter. */
export function createNodeWebGpuBackend(options: GpuLinkOptions = {}): Promise<WebGpuBackend> {
  if (!shared) {
    shared = open(options);
    shared.catch(() => { shared = null; });
  }
  return shared;
}

async function open(options: GpuLinkOptions): Promise<WebGpuBackend> {
  const worker = new Worker(new URL('./gpu_worker.js', import.meta.url));
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', (e) => reject(new Error(`WebGPU: the GPU thread failed: ${e.message}`)));
    worker.once('exit', (code) => reject(new Error(`WebGPU: the GPU thread exited (code ${code}) before it was ready`)));
  });
  const port = { post: (m: unknown, transfer?: ArrayBuffer[]) => worker.postMessage(m, transfer ?? []), listen: (h: (m: unknown) => void) => worker.on('message', h) };
  const link = await Promise.race([GpuLink.connect(port, options), failed]);
  failed.catch(() => {}); // the thread's later exit is expected
  const backend = new WebGpuBackend(link, async () => {
    worker.ref(); // the process waits for the device to be destroyed
    await link.close();
    shared = null; // a later call opens a new GPU thread
    // Dawn keeps the thread's event loop alive: end it once the device is destroyed.
    await worker.terminate();
  });
  worker.unref(); // after the listeners: attaching one refs the thread again
  // Drain the queue and destroy the device before the process ends (never on a hard exit).
  process.once('beforeExit', () => void backend.close());
  return backend;
}
