/**
 * The AssemblyScript kernel module (assembly/, embedded as base64 by scripts/build-wasm.mjs): its exports,
 * compiled once per process, instantiated on one shared memory per thread.
 */
import { KERNELS_WASM_BASE64 } from './kernels_wasm.js';

type P = number; // a byte offset into the shared memory

/** The kernel ABI (see assembly/index.ts). All pointers address f32 arrays unless noted. */
export interface KernelExports {
  gemm(M: number, N: number, K: number, A: P, B: P, C: P, acc: number, m0: number, m1: number): void;
  transpose(src: P, rows: number, cols: number, dst: P): void;
  conv2d_forward(x: P, w: P, y: P, Ci: number, H: number, W: number, Co: number, kh: number, kw: number,
    stride: number, pad: number, Ho: number, Wo: number, scratch: P, n0: number, n1: number): void;
  conv2d_grad_input(dy: P, wT: P, dx: P, Ci: number, H: number, W: number, Co: number, kh: number, kw: number,
    stride: number, pad: number, Ho: number, Wo: number, scratch: P, n0: number, n1: number): void;
  conv2d_grad_weight(x: P, dy: P, dw: P, Ci: number, H: number, W: number, Co: number, kh: number, kw: number,
    stride: number, pad: number, Ho: number, Wo: number, scratch: P, n0: number, n1: number, perSample: number): void;
  relu(x: P, y: P, i0: number, i1: number): void;
  relu_grad(dy: P, x: P, dx: P, i0: number, i1: number): void;
  add(a: P, b: P, y: P, i0: number, i1: number): void;
  scale(a: P, s: number, y: P, i0: number, i1: number): void;
  sum(x: P, n: number): number;
  avg_pool2d(x: P, y: P, H: number, W: number, k: number, stride: number, pad: number, Ho: number, Wo: number, p0: number, p1: number): void;
  avg_pool2d_grad(dy: P, dx: P, H: number, W: number, k: number, stride: number, pad: number, Ho: number, Wo: number, p0: number, p1: number): void;
  global_avg_pool(x: P, y: P, HW: number, p0: number, p1: number): void;
  global_avg_pool_grad(dy: P, dx: P, HW: number, p0: number, p1: number): void;
  bn_stats(x: P, N: number, C: number, HW: number, perSample: number, mean: P, variance: P): void;
  bn_forward(x: P, y: P, N: number, C: number, HW: number, perSample: number, mean: P, invstd: P, gamma: P, beta: P): void;
  bn_backward(dy: P, x: P, dx: P, N: number, C: number, HW: number, perSample: number, statsFromInput: number,
    mean: P, invstd: P, gamma: P, dgamma: P, dbeta: P): void;
  add_row_vector(a: P, v: P, y: P, M: number, N: number): void;
  sum_rows(a: P, M: number, N: number, y: P): void;
  outer_per_sample(dy: P, x: P, y: P, N: number, O: number, I: number): void;
  softmax_ce(logits: P, labels: P, N: number, K: number, losses: P, probs: P): void;
  softmax_ce_grad(probs: P, labels: P, N: number, K: number, weight: number, dlogits: P): void;
  /** flag (i32) = 1 when a gradient is NaN or ±Inf, untouched otherwise (also in signs_i8). */
  sign_sum(grads: P, B: number, numel: number, sums: P, k0: number, k1: number, flag: P): void;
  signs_i8(grads: P, count: number, out: P, flag: P): void;
  class_gram(S: P, numel: number, rows: P, n: number, G: P): void;
  class_sign_sq_norm(S: P, numel: number, rows: P, n: number): number;
}

export type KernelName = { [K in keyof KernelExports]: KernelExports[K] extends (...a: never[]) => void ? K : never }[keyof KernelExports];

/** 64 KiB pages: 16 MiB to start, up to just under 2 GiB, so every byte offset stays a positive int32. */
export const MEMORY_INITIAL_PAGES = 256;
export const MEMORY_MAXIMUM_PAGES = 32767;

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * The module with its memory import marked unshared, for runtimes without shared memory (a browser page that
 * is not cross-origin isolated). The kernels use no atomics, so the only difference is that limits bit.
 */
function unsharedVariant(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = bytes.slice();
  let p = 8;
  const leb = (): number => {
    let r = 0, shift = 0, b: number;
    do { b = out[p++]!; r |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return r >>> 0;
  };
  while (p < out.length) {
    const id = out[p++]!, size = leb(), end = p + size;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const moduleName = leb();
        p += moduleName;
        const fieldName = leb();
        p += fieldName;
        const kind = out[p++]!;
        if (kind !== 2) throw new Error('kernel module: unexpected non-memory import');
        out[p] = out[p]! & ~0x02; // limits flags: clear "shared"
        return out;
      }
    }
    p = end;
  }
  throw new Error('kernel module: no memory import found');
}

/** The compiled kernel module (compiled once per variant, shareable with workers). */
export function kernelModule(shared = true): Promise<WebAssembly.Module> {
  let m = compiled.get(shared);
  if (!m) {
    const bytes = decodeBase64(KERNELS_WASM_BASE64);
    m = WebAssembly.compile(shared ? bytes : unsharedVariant(bytes));
    compiled.set(shared, m);
  }
  return m;
}

/** Whether this runtime can create shared wasm memory (SharedArrayBuffer is exposed). */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: MEMORY_INITIAL_PAGES, maximum: MEMORY_MAXIMUM_PAGES, shared: true });
}

export function createMemory(shared: boolean): WebAssembly.Memory {
  return shared ? createSharedMemory() : new WebAssembly.Memory({ initial: MEMORY_INITIAL_PAGES, maximum: MEMORY_MAXIMUM_PAGES });
}

export async function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
