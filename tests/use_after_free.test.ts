/**
 * Lifetimes: a tensor freed by its scope (or released) must never be read again. The WASM heap hides such a
 * read (the block still holds its old values until reused) and WebGPU refuses it, so this test runs every
 * proxy on a reference backend that poisons what it frees: any later use throws, naming the tensor.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Batch } from '../src/data/batch.js';
import type { DType, HostArray, Tensor } from '../src/backend/tensor.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { Nb101Network } from '../src/nets/nb101/network.js';
import { parseNb101Spec } from '../src/nets/nb101/spec.js';
import { Nb201Network } from '../src/nets/nb201/network.js';
import { readBatchFile, readSafetensorsFile } from '../src/node/files.js';
import { DEFAULT_PROXY_OPTIONS, PROXY_NAMES, scoreNetwork, scoreNetworkProxies } from '../src/proxies/registry.js';
import { loadWeights } from '../src/weights.js';
import { fixturesDir, readJson } from './helpers.js';
import { Random } from '../src/util/random.js';

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

test('checkpointed NB101 cells on a backend that poisons freed tensors: the batch-pass proxies, GraSP’s H·g among them, the same scores', () => {
  // every NB101 tensor kind: a projection summed with a vertex, a max-pool, a concatenation, a direct edge
  const spec = parseNb101Spec({
    matrix: [
      [0, 1, 1, 0, 0, 1],
      [0, 0, 0, 1, 0, 0],
      [0, 0, 0, 1, 1, 0],
      [0, 0, 0, 0, 1, 0],
      [0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0],
    ],
    ops: ['input', 'conv3x3-bn-relu', 'maxpool3x3', 'conv1x1-bn-relu', 'conv3x3-bn-relu', 'output'],
  });
  const rng = new Random(5);
  const batch: Batch = {
    x: Float32Array.from({ length: 4 * 3 * 8 * 8 }, () => rng.normal()),
    shape: [4, 3, 8, 8],
    y: Int32Array.of(1, 3, 5, 7),
  };
  const poisoning = new PoisoningBackend();
  const [got, want] = [poisoning, new ReferenceBackend()].map((b) =>
    b.scope(() => {
      const net = new Nb101Network(b, { spec, stemChannels: 4, stacks: 2, cellsPerStack: 2, numClasses: 10 });
      net.parameters.initialize(7);
      const proxies = ['grad_norm', 'snip', 'grasp', 'fisher', 'jacob_cov'] as const;
      return scoreNetworkProxies(net, batch, proxies, DEFAULT_PROXY_OPTIONS, { seed: 1, f64: b, checkpoint: true }).scores;
    }),
  );
  assert.ok(poisoning.frees > 100, `the test frees tensors (${poisoning.frees})`);
  assert.equal(got, want);
});

test.run();
