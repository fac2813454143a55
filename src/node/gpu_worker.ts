/**
 * The GPU thread in Node: Dawn through the optional `webgpu` package, created once for the process (Dawn
 * does not survive being created twice), serving the GpuLink of the thread that started it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveGpu } from '../gpu/server.js';
import type { GpuPort } from '../gpu/protocol.js';
import { createDawn } from './dawn.js';
import { reportExit } from './gpu.js';

reportExit(workerData as Int32Array);
const port = parentPort!;
const gpuPort: GpuPort = { post: (m, transfer) => port.postMessage(m, transfer ?? []), listen: (h) => port.on('message', h) };
try {
  await serveGpu(await createDawn(), gpuPort);
} catch (e) {
  port.postMessage({ op: 'failed', message: (e as Error).message });
}
port.close();
