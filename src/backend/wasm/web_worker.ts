/** A kernel worker as a Web Worker (Deno, browsers): its init arrives as the first message. */
import type { WorkerInit } from './protocol.js';
import { serveKernels } from './worker_loop.js';

const scope = globalThis as unknown as { onmessage: ((e: { data: WorkerInit }) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => {
  scope.onmessage = null;
  serveKernels(e.data, () => scope.postMessage('ready'));
};
