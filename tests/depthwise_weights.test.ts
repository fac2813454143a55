/**
 * Depthwise convolution weights as parameters: ParameterSet.depthwiseConv registers a [C,1,k,k] conv weight with
 * PyTorch's grouped-conv init (fan_in = k·k), which the gradient proxies count; a small network with a sep-conv
 * half and a dilated depthwise conv scores GradSign and GradAlign over it exactly as the batch-of-one loop says.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Tape, conv2d, crossEntropy, depthwiseConv2d, globalAvgPool, linear, relu, type Tensor } from '../src/autodiff/index.js';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { Batch } from '../src/data/batch.js';
import type { ForwardContext, Network } from '../src/nets/network.js';
import { ParameterSet } from '../src/nets/parameters.js';
import { weightLayout } from '../src/per_sample/per_sample_gradients.js';
import { DEFAULT_PROXY_OPTIONS, reducePerSample, reducersNeeded, scoreReduced } from '../src/proxies/registry.js';
import { Random } from '../src/util/random.js';

const backend = new ReferenceBackend();

test('depthwiseConv: a [C,1,k,k] conv weight, counted in module order, U(±1/k) init (fan_in = k·k)', () => {
  const ps = new ParameterSet(backend, 'f64');
  ps.conv('stem.weight', 8, 3, 3);
  const dw = ps.depthwiseConv('cell.op.1.weight', 8, 5);
  ps.batchNorm('cell.op.2', 8);
  ps.conv('cell.op.3.weight', 8, 8, 1);
  ps.linear('classifier', 10, 8);
  assert.equal([...dw.tensor.shape], [8, 1, 5, 5]);
  assert.is(dw.kind, 'conv_weight');
  assert.is(dw.fanIn, 25);
  assert.equal(
    ps.countedWeights().map((e) => e.name),
    ['stem.weight', 'cell.op.1.weight', 'cell.op.3.weight', 'classifier.weight'],
  );
  ps.initialize(3);
  const values = backend.toHost(ps.get('cell.op.1.weight')!.tensor);
  const largest = Math.max(...values.map(Math.abs));
  // PyTorch: kaiming_uniform_(a=√5) on a [C, 1, k, k] weight gives bound 1/√(1·k·k) = 1/k
  assert.ok(largest <= 1 / 5 && largest > 0.9 / 5, `largest |w| ${largest} vs bound 0.2`);
  assert.equal(ps.stateDict().get('cell.op.1.weight')!.shape, [8, 1, 5, 5]);
  assert.is(ps.parameterCount(), 8 * 3 * 9 + 8 * 25 + 2 * 8 + 8 * 8 + 10 * 8 + 10);
});

/** stem conv 3×3 → relu → depthwise 3×3 → pointwise 1×1 → relu → depthwise 3×3 dilation 2 stride 2 → gap → linear. */
class DepthwiseNet implements Network {
  readonly parameters: ParameterSet;
  constructor(readonly backend: Backend) {
    const ps = (this.parameters = new ParameterSet(backend, 'f64'));
    ps.conv('stem.weight', 4, 3, 3);
    ps.depthwiseConv('sep.dw.weight', 4, 3);
    ps.conv('sep.pw.weight', 6, 4, 1);
    ps.depthwiseConv('dil.dw.weight', 6, 3);
    ps.linear('classifier', 3, 6);
  }
  forward({ tape }: ForwardContext, x: Tensor): Tensor {
    const w = (name: string) => this.parameters.get(name)!.tensor;
    let h = conv2d(tape, x, w('stem.weight'), { stride: 1, padding: 1 });
    h = depthwiseConv2d(tape, relu(tape, h), w('sep.dw.weight'), { stride: 1, padding: 1, dilation: 1 });
    h = relu(tape, conv2d(tape, h, w('sep.pw.weight'), { stride: 1, padding: 0 }));
    h = depthwiseConv2d(tape, h, w('dil.dw.weight'), { stride: 2, padding: 2, dilation: 2 });
    return linear(tape, globalAvgPool(tape, h), w('classifier.weight'), w('classifier.bias'));
  }
  flops(): number {
    return 0;
  }
  variant(): Network {
    throw new Error('not needed here');
  }
}

test('GradSign and GradAlign-I count the depthwise weights: equal to the batch-of-one loop over every counted weight', () => {
  const net = new DepthwiseNet(backend);
  net.parameters.initialize(4);
  const layout = weightLayout(net);
  assert.equal(
    layout.map((l) => [l.name, l.numel]),
    [
      ['stem.weight', 108],
      ['sep.dw.weight', 36],
      ['sep.pw.weight', 24],
      ['dil.dw.weight', 54],
      ['classifier.weight', 18],
    ],
  );
  const rng = new Random(5);
  const B = 6;
  const batch: Batch = {
    x: Float32Array.from({ length: B * 3 * 8 * 8 }, () => rng.normal()),
    shape: [B, 3, 8, 8],
    y: Int32Array.of(0, 1, 2, 0, 1, 0),
  };
  // sign rows of each sample's gradient over every counted weight, from batches of one
  const counted = net.parameters.countedWeights();
  const signs = Array.from({ length: B }, (_, i) => {
    const tape = new Tape(backend);
    counted.forEach((e) => tape.watch(e.tensor));
    const x = backend.fromHost(Float64Array.from(batch.x.subarray(i * 192, (i + 1) * 192)), [1, 3, 8, 8]);
    const g = tape.backward(crossEntropy(tape, net.forward({ tape, bnMode: 'batch' }, x), batch.y.subarray(i, i + 1), 'mean'));
    return counted.flatMap((e) => [...backend.toHost(g.get(e.tensor)!)].map(Math.sign));
  });
  const m = signs[0]!.length;
  let gradsign = 0,
    dwPart = 0;
  for (let k = 0; k < m; k++) {
    const s = Math.abs(signs.reduce((a, row) => a + row[k]!, 0));
    gradsign += s;
    if (k >= 108 && k < 144) dwPart += s;
  }
  assert.ok(dwPart > 0, 'the depthwise weights contribute');
  // GradAlign-I: mean over classes with ≥ 2 samples of ‖Σ_{i∈c} s_i‖² / n_c²
  const classes = [0, 1, 2].map((c) => [...batch.y].flatMap((y, i) => (y === c ? [i] : []))).filter((r) => r.length >= 2);
  const gradalign1 =
    classes.reduce((acc, rows) => {
      let sq = 0;
      for (let k = 0; k < m; k++) sq += rows.reduce((a, i) => a + signs[i]![k]!, 0) ** 2;
      return acc + sq / rows.length ** 2;
    }, 0) / classes.length;
  const proxies = ['gradsign', 'gradalign1'] as const;
  const { scores } = scoreReduced(reducePerSample(net, batch, reducersNeeded(proxies)), proxies, DEFAULT_PROXY_OPTIONS);
  assert.is(scores.gradsign, gradsign);
  assert.ok(Math.abs(scores.gradalign1! - gradalign1) <= 1e-12 * gradalign1, `gradalign1 ${scores.gradalign1} vs ${gradalign1}`);
});

test.run();
