/**
 * Tensor storage in the shared wasm memory: a bump allocator with nested scopes. Everything allocated
 * inside a scope is freed when it ends, so a scoring pass leaves the heap where it found it and memory
 * stops growing after the largest architecture. The memory grows (never shrinks) on demand; views are made
 * afresh from `memory.buffer` each time, since growing replaces the buffer.
 */
import { MEMORY_MAXIMUM_PAGES as MAXIMUM_PAGES } from './kernels.js';

const BASE = 1024; // address 0 stays unused, so a null pointer is never a valid operand

export class WasmHeap {
  private top = BASE;

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Bytes in use. */
  get used(): number {
    return this.top;
  }

  /** Bytes of memory reserved so far (it only grows). */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  alloc(bytes: number): number {
    const p = (this.top + 15) & ~15;
    const end = p + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const need = Math.ceil((end - have) / 65536);
      const room = MAXIMUM_PAGES - have / 65536;
      if (need > room) {
        throw new RangeError(`wasm backend: out of memory (${(end / 2 ** 20).toFixed(0)} MiB needed, ${MAXIMUM_PAGES / 16} MiB at most); use a smaller --chunk or batch`);
      }
      // Growing a shared memory costs per call, and fresh pages fault in: grow in steps of 64 MiB.
      this.memory.grow(Math.min(Math.max(need, 1024), room));
    }
    this.top = end;
    return p;
  }

  /** Runs fn; everything it allocates is freed afterwards (its result must not hold heap tensors). */
  scope<T>(fn: () => T): T {
    const mark = this.top;
    try {
      return fn();
    } finally {
      this.top = mark;
    }
  }

  f32(p: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, p, n);
  }

  f64(p: number, n: number): Float64Array {
    return new Float64Array(this.memory.buffer, p, n);
  }

  i32(p: number, n: number): Int32Array {
    return new Int32Array(this.memory.buffer, p, n);
  }

  i8(p: number, n: number): Int8Array {
    return new Int8Array(this.memory.buffer, p, n);
  }

  /** Copies host data in; returns its pointer. */
  put(data: Float32Array | Int32Array | Float64Array | Int8Array): number {
    const p = this.alloc(data.byteLength);
    if (data instanceof Float32Array) this.f32(p, data.length).set(data);
    else if (data instanceof Int32Array) this.i32(p, data.length).set(data);
    else if (data instanceof Float64Array) this.f64(p, data.length).set(data);
    else this.i8(p, data.length).set(data);
    return p;
  }
}
