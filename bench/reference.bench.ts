/**
 * Per-architecture scoring time of the reference backend (GradSign + GradAlign-I + GradAlign-II from one
 * per-sample pass), the baseline the WASM backend must beat. Counts the GEMM FLOPs the kernels perform to
 * report GFLOP/s. Usage: npm run bench [-- --batch 64 --archs small,medium,large]
 */
import { Bench } from 'tinybench';
import type { Backend } from '../src/backend/backend.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { loadBundledCifar10Sample } from '../src/node/files.js';
import { PROXY_NAMES } from '../src/proxies/registry.js';
import { scoreArchitecture } from '../src/scoring.js';
import type { Tensor } from '../src/backend/tensor.js';
import { arg } from './args.js';

const ARCHS: Record<string, string> = {
  small: '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
  medium: '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
  large: '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
};

/** Wraps a backend so every conv / matmul call adds its multiply-add count (2 FLOPs each). */
function countingFlops(inner: Backend): { backend: Backend; flops: () => number; reset: () => void } {
  let flops = 0;
  // 2·N·Co·(Ci·kh·kw)·(Ho·Wo): the same for the forward, the input gradient and the filter gradient.
  const conv = (w: readonly number[], y: readonly number[]) => 2 * y[0]! * w[0]! * w[1]! * w[2]! * w[3]! * y[2]! * y[3]!;
  const backend: Backend = Object.create(inner) as Backend;
  Object.assign(backend, {
    conv2d: (x: Tensor, w: Tensor, p: never) => {
      const y = inner.conv2d(x, w, p);
      flops += conv(w.shape, y.shape);
      return y;
    },
    conv2dGradInput: (dy: Tensor, w: Tensor, xs: number[], p: never) => {
      flops += conv(w.shape, dy.shape);
      return inner.conv2dGradInput(dy, w, xs, p);
    },
    conv2dGradWeight: (x: Tensor, dy: Tensor, ws: number[], p: never) => {
      flops += conv(ws, dy.shape);
      return inner.conv2dGradWeight(x, dy, ws, p);
    },
    conv2dGradWeightPerSample: (x: Tensor, dy: Tensor, ws: number[], p: never) => {
      flops += conv(ws, dy.shape);
      return inner.conv2dGradWeightPerSample(x, dy, ws, p);
    },
  });
  return {
    backend,
    flops: () => flops,
    reset: () => {
      flops = 0;
    },
  };
}

const batchSize = Number(arg('batch', '64'));
const names = arg('archs', 'small,medium,large').split(',');
const counting = countingFlops(new ReferenceBackend());
const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize, seed: 1 });
const bench = new Bench({ iterations: 1, warmup: false, time: 0 });
const gflop: Record<string, number> = {};
for (const name of names) {
  const arch = ARCHS[name];
  if (!arch) throw new Error(`unknown arch ${name} (known: ${Object.keys(ARCHS).join(', ')})`);
  bench.add(`${name} B=${batchSize}`, () => {
    counting.reset();
    scoreArchitecture(counting.backend, arch, batch, { proxies: PROXY_NAMES, numClasses: 10, seed: 1 });
    gflop[name] = counting.flops() / 1e9;
  });
}
await bench.run();
console.log(`reference backend (js), GradSign + GradAlign-I/II, batch ${batchSize}, bundled CIFAR-10 sample, ${process.version}`);
console.table(
  bench.tasks.map((t, i) => {
    const name = names[i]!;
    const seconds = (t.result as { latency?: { mean: number } } | undefined)?.latency?.mean ?? NaN;
    return {
      arch: name,
      'seconds/arch': Number((seconds / 1000).toFixed(2)),
      'conv GFLOP': Number(gflop[name]!.toFixed(1)),
      'GFLOP/s': Number((gflop[name]! / (seconds / 1000)).toFixed(2)),
    };
  }),
);
