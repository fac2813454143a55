/**
 * The WebGPU backend in Node: one GPU thread per process (Dawn via the optional `webgpu` package), shared by
 * every caller, closed when the process has nothing else to do (device destroyed after its queue drains).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GpuLink, type GpuLinkOptions } from '../gpu/link.js';
import { WebGpuBackend } from '../gpu/backend.js';
import type { AdapterSummary, GpuPort, ServerMessage } from '../gpu/protocol.js';

let shared: Promise<WebGpuBackend> | null = null;

/** The process's WebGPU backend (one until it is closed); rejects with the reason when there is no usable adapter. */
export function createNodeWebGpuBackend(options: GpuLinkOptions = {}): Promise<WebGpuBackend> {
  if (!shared) {
    const opening: Promise<WebGpuBackend> = openGpuThread(new URL('./gpu_worker.js', import.meta.url), options, () => {
      if (shared === opening) shared = null; // a later call opens a new GPU thread
    });
    shared = opening;
    opening.catch(() => {
      if (shared === opening) shared = null;
    });
  }
  return shared;
}

/**
 * The adapter this process's WebGPU backend would get, asked in a child process (gpu_probe.js) whose native
 * stderr is discarded: Dawn prints warnings there that are noise to a user who is not choosing WebGPU.
 * Rejects with the reason (as createNodeWebGpuBackend would) when there is no usable adapter.
 */
export function probeNodeWebGpu(): Promise<AdapterSummary> {
  const probe = fileURLToPath(new URL('./gpu_probe.js', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [probe], { timeout: 120_000 }, (error, stdout) => {
      let m: ServerMessage | undefined;
      try {
        m = JSON.parse(stdout.trim().split('\n').at(-1)!) as ServerMessage;
      } catch {
        // no answer: the probe crashed or hung
      }
      if (m?.op === 'ready') resolve(m.adapter);
      else if (m?.op === 'failed') reject(new Error(`WebGPU: ${m.message}`));
      else reject(new Error(`WebGPU: the adapter probe ended without an answer (${error?.signal ?? `exit code ${error?.code ?? 0}`})`));
    });
  });
}

/**
 * The GPU thread's side of its exit word ([ended, exit code], shared with the parent as workerData): written
 * on the way out, however the thread ends short of being terminated, for a parent blocked in a read.
 */
export function reportExit(word: Int32Array): void {
  process.on('exit', (code) => {
    word[1] = code;
    Atomics.store(word, 0, 1);
  });
}

/** A GPU thread running `script` (gpu_worker.js; tests pass one that dies) and the backend over it. */
export async function openGpuThread(script: URL, options: GpuLinkOptions, onClose: () => void): Promise<WebGpuBackend> {
  const word = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(script, { workerData: word });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', (e) => reject(new Error(`WebGPU: the GPU thread failed: ${e.message}`)));
    void exited.then((code) => reject(new Error(`WebGPU: the GPU thread exited (code ${code}) before it was ready`)));
  });
  const port: GpuPort = {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    listen: (h) => worker.on('message', h),
    gone: () => (Atomics.load(word, 0) ? `the GPU thread exited (code ${word[1]})` : null),
  };
  const link = await Promise.race([GpuLink.connect(port, options), failed]);
  failed.catch(() => {}); // the thread's later exit is expected
  const backend = new WebGpuBackend(link, async () => {
    worker.ref(); // the process waits for the device to be destroyed
    await Promise.race([link.close(), exited]); // a thread that died answers no close
    onClose();
    // Dawn keeps the thread's event loop alive: end it once the device is destroyed.
    await worker.terminate();
  });
  worker.unref(); // after the listeners: attaching one refs the thread again
  // Drain the queue and destroy the device before the process ends (never on a hard exit).
  process.once('beforeExit', () => void backend.close());
  return backend;
}
