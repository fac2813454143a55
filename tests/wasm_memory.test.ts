/**
 * Memory of the WASM backend: scoring leaves the heap where it found it, and the shared memory stops growing
 * once the largest architecture has been scored, however many architectures follow.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { loadBundledCifar10Sample } from '../src/node/files.js';
import { createNodeWasmBackend } from '../src/node/worker_pool.js';
import { PER_SAMPLE_PROXIES } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import { Random } from '../src/util/random.js';
import { NB201_OPS } from '../src/nets/nb201/arch.js';
import { Nb201Network } from '../src/nets/nb201/network.js';

test('an initialised network holds one copy of its parameters: the constructor’s zeros are freed', async () => {
  const backend = await createNodeWasmBackend(1);
  try {
    backend.scope(() => {
      const start = backend.heap.used;
      const net = new Nb201Network(backend, {
        arch: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      });
      const built = backend.heap.used - start;
      const bytes = net.parameters.entries.reduce((n, e) => n + e.tensor.size * 4, 0);
      assert.ok(built >= bytes && built < 1.05 * bytes, `built: ${built} B for ${bytes} B of parameters`);
      net.parameters.initialize(1);
      net.parameters.initialize(2); // a second init replaces initialised tensors: those stay until the scope ends
      backend.heap.resetPeak();
      const once = backend.heap.used - start;
      // the zeros are gone; the first init's tensors are still held (a pass may have read them)
      assert.ok(once < 2.1 * bytes, `after two inits: ${once} B for ${bytes} B of parameters`);
      assert.ok(once > 1.9 * bytes, `after two inits: ${once} B (the first init's tensors are kept until the scope ends)`);
    });
  } finally {
    await backend.close();
  }
});

test('scoring many architectures does not grow the wasm heap or memory', async () => {
  const backend = await createNodeWasmBackend(2);
  try {
    const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize: 6, seed: 3 });
    const rng = new Random(17);
    const randomArch = () => {
      const op = () => NB201_OPS[rng.int(NB201_OPS.length)]!;
      return `|${op()}~0|+|${op()}~0|${op()}~1|+|${op()}~0|${op()}~1|${op()}~2|`;
    };
    const largest = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    const baseline = backend.heap.used;
    const options = { proxies: PER_SAMPLE_PROXIES, numClasses: 10, seed: 1, C: 4, N: 1, chunk: 4 };
    scoreArchitecture(backend, largest, batch, options);
    const grown = backend.heap.capacity;
    for (let i = 0; i < 40; i++) {
      scoreArchitecture(backend, randomArch(), batch, options);
      assert.is(backend.heap.used, baseline, `heap in use after architecture ${i}`);
    }
    assert.is(backend.heap.capacity, grown, 'memory grew after the largest architecture');
  } finally {
    await backend.close();
  }
});

test.run();
