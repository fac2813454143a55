/**
 * Per-sample weight gradients in batched passes. With BN statistics per sample, the samples of a batch
 * never interact, so the batched backward of Σ_n loss_n yields at each layer exactly each sample's own
 * gradient, the same as N forward/backward passes on batches of one. The conv and linear weight kernels
 * keep the batch axis and hand each layer's [b × numel] block to the reducers. Because samples are
 * independent, the batch may also run in chunks (bounding activation memory) with identical results.
 *
 * `bn: 'batch'` is the other way to keep samples independent: BN normalises with the whole batch's statistics
 * (one train-mode forward of the batch first), held constant in the backward. It exists for networks whose every
 * feature map ends in a BN (NAS-Bench-301 with NASLib's ops): there, per-sample statistics make each sample's
 * pooled features exactly zero and its gradients rounding noise.
 */
import { Tape, crossEntropy, hostArrayOf, type PerSampleSink, type Tensor } from '../autodiff/index.js';
import type { Batch } from '../data/batch.js';
import type { Network } from '../nets/network.js';
import type { Reducer, WeightLayout } from './reducer.js';

export function weightLayout(net: Network): WeightLayout[] {
  let offset = 0;
  return net.parameters.countedWeights().map((e) => {
    const l = { name: e.name, shape: e.tensor.shape, numel: e.tensor.size, offset };
    offset += l.numel;
    return l;
  });
}

/** BN statistics of the per-sample pass: each sample's own over (H,W) (the reference code), or the batch's, fixed. */
export type PerSampleBn = 'sample' | 'batch';

export interface PerSampleOptions {
  /** Samples per batched pass (default: the whole batch). */
  chunk?: number;
  /** Where BN statistics come from (default `sample`). */
  bn?: PerSampleBn;
}

/** Runs the per-sample passes and feeds every reducer; returns the sum of the per-sample losses. */
export function runPerSampleGradients(net: Network, batch: Batch, reducers: readonly Reducer[], options: PerSampleOptions = {}): number {
  // Reducers' backend buffers live until the end of the pass, each chunk's tensors until the chunk ends.
  return net.backend.scope(() => passes(net, batch, reducers, options));
}

function passes(net: Network, batch: Batch, reducers: readonly Reducer[], options: PerSampleOptions): number {
  const backend = net.backend;
  const counted = net.parameters.countedWeights();
  const layout = weightLayout(net);
  for (const r of reducers) r.begin(layout, batch.y, backend);
  const [B, C, H, W] = batch.shape;
  const chunk = Math.max(1, Math.min(options.chunk ?? B, B));
  const sampleSize = C * H * W;
  const dtype = net.parameters.dtype;
  const bnMode = options.bn === 'batch' ? 'fixed' : 'sample';
  const restoreRunning =
    bnMode === 'fixed' ? recordBatchStatistics(net, backend.fromHost(hostArrayOf(dtype, batch.x), batch.shape)) : undefined;
  let lossSum = 0;
  for (let first = 0; first < B; first += chunk) {
    const b = Math.min(chunk, B - first);
    // Each chunk's activations and gradients are freed before the next one starts.
    lossSum += backend.scope(() => {
      const tape = new Tape(backend);
      const index = new Map<Tensor, number>();
      counted.forEach((e, i) => index.set(tape.watch(e.tensor), i));
      const xs = batch.x.subarray(first * sampleSize, (first + b) * sampleSize);
      const x = backend.fromHost(hostArrayOf(dtype, xs), [b, C, H, W]);
      const labels = batch.y.subarray(first, first + b);
      // Nothing reads the running averages after this pass, so they are left as they were.
      const logits = net.forward({ tape, bnMode, updateRunning: false }, x);
      // Σ_n loss_n: each sample's gradient is that of its own batch-of-one mean loss.
      const loss = crossEntropy(tape, logits, labels, 'sum');
      const sink: PerSampleSink = {
        wants: (p) => index.has(p),
        consume: (p, grads) => {
          for (const r of reducers) r.consume(index.get(p)!, grads, first);
        },
      };
      tape.backward(loss, { perSample: sink });
      return backend.toHost(loss)[0]!;
    });
  }
  restoreRunning?.();
  for (const r of reducers) r.end?.();
  return lossSum;
}

/**
 * One train-mode forward of the whole batch, so every BN layer records the batch's statistics (`lastBatch`, what
 * `fixed` mode reads); returns what puts the running averages back as they were, since a train-mode pass moves them
 * and other proxies (Zen) read them.
 */
function recordBatchStatistics(net: Network, x: Tensor): () => void {
  const saved = [...net.parameters.batchNorms.values()].map((bn) => ({
    bn,
    mean: bn.runningMean.slice(),
    variance: bn.runningVar.slice(),
    tracked: bn.numBatchesTracked,
  }));
  // Nothing is backpropagated: checkpointed segments free each cell's activations as soon as its output exists,
  // so the whole batch passes in one segment's memory (the per-sample passes after it run in chunks).
  net.backend.scope(() => {
    net.forward({ tape: new Tape(net.backend), bnMode: 'batch', updateRunning: true, checkpoint: true }, x);
  });
  return () => {
    for (const { bn, mean, variance, tracked } of saved) {
      bn.runningMean.set(mean);
      bn.runningVar.set(variance);
      bn.numBatchesTracked = tracked;
      delete bn.lastBatch;
    }
  };
}
