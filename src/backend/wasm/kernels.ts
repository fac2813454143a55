/**
 * The AssemblyScript kernel module (assembly/, embedded as base64 by scripts/build-wasm.mjs): compiled once per
 * process, instantiated on one shared memory per thread. Its exports are typed in kernel_list.ts (generated).
 */
import type { KernelExports } from './kernel_list.js';
import { KERNELS_WASM_BASE64 } from './kernels_wasm.js';

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
    let r = 0,
      shift = 0,
      b: number;
    do {
      b = out[p++]!;
      r |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return r >>> 0;
  };
  while (p < out.length) {
    const id = out[p++]!,
      size = leb(),
      end = p + size;
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
