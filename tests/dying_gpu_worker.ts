/**
 * A stand-in GPU thread for tests/gpu_lifetimes.test.ts: reports its exit as gpu_worker.ts does, says ready
 * with a made-up adapter, answers close, and ends the thread with process.exit(4) at the first read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AdapterSummary, ClientMessage, ServerMessage } from '../src/gpu/protocol.js';
import { reportExit } from '../src/node/gpu.js';

reportExit(workerData as Int32Array);
const adapter: AdapterSummary = {
  vendor: 'test',
  architecture: '',
  description: 'a thread that dies',
  software: true,
  timestamps: false,
  maxStorageBufferBindingSize: 1 << 27,
  maxBufferSize: 1 << 28,
};
parentPort!.postMessage({ op: 'ready', adapter } satisfies ServerMessage);
parentPort!.on('message', (m: ClientMessage) => {
  if (m.op === 'batch' && m.commands.some((c) => c.op === 'read')) process.exit(4);
  if (m.op === 'close') parentPort!.postMessage({ op: 'closed' } satisfies ServerMessage);
});
