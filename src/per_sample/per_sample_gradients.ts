/**
 * Per-sample weight gradients in one batched pass. With BN statistics per sample, the samples of a batch
 * never interact, so the batched backward of Σ_n loss_n yields at each layer exactly each sample's own
 * gradient, the same as N forward/backward passes on batches of one. The conv and linear weight kernels
 * keep the batch axis and hand each layer's [B × numel] block to the reducers.
 */
import { Tape, crossEntropy, type PerSampleSink, type Tensor } from '../autodiff/index.js';
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

/** Runs the batched per-sample pass and feeds every reducer; returns the per-sample losses' sum. */
export function runPerSampleGradients(net: Network, batch: Batch, reducers: readonly Reducer[]): number {
  const backend = net.backend;
  const tape = new Tape(backend);
  const counted = net.parameters.countedWeights();
  const layout = weightLayout(net);
  const index = new Map<Tensor, number>();
  counted.forEach((e, i) => index.set(tape.watch(e.tensor), i));
  for (const r of reducers) r.begin(layout, batch.y, backend);

  const xData = net.parameters.dtype === 'f64' ? Float64Array.from(batch.x) : batch.x;
  const x = backend.fromHost(xData, batch.shape);
  const logits = net.forward({ tape, bnMode: 'sample' }, x);
  // Σ_n loss_n: each sample's gradient is that of its own batch-of-one mean loss.
  const loss = crossEntropy(tape, logits, batch.y, 'sum');
  const sink: PerSampleSink = {
    wants: (p) => index.has(p),
    consume: (p, grads) => {
      for (const r of reducers) r.consume(index.get(p)!, grads);
    },
  };
  tape.backward(loss, { perSample: sink });
  return backend.toHost(loss)[0]!;
}
