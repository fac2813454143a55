/**
 * GFLOP/s of the WASM backend's convolution ops on NB201 shapes (16/32/64 channels at 32/16/8 pixels, 3×3 and
 * 1×1, batch 64 and 128), on one thread and on every core, measured through the Backend interface (so the
 * operand copies into the shared memory are included). Usage: npm run bench:conv [-- --batches 64,128]
 */
import { Bench } from 'tinybench';
import type { Backend } from '../src/backend/backend.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { Random } from '../src/util/random.js';
import { CONV_SHAPES, arg } from './args.js';

const batches = arg('batches', '64,128').split(',').map(Number);
const shapes = CONV_SHAPES;
const rng = new Random(7);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

async function measure(backend: WasmBackend & Backend, label: string) {
  // Touch 512 MiB of the heap once: fresh shared-memory pages fault in slowly on this VM (≈13 ms per 4 MB),
  // which would otherwise be charged to whichever shape touches them first.
  backend.scope(() => void backend.zeros([128 << 20], 'f32'));
  const rows: Record<string, string | number>[] = [];
  for (const N of batches) {
    for (const { C, HW, k } of shapes) {
      const p = { stride: 1, padding: (k - 1) / 2 };
      const x = backend.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
      const w = backend.fromHost(random(C * C * k * k), [C, C, k, k]);
      const dy = backend.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
      const flop = 2 * N * C * C * k * k * HW * HW;
      const bench = new Bench({ time: 300, warmupTime: 50 });
      // Each call's output is freed right away (scope), so the heap is reused as in a scoring pass.
      bench.add('forward', () => backend.scope(() => void backend.conv2d(x, w, p)));
      bench.add('grad input', () => backend.scope(() => void backend.conv2dGradInput(dy, w, x.shape, p)));
      bench.add('per-sample grad weight', () => backend.scope(() => void backend.conv2dGradWeightPerSample(x, dy, w.shape, p)));
      await bench.run();
      const row: Record<string, string | number> = {
        threads: label,
        shape: `B${N} C${C} ${HW}x${HW} ${k}x${k}`,
        GFLOP: Number((flop / 1e9).toFixed(3)),
      };
      for (const t of bench.tasks) {
        const ms = (t.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? NaN;
        row[`${t.name} GFLOP/s`] = Number((flop / 1e9 / (ms / 1000)).toFixed(1));
      }
      rows.push(row);
    }
  }
  return rows;
}

const rows = [];
for (const threads of [...new Set([1, defaultThreads()])]) {
  const backend = await createNodeWasmBackend(threads);
  rows.push(...(await measure(backend, String(threads))));
  await backend.close();
}
console.log(`wasm backend conv ops, ${process.version}, ${defaultThreads()} cores available`);
console.table(rows);
