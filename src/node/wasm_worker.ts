/** A kernel worker in Node (worker_threads): its init arrives as workerData. */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit } from '../backend/wasm/protocol.js';
import { serveKernels } from '../backend/wasm/worker_loop.js';

serveKernels(workerData as WorkerInit, () => parentPort!.postMessage('ready'));
