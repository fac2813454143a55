/**
 * The AssemblyScript kernels (assembly/, embedded in src/backend/wasm/kernels_wasm.ts) export by export against
 * the reference backend's kernels: random shapes with odd sizes, stride 2, 1×1 and 3×3, channel counts not
 * divisible by 4, batch 1, sub-ranges (rows, samples, planes, elements) and misaligned pointers. Float results
 * within 1e-5 of the output's largest magnitude; the integer reducers exactly. Also: the module's shape (one shared
 * memory import, no data, no globals), two instances on one shared memory (one in a worker thread), and that the
 * embedded bytes are what `node scripts/build-wasm.mjs` builds from the sources today.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { HostArray } from '../src/backend/tensor.js';
import { bnBackward, bnForward, bnStatistics } from '../src/backend/batch_norm_host.js';
import { copyChannels } from '../src/backend/reference/channels.js';
import { conv2dForward, conv2dGradInput, conv2dGradWeight } from '../src/backend/reference/conv2d.js';
import { convGeometry, cropGeometry, depthwiseGeometry, poolOutputSize } from '../src/backend/shapes.js';
import { cropSpatial, cropSpatialGrad } from '../src/backend/reference/crop.js';
import { depthwiseForward, depthwiseGradInput, depthwiseGradWeight } from '../src/backend/reference/depthwise_conv2d.js';
import { gemmNN } from '../src/backend/reference/gemm.js';
import { ReferenceBackend } from '../src/backend/reference/index.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGrad } from '../src/backend/reference/loss.js';
import { avgPool2d, avgPool2dGrad, globalAvgPool, globalAvgPoolGrad, maxPool2d, maxPool2dGrad } from '../src/backend/reference/pooling.js';
import { classGram, signSum, signsOf } from '../src/backend/reference/reduce.js';
import { KERNEL_EXPORTS, type KernelExports } from '../src/backend/wasm/kernel_list.js';
import { KERNELS_WASM_BASE64, KERNELS_WASM_SHA256 } from '../src/backend/wasm/kernels_wasm.js';
import { repoRoot } from './helpers.js';

/** The ABI of src/backend/wasm/kernel_list.ts, loosened so the tests can spread argument lists. */
type Kernels = { [K in keyof KernelExports]: (...args: number[]) => ReturnType<KernelExports[K]> };

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

const wasmBytes = decodeBase64(KERNELS_WASM_BASE64);
const wasmModule = new WebAssembly.Module(wasmBytes);
const memory = new WebAssembly.Memory({ initial: 256, maximum: 16384, shared: true });
const k = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports as unknown as Kernels;

// ---- a bump heap over the shared memory; pointers deliberately misaligned by 0–12 bytes ----
let top = 1 << 16;
let misalign = 0;
function alloc(bytes: number): number {
  const p = Math.ceil(top / 64) * 64 + 64 + (misalign = (misalign + 4) % 16);
  top = p + bytes + 64;
  const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
  return p;
}
function resetHeap(): void {
  top = 1 << 16;
}
const f32 = (p: number, n: number) => new Float32Array(memory.buffer, p, n);
const i32 = (p: number, n: number) => new Int32Array(memory.buffer, p, n);
const f64 = (p: number, n: number) => {
  assert.ok(p % 8 === 0);
  return new Float64Array(memory.buffer, p, n);
};
function putF32(a: ArrayLike<number>): number {
  const p = alloc(a.length * 4);
  f32(p, a.length).set(a);
  return p;
}
function putI32(a: ArrayLike<number>): number {
  const p = (alloc(a.length * 4 + 4) + 3) & ~3;
  i32(p, a.length).set(a);
  return p;
}
/** The bytes of a packed 2-bit sign row (assembly/reduce.ts): 16 per group of 64 weights. */
const packedRowBytes = (numel: number) => Math.ceil(numel / 64) * 16;
/** Reads B packed sign rows back as int8 signs, checking that the padding bits past numel are 0. */
function unpackSigns(p: number, B: number, numel: number, what: string): Int8Array {
  const rowBytes = packedRowBytes(numel),
    out = new Int8Array(B * numel);
  const bytes = new Uint8Array(memory.buffer, p, B * rowBytes);
  for (let r = 0; r < B; r++) {
    for (let j = 0; j < rowBytes * 4; j++) {
      const g = r * rowBytes + (j >> 6) * 16,
        bit = j & 63;
      const nz = (bytes[g + (bit >> 3)]! >> (bit & 7)) & 1,
        neg = (bytes[g + 8 + (bit >> 3)]! >> (bit & 7)) & 1;
      if (j >= numel) assert.ok(nz === 0 && neg === 0, `${what}: row ${r} padding bit ${j} is 0`);
      else {
        assert.ok(nz === 1 || neg === 0, `${what}: row ${r} weight ${j} negative only when non-zero`);
        out[r * numel + j] = nz === 0 ? 0 : neg === 1 ? -1 : 1;
      }
    }
  }
  return out;
}
function allocF64(n: number): number {
  const p = (alloc(n * 8 + 8) + 7) & ~7;
  f64(p, n).fill(0);
  return p;
}
function allocF32(n: number, fill = 0): number {
  const p = alloc(n * 4);
  f32(p, n).fill(fill);
  return p;
}

// ---- seeded random data ----
let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
function randn(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}
/** Random values with ~15% exact zeros and some negative zeros. */
function randWithZeros(n: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const r = rand();
    return r < 0.1 ? 0 : r < 0.15 ? -0 : rand() * 2 - 1;
  });
}

/** max |a − b| / max |b| ≤ tol. */
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let err = 0,
    mag = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!,
      a = actual[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      assert.ok(Number.isNaN(e) && Number.isNaN(a), `${what}: NaN mismatch at ${i}`);
      continue;
    }
    err = Math.max(err, Math.abs(a - e));
    mag = Math.max(mag, Math.abs(e));
  }
  assert.ok(err <= tol * Math.max(mag, 1e-30), `${what}: max error ${err} vs max magnitude ${mag}`);
}
function same(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i] && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i])))
      assert.unreachable(`${what}: ${actual[i]} != ${expected[i]} at ${i}`);
  }
}

/**
 * Kernel outputs over samples [n0, n1) against the reference's rows, and, when n0 > 0, sample 0 untouched (still
 * `sentinel`): each output is [name, its pointer, floats per sample, the reference for every sample].
 */
function checkSampleRange(
  tag: string,
  n0: number,
  n1: number,
  sentinel: number,
  outputs: [string, number, number, Float32Array | Float64Array][],
): void {
  for (const [name, p, per, want] of outputs)
    close(f32(p + n0 * per * 4, (n1 - n0) * per), want.subarray(n0 * per, n1 * per), `${tag} ${name} [${n0},${n1})`);
  if (n0 > 0)
    for (const [name, p, per] of outputs)
      assert.ok(
        f32(p, per).every((v) => v === sentinel),
        `${tag}: ${name} wrote outside its samples`,
      );
}

// ---------------------------------------------------------------------------------------------------------------

test('module: one shared env.memory import, no data, no globals, every ABI export', () => {
  assert.equal(WebAssembly.Module.imports(wasmModule), [{ module: 'env', name: 'memory', kind: 'memory' }]);
  const exports = WebAssembly.Module.exports(wasmModule);
  assert.ok(
    exports.every((e) => e.kind === 'function'),
    'only functions are exported',
  );
  assert.equal(exports.map((e) => e.name).sort(), [...KERNEL_EXPORTS].sort());
  assert.match(KERNELS_WASM_SHA256, /^[0-9a-f]{64}$/);
});

test('gemm: C = (acc ? C : 0) + A·B over row ranges, odd shapes', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 7, 3],
    [4, 8, 16],
    [13, 27, 9],
    [3, 12, 5],
    [16, 64, 27],
    [9, 1, 33],
    [7, 35, 0],
    [16, 1024, 16],
    [32, 256, 288],
    [66, 70, 65],
  ];
  for (let r = 0; r < 6; r++) shapes.push([randInt(1, 40), randInt(1, 90), randInt(1, 70)]);
  for (const [M, N, K] of shapes) {
    for (const acc of [0, 1]) {
      resetHeap();
      const A = randn(M * K),
        B = randn(K * N),
        C0 = randn(M * N);
      const m0 = M > 2 ? randInt(0, 1) : 0,
        m1 = M > 3 ? M - randInt(0, 1) : M;
      const pa = putF32(A),
        pb = putF32(B),
        pc = putF32(C0);
      k.gemm(M, N, K, pa, pb, pc, acc, m0, m1);
      const ref = C0.slice();
      for (let i = m0; i < m1; i++) for (let j = 0; j < N; j++) if (!acc) ref[i * N + j] = 0;
      const rows = new Float32Array(ref.buffer, m0 * N * 4, (m1 - m0) * N);
      gemmNN(m1 - m0, N, K, A, m0 * K, B, 0, rows, 0);
      close(f32(pc, M * N), ref, `gemm ${M}x${N}x${K} acc=${acc} rows [${m0},${m1})`);
      same(f32(pc, m0 * N), C0.subarray(0, m0 * N), 'gemm rows before m0 untouched');
      same(f32(pc + m1 * N * 4, (M - m1) * N), C0.subarray(m1 * N), 'gemm rows after m1 untouched');
    }
  }
});

test('transpose', () => {
  for (const [rows, cols] of [
    [1, 1],
    [3, 5],
    [4, 4],
    [37, 70],
    [64, 64],
    [33, 8],
    [5, 67],
  ] as const) {
    resetHeap();
    const a = randn(rows * cols),
      pa = putF32(a),
      pd = allocF32(rows * cols);
    k.transpose(pa, rows, cols, pd);
    const ref = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) ref[j * rows + i] = a[i * cols + j]!;
    same(f32(pd, rows * cols), ref, `transpose ${rows}x${cols}`);
  }
});

interface ConvCase {
  N: number;
  Ci: number;
  Co: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  pad: number;
}
const convCases: ConvCase[] = [
  { N: 1, Ci: 3, Co: 5, H: 7, W: 7, k: 3, stride: 1, pad: 1 },
  { N: 2, Ci: 5, Co: 6, H: 9, W: 11, k: 3, stride: 2, pad: 1 },
  { N: 3, Ci: 4, Co: 8, H: 8, W: 8, k: 1, stride: 1, pad: 0 },
  { N: 2, Ci: 6, Co: 3, H: 5, W: 5, k: 1, stride: 2, pad: 0 },
  { N: 2, Ci: 2, Co: 4, H: 6, W: 7, k: 3, stride: 1, pad: 0 },
  { N: 2, Ci: 3, Co: 7, H: 10, W: 9, k: 5, stride: 1, pad: 2 },
  { N: 2, Ci: 5, Co: 4, H: 8, W: 10, k: 2, stride: 2, pad: 0 },
  { N: 2, Ci: 7, Co: 9, H: 33, W: 33, k: 3, stride: 1, pad: 1 },
  { N: 2, Ci: 16, Co: 16, H: 32, W: 32, k: 3, stride: 1, pad: 1 },
  { N: 2, Ci: 16, Co: 16, H: 32, W: 32, k: 1, stride: 1, pad: 0 },
  { N: 2, Ci: 16, Co: 32, H: 32, W: 32, k: 3, stride: 2, pad: 1 },
  { N: 2, Ci: 3, Co: 16, H: 32, W: 32, k: 3, stride: 1, pad: 1 },
  { N: 1, Ci: 64, Co: 64, H: 8, W: 8, k: 3, stride: 1, pad: 1 },
  { N: 1, Ci: 6, Co: 10, H: 1, W: 1, k: 3, stride: 1, pad: 1 },
  { N: 2, Ci: 3, Co: 2, H: 4, W: 20, k: 3, stride: 3, pad: 2 },
];
for (let r = 0; r < 6; r++) {
  const kk = [1, 3, 3, 5][randInt(0, 3)]!,
    pad = randInt(0, (kk - 1) / 2 + (r % 2)),
    stride = randInt(1, 2);
  convCases.push({ N: randInt(1, 3), Ci: randInt(1, 9), Co: randInt(1, 13), H: randInt(kk, 19), W: randInt(kk, 19), k: kk, stride, pad });
}

test('conv2d_forward / grad_input / grad_weight (per-sample and summed) against the reference', () => {
  for (const c of convCases) {
    resetHeap();
    const g = convGeometry([c.N, c.Ci, c.H, c.W], [c.Co, c.Ci, c.k, c.k], { stride: c.stride, padding: c.pad });
    const { N, Ci, Co, H, W, K, P, Ho, Wo } = g;
    const tag = `conv N${N} ${Ci}->${Co} ${H}x${W} k${c.k} s${c.stride} p${c.pad}`;
    const x = randn(N * Ci * H * W),
      w = randn(Co * K),
      dy = randn(N * Co * P);
    const wT = new Float32Array(K * Co);
    for (let o = 0; o < Co; o++) for (let q = 0; q < K; q++) wT[q * Co + o] = w[o * K + q]!;
    const px = putF32(x),
      pw = putF32(w),
      pwT = putF32(wT),
      pdy = putF32(dy);
    const scratch = allocF32(K * P + 16);
    const geo = [Ci, H, W, Co, c.k, c.k, c.stride, c.pad, Ho, Wo];
    // all samples, then a sub-range [1, N) that must leave sample 0 alone
    for (const [n0, n1] of N > 1
      ? [
          [0, N],
          [1, N],
        ]
      : [[0, N]]) {
      const sentinel = 7.25;
      const py = allocF32(N * Co * P, sentinel),
        pdx = allocF32(N * Ci * H * W, sentinel);
      const pdwS = allocF32(N * Co * K, sentinel),
        pdw = allocF32(Co * K, 0);
      k.conv2d_forward(px, pw, py, ...geo, scratch, n0!, n1!);
      k.conv2d_grad_input(pdy, pwT, pdx, ...geo, scratch, n0!, n1!);
      k.conv2d_grad_weight(px, pdy, pdwS, ...geo, scratch, n0!, n1!, 1);
      k.conv2d_grad_weight(px, pdy, pdw, ...geo, scratch, n0!, n1!, 0);
      const y = conv2dForward(g, x, w, 'f32'),
        dx = conv2dGradInput(g, dy, w, 'f32');
      const dwS = conv2dGradWeight(g, x, dy, true, 'f32');
      const ys = Co * P,
        xs = Ci * H * W,
        ws = Co * K;
      checkSampleRange(tag, n0!, n1!, sentinel, [
        ['forward', py, ys, y],
        ['grad_input', pdx, xs, dx],
        ['grad_weight per-sample', pdwS, ws, dwS],
      ]);
      const sub = new Float32Array(ws);
      for (let n = n0!; n < n1!; n++) for (let i = 0; i < ws; i++) sub[i]! += dwS[n * ws + i]!;
      close(f32(pdw, ws), sub, `${tag} grad_weight summed [${n0},${n1})`);
    }
    // accumulation into a non-zero dw (perSample = 0 adds, never overwrites)
    const dw0 = randn(Co * K),
      pdwA = putF32(dw0);
    k.conv2d_grad_weight(px, pdy, pdwA, ...geo, scratch, 0, N, 0);
    const refSum = conv2dGradWeight(g, x, dy, false, 'f32');
    for (let i = 0; i < refSum.length; i++) refSum[i]! += dw0[i]!;
    close(f32(pdwA, Co * K), refSum, `${tag} grad_weight accumulates`);
  }
});

test('winograd F(2×2,3×3): forward, input gradient (rotated filters), per-sample filter gradients against the f64 reference, over sample ranges', () => {
  // NB201's and NB101's shapes (W/2 a multiple of 4), blocks of several samples (8×8) and of tile rows (32×32)
  const cases = [
    { N: 5, Ci: 8, Co: 12, H: 8, W: 8 },
    { N: 3, Ci: 16, Co: 16, H: 32, W: 32 },
    { N: 2, Ci: 32, Co: 24, H: 16, W: 16 },
    { N: 6, Ci: 64, Co: 64, H: 8, W: 8 },
    { N: 1, Ci: 12, Co: 8, H: 6, W: 24 },
  ];
  for (const c of cases) {
    resetHeap();
    const g = convGeometry([c.N, c.Ci, c.H, c.W], [c.Co, c.Ci, 3, 3], { stride: 1, padding: 1 });
    const { N, Ci, Co, H, W } = g;
    const tag = `winograd N${N} ${Ci}->${Co} ${H}x${W}`;
    const x = randn(N * Ci * H * W),
      w = randn(Co * Ci * 9),
      dy = randn(N * Co * H * W);
    const px = putF32(x),
      pw = putF32(w),
      pdy = putF32(dy);
    const pU = allocF32(k.winograd_weights_bytes(Co, Ci) / 4),
      pUT = allocF32(k.winograd_weights_bytes(Co, Ci) / 4);
    k.winograd_weights(pw, pU, Co, Ci, 0);
    k.winograd_weights(pw, pUT, Co, Ci, 1);
    const fwdScratch = allocF32(k.winograd_scratch(Ci, Co, H, W, 0) / 4),
      inScratch = allocF32(k.winograd_scratch(Co, Ci, H, W, 0) / 4),
      gradScratch = allocF32(k.winograd_scratch(Ci, Co, H, W, 1) / 4);
    const y = conv2dForward(g, x, w, 'f64'),
      dx = conv2dGradInput(g, dy, w, 'f64'),
      dwS = conv2dGradWeight(g, x, dy, true, 'f64');
    const ys = Co * H * W,
      xs = Ci * H * W,
      ws = Co * Ci * 9;
    for (const [n0, n1] of N > 1
      ? [
          [0, N],
          [1, N],
        ]
      : [[0, N]]) {
      const sentinel = 7.25;
      const py = allocF32(N * ys, sentinel),
        pdx = allocF32(N * xs, sentinel),
        pdw = allocF32(N * ws, sentinel);
      k.winograd_forward(px, pU, py, Ci, H, W, Co, fwdScratch, n0!, n1!);
      k.winograd_forward(pdy, pUT, pdx, Co, H, W, Ci, inScratch, n0!, n1!);
      k.winograd_grad_weight(px, pdy, pdw, Ci, H, W, Co, gradScratch, n0!, n1!);
      // a few ulps of the summands' magnitude, as direct f32 convolution (tolerance of the conv test above)
      checkSampleRange(tag, n0!, n1!, sentinel, [
        ['forward', py, ys, y],
        ['grad_input', pdx, xs, dx],
        ['grad_weight per-sample', pdw, ws, dwS],
      ]);
    }
  }
});

test('conv scratch: the drivers use at most K·P floats of scratch', () => {
  for (const c of convCases) {
    resetHeap();
    const g = convGeometry([c.N, c.Ci, c.H, c.W], [c.Co, c.Ci, c.k, c.k], { stride: c.stride, padding: c.pad });
    const { N, Ci, Co, H, W, K, P, Ho, Wo } = g;
    const px = putF32(randn(N * Ci * H * W)),
      pw = putF32(randn(Co * K)),
      pdy = putF32(randn(N * Co * P));
    const py = allocF32(N * Co * P),
      pdx = allocF32(N * Ci * H * W),
      pdw = allocF32(N * Co * K);
    const guard = 1.5,
      scratch = allocF32(K * P + 64, guard);
    const geo = [Ci, H, W, Co, c.k, c.k, c.stride, c.pad, Ho, Wo];
    k.conv2d_forward(px, pw, py, ...geo, scratch, 0, N);
    k.conv2d_grad_input(pdy, pw, pdx, ...geo, scratch, 0, N); // any [K,Co] operand will do here
    k.conv2d_grad_weight(px, pdy, pdw, ...geo, scratch, 0, N, 1);
    assert.ok(
      f32(scratch + K * P * 4, 64).every((v) => v === guard),
      `conv ${Ci}->${Co} ${H}x${W} k${c.k}: scratch overrun`,
    );
  }
});

interface DepthwiseCase {
  N: number;
  C: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  pad: number;
  dil: number;
}
/**
 * DARTS's shapes (sep/dil convs 3×3 and 5×5 at 32/16/8 pixels, stride 1 and 2), widths around the eight- and
 * four-lane groups (1–3, 4, 5, 7, 9, 13, 17, 33) so every tail runs, 1×1 and 1×N planes, kh ≠ kw, stride 3, and a
 * padding above d·(k − 1) (the input gradient's scatter path at stride 1).
 */
const depthwiseCases: DepthwiseCase[] = [
  { N: 2, C: 3, H: 32, W: 32, k: 3, stride: 1, pad: 1, dil: 1 },
  { N: 1, C: 2, H: 16, W: 16, k: 5, stride: 1, pad: 2, dil: 1 },
  { N: 2, C: 2, H: 8, W: 8, k: 3, stride: 1, pad: 2, dil: 2 },
  { N: 1, C: 3, H: 8, W: 8, k: 5, stride: 1, pad: 4, dil: 2 },
  { N: 2, C: 3, H: 32, W: 32, k: 3, stride: 2, pad: 1, dil: 1 },
  { N: 1, C: 2, H: 16, W: 16, k: 5, stride: 2, pad: 2, dil: 1 },
  { N: 2, C: 2, H: 32, W: 32, k: 3, stride: 2, pad: 2, dil: 2 },
  { N: 1, C: 2, H: 16, W: 16, k: 5, stride: 2, pad: 4, dil: 2 },
  { N: 3, C: 2, H: 7, W: 13, k: 3, stride: 1, pad: 1, dil: 1 },
  { N: 2, C: 3, H: 5, W: 17, k: 5, stride: 1, pad: 2, dil: 1 },
  { N: 2, C: 2, H: 9, W: 33, k: 3, stride: 2, pad: 1, dil: 1 },
  { N: 2, C: 2, H: 6, W: 9, k: 3, stride: 2, pad: 2, dil: 2 },
  { N: 2, C: 1, H: 1, W: 1, k: 3, stride: 1, pad: 1, dil: 1 },
  { N: 1, C: 2, H: 3, W: 2, k: 3, stride: 1, pad: 1, dil: 1 },
  { N: 2, C: 2, H: 1, W: 7, k: 1, stride: 1, pad: 0, dil: 1 },
  { N: 2, C: 3, H: 9, W: 5, k: 3, stride: 1, pad: 0, dil: 1 },
  { N: 1, C: 2, H: 10, W: 11, k: 3, stride: 3, pad: 1, dil: 2 },
  { N: 2, C: 2, H: 7, W: 7, k: 3, stride: 1, pad: 3, dil: 1 },
  { N: 2, C: 2, H: 4, W: 3, k: 1, stride: 2, pad: 1, dil: 1 },
];
for (let r = 0; r < 8; r++) {
  const kk = [1, 3, 5][randInt(0, 2)]!,
    dil = randInt(1, 2),
    stride = randInt(1, 3);
  const pad = randInt(0, (dil * (kk - 1)) / 2 + 1);
  const span = dil * (kk - 1) + 1 - 2 * pad;
  depthwiseCases.push({
    N: randInt(1, 3),
    C: randInt(1, 5),
    H: randInt(Math.max(span, 1), 20),
    W: randInt(Math.max(span, 1), 40),
    k: kk,
    stride,
    pad,
    dil,
  });
}

test('depthwise_conv2d_forward / grad_input / grad_weight (per-sample and summed) against the reference, over plane ranges', () => {
  for (const c of depthwiseCases) {
    resetHeap();
    const g = depthwiseGeometry([c.N, c.C, c.H, c.W], [c.C, 1, c.k, c.k], { stride: c.stride, padding: c.pad, dilation: c.dil });
    const { Ho, Wo } = g;
    const tag = `depthwise N${c.N} C${c.C} ${c.H}x${c.W} k${c.k} s${c.stride} p${c.pad} d${c.dil}`;
    const planes = c.N * c.C,
      xs = c.H * c.W,
      ys = Ho * Wo,
      taps = c.k * c.k;
    const x = randn(planes * xs),
      w = randn(c.C * taps),
      dy = randn(planes * ys);
    const px = putF32(x),
      pw = putF32(w),
      pdy = putF32(dy);
    const geo = [c.C, c.H, c.W, c.k, c.k, c.stride, c.pad, c.dil, Ho, Wo];
    const scratchBytes = k.depthwise_conv2d_scratch(c.H, c.W, c.k, c.k, c.stride, c.pad, c.dil, Ho, Wo);
    const guard = 1.5;
    const scratch = allocF32(scratchBytes / 4 + 64, guard);
    const y = depthwiseForward(g, x, w, 'f32'),
      dx = depthwiseGradInput(g, dy, w, 'f32'),
      dwS = depthwiseGradWeight(g, x, dy, true, 'f32');
    // all planes, then [1, planes − 1) (a slice of some other thread's), which must leave the rest alone
    for (const [q0, q1] of planes > 2
      ? [
          [0, planes],
          [1, planes - 1],
        ]
      : [[0, planes]]) {
      const sentinel = 7.25;
      // 16 floats past each output: a write past the last plane shows too
      const py = allocF32(planes * ys + 16, sentinel),
        pdx = allocF32(planes * xs + 16, sentinel),
        pdwS = allocF32(planes * taps + 16, sentinel);
      k.depthwise_conv2d_forward(px, pw, py, ...geo, scratch, q0!, q1!);
      k.depthwise_conv2d_grad_input(pdy, pw, pdx, ...geo, scratch, q0!, q1!);
      k.depthwise_conv2d_grad_weight(px, pdy, pdwS, ...geo, scratch, q0!, q1!, 1);
      const range = `${tag} planes [${q0}, ${q1})`;
      close(f32(py + q0! * ys * 4, (q1! - q0!) * ys), y.subarray(q0! * ys, q1! * ys), `${range} forward`);
      close(f32(pdx + q0! * xs * 4, (q1! - q0!) * xs), dx.subarray(q0! * xs, q1! * xs), `${range} grad_input`);
      close(f32(pdwS + q0! * taps * 4, (q1! - q0!) * taps), dwS.subarray(q0! * taps, q1! * taps), `${range} grad_weight per-sample`);
      for (const [p, n, what] of [
        [py, ys, 'forward'],
        [pdx, xs, 'grad_input'],
        [pdwS, taps, 'grad_weight'],
      ] as const) {
        assert.ok(
          f32(p, q0! * n).every((v) => v === sentinel) && f32(p + q1! * n * 4, (planes - q1!) * n + 16).every((v) => v === sentinel),
          `${range}: ${what} wrote outside its planes`,
        );
      }
      // summed: added into a non-zero dw[c], channel by channel
      const dw0 = randn(c.C * taps),
        pdw = putF32(dw0);
      k.depthwise_conv2d_grad_weight(px, pdy, pdw, ...geo, scratch, q0!, q1!, 0);
      const want = dw0.slice();
      for (let q = q0!; q < q1!; q++) for (let t = 0; t < taps; t++) want[(q % c.C) * taps + t]! += dwS[q * taps + t]!;
      close(f32(pdw, c.C * taps), want, `${range} grad_weight summed into dw`);
    }
    assert.ok(
      f32(scratch + scratchBytes, 64).every((v) => v === guard),
      `${tag}: scratch overrun past the ${scratchBytes} bytes depthwise_conv2d_scratch asks for`,
    );
  }
});

test('crop_spatial / crop_spatial_grad over plane ranges, bit for bit', () => {
  for (const [N, C, H, W, top, left] of [
    [2, 3, 5, 7, 1, 1],
    [1, 2, 32, 32, 1, 1],
    [3, 1, 4, 9, 3, 0],
    [2, 2, 6, 6, 0, 5],
    [1, 1, 1, 1, 0, 0],
  ] as const) {
    resetHeap();
    const g = cropGeometry([N, C, H, W], top, left);
    const planes = N * C,
      xs = H * W,
      ys = g.Ho * g.Wo;
    const x = randn(planes * xs),
      dy = randn(planes * ys);
    const px = putF32(x),
      pdy = putF32(dy);
    const y = new Float32Array(planes * ys),
      dx = new Float32Array(planes * xs);
    cropSpatial(g, x, y);
    cropSpatialGrad(g, dy, dx);
    const q0 = planes > 1 ? 1 : 0;
    const py = allocF32(planes * ys, 5),
      pdx = allocF32(planes * xs, 5);
    k.crop_spatial(px, py, H, W, top, left, q0, planes);
    k.crop_spatial_grad(pdy, pdx, H, W, top, left, q0, planes);
    const tag = `crop [${N},${C},${H},${W}] at (${top}, ${left})`;
    same(f32(py + q0 * ys * 4, (planes - q0) * ys), y.subarray(q0 * ys), `${tag} forward`);
    same(f32(pdx + q0 * xs * 4, (planes - q0) * xs), dx.subarray(q0 * xs), `${tag} grad`);
    if (q0) assert.ok(f32(py, ys).every((v) => v === 5) && f32(pdx, xs).every((v) => v === 5), `${tag}: wrote outside its planes`);
  }
});

test('relu, relu_grad, add, scale over element ranges', () => {
  for (const n of [1, 3, 4, 17, 64, 1001]) {
    resetHeap();
    const x = randWithZeros(n),
      dy = randn(n),
      b = randn(n);
    x[0] = n > 1 ? NaN : x[0]!;
    const i0 = n > 4 ? 2 : 0,
      i1 = n > 4 ? n - 1 : n;
    const px = putF32(x),
      pdy = putF32(dy),
      pb = putF32(b);
    const out = () => allocF32(n, 9);
    const py = out(),
      pdx = out(),
      pa = out(),
      ps = out();
    k.relu(px, py, i0, i1);
    k.relu_grad(pdy, px, pdx, i0, i1);
    k.add(px, pb, pa, i0, i1);
    const s = Math.fround(0.37);
    k.scale(px, s, ps, i0, i1);
    const expect = (f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => (i >= i0 && i < i1 ? f(i) : 9));
    same(
      f32(py, n),
      expect((i) => (x[i]! > 0 ? x[i]! : 0)),
      `relu n=${n}`,
    );
    same(
      f32(pdx, n),
      expect((i) => (x[i]! > 0 ? dy[i]! : 0)),
      `relu_grad n=${n}`,
    );
    same(
      f32(pa, n),
      expect((i) => x[i]! + b[i]!),
      `add n=${n}`,
    );
    close(
      f32(ps, n),
      expect((i) => x[i]! * s),
      `scale n=${n}`,
    );
    assert.ok(
      f32(py, n).every((v) => !Object.is(v, -0)),
      'relu gives +0, never −0',
    );
  }
});

test('sum: f64 accumulation', () => {
  for (const n of [0, 1, 5, 16, 1023, 100000]) {
    resetHeap();
    const x = randn(n, 1000);
    let ref = 0;
    for (const v of x) ref += v;
    const got = k.sum(putF32(x), n);
    assert.ok(Math.abs(got - ref) <= 1e-9 * Math.max(1, Math.abs(ref)) + 1e-6, `sum n=${n}: ${got} vs ${ref}`);
  }
});

interface PoolCase {
  planes: number;
  H: number;
  W: number;
  kernel: number;
  stride: number;
  padding: number;
}
const poolCases: PoolCase[] = [
  { planes: 3, H: 8, W: 8, kernel: 3, stride: 1, padding: 1 },
  { planes: 4, H: 7, W: 9, kernel: 3, stride: 1, padding: 1 },
  { planes: 2, H: 8, W: 8, kernel: 2, stride: 2, padding: 0 },
  { planes: 5, H: 9, W: 7, kernel: 3, stride: 2, padding: 1 },
  { planes: 2, H: 32, W: 32, kernel: 3, stride: 1, padding: 1 },
  { planes: 3, H: 5, W: 6, kernel: 3, stride: 1, padding: 0 },
  { planes: 1, H: 1, W: 1, kernel: 3, stride: 1, padding: 1 },
  { planes: 2, H: 11, W: 13, kernel: 5, stride: 3, padding: 2 },
  { planes: 3, H: 10, W: 11, kernel: 5, stride: 1, padding: 2 },
];

/**
 * PyTorch's CPU average pooling in f32, operation by operation: each window's valid cells summed from 0 in row-major
 * order, divided by their count; the backward scatters dy/count over each window, outputs in row-major order.
 */
function avgPoolF32(H: number, W: number, p: { kernel: number; stride: number; padding: number }, x: Float32Array, dy: Float32Array) {
  const Ho = poolOutputSize(H, p),
    Wo = poolOutputSize(W, p);
  const planes = x.length / (H * W);
  const y = new Float32Array(planes * Ho * Wo),
    dx = new Float32Array(planes * H * W);
  for (let q = 0; q < planes; q++)
    for (let oh = 0; oh < Ho; oh++)
      for (let ow = 0; ow < Wo; ow++) {
        const h0 = Math.max(oh * p.stride - p.padding, 0),
          h1 = Math.min(oh * p.stride - p.padding + p.kernel, H);
        const w0 = Math.max(ow * p.stride - p.padding, 0),
          w1 = Math.min(ow * p.stride - p.padding + p.kernel, W);
        const count = (h1 - h0) * (w1 - w0);
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s = Math.fround(s + x[(q * H + h) * W + w]!);
        const o = (q * Ho + oh) * Wo + ow;
        y[o] = Math.fround(s / count);
        const g = Math.fround(dy[o]! / count);
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[(q * H + h) * W + w] = Math.fround(dx[(q * H + h) * W + w]! + g);
      }
  return { y, dx };
}

test('avg_pool2d / avg_pool2d_grad (count_include_pad = false) over plane ranges, with and without the bordered-plane scratch', () => {
  for (const c of poolCases) {
    for (const bordered of [false, true]) {
      resetHeap();
      const p = { kernel: c.kernel, stride: c.stride, padding: c.padding };
      const Ho = poolOutputSize(c.H, p),
        Wo = poolOutputSize(c.W, p);
      const xs = c.H * c.W,
        ys = Ho * Wo;
      const x = randn(c.planes * xs),
        dy = randn(c.planes * ys);
      const p0 = c.planes > 2 ? 1 : 0,
        p1 = c.planes;
      const px = putF32(x),
        pdy = putF32(dy),
        py = allocF32(c.planes * ys, 5),
        pdx = allocF32(c.planes * xs, 5);
      const bytes = k.avg_pool2d_scratch(c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo);
      const same = c.stride === 1 && 2 * c.padding === c.kernel - 1;
      assert.is(bytes > 0, same, `scratch only for stride-1 "same" pools`);
      const scratch = bordered && bytes ? allocF32(bytes / 4, 7) : 0;
      k.avg_pool2d(px, py, c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo, p0, p1, scratch);
      k.avg_pool2d_grad(pdy, pdx, c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo, p0, p1, scratch);
      const y = new Float32Array(c.planes * ys),
        dx = new Float32Array(c.planes * xs);
      avgPool2d(c.planes, c.H, c.W, p, x, y);
      avgPool2dGrad(c.planes, c.H, c.W, p, dy, dx);
      const tag = `pool ${c.H}x${c.W} k${c.kernel} s${c.stride} p${c.padding}${scratch ? ' bordered' : ''}`;
      close(f32(py + p0 * ys * 4, (p1 - p0) * ys), y.subarray(p0 * ys), `${tag} forward`);
      close(f32(pdx + p0 * xs * 4, (p1 - p0) * xs), dx.subarray(p0 * xs), `${tag} grad`);
      if (scratch) {
        // the bordered kernels do PyTorch's f32 operations in PyTorch's order: bit for bit
        const torch = avgPoolF32(c.H, c.W, p, x, dy);
        assert.equal([...f32(py + p0 * ys * 4, (p1 - p0) * ys)], [...torch.y.subarray(p0 * ys)], `${tag} forward bits`);
        assert.equal([...f32(pdx + p0 * xs * 4, (p1 - p0) * xs)], [...torch.dx.subarray(p0 * xs)], `${tag} grad bits`);
      }
      if (p0 > 0) assert.ok(f32(py, ys).every((v) => v === 5) && f32(pdx, xs).every((v) => v === 5), `${tag}: wrote outside its planes`);
    }
  }
});

test('max_pool2d (values gathered at x’s argmaxes) / max_pool2d_grad over plane ranges: bit for bit, ties and NaN included', () => {
  for (const c of poolCases) {
    for (const tied of [false, true]) {
      resetHeap();
      const p = { kernel: c.kernel, stride: c.stride, padding: c.padding };
      const Ho = poolOutputSize(c.H, p),
        Wo = poolOutputSize(c.W, p);
      const xs = c.H * c.W,
        ys = Ho * Wo;
      // tied: three levels, so most windows tie, and a NaN in every 17 cells
      const x = tied ? Float32Array.from(randn(c.planes * xs), (v, i) => (i % 17 === 4 ? NaN : Math.round(v))) : randn(c.planes * xs);
      const v = randn(c.planes * xs),
        dy = randn(c.planes * ys);
      const p0 = c.planes > 2 ? 1 : 0,
        p1 = c.planes;
      const px = putF32(x),
        pv = putF32(v),
        pdy = putF32(dy),
        py = allocF32(c.planes * ys, 5),
        pyv = allocF32(c.planes * ys, 5),
        pdx = allocF32(c.planes * xs, 5);
      k.max_pool2d(px, px, py, c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo, p0, p1);
      k.max_pool2d(px, pv, pyv, c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo, p0, p1);
      k.max_pool2d_grad(px, pdy, pdx, c.H, c.W, c.kernel, c.stride, c.padding, Ho, Wo, p0, p1);
      const y = new Float32Array(c.planes * ys),
        yv = new Float32Array(c.planes * ys),
        dx = new Float32Array(c.planes * xs);
      maxPool2d(c.planes, c.H, c.W, p, x, x, y);
      maxPool2d(c.planes, c.H, c.W, p, x, v, yv);
      maxPool2dGrad(c.planes, c.H, c.W, p, x, dy, dx);
      const tag = `max pool ${c.H}x${c.W} k${c.kernel} s${c.stride} p${c.padding}${tied ? ' tied' : ''}`;
      same(f32(py + p0 * ys * 4, (p1 - p0) * ys), y.subarray(p0 * ys), `${tag} forward`);
      same(f32(pyv + p0 * ys * 4, (p1 - p0) * ys), yv.subarray(p0 * ys), `${tag} gathered values`);
      same(f32(pdx + p0 * xs * 4, (p1 - p0) * xs), dx.subarray(p0 * xs), `${tag} grad`);
      if (p0 > 0) assert.ok(f32(py, ys).every((v) => v === 5) && f32(pdx, xs).every((v) => v === 5), `${tag}: wrote outside its planes`);
    }
  }
});

test('copy_channels: a channel run per sample into another tensor’s channels, over sample ranges', () => {
  for (const c of [
    { N: 3, HW: 35, srcC: 5, srcStart: 1, dstC: 7, dstStart: 4, count: 3 },
    { N: 1, HW: 1, srcC: 1, srcStart: 0, dstC: 3, dstStart: 2, count: 1 },
    { N: 4, HW: 9, srcC: 6, srcStart: 0, dstC: 6, dstStart: 0, count: 6 },
    { N: 5, HW: 64, srcC: 3, srcStart: 2, dstC: 1, dstStart: 0, count: 1 },
  ]) {
    resetHeap();
    const src = randn(c.N * c.srcC * c.HW),
      dst = randn(c.N * c.dstC * c.HW);
    const ps = putF32(src),
      pd = putF32(dst);
    const n0 = c.N > 2 ? 1 : 0;
    k.copy_channels(ps, c.srcC, c.srcStart, pd, c.dstC, c.dstStart, c.count, c.HW, n0, c.N);
    const want = dst.slice();
    copyChannels({ ...c, N: c.N - n0 }, src.subarray(n0 * c.srcC * c.HW), want.subarray(n0 * c.dstC * c.HW));
    // the whole destination: the copied run changed, everything else (samples before n0 too) as it was
    same(f32(pd, dst.length), want, `copy_channels ${JSON.stringify(c)} from sample ${n0}`);
  }
});

test('global_avg_pool / global_avg_pool_grad', () => {
  for (const [planes, HW] of [
    [1, 1],
    [6, 64],
    [5, 7],
    [128, 49],
  ] as const) {
    resetHeap();
    const x = randn(planes * HW),
      dy = randn(planes);
    const px = putF32(x),
      pdy = putF32(dy),
      py = allocF32(planes, 3),
      pdx = allocF32(planes * HW, 3);
    const p0 = planes > 1 ? 1 : 0;
    k.global_avg_pool(px, py, HW, p0, planes);
    k.global_avg_pool_grad(pdy, pdx, HW, p0, planes);
    const y = new Float32Array(planes),
      dx = new Float32Array(planes * HW);
    globalAvgPool(planes, HW, x, y);
    globalAvgPoolGrad(planes, HW, dy, dx);
    close(f32(py + p0 * 4, planes - p0), y.subarray(p0), `global_avg_pool ${planes}x${HW}`);
    close(f32(pdx + p0 * HW * 4, (planes - p0) * HW), dx.subarray(p0 * HW), `global_avg_pool_grad ${planes}x${HW}`);
    if (p0) assert.is(f32(py, 1)[0], 3);
  }
});

test('bn_stats / bn_forward / bn_backward, channel and per-sample grouping, both backward modes', () => {
  const layouts = [
    { N: 1, C: 3, HW: 7 },
    { N: 3, C: 5, HW: 16 },
    { N: 2, C: 4, HW: 1 },
    { N: 4, C: 6, HW: 64 },
    { N: 2, C: 3, HW: 1023 },
  ];
  for (const l of layouts) {
    for (const grouping of ['channel', 'sample'] as const) {
      resetHeap();
      const per = grouping === 'sample' ? 1 : 0;
      const G = per ? l.N * l.C : l.C,
        n = l.N * l.C * l.HW;
      const x = Float32Array.from(randn(n, 3), (v) => v + 1.5),
        dy = randn(n);
      const gamma = randn(l.C),
        beta = randn(l.C);
      const tag = `bn N${l.N} C${l.C} HW${l.HW} ${grouping}`;
      const px = putF32(x),
        pdy = putF32(dy),
        pg = putF32(gamma),
        pb = putF32(beta);
      const pm = allocF32(G),
        pv = allocF32(G);
      k.bn_stats(px, l.N, l.C, l.HW, per, pm, pv);
      const st = bnStatistics(l, grouping, x);
      close(f32(pm, G), st.mean, `${tag} mean`);
      close(f32(pv, G), st.variance, `${tag} variance`);
      // forward / backward with the reference's f32 statistics
      const mean = Float32Array.from(st.mean),
        invstd = Float32Array.from(st.variance, (v) => 1 / Math.sqrt(v + 1e-5));
      const pmean = putF32(mean),
        pinv = putF32(invstd);
      const py = allocF32(n);
      k.bn_forward(px, py, l.N, l.C, l.HW, per, pmean, pinv, pg, pb);
      const y = new Float32Array(n);
      const saved = (statsFromInput: boolean) => ({ x, mean, invStd: invstd, gamma, grouping, statsFromInput });
      bnForward(l, saved(true), beta, y);
      close(f32(py, n), y, `${tag} forward`);
      for (const fromInput of [true, false]) {
        const pdx = allocF32(n, 4),
          pdgam = allocF32(l.C, 4),
          pdbet = allocF32(l.C, 4);
        k.bn_backward(pdy, px, pdx, l.N, l.C, l.HW, per, fromInput ? 1 : 0, pmean, pinv, pg, pdgam, pdbet);
        const dx = new Float32Array(n),
          dgamma = new Float32Array(l.C),
          dbeta = new Float32Array(l.C);
        bnBackward(l, dy, saved(fromInput), { dx, dgamma, dbeta });
        close(f32(pdx, n), dx, `${tag} backward dx (statsFromInput ${fromInput})`);
        close(f32(pdgam, l.C), dgamma, `${tag} dgamma`);
        close(f32(pdbet, l.C), dbeta, `${tag} dbeta`);
      }
    }
  }
});

test('add_row_vector, sum_rows, outer_per_sample', () => {
  const be = new ReferenceBackend();
  for (const [M, N] of [
    [1, 1],
    [3, 10],
    [64, 10],
    [7, 33],
    [16, 64],
  ] as const) {
    resetHeap();
    const a = randn(M * N),
      v = randn(N);
    const pa = putF32(a),
      pv = putF32(v),
      py = allocF32(M * N),
      ps = allocF32(N);
    k.add_row_vector(pa, pv, py, M, N);
    k.sum_rows(pa, M, N, ps);
    same(f32(py, M * N), be.toHost(be.addRowVector(be.fromHost(a, [M, N]), be.fromHost(v, [N]))), `add_row_vector ${M}x${N}`);
    close(f32(ps, N), be.toHost(be.sumRows(be.fromHost(a, [M, N]))), `sum_rows ${M}x${N}`, 1e-7);
  }
  for (const [N, O, I] of [
    [1, 1, 1],
    [3, 10, 64],
    [2, 5, 7],
    [4, 3, 17],
  ] as const) {
    resetHeap();
    const dy = randn(N * O),
      x = randn(N * I);
    const py = allocF32(N * O * I);
    k.outer_per_sample(putF32(dy), putF32(x), py, N, O, I);
    same(
      f32(py, N * O * I),
      be.toHost(be.outerPerSample(be.fromHost(dy, [N, O]), be.fromHost(x, [N, I]))),
      `outer_per_sample ${N}x${O}x${I}`,
    );
  }
});

test('softmax_ce / softmax_ce_grad', () => {
  for (const [N, K, scale] of [
    [1, 1, 1],
    [5, 10, 1],
    [64, 10, 5],
    [3, 7, 80],
    [2, 100, 30],
    [4, 3, 1e-3],
  ] as const) {
    resetHeap();
    const logits = randn(N * K, scale);
    const labels = Int32Array.from({ length: N }, () => randInt(0, K - 1));
    const pl = putF32(logits),
      plab = putI32(labels),
      ploss = allocF32(N),
      pprob = allocF32(N * K),
      pd = allocF32(N * K);
    k.softmax_ce(pl, plab, N, K, ploss, pprob);
    const losses = new Float32Array(N),
      probs = new Float32Array(N * K);
    softmaxCrossEntropy(N, K, logits, labels, losses, probs);
    close(f32(ploss, N), losses, `softmax_ce losses N${N} K${K} scale ${scale}`, 1e-6);
    close(f32(pprob, N * K), probs, `softmax_ce probs N${N} K${K} scale ${scale}`, 1e-6);
    const weight = Math.fround(1 / N);
    k.softmax_ce_grad(pprob, plab, N, K, weight, pd);
    const d = new Float32Array(N * K);
    softmaxCrossEntropyGrad(N, K, f32(pprob, N * K).slice(), labels, weight, d);
    same(f32(pd, N * K), d, `softmax_ce_grad N${N} K${K}`);
  }
});

test('sign_sum and signs_i8: exact, sign(0) = 0; the flag is set exactly when a gradient is NaN or ±Inf', () => {
  for (const [B, numel] of [
    [1, 1],
    [3, 17],
    [64, 100],
    [5, 1000],
    [2, 16],
  ] as const) {
    for (const bad of [undefined, NaN, Infinity, -Infinity]) {
      resetHeap();
      const grads = randWithZeros(B * numel);
      // the bad value lands in a SIMD block or in the scalar tail, depending on the shape
      if (bad !== undefined) grads[(B * numel * 7) >> 3] = bad;
      const tag = `${B}x${numel} ${bad ?? 'finite'}`;
      const pg = putF32(grads);
      const sums0 = Int32Array.from({ length: numel }, () => randInt(-5, 5));
      const ps = putI32(sums0),
        flag = putI32(new Int32Array(1));
      k.sign_sum(pg, B, numel, ps, 0, numel, flag);
      const ref = new Int32Array(numel);
      const refBad = signSum(grads, B, numel, ref, 0);
      same(
        i32(ps, numel),
        sums0.map((s, i) => s + ref[i]!),
        `sign_sum ${tag}`,
      );
      assert.is(i32(flag, 1)[0], bad === undefined ? 0 : 1, `sign_sum flag ${tag}`);
      assert.is(refBad, bad !== undefined, `reference signSum ${tag}`);
      const rowBytes = packedRowBytes(numel),
        po = (alloc(B * rowBytes + 16) + 15) & ~15,
        flag2 = putI32(new Int32Array(1));
      new Uint8Array(memory.buffer, po, B * rowBytes).fill(0xa5); // the kernel writes every byte, padding too
      k.signs_pack(pg, B, numel, po, rowBytes, flag2);
      same(unpackSigns(po, B, numel, `signs_pack ${tag}`), signsOf(grads), `signs_pack ${tag}`);
      assert.is(i32(flag2, 1)[0], bad === undefined ? 0 : 1, `signs_pack flag ${tag}`);
    }
    // a column range [k0, k1) of the sums, as one thread's share
    resetHeap();
    const grads = randWithZeros(B * numel);
    const pg = putF32(grads);
    const sums0 = Int32Array.from({ length: numel }, () => randInt(-5, 5));
    const ps = putI32(sums0);
    const k0 = numel > 3 ? 1 : 0,
      k1 = numel > 3 ? numel - 2 : numel;
    k.sign_sum(pg, B, numel, ps, k0, k1, putI32(new Int32Array(1)));
    const ref = new Int32Array(numel);
    signSum(grads, B, numel, ref, 0);
    same(
      i32(ps, numel),
      sums0.map((s, i) => (i >= k0 && i < k1 ? s + ref[i]! : s)),
      `sign_sum ${B}x${numel} [${k0}, ${k1})`,
    );
  }
});

/** Packs grads [B, numel] with signs_pack; returns the rows' address and their signs as int8. */
function packed(grads: Float32Array, B: number, numel: number): { pS: number; S: Int8Array; rowBytes: number } {
  const rowBytes = packedRowBytes(numel),
    pS = (alloc(B * rowBytes + 16) + 15) & ~15;
  k.signs_pack(putF32(grads), B, numel, pS, rowBytes, putI32(new Int32Array(1)));
  return { pS, S: signsOf(grads), rowBytes };
}

test('class_gram: exact, against the reference and brute force', () => {
  for (const [B, numel, classes] of [
    [1, 5, 1],
    [10, 37, 3],
    [64, 300, 10],
    [9, 5000, 2],
    [40, 4096 + 17, 4],
    [300, 40, 1],
    [6, 64, 2],
    [7, 128 + 64 * 1024, 2], // past one column block (1024 groups of 64)
  ] as const) {
    resetHeap();
    const { pS, S, rowBytes } = packed(randWithZeros(B * numel), B, numel);
    const labels = Int32Array.from({ length: B }, () => randInt(0, classes - 1));
    const members: number[][] = [];
    for (let c = 0; c < classes; c++) members.push([...labels.keys()].filter((i) => labels[i] === c).reverse());
    const grams = members.map((m) => Float64Array.from({ length: m.length * m.length }, () => randInt(-3, 3)));
    const start = grams.map((G) => G.slice());
    members.forEach((rows, c) => {
      const n = rows.length;
      const pr = putI32(rows),
        pG = allocF64(n * n);
      f64(pG, n * n).set(grams[c]!);
      k.class_gram(pS, rowBytes, rowBytes / 16, pr, n, pG);
      grams[c] = f64(pG, n * n).slice();
      // brute force: what the Gram gained sums to ‖Σ rows‖²
      const t = new Float64Array(numel);
      for (const r of rows) for (let j = 0; j < numel; j++) t[j]! += S[r * numel + j]!;
      const sq = t.reduce((s, v) => s + v * v, 0);
      const gained = grams[c]!.reduce((s, v, i) => s + v - start[c]![i]!, 0);
      assert.is(gained, sq, `class_gram ${B}x${numel} class ${c} (n=${n}): Σ G = ‖Σ rows‖²`);
    });
    classGram(S, numel, members, start);
    start.forEach((G, c) => same(grams[c]!, G, `class_gram ${B}x${numel} class ${c}`));
  }
});

test('class_gram: all-agreeing and all-opposite rows give ±numel, zero rows 0', () => {
  resetHeap();
  const numel = 70001;
  const row = Float32Array.from({ length: numel }, () => (rand() < 0.5 ? -1 : 1) * (0.5 + rand()));
  const grads = new Float32Array(4 * numel);
  grads.set(row, 0);
  grads.set(row, numel); // the same signs
  grads.set(
    row.map((v) => -v),
    2 * numel,
  ); // every sign flipped; row 3 stays all zero
  const { pS, rowBytes } = packed(grads, 4, numel);
  const pG = allocF64(16);
  k.class_gram(pS, rowBytes, rowBytes / 16, putI32([0, 1, 2, 3]), 4, pG);
  same(
    f64(pG, 16),
    Float64Array.from([numel, numel, -numel, 0, numel, numel, -numel, 0, -numel, -numel, numel, 0, 0, 0, 0, 0]),
    'class_gram ±numel',
  );
});

test('two instances on one shared memory: a second one here and one in a worker thread, row halves concurrently', async () => {
  resetHeap();
  const M = 64,
    N = 256,
    K = 144;
  const A = randn(M * K),
    B = randn(K * N);
  const pa = putF32(A),
    pb = putF32(B),
    pc = allocF32(M * N),
    pc2 = allocF32(M * N);
  const second = new WebAssembly.Instance(wasmModule, { env: { memory } }).exports as unknown as Kernels;
  k.gemm(M, N, K, pa, pb, pc, 0, 0, M / 2);
  second.gemm(M, N, K, pa, pb, pc, 0, M / 2, M);
  const ref = new Float32Array(M * N);
  gemmNN(M, N, K, A, 0, B, 0, ref, 0);
  close(f32(pc, M * N), ref, 'two instances, one thread');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { module, memory, args } = workerData;
     const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
     k.gemm(...args);
     parentPort.postMessage('done');`,
    { eval: true, workerData: { module: wasmModule, memory, args: [M, N, K, pa, pb, pc2, 0, M / 2, M] } },
  );
  const done = new Promise<string>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  k.gemm(M, N, K, pa, pb, pc2, 0, 0, M / 2);
  assert.is(await done, 'done');
  await worker.terminate();
  close(f32(pc2, M * N), ref, 'two instances, two threads');
});

test('the embedded module is what scripts/build-wasm.mjs builds from assembly/ now', () => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
  assert.is(r.status, 0, `build-wasm --check failed:\n${r.stdout}${r.stderr}`);
});

test.run();
