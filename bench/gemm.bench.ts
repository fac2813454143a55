/**
 * GFLOP/s of the AssemblyScript kernels called directly (one thread, no operand copies): the exported `gemm` on
 * the GEMM shapes inside each convolution, and the three conv drivers over a whole batch, on NB201 shapes
 * (16/32/64 channels at 32/16/8 pixels, 3×3 and 1×1, batch 64) plus the stride-2 reduction conv and the stem.
 * FLOPs = 2·N·Co·Ci·kh·kw·Ho·Wo per conv op, 2·M·N·K per gemm; GFLOP/s from the median (and best) time.
 * Usage: node dist/bench/gemm.bench.js [--batch 64] [--time 400]
 */
import { Bench } from 'tinybench';
import { KERNELS_WASM_BASE64 } from '../src/backend/wasm/kernels_wasm.js';
import { arg } from './args.js';

type Fn = (...a: number[]) => void;
interface Kernels {
  gemm: Fn;
  conv2d_forward: Fn;
  conv2d_grad_input: Fn;
  conv2d_grad_weight: Fn;
}

const batch = Number(arg('batch', '64'));
const time = Number(arg('time', '400'));

const bin = atob(KERNELS_WASM_BASE64);
const bytes = new Uint8Array(new ArrayBuffer(bin.length));
for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
const memory = new WebAssembly.Memory({ initial: 256, maximum: 16384, shared: true });
const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Kernels;

let top = 1 << 16;
function alloc(floats: number): number {
  const p = Math.ceil(top / 64) * 64;
  top = p + floats * 4 + 64;
  const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
  const v = new Float32Array(memory.buffer, p, floats);
  for (let i = 0; i < floats; i++) v[i] = Math.random() - 0.5;
  return p;
}

const shapes = [
  { Ci: 16, Co: 16, HW: 32, k: 3, stride: 1 },
  { Ci: 16, Co: 16, HW: 32, k: 1, stride: 1 },
  { Ci: 32, Co: 32, HW: 16, k: 3, stride: 1 },
  { Ci: 32, Co: 32, HW: 16, k: 1, stride: 1 },
  { Ci: 64, Co: 64, HW: 8, k: 3, stride: 1 },
  { Ci: 64, Co: 64, HW: 8, k: 1, stride: 1 },
  { Ci: 16, Co: 32, HW: 32, k: 3, stride: 2 },
  { Ci: 3, Co: 16, HW: 32, k: 3, stride: 1 },
];

const bench = new Bench({ time, warmup: true, warmupTime: 50, warmupIterations: 2 });
const flops = new Map<string, number>();
function add(name: string, f: number, fn: () => void): void {
  flops.set(name, f);
  bench.add(name, fn);
}

add(
  'gemm 512x512x512',
  2 * 512 ** 3,
  (() => {
    top = 1 << 16;
    const A = alloc(512 * 512),
      B = alloc(512 * 512),
      C = alloc(512 * 512);
    return () => k.gemm(512, 512, 512, A, B, C, 0, 0, 512);
  })(),
);

type RowNames = Record<'fwd' | 'gin' | 'gwS' | 'gw' | 'gemmF' | 'gemmI' | 'gemmW', string>;
const rowsOf: { label: string; names: RowNames }[] = [];
let base = 1 << 16;
for (const s of shapes) {
  const pad = (s.k - 1) / 2,
    N = batch;
  const Ho = Math.floor((s.HW + 2 * pad - s.k) / s.stride) + 1,
    Wo = Ho;
  const K = s.Ci * s.k * s.k,
    P = Ho * Wo;
  const label = `${s.Ci}->${s.Co} ${s.HW}x${s.HW} ${s.k}x${s.k}${s.stride > 1 ? ' s2' : ''}`;
  // each shape's buffers live side by side (the heap only grows), so every task keeps its own operands
  top = base;
  const x = alloc(N * s.Ci * s.HW * s.HW),
    w = alloc(s.Co * K),
    wT = alloc(K * s.Co),
    y = alloc(N * s.Co * P);
  const dy = alloc(N * s.Co * P),
    dx = alloc(N * s.Ci * s.HW * s.HW),
    dwS = alloc(N * s.Co * K),
    dw = alloc(s.Co * K);
  const scratch = alloc(K * P + 16);
  const gC = alloc(Math.max(s.Co * P, K * P, s.Co * K));
  base = top;
  const geo = [s.Ci, s.HW, s.HW, s.Co, s.k, s.k, s.stride, pad, Ho, Wo];
  const convFlops = 2 * N * s.Co * K * P;
  const names: RowNames = {
    fwd: `${label} conv2d_forward`,
    gin: `${label} conv2d_grad_input`,
    gwS: `${label} conv2d_grad_weight perSample`,
    gw: `${label} conv2d_grad_weight sum`,
    gemmF: `${label} gemm(fwd) ${s.Co}x${P}x${K}`,
    gemmI: `${label} gemm(grad_input) ${K}x${P}x${s.Co}`,
    gemmW: `${label} gemm(grad_weight) ${s.Co}x${K}x${P}`,
  };
  add(names.fwd, convFlops, () => k.conv2d_forward(x, w, y, ...geo, scratch, 0, N));
  add(names.gin, convFlops, () => k.conv2d_grad_input(dy, wT, dx, ...geo, scratch, 0, N));
  add(names.gwS, convFlops, () => k.conv2d_grad_weight(x, dy, dwS, ...geo, scratch, 0, N, 1));
  add(names.gw, convFlops, () => k.conv2d_grad_weight(x, dy, dw, ...geo, scratch, 0, N, 0));
  // the GEMMs inside: forward W[Co,K]·col[K,P], input gradient Wᵀ[K,Co]·dY[Co,P], weight gradient dY[Co,P]·colᵀ[P,K]
  const reps = Math.max(1, Math.round(N / 8));
  add(names.gemmF, reps * 2 * s.Co * P * K, () => {
    for (let r = 0; r < reps; r++) k.gemm(s.Co, P, K, w, scratch, gC, 0, 0, s.Co);
  });
  add(names.gemmI, reps * 2 * K * P * s.Co, () => {
    for (let r = 0; r < reps; r++) k.gemm(K, P, s.Co, wT, dy, gC, 0, 0, K);
  });
  add(names.gemmW, reps * 2 * s.Co * K * P, () => {
    for (let r = 0; r < reps; r++) k.gemm(s.Co, K, P, dy, scratch, gC, 0, 0, s.Co);
  });
  rowsOf.push({ label, names });
}

await bench.run();

const stats = new Map<string, { p50: number; min: number }>();
for (const t of bench.tasks) {
  const lat = (t.result as { latency?: { p50: number; min: number } } | undefined)?.latency;
  if (lat) stats.set(t.name, lat);
}
const gf = (name: string, which: 'p50' | 'min') => {
  const s = stats.get(name);
  return s ? Number((flops.get(name)! / (s[which] / 1000) / 1e9).toFixed(1)) : NaN;
};
const cell = (name: string) => `${gf(name, 'p50').toFixed(1)} (${gf(name, 'min').toFixed(1)})`;

console.log(`AssemblyScript kernels, one thread, batch ${batch}, ${process.version}; GFLOP/s median (best)`);
console.log(`gemm 512x512x512: ${cell('gemm 512x512x512')}`);
console.table(
  rowsOf.map(({ label, names }) => ({
    shape: label,
    forward: cell(names.fwd),
    grad_input: cell(names.gin),
    'grad_weight per-sample': cell(names.gwS),
    'grad_weight sum': cell(names.gw),
    'gemm as forward (MxNxK)': `${names.gemmF.split(') ')[1]}: ${cell(names.gemmF)}`,
    'gemm as grad_input': `${names.gemmI.split(') ')[1]}: ${cell(names.gemmI)}`,
    'gemm as grad_weight': `${names.gemmW.split(') ')[1]}: ${cell(names.gemmW)}`,
  })),
);
