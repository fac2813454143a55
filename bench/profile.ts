/**
 * Where the per-sample pass spends its time (issue 16's profile): GradSign + GradAlign-I/II on each architecture of
 * a list, every backend call timed on the main thread (a kernel split over threads counts once, as wall time) and
 * grouped by what it does; convolutions also by shape, with their GFLOP/s; network build + init timed apart; the
 * main thread's waits for its workers (load imbalance and hand-offs); the rest — tape, allocation, JS — is what
 * lies outside the kernels. Each architecture is scored once unprofiled first, so the heap's pages are touched and
 * the JIT is warm; that first run's extra time is reported as the first-touch cost.
 * `--clock cpu` times by the process's CPU time instead of the wall clock: on one thread, a steadier reading while
 * another process shares the cores (it then counts GC threads too, and nothing of the waits).
 * Usage: npm run bench:profile [-- --threads 1 --batch 64 --archs bench/archs10.txt --chunk 16 --clock wall|cpu --conv direct|winograd]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../src/backend/backend.js';
import type { Tensor } from '../src/backend/tensor.js';
import type { ConvolutionAlgorithm } from '../src/backend/wasm/index.js';
import { sampleCifarBatch } from '../src/data/cifar.js';
import { NB201_SPACE } from '../src/nets/nb201/space.js';
import { loadBundledCifar10Sample } from '../src/node/files.js';
import { createNodeWasmBackend, defaultThreads } from '../src/node/worker_pool.js';
import { DEFAULT_PROXIES } from '../src/proxies/registry.js';
import { DEFAULT_CHUNK, scoreArchitecture } from '../src/scoring.js';
import { arg } from './args.js';

/** What each backend call does, for the breakdown (calls not named here are listed under their own name). */
const PHASE: Record<string, string> = {
  conv2d: 'conv forward',
  depthwiseConv2d: 'conv forward',
  conv2dGradInput: 'conv backward (input)',
  depthwiseConv2dGradInput: 'conv backward (input)',
  conv2dGradWeightPerSample: 'per-sample filter gradients',
  depthwiseConv2dGradWeightPerSample: 'per-sample filter gradients',
  outerPerSample: 'per-sample filter gradients',
  conv2dGradWeight: 'batch filter gradients',
  depthwiseConv2dGradWeight: 'batch filter gradients',
  batchNormStatistics: 'batch norm',
  batchNormInvStd: 'batch norm',
  batchNormForward: 'batch norm',
  batchNormBackward: 'batch norm',
  relu: 'ReLU',
  reluGrad: 'ReLU',
  avgPool2d: 'pooling',
  avgPool2dGrad: 'pooling',
  maxPool2d: 'pooling',
  maxPool2dGrad: 'pooling',
  globalAvgPool: 'pooling',
  globalAvgPoolGrad: 'pooling',
  signSum: 'sign / Gram reductions',
  writeSigns: 'sign / Gram reductions',
  classGram: 'sign / Gram reductions',
  readSignSums: 'sign / Gram reductions',
  readGrams: 'sign / Gram reductions',
  allocSignSums: 'sign / Gram reductions',
  allocSigns: 'sign / Gram reductions',
  allocGrams: 'sign / Gram reductions',
  add: 'add / scale',
  scale: 'add / scale',
  matmul: 'linear + loss',
  addRowVector: 'linear + loss',
  sumRows: 'linear + loss',
  softmaxCrossEntropy: 'linear + loss',
  softmaxCrossEntropyGrad: 'linear + loss',
  fromHost: 'host transfers',
  toHost: 'host transfers',
  zeros: 'host transfers',
};
/** Calls that only pass through: timing them would count their contents twice. */
const UNTIMED = new Set(['scope', 'release', 'name', 'threads', 'heap', 'poolWaitMs', 'close']);
const CONVS = new Set(['conv2d', 'conv2dGradInput', 'conv2dGradWeightPerSample', 'conv2dGradWeight']);

const cpuClock = arg('clock', 'wall') === 'cpu';
/** Milliseconds on the chosen clock. */
const now = cpuClock
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();

interface Stat {
  ms: number;
  calls: number;
  flops: number;
}

/** A backend whose calls are timed into `stats` (by method) and `convs` (by method and shape). */
function profiled(backend: Backend, stats: Map<string, Stat>, convs: Map<string, Stat>): Backend {
  const add = (m: Map<string, Stat>, key: string, ms: number, flops: number) => {
    const s = m.get(key) ?? { ms: 0, calls: 0, flops: 0 };
    s.ms += ms;
    s.calls++;
    s.flops += flops;
    m.set(key, s);
  };
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function' || UNTIMED.has(prop)) {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: unknown[]) => {
        const start = now();
        const out = Reflect.apply(value, target, args);
        const ms = now() - start;
        let flops = 0;
        if (CONVS.has(prop)) {
          // conv2d(x, w) / gradInput(dy, w, xShape) / gradWeight(x, dy, wShape): 2·N·Co·Ci·kh·kw·Ho·Wo
          const [a, b, c] = args as [Tensor, Tensor, readonly number[]];
          const x = prop === 'conv2dGradInput' ? c : a.shape;
          const w = prop === 'conv2d' || prop === 'conv2dGradInput' ? b.shape : c;
          const y = prop === 'conv2d' ? (out as Tensor).shape : prop === 'conv2dGradInput' ? a.shape : b.shape;
          flops = 2 * x[0]! * w[0]! * w[1]! * w[2]! * w[3]! * y[2]! * y[3]!;
          add(convs, `${prop} ${w[2]}×${w[3]} ${w[1]}→${w[0]} at ${x[2]}×${x[3]}${y[2]! < x[2]! ? ' s2' : ''} (N=${x[0]})`, ms, flops);
        }
        add(stats, prop, ms, flops);
        return out;
      };
    },
  });
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const archs = readFileSync(arg('archs', join(root, 'bench', 'archs10.txt')), 'utf8')
  .split('\n')
  .map((s) => s.trim())
  .filter((s) => s && !s.startsWith('#'));
const batchSize = Number(arg('batch', '64'));
const threads = Number(arg('threads', String(defaultThreads())));
const chunk = Number(arg('chunk', String(DEFAULT_CHUNK)));
const seed = 1;
const batch = sampleCifarBatch(loadBundledCifar10Sample(), { batchSize, seed });
const backend = await createNodeWasmBackend(threads);
backend.convolution = arg('conv', 'direct') as ConvolutionAlgorithm;
const options = { proxies: DEFAULT_PROXIES, numClasses: 10, seed, chunk };

const stats = new Map<string, Stat>();
const convs = new Map<string, Stat>();
const timed = profiled(backend, stats, convs);
let total = 0;
let firstTouch = 0;
let buildInit = 0;
const perArch: { arch: string; first: number; warm: number; 'build+init': number }[] = [];
for (const arch of archs) {
  let t0 = now();
  scoreArchitecture(backend, arch, batch, options);
  const first = now() - t0;
  t0 = now();
  backend.scope(() => NB201_SPACE.build(backend, NB201_SPACE.canonical(arch), { numClasses: 10 }).parameters.initialize(seed));
  const build = now() - t0;
  t0 = now();
  scoreArchitecture(timed, arch, batch, options);
  const warm = now() - t0;
  total += warm;
  buildInit += build;
  firstTouch += Math.max(0, first - warm);
  perArch.push({ arch, first: Math.round(first), warm: Math.round(warm), 'build+init': Math.round(build) });
}
const waitMs = backend.poolWaitMs;
await backend.close();

const pct = (ms: number) => `${((100 * ms) / total).toFixed(1)} %`;
console.log(
  `GradSign + GradAlign-I/II, batch ${batchSize}, chunk ${chunk}, wasm (${backend.convolution} 3×3 convolutions) on ${threads} thread(s), ${archs.length} archs: ` +
    `${(total / 1000).toFixed(2)} s warm, ${cpuClock ? 'CPU' : 'wall'} time (ms per arch below; 'first' includes first-touch of fresh memory)`,
);
console.table(perArch);
const phases = new Map<string, Stat>();
let inKernels = 0;
for (const [name, s] of stats) {
  const phase = PHASE[name] ?? name;
  const p = phases.get(phase) ?? { ms: 0, calls: 0, flops: 0 };
  p.ms += s.ms;
  p.calls += s.calls;
  p.flops += s.flops;
  phases.set(phase, p);
  inKernels += s.ms;
}
const rows = [...phases]
  .sort((a, b) => b[1].ms - a[1].ms)
  .map(([phase, s]) => ({
    phase,
    ms: Math.round(s.ms),
    share: pct(s.ms),
    calls: s.calls,
    ...(s.flops ? { 'GFLOP/s': Number((s.flops / s.ms / 1e6).toFixed(1)) } : {}),
  }));
rows.push({ phase: 'network build + init (host)', ms: Math.round(buildInit), share: pct(buildInit), calls: archs.length });
const outside = total - inKernels - buildInit;
rows.push({ phase: 'outside kernels (tape, allocation, JS)', ms: Math.round(outside), share: pct(outside), calls: 0 });
console.log('\nPer phase (warm runs; kernel wall time on the main thread, so a split kernel counts once):');
console.table(rows);
console.log(
  `main thread waiting for workers (inside the kernels above): ${Math.round(waitMs)} ms over both runs of each arch; ` +
    `first-touch and cold-JIT extra on the first runs: ${Math.round(firstTouch)} ms`,
);
console.log('\nPer backend call:');
console.table(
  [...stats]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([call, s]) => ({
      call,
      phase: PHASE[call] ?? call,
      ms: Math.round(s.ms),
      calls: s.calls,
      'µs per call': Math.round((1000 * s.ms) / s.calls),
    })),
);
const flops = [...convs.values()].reduce((t, s) => t + s.flops, 0);
console.log(
  `\nConvolutions by shape (${(flops / 1e9).toFixed(1)} GFLOP, ${pct([...convs.values()].reduce((t, s) => t + s.ms, 0))} of the time):`,
);
console.table(
  [...convs]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([shape, s]) => ({ shape, ms: Math.round(s.ms), calls: s.calls, 'GFLOP/s': Number((s.flops / s.ms / 1e6).toFixed(1)) })),
);
console.log(`end to end: ${(flops / total / 1e6).toFixed(1)} GFLOP/s of convolution over the whole warm time`);
