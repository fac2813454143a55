/**
 * The DARTS cell ops against PyTorch (fixtures/pytorch/make_darts_ops_fixtures.py, float64): DARTS's sep_conv and
 * dil_conv depthwise convolutions 3×3 and 5×5 at stride 1 and 2 (forward, dx, dw and the batch-of-one per-sample
 * dw), FactorizedReduce (crop + strided 1×1 convs, concatenated), and the 3×3 pools with padding 1 (avg with
 * count_include_pad = False, max) at stride 1 and 2 — through the autodiff ops, on the reference backend in f64 and
 * on the WASM backend in f32 on two threads.
 */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  Tape,
  avgPool2d,
  concatChannels,
  conv2d,
  cropSpatial,
  depthwiseConv2d,
  maxPool2d,
  relu,
  type PerSampleSink,
  type Tensor,
} from '../src/autodiff/index.js';
import type { Kernels } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { tensorToFloat64 } from '../src/io/safetensors.js';
import { readSafetensorsFile } from '../src/node/files.js';
import { createNodeWasmBackend } from '../src/node/worker_pool.js';
import { fixturesDir, maxNormErr } from './helpers.js';

const file = readSafetensorsFile(join(fixturesDir, 'darts_ops.safetensors'));
const fixture = (name: string): { data: Float64Array; shape: number[] } => {
  const t = file.get(name);
  assert.ok(t, `fixture tensor ${name}`);
  return { data: tensorToFloat64(t, name, 'darts_ops'), shape: [...t.shape] };
};

const reference = new ReferenceBackend();
let wasm: WasmBackend;
test.before(async () => {
  wasm = await createNodeWasmBackend(2);
});
test.after(async () => {
  await wasm.close();
});

/** The two backends and how close each must come: f64 to rounding, f32 to 1e-5 of each tensor's largest value. */
const backends = (): [Kernels, number][] => [
  [reference, 1e-12],
  [wasm, 1e-5],
];
const onto = (b: Kernels, f: { data: Float64Array; shape: number[] }): Tensor =>
  b.fromHost(b === reference ? f.data.slice() : Float32Array.from(f.data), f.shape);

function near(b: Kernels, got: Tensor, want: string, tol: number, what: string): void {
  const w = fixture(want);
  assert.equal([...got.shape], w.shape, `${what}: shape`);
  const err = maxNormErr(b.toHost(got), w.data);
  assert.ok(err <= tol, `${what} on ${b.name}: error ${err.toExponential(2)} relative to the largest value`);
}

/** y = f(inputs) on a tape watching them, its gradients for the seed R; the per-sample sink for `perSample`. */
function run(b: Kernels, name: string, inputs: string[], f: (t: Tape, xs: Tensor[]) => Tensor, perSample: string[] = []) {
  const tape = new Tape(b);
  const xs = inputs.map((k) => tape.watch(onto(b, fixture(`${name}.${k}`))));
  const y = f(tape, xs);
  const seed = onto(b, fixture(`${name}.R`));
  const grads = tape.backward(y, { seed });
  const rows = new Map<string, Tensor>();
  if (perSample.length > 0) {
    const tape2 = new Tape(b);
    const xs2 = inputs.map((k) => tape2.watch(onto(b, fixture(`${name}.${k}`))));
    const sink: PerSampleSink = {
      wants: (t) => perSample.some((k) => xs2[inputs.indexOf(k)] === t),
      consume: (t, g) => void rows.set(inputs[xs2.indexOf(t)]!, b.scale(g, 1)), // a copy: the pass releases g
    };
    tape2.backward(f(tape2, xs2), { seed, perSample: sink });
  }
  return { y, grad: (k: string) => grads.get(xs[inputs.indexOf(k)]!)!, rows };
}

const DEPTHWISE: Record<string, { k: number; stride: number; padding: number; dilation: number }> = {
  sep_conv_3x3_s1: { k: 3, stride: 1, padding: 1, dilation: 1 },
  sep_conv_3x3_s2: { k: 3, stride: 2, padding: 1, dilation: 1 },
  sep_conv_5x5_s1: { k: 5, stride: 1, padding: 2, dilation: 1 },
  sep_conv_5x5_s2: { k: 5, stride: 2, padding: 2, dilation: 1 },
  dil_conv_3x3_s1: { k: 3, stride: 1, padding: 2, dilation: 2 },
  dil_conv_3x3_s2: { k: 3, stride: 2, padding: 2, dilation: 2 },
  dil_conv_5x5_s1: { k: 5, stride: 1, padding: 4, dilation: 2 },
  dil_conv_5x5_s2: { k: 5, stride: 2, padding: 4, dilation: 2 },
};

for (const [name, { stride, padding, dilation }] of Object.entries(DEPTHWISE)) {
  test(`${name}: the depthwise conv's y, dx, dw and per-sample dw equal PyTorch's (groups = C)`, () => {
    for (const [b, tol] of backends()) {
      b.scope(() => {
        const r = run(b, name, ['x', 'w'], (t, [x, w]) => depthwiseConv2d(t, x!, w!, { stride, padding, dilation }), ['w']);
        near(b, r.y, `${name}.y`, tol, `${name} y`);
        near(b, r.grad('x'), `${name}.dx`, tol, `${name} dx`);
        near(b, r.grad('w'), `${name}.dw`, tol, `${name} dw`);
        near(b, r.rows.get('w')!, `${name}.per_sample_dw`, tol, `${name} per-sample dw`);
      });
    }
  });
}

test('FactorizedReduce: cat(conv1x1 s2(relu x), conv1x1 s2(relu(x)[:, :, 1:, 1:])) and its gradients equal PyTorch’s', () => {
  for (const [b, tol] of backends()) {
    b.scope(() => {
      const r = run(b, 'factorized_reduce', ['x', 'w1', 'w2'], (t, [x, w1, w2]) => {
        const h = relu(t, x!);
        const p = { stride: 2, padding: 0 };
        return concatChannels(t, [conv2d(t, h, w1!, p), conv2d(t, cropSpatial(t, h, 1, 1), w2!, p)]);
      });
      near(b, r.y, 'factorized_reduce.y', tol, 'factorized reduce y');
      for (const k of ['x', 'w1', 'w2']) near(b, r.grad(k), `factorized_reduce.d${k}`, tol, `factorized reduce d${k}`);
    });
  }
});

for (const [name, kind, stride] of [
  ['avg_pool_3x3_s1', 'avg', 1],
  ['avg_pool_3x3_s2', 'avg', 2],
  ['max_pool_3x3_s1', 'max', 1],
  ['max_pool_3x3_s2', 'max', 2],
] as const) {
  test(`${name} (padding 1${kind === 'avg' ? ', count_include_pad = False' : ''}): y and dx equal PyTorch’s`, () => {
    for (const [b, tol] of backends()) {
      b.scope(() => {
        const p = { kernel: 3, stride, padding: 1 };
        const r = run(b, name, ['x'], (t, [x]) => (kind === 'avg' ? avgPool2d(t, x!, p) : maxPool2d(t, x!, p)));
        near(b, r.y, `${name}.y`, tol, `${name} y`);
        near(b, r.grad('x'), `${name}.dx`, tol, `${name} dx`);
      });
    }
  });
}

test.run();
