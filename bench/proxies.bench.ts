/**
 * Seconds per architecture of each proxy alone (its passes included: a baseline that reads the shared batch
 * pass pays for its forward here), WASM backend on all cores, batch 64, the fixed list bench/archs10.txt.
 * Usage: npm run bench:proxies [-- --batch 64 --threads N --archs 10 --proxies LIST]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { loadBundledCifar10Sample } from '../src/node/files.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { parseProxyList } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import { arg } from './args.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const archs = readFileSync(join(root, 'bench', 'archs10.txt'), 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter((s) => s && !s.startsWith('#'))
  .slice(0, Number(arg('archs', '10')));
const batchSize = Number(arg('batch', '64'));
const threads = Number(arg('threads', String(defaultThreads())));
const seed = 1;
const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize, seed });
const backend = await createNodeWasmBackend(threads);

// One untimed architecture first: the process's first pass pays for fresh memory pages.
scoreArchitecture(backend, archs[0]!, batch, { proxies: ['gradsign', 'grad_norm'], numClasses: 10, seed });
const rows = [];
for (const proxy of parseProxyList(arg('proxies', 'all'))) {
  const seconds = archs.map((arch) => scoreArchitecture(backend, arch, batch, { proxies: [proxy], numClasses: 10, seed }).seconds);
  rows.push({
    proxy,
    'mean s/arch': Number((seconds.reduce((a, b) => a + b, 0) / seconds.length).toFixed(3)),
    'max s/arch': Number(Math.max(...seconds).toFixed(3)),
  });
}
await backend.close();
console.log(
  `each proxy alone, batch ${batchSize}, ${archs.length} architectures of bench/archs10.txt, wasm on ${threads} thread(s), heap ${(backend.heap.capacity / 2 ** 20).toFixed(0)} MiB`,
);
console.table(rows);
