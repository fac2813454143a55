/** A kernel worker in Node (worker_threads): its init arrives as workerData. */
import { parentPort, workerData } from 'node:worker_threads';
import { markGone, type WorkerInit } from '../backend/wasm/protocol.js';
import { serveKernels } from '../backend/wasm/worker_loop.js';

const init = workerData as WorkerInit;
// process.exit() in this thread skips every finally: say it is gone on the way out (after QUIT too: harmless).
process.on('exit', (code) => markGone(init.control, init.index, code));
serveKernels(init, () => parentPort!.postMessage('ready'));
