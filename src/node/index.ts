/** Node-only entry point (`zerocost/node`): file helpers plus the runtime-neutral I/O and data modules. */
export * from './files.js';
export * from '../io/index.js';
export * from '../data/index.js';
export { createNodeWasmBackend, defaultThreads } from './worker_pool.js';
export { createNodeWebGpuBackend } from './gpu.js';
export { readScoreTable, type ScoreTable } from './score_table.js';
