/**
 * The WebGPU backend's kernels on NB201 shapes (16/32/64 channels at 32/16/8 pixels, 3×3 and 1×1, a 16-sample
 * chunk by default): wall time per call through the Backend interface (many calls, one read at the end) and,
 * where the adapter has timestamp queries, GPU time per kernel; GFLOP/s against the roofline given with
 * --peak-gflops (default: an H200's 67,000 FP32 non-tensor GFLOP/s). On a software adapter (lavapipe,
 * SwiftShader) the numbers only show that the kernels run: measure on a real GPU. Then the depthwise convolutions
 * of DARTS's cells (bench/args.ts DEPTHWISE_SHAPES), which are memory-bound: GB/s of the bytes each must move (its
 * input and output tensors once) against --peak-gbs (default: an H200's 4,800 GB/s).
 * Usage: npm run bench:gpu [-- --batch 16 --reps 20 --peak-gflops 67000 --peak-gbs 4800]
 */
import type { Tensor } from '../src/backend/tensor.js';
import { createNodeWebGpuBackend } from '../src/node/gpu.js';
import { Random } from '../src/util/random.js';
import { CONV_SHAPES, DEPTHWISE_SHAPES, arg } from './args.js';

const N = Number(arg('batch', '16'));
const reps = Number(arg('reps', '20'));
const peak = Number(arg('peak-gflops', '67000'));
const peakGbs = Number(arg('peak-gbs', '4800'));
const shapes = CONV_SHAPES;
const rng = new Random(7);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));

const b = await createNodeWebGpuBackend({ readTimeoutMs: 600_000 });
const a = b.adapter;
console.log(
  `adapter: ${a.vendor} ${a.description} (${a.software ? 'SOFTWARE: timings are not meaningful' : 'hardware'}); timestamp queries: ${a.timestamps ? 'yes' : 'no'}`,
);
console.log(`batch ${N}, ${reps} calls per op, roofline ${peak} GFLOP/s\n`);
/** Wall time per call (reps calls, one read at the end) and GPU time per dispatch of `kernel`, in ms. */
function measure(kernel: string, op: () => Tensor): { wall: number; gpuMs: number } {
  b.scope(() => b.toHost(b.sum(op()))); // warm-up: pipeline compile
  b.link.timings(); // drain
  b.link.profile(true);
  const start = performance.now();
  b.scope(() => {
    let last: Tensor | null = null;
    for (let r = 0; r < reps; r++) last = op();
    b.toHost(b.sum(last!));
  });
  const wall = (performance.now() - start) / reps;
  const t = b.link.timings()[kernel];
  return { wall, gpuMs: t ? t.ns / t.dispatches / 1e6 : NaN };
}

console.log('op                         shape            wall ms/call   GPU ms/call   GFLOP/s (GPU)   of peak');
for (const { C, HW, k } of shapes) {
  const p = { stride: 1, padding: (k - 1) / 2 };
  const x = b.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
  const w = b.fromHost(random(C * C * k * k), [C, C, k, k]);
  const dy = b.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
  const flop = 2 * N * C * C * k * k * HW * HW;
  const ops: [string, string, () => Tensor][] = [
    ['conv2d', 'conv2d', () => b.conv2d(x, w, p)],
    ['conv2dGradInput', 'conv2d_grad_input', () => b.conv2dGradInput(dy, w, x.shape, p)],
    ['conv2dGradWeight', 'conv2d_grad_weight', () => b.conv2dGradWeight(x, dy, w.shape, p)],
    ['conv2dGradWeightPerSample', 'conv2d_grad_weight', () => b.conv2dGradWeightPerSample(x, dy, w.shape, p)],
  ];
  for (const [name, kernel, op] of ops) {
    const { wall, gpuMs } = measure(kernel, op);
    const gflops = flop / (gpuMs * 1e6);
    console.log(
      `${name.padEnd(27)}${`${C}ch ${HW}px ${k}x${k}`.padEnd(17)}${wall.toFixed(3).padStart(12)}${gpuMs.toFixed(3).padStart(14)}${gflops.toFixed(1).padStart(16)}${`${((100 * gflops) / peak).toFixed(2)}%`.padStart(10)}`,
    );
  }
  for (const t of [x, w, dy]) b.release(t);
}
console.log(`\ndepthwise, roofline ${peakGbs} GB/s`);
console.log('op                                  shape                 wall ms/call   GPU ms/call   GFLOP/s   GB/s (GPU)   of peak');
for (const { C, HW, k, stride, dilation } of DEPTHWISE_SHAPES) {
  const p = { stride, padding: (dilation * (k - 1)) / 2, dilation };
  const x = b.fromHost(random(N * C * HW * HW), [N, C, HW, HW]);
  const w = b.fromHost(random(C * k * k), [C, 1, k, k]);
  const y = b.depthwiseConv2d(x, w, p);
  const dy = b.fromHost(random(y.size), y.shape);
  const flop = 2 * y.size * k * k;
  const ops: [string, string, () => Tensor, number][] = [
    ['depthwiseConv2d', 'depthwise_conv2d', () => b.depthwiseConv2d(x, w, p), x.size + y.size],
    ['depthwiseConv2dGradInput', 'depthwise_conv2d_grad_input', () => b.depthwiseConv2dGradInput(dy, w, x.shape, p), x.size + y.size],
    [
      'depthwiseConv2dGradWeightPerSample',
      'depthwise_conv2d_grad_weight',
      () => b.depthwiseConv2dGradWeightPerSample(x, dy, w.shape, p),
      x.size + y.size + N * C * k * k,
    ],
  ];
  for (const [name, kernel, op, floats] of ops) {
    const { wall, gpuMs } = measure(kernel, op);
    const gbs = (4 * floats) / (gpuMs * 1e6);
    console.log(
      `${name.padEnd(36)}${`${C}ch ${HW}px ${k}x${k} d${dilation} s${stride}`.padEnd(22)}${wall.toFixed(3).padStart(12)}${gpuMs.toFixed(3).padStart(14)}${(flop / (gpuMs * 1e6)).toFixed(1).padStart(10)}${gbs.toFixed(1).padStart(13)}${`${((100 * gbs) / peakGbs).toFixed(2)}%`.padStart(10)}`,
    );
  }
  for (const t of [x, w, y, dy]) b.release(t);
}
await b.close();
