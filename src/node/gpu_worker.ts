/**
 * The GPU thread in Node: Dawn through the optional `webgpu` package, created once for the process (Dawn
 * does not survive being created twice), serving the GpuLink of the thread that started it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveGpu } from '../gpu/server.js';
import type { GpuPort } from '../gpu/protocol.js';
import { reportExit } from './gpu.js';

reportExit(workerData as Int32Array);
const port = parentPort!;
const gpuPort: GpuPort = { post: (m, transfer) => port.postMessage(m, transfer ?? []), listen: (h) => port.on('message', h) };
try {
  const { create } = (await import('webgpu')) as { create(flags: string[]): GPU };
  await serveGpu(create([]), gpuPort);
} catch (e) {
  const message = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
    ? 'the optional package `webgpu` is not installed (npm install webgpu)'
    : (e as Error).message;
  port.postMessage({ op: 'failed', message });
}
port.close();
