/**
 * The WASM backend's lifetimes and resources: use after close() and a worker that dies mid-call fail fast
 * with errors that say so (they used to block forever in Atomics.wait); thread counts past the cores are refused.
 */
import { BackendLostError } from '../src/backend/backend.js';
import { availableParallelism } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createWasmBackend } from '../src/backend/wasm/index.js';
import { createWebWasmBackend, webDefaultThreads } from '../src/backend/wasm/web.js';
import { createNodeWasmBackend } from '../src/node/worker_pool.js';

/** Runs fn, expecting an error matching re within ms milliseconds. */
function throwsFast(fn: () => unknown, re: RegExp, ms: number): void {
  const t0 = Date.now();
  assert.throws(fn, re);
  assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
}

/** Big enough to be split across the threads (PARALLEL_MIN). */
const big = () => new Float32Array(1 << 16).fill(-1);

test('a backend used after close() throws at once, on one thread and on a pool', async () => {
  const threads = Math.min(2, availableParallelism());
  for (const b of [await createWasmBackend(), await createNodeWasmBackend(threads)]) {
    const x = b.fromHost(big(), [1 << 16]);
    await b.close();
    throwsFast(() => b.relu(x), /wasm backend: used after close\(\)/, 1000);
    throwsFast(() => b.zeros([4], 'f32'), /used after close\(\)/, 1000);
    await b.close(); // twice is harmless
  }
});

test('a worker that exits mid-call fails the call naming it, and every later call', async () => {
  if (availableParallelism() < 2) return console.log('  (skipped: one core, no worker)');
  const b = await createNodeWasmBackend(2, { workerUrl: new URL('./dying_wasm_worker.js', import.meta.url) });
  const x = b.fromHost(big(), [1 << 16]);
  throwsFast(() => b.relu(x), /wasm worker 1 \(of 1\) exited \(code 3\) while running kernel relu/, 5000);
  throwsFast(() => b.add(x, x), /wasm worker 1 \(of 1\) exited \(code 3\)/, 1000);
  // typed, so that a long run stops at once instead of failing every architecture left
  try {
    b.add(x, x);
    assert.unreachable('the pool ran a call after losing a worker');
  } catch (e) {
    assert.instance(e, BackendLostError);
  }
  await b.close();
});

test('thread counts past the cores are refused, naming the limit', async () => {
  const cores = availableParallelism();
  const refused = async (p: Promise<unknown>, limit: number, got: number) => {
    try {
      await p;
    } catch (e) {
      assert.instance(e, RangeError);
      return assert.match((e as Error).message, `from 1 to ${limit} (the cores available), got ${got}`);
    }
    assert.unreachable(`${got} threads were accepted`);
  };
  await refused(createNodeWasmBackend(cores + 1), cores, cores + 1);
  await refused(createWebWasmBackend(webDefaultThreads() + 1), webDefaultThreads(), webDefaultThreads() + 1);
  await refused(createNodeWasmBackend(0), cores, 0);
});

test.run();
