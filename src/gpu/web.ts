/**
 * The WebGPU backend in Deno and browsers. The autodiff is synchronous, so the scoring thread blocks on
 * Atomics.wait at each read while a GPU thread runs the device: a Web Worker serving navigator.gpu, started
 * here, or any thread already serving one over a port (e.g. a page's main thread, with the scoring in a worker).
 */
import { canBlock } from '../backend/threads.js';
import { WebGpuBackend } from './backend.js';
import { GpuLink, type GpuLinkOptions } from './link.js';
import { webPort, type GpuPort } from './protocol.js';

interface WebWorker {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  addEventListener(type: 'error', listener: (e: ErrorEvent) => void): void;
  terminate(): void;
}

export interface WebGpuOptions extends GpuLinkOptions {
  /** A thread already serving the GPU (serveGpu); by default a Web Worker is started for it. */
  port?: GpuPort;
}

export async function createWebGpuBackend(options: WebGpuOptions = {}): Promise<WebGpuBackend> {
  if (!canBlock()) {
    throw new Error(
      'WebGPU backend: this thread cannot block on Atomics.wait; run the scoring in a Web Worker of a cross-origin-isolated page (or in Deno)',
    );
  }
  if (options.port) return new WebGpuBackend(await GpuLink.connect(options.port, options));
  const Ctor = (globalThis as unknown as { Worker: new (url: URL, o: { type: 'module' }) => WebWorker }).Worker;
  const worker = new Ctor(new URL('./web_worker.js', import.meta.url), { type: 'module' });
  const failed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault?.();
      reject(new Error(`WebGPU: the GPU worker failed: ${e.message}`));
    }),
  );
  let link: GpuLink;
  try {
    link = await Promise.race([GpuLink.connect(webPort(worker), options), failed]);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  failed.catch(() => {});
  return new WebGpuBackend(link, async () => {
    await link.close();
    worker.terminate();
  });
}
