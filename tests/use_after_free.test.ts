/**
 * Lifetimes: a tensor freed by its scope (or released) must never be read again. The WASM heap hides such a
 * read (the block still holds its old values until reused) and WebGPU refuses it, so this test runs every
 * proxy on a reference backend that poisons what it frees: any later use throws, naming the tensor.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DType, HostArray, Tensor } from '../src/backend/tensor.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { DEFAULT_PROXY_OPTIONS, PROXY_NAMES, scoreNetwork } from '../src/proxies/registry.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, readJson } from './helpers.js';

class PoisoningBackend extends ReferenceBackend {
  private readonly scopes: Tensor[][] = [];
  private readonly freed = new WeakSet<object>();
  frees = 0;

  protected override make(shape: readonly number[], dtype: DType, data?: HostArray): Tensor {
    const t = super.make(shape, dtype, data);
    this.scopes.at(-1)?.push(t);
    return t;
  }

  protected override arr(t: Tensor): HostArray {
    if (this.freed.has(t.storage as object)) throw new Error(`use after free: tensor ${t.id} [${t.shape}]`);
    return super.arr(t);
  }

  override scope<T>(fn: () => T): T {
    this.scopes.push([]);
    try {
      return fn();
    } finally {
      for (const t of this.scopes.pop()!) this.poison(t);
    }
  }

  override release(t: Tensor): void {
    this.poison(t);
  }

  private poison(t: Tensor): void {
    const a = t.storage as HostArray;
    if (this.freed.has(a)) return;
    a.fill(NaN);
    this.freed.add(a);
    this.frees++;
  }
}

test('every proxy on a backend that poisons freed tensors: no use after free, the same scores', () => {
  const c = readJson<{ cases: Record<string, { arch: string; C: number; N: number; num_classes: number }> }>(
    join(fixturesDir, 'expected.json'),
  ).cases.tiny!;
  const batch = readBatchFile(join(fixturesDir, 'tiny.input.safetensors'));
  const poisoning = new PoisoningBackend();
  const [got, want] = [poisoning, new ReferenceBackend()].map((b) =>
    b.scope(() => {
      const net = new Nb201Network(b, { arch: c.arch, C: c.C, N: c.N, numClasses: c.num_classes });
      loadWeights(net.parameters, readSafetensorsFile(join(fixturesDir, 'tiny.weights.safetensors')));
      return scoreNetwork(net, batch, PROXY_NAMES, { ...DEFAULT_PROXY_OPTIONS, ntkBatch: 4 }, { chunk: 3 }, { seed: 1, f64: b }).scores;
    }),
  );
  assert.ok(poisoning.frees > 100, `the test frees tensors (${poisoning.frees})`);
  assert.equal(got, want);
});

test.run();
