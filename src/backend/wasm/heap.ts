/**
 * Tensor storage in the shared wasm memory: a bump allocator with nested scopes. Everything allocated
 * inside a scope is freed when it ends, so a scoring pass leaves the heap where it found it and memory
 * stops growing after the largest architecture. Blocks released early (gradients a backward pass has
 * consumed) go to a free list and are reused by later allocations of the same scope. The memory grows
 * (never shrinks) on demand; views are made afresh from `memory.buffer` each time, since growing replaces
 * the buffer.
 */
import { OutOfMemoryError } from '../backend.js';
import { MEMORY_MAXIMUM_PAGES as MAXIMUM_PAGES } from './kernels.js';

const BASE = 1024; // address 0 stays unused, so a null pointer is never a valid operand

const ALIGN = 16;
const roundUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN; // arithmetic, not bit ops: offsets pass 2^31

interface Block {
  p: number;
  bytes: number;
}

export class WasmHeap {
  private top = BASE;
  /** Released blocks below `top`, reusable while their scope lasts. */
  private free: Block[] = [];
  /** Start of the innermost scope: blocks below it belong to outer scopes and are not handed out here. */
  private floor = BASE;
  /** Reused blocks handed out whole, by address: their real size, which a later release must give back. */
  private wholeBlocks = new Map<number, number>();
  private highWater = BASE;

  constructor(private readonly memory: WebAssembly.Memory) {}

  /** Bytes in use. */
  get used(): number {
    return this.top;
  }

  /** The most bytes in use since the heap began or since resetPeak(). */
  get peak(): number {
    return this.highWater;
  }

  resetPeak(): void {
    this.highWater = this.top;
  }

  /** Bytes of memory reserved so far (it only grows). */
  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  alloc(bytes: number): number {
    const size = roundUp(Math.max(bytes, 1));
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.bytes >= size && b.p >= this.floor && (best < 0 || b.bytes < this.free[best]!.bytes)) best = i;
    }
    if (best >= 0) {
      const b = this.free[best]!;
      if (b.bytes - size >= 4096) this.free[best] = { p: b.p + size, bytes: b.bytes - size };
      else {
        this.free.splice(best, 1);
        this.wholeBlocks.set(b.p, b.bytes);
      }
      return b.p;
    }
    const p = roundUp(this.top);
    const end = p + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const need = Math.ceil((end - have) / 65536);
      const room = MAXIMUM_PAGES - have / 65536;
      if (need > room) {
        throw new OutOfMemoryError(
          `wasm backend: out of memory (${(end / 2 ** 20).toFixed(0)} MiB needed, ${MAXIMUM_PAGES / 16} MiB at most); use a smaller --chunk or batch`,
        );
      }
      // Growing a shared memory costs per call, and fresh pages fault in: grow in steps of 64 MiB.
      this.memory.grow(Math.min(Math.max(need, 1024), room));
    }
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return p;
  }

  /**
   * Gives a block back before its scope ends (the caller guarantees it is not used again). The block on
   * top of the heap lowers it; any other joins the free list.
   */
  release(p: number, bytes: number): void {
    const size = Math.max(roundUp(Math.max(bytes, 1)), this.wholeBlocks.get(p) ?? 0);
    if (p < this.floor || p + size > this.top) return; // not this scope's, or already gone
    this.wholeBlocks.delete(p);
    this.free.push({ p, bytes: size });
    // Lower the top past every free block that ends there.
    this.free.sort((a, b) => a.p - b.p);
    while (this.free.length > 0) {
      const last = this.free[this.free.length - 1]!;
      if (last.p + last.bytes < this.top) break;
      this.top = last.p;
      this.free.pop();
    }
  }

  /** Runs fn; everything it allocates is freed afterwards (its result must not hold heap tensors). */
  scope<T>(fn: () => T): T {
    const mark = this.top,
      floor = this.floor;
    this.floor = mark;
    try {
      return fn();
    } finally {
      this.top = mark;
      this.floor = floor;
      this.free = this.free.filter((b) => b.p < mark);
      for (const p of this.wholeBlocks.keys()) if (p >= mark) this.wholeBlocks.delete(p);
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
