/**
 * The WebGPU link's lifetimes, on a stand-in GPU thread (no GPU needed): use after close() throws at once,
 * and a GPU thread that exits while a read waits fails that read within a second, saying so (it used to
 * wait out the 10-minute read timeout).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openGpuThread } from '../src/node/gpu.js';

const script = new URL('./dying_gpu_worker.js', import.meta.url);

function throwsWithin(fn: () => unknown, re: RegExp, ms: number): void {
  const t0 = Date.now();
  assert.throws(fn, re);
  assert.ok(Date.now() - t0 < ms, `took ${Date.now() - t0} ms`);
}

test('a WebGPU backend used after close() throws at once', async () => {
  const gpu = await openGpuThread(script, {}, () => {});
  await gpu.close();
  throwsWithin(() => gpu.fromHost(new Float32Array(4), [4]), /WebGPU backend: used after close\(\)/, 100);
  throwsWithin(() => gpu.link.timings(), /used after close\(\)/, 100);
});

test('a GPU thread that exits while a read waits fails the read, naming the thread and its exit code', async () => {
  let closed = false;
  const gpu = await openGpuThread(script, {}, () => {
    closed = true;
  });
  const x = gpu.fromHost(new Float32Array(4), [4]);
  throwsWithin(() => gpu.toHost(x), /WebGPU: the GPU thread exited \(code 4\) while a read waited/, 2000);
  throwsWithin(() => gpu.toHost(x), /the GPU thread exited \(code 4\)/, 1000);
  await gpu.close(); // the dead thread answers no close: this must still end
  assert.ok(closed);
});

test.run();
