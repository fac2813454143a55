/**
 * The WASM backend's convolution ops through the Backend interface (so the operand copies into the shared memory
 * are included), on one thread and on every core:
 * - `conv`: GFLOP/s on NB201 shapes (16/32/64 channels at 32/16/8 pixels, 3×3 and 1×1, batch 64 and 128);
 * - `depthwise`: GFLOP/s and GB/s of the depthwise convolutions of DARTS's cells (NB301's C = 32: sep_conv and
 *   dil_conv 3×3/5×5 at 32 channels × 32×32, 64 × 16×16, 128 × 8×8, stride 2 on a reduction cell's inputs),
 *   batch 64. They are memory-bound: GB/s counts the bytes each op must move at least (its input and output
 *   tensors, once), against the machine's memory bandwidth.
 * Usage: npm run bench:conv [-- --batches 64,128 --ops conv,depthwise]
 */
import { Bench } from 'tinybench';
import type { Backend } from '../src/backend/backend.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { Random } from '../src/util/random.js';
import { CONV_SHAPES, DEPTHWISE_SHAPES, arg } from './args.js';

const batches = arg('batches', '64,128').split(',').map(Number);
const depthwiseBatches = arg('depthwise-batches', '64').split(',').map(Number);
const ops = arg('ops', 'conv,depthwise').split(',');
const rng = new Random(7);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

/** Mean seconds per call of each task, by name. */
async function time(tasks: Record<string, () => void>): Promise<Record<string, number>> {
  const bench = new Bench({ time: 300, warmupTime: 50 });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  return Object.fromEntries(
    bench.tasks.map((t) => [t.name, ((t.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? NaN) / 1000]),
  );
}

async function measureConv(backend: WasmBackend & Backend, label: string) {
  const rows: Record<string, string | number>[] = [];
  for (const N of batches) {
    for (const { C, HW, k } of CONV_SHAPES) {
      const p = { stride: 1, padding: (k - 1) / 2 };
      const x = backend.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
      const w = backend.fromHost(random(C * C * k * k), [C, C, k, k]);
      const dy = backend.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
      const flop = 2 * N * C * C * k * k * HW * HW;
      // Each call's output is freed right away (scope), so the heap is reused as in a scoring pass.
      const s = await time({
        forward: () => backend.scope(() => void backend.conv2d(x, w, p)),
        'grad input': () => backend.scope(() => void backend.conv2dGradInput(dy, w, x.shape, p)),
        'per-sample grad weight': () => backend.scope(() => void backend.conv2dGradWeightPerSample(x, dy, w.shape, p)),
      });
      const row: Record<string, string | number> = {
        threads: label,
        shape: `B${N} C${C} ${HW}x${HW} ${k}x${k}`,
        GFLOP: Number((flop / 1e9).toFixed(3)),
      };
      for (const [name, sec] of Object.entries(s)) row[`${name} GFLOP/s`] = Number((flop / 1e9 / sec).toFixed(1));
      rows.push(row);
    }
  }
  return rows;
}

async function measureDepthwise(backend: WasmBackend & Backend, label: string) {
  const rows: Record<string, string | number>[] = [];
  for (const N of depthwiseBatches) {
    for (const { C, HW, k, stride, dilation } of DEPTHWISE_SHAPES) {
      const p = { stride, padding: (dilation * (k - 1)) / 2, dilation };
      const x = backend.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
      const w = backend.fromHost(random(C * k * k), [C, 1, k, k]);
      const y = backend.depthwiseConv2d(x, w, p);
      const dy = backend.fromHost(random(y.size), y.shape);
      const flop = 2 * y.size * k * k;
      // the least each op moves: its input and output tensors once (the weights are tiny, per-sample dw is not)
      const bytes = {
        forward: 4 * (x.size + y.size),
        'grad input': 4 * (dy.size + x.size),
        'per-sample grad weight': 4 * (x.size + dy.size + N * C * k * k),
      };
      const s = await time({
        forward: () => backend.scope(() => void backend.depthwiseConv2d(x, w, p)),
        'grad input': () => backend.scope(() => void backend.depthwiseConv2dGradInput(dy, w, x.shape, p)),
        'per-sample grad weight': () => backend.scope(() => void backend.depthwiseConv2dGradWeightPerSample(x, dy, w.shape, p)),
      });
      const row: Record<string, string | number> = {
        threads: label,
        shape: `B${N} C${C} ${HW}x${HW} ${k}x${k} d${dilation} s${stride}`,
        MFLOP: Number((flop / 1e6).toFixed(1)),
      };
      for (const [name, sec] of Object.entries(s)) {
        row[`${name} GFLOP/s`] = Number((flop / 1e9 / sec).toFixed(1));
        row[`${name} GB/s`] = Number((bytes[name as keyof typeof bytes] / 1e9 / sec).toFixed(1));
      }
      rows.push(row);
    }
  }
  return rows;
}

const convRows = [],
  depthwiseRows = [];
for (const threads of [...new Set([1, defaultThreads()])]) {
  const backend = await createNodeWasmBackend(threads);
  // Touch 512 MiB of the heap once: fresh shared-memory pages fault in slowly on this VM (≈13 ms per 4 MB),
  // which would otherwise be charged to whichever shape touches them first.
  backend.scope(() => void backend.zeros([128 << 20], 'f32'));
  if (ops.includes('conv')) convRows.push(...(await measureConv(backend, String(threads))));
  if (ops.includes('depthwise')) depthwiseRows.push(...(await measureDepthwise(backend, String(threads))));
  await backend.close();
}
console.log(`wasm backend conv ops, ${process.version}, ${defaultThreads()} cores available`);
if (convRows.length) console.table(convRows);
if (depthwiseRows.length) console.table(depthwiseRows);
