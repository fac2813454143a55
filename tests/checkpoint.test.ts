/**
 * Checkpointed cells (autodiff/ops/checkpoint.ts through nets/segment.ts): on an NB101 network a batch pass
 * with every cell recomputed gives the same gradients in a fraction of the activation memory (the WASM heap's
 * high-water mark), forward-only passes free each cell's activations, and the network proxies fall back to it
 * when a pass runs out of memory. (The fixture tests in nb101_network check every baseline checkpointed
 * against PyTorch; the op table's gradcheck and H·v cases check the op itself.)
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape, type Tensor } from '../src/autodiff/index.js';
import { OutOfMemoryError } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { createWasmBackend, type WasmBackend } from '../src/backend/wasm/index.js';
import type { Batch } from '../src/data/batch.js';
import { Nb101Network } from '../src/nets/nb101/network.js';
import { parseNb101Spec } from '../src/nets/nb101/spec.js';
import { BatchPass } from '../src/proxies/batch_pass.js';
import { grasp } from '../src/proxies/grasp.js';
import { DEFAULT_PROXY_OPTIONS } from '../src/proxies/options.js';
import type { PerSampleBn } from '../src/per_sample/per_sample_gradients.js';
import { reducePerSample, scoreNetworkProxies, type ProxyName } from '../src/proxies/registry.js';
import { Random } from '../src/util/random.js';
import { maxNormErr } from './helpers.js';

// five vertices of every op, a projection and a direct input→output edge: every NB101 tensor kind
const CELL = parseNb101Spec({
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

function batchOf(B: number, hw: number): Batch {
  const rng = new Random(3);
  return {
    x: Float32Array.from({ length: B * 3 * hw * hw }, () => rng.normal()),
    shape: [B, 3, hw, hw],
    y: Int32Array.from({ length: B }, (_, i) => (i * 7) % 10),
  };
}

function net(be: ReferenceBackend | WasmBackend): Nb101Network {
  const n = new Nb101Network(be, { spec: CELL, stemChannels: 8, numClasses: 10 });
  n.parameters.initialize(11);
  return n;
}

test('a batch pass with checkpointed cells: the same parameter gradients and logits, under half the heap', async () => {
  const be = await createWasmBackend();
  const batch = batchOf(8, 16);
  const run = (checkpoint: boolean) =>
    be.scope(() => {
      be.heap.resetPeak();
      const start = be.heap.used;
      const n = net(be);
      const pass = new BatchPass(n, batch, { layerOutputs: true }, checkpoint);
      const taps: number[] = [];
      const grads = pass.withLossGradients(
        (_loss, g) => n.parameters.entries.map((e) => Float64Array.from(be.toHost(g.get(e.tensor)!))),
        (_w, y) => taps.push(y.size),
      );
      return { grads, logits: Float64Array.from(be.toHost(pass.logits)), taps, peak: be.heap.peak - start };
    });
  const plain = run(false),
    light = run(true);
  assert.ok(maxNormErr(light.logits, plain.logits) < 1e-6, 'logits');
  plain.grads.forEach((g, i) => assert.ok(maxNormErr(light.grads[i]!, g) < 1e-5, `gradient of parameter ${i}`));
  assert.equal(light.taps, plain.taps, 'every layer output is tapped once, with its gradient, in the same order');
  if (process.env.CHECKPOINT_VERBOSE) console.log(`batch pass peak: ${light.peak} vs ${plain.peak}`);
  assert.ok(light.peak < 0.5 * plain.peak, `peak heap ${light.peak} B checkpointed vs ${plain.peak} B`);
});

test('a forward with checkpointed cells and no tape keeps only the cells’ outputs', async () => {
  const be = await createWasmBackend();
  const batch = batchOf(8, 16);
  const peakOf = (checkpoint: boolean) =>
    be.scope(() => {
      const n = net(be);
      const x = be.fromHost(batch.x, batch.shape);
      be.heap.resetPeak();
      const start = be.heap.used;
      const logits = be.toHost(n.forward({ tape: new Tape(be), bnMode: 'batch', checkpoint }, x));
      return { logits: Float64Array.from(logits), peak: be.heap.peak - start };
    });
  const plain = peakOf(false),
    light = peakOf(true);
  assert.ok(maxNormErr(light.logits, plain.logits) < 1e-6, 'logits');
  if (process.env.CHECKPOINT_VERBOSE) console.log(`forward peak: ${light.peak} vs ${plain.peak}`);
  assert.ok(light.peak < 0.4 * plain.peak, `peak heap ${light.peak} B checkpointed vs ${plain.peak} B`);
});

test('--per-sample-bn batch: the whole-batch forward that records the statistics does not hold the batch’s activations', async () => {
  const be = await createWasmBackend();
  const batch = batchOf(16, 16);
  const peakOf = (bn: PerSampleBn) =>
    be.scope(() => {
      const n = net(be);
      be.heap.resetPeak();
      const start = be.heap.used;
      const r = reducePerSample(n, batch, new Set(['signSum']), { chunk: 2, bn });
      return { sums: [...r.signSums], peak: be.heap.peak - start };
    });
  const sample = peakOf('sample'),
    fixed = peakOf('batch');
  // what a whole-batch forward that kept its activations would hold
  const whole = be.scope(() => {
    const n = net(be);
    const x = be.fromHost(batch.x, batch.shape);
    be.heap.resetPeak();
    const start = be.heap.used;
    n.forward({ tape: new Tape(be), bnMode: 'batch' }, x);
    return be.heap.peak - start;
  });
  assert.ok(
    fixed.sums.some((s, i) => s !== sample.sums[i]),
    'the two protocols give other signs',
  );
  if (process.env.CHECKPOINT_VERBOSE)
    console.log(`per-sample pass peak: batch BN ${fixed.peak} vs sample BN ${sample.peak}; a kept whole-batch forward ${whole}`);
  // in chunks of 2 of 16 samples the per-sample pass holds the network for 2 samples; the recording forward one
  // cell for 16
  assert.ok(fixed.peak < 0.5 * whole, `peak heap ${fixed.peak} B with batch BN vs ${whole} B for a kept forward`);
  assert.ok(fixed.peak < 2 * sample.peak, `peak heap ${fixed.peak} B with batch BN vs ${sample.peak} B per sample`);
});

test('GraSP’s H·g with checkpointed cells holds one cell’s activations and tangents beside the cells’ boundaries', async () => {
  // One stack of identical cells, wide and small enough that activations dwarf the weights.
  const be = await createWasmBackend();
  const batch = batchOf(8, 32);
  const run = (cellsPerStack: number, checkpoint: boolean) =>
    be.scope(() => {
      const n = new Nb101Network(be, { spec: CELL, stemChannels: 16, stacks: 1, cellsPerStack, numClasses: 10 });
      n.parameters.initialize(11);
      const start = be.heap.used;
      const pass = new BatchPass(n, batch, {}, checkpoint);
      const held = be.heap.used - start; // what the forward keeps for the backward passes
      pass.weightGradients();
      be.heap.resetPeak();
      const score = grasp(pass);
      return { held, peak: be.heap.peak - start, score };
    });
  const one = run(1, false),
    two = run(2, false),
    plain = run(4, false),
    light = run(4, true),
    lightOne = run(1, true);
  const cell = two.held - one.held; // one cell's activations, as a tape that keeps them all holds them
  assert.ok(Math.abs(light.score - plain.score) <= 1e-4 * Math.abs(plain.score), `score ${light.score} vs ${plain.score}`);
  if (process.env.CHECKPOINT_VERBOSE) console.log(`H·g peak: ${light.peak} vs ${plain.peak}; cell ${cell}, boundaries ${light.held}`);
  assert.ok(light.peak < 0.5 * plain.peak, `peak heap ${light.peak} B checkpointed vs ${plain.peak} B`);
  // The forward's boundaries (stem and cell outputs) and their tangents, one cell recomputed with the
  // tangents its vjpJvp rules read, and a frontier of a few gradients and gradient tangents (a quarter of a cell).
  const bound = 2 * light.held + 2.25 * cell;
  assert.ok(light.peak <= bound, `peak heap ${light.peak} B checkpointed, above 2 × ${light.held} B + 2.25 × ${cell} B`);
  // Three more cells add their boundaries only: less than one cell's activations.
  assert.ok(light.peak - lightOne.peak < cell, `4 cells: ${light.peak} B, 1 cell: ${lightOne.peak} B, a cell's activations ${cell} B`);
});

/** A reference backend whose memory, once armed, gives out at the first convolution of a whole batch. */
class OnceOutOfMemory extends ReferenceBackend {
  armed = false;
  failures = 0;
  override conv2d(...args: Parameters<ReferenceBackend['conv2d']>): Tensor {
    if (this.armed && this.failures === 0 && args[0].shape[0] === 8) {
      this.failures++;
      throw new OutOfMemoryError('the first whole-batch convolution does not fit');
    }
    return super.conv2d(...args);
  }
}

test('network proxies whose pass runs out of memory run again with checkpointed cells: the same scores', () => {
  const proxies: ProxyName[] = ['grad_norm', 'snip', 'fisher', 'jacob_cov', 'naswot', 'zen', 'tenas_lr'];
  const batch = batchOf(8, 8);
  const score = (be: ReferenceBackend) => {
    const n = net(be);
    if (be instanceof OnceOutOfMemory) be.armed = true;
    return scoreNetworkProxies(n, batch, proxies, DEFAULT_PROXY_OPTIONS, { seed: 1, f64: be });
  };
  const want = score(new ReferenceBackend());
  const flaky = new OnceOutOfMemory();
  const got = score(flaky);
  assert.is(flaky.failures, 1, 'the first attempt ran out of memory');
  for (const p of proxies) {
    const a = got.scores[p]!,
      b = want.scores[p]!;
    assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)), `${p}: ${a} vs ${b}`);
  }
  assert.equal(got.warnings, want.warnings);
});

test.run();
