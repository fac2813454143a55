/**
 * The scoring thread's end of the GPU: hands out buffer ids, queues commands and sends them in batches; a
 * read sends what is queued and blocks on Atomics.wait until the GPU thread has copied the bytes back. So
 * the autodiff stays synchronous and the GPU sees long batches of dispatches between reads.
 */
import {
  REPLY_DONE,
  REPLY_FAILED,
  REPLY_HEADER,
  REPLY_MIN_BYTES,
  REPLY_PENDING,
  type AdapterSummary,
  type ClientMessage,
  type Command,
  type GpuPort,
  type KernelTimings,
  type ServerMessage,
} from './protocol.js';
import type { KernelName } from './shaders_wgsl.js';
import { BackendLostError } from '../backend/backend.js';

/** Commands per message: long enough to amortise the message, short enough to keep the GPU busy. */
const BATCH = 512;

export interface GpuLinkOptions {
  /** Longest wait for one read before giving up with an error (a lost device must never hang a run). */
  readTimeoutMs?: number;
}

export class GpuLink {
  private nextId = 1;
  private queue: Command[] = [];
  private transfers: ArrayBuffer[] = [];
  private closed = false;
  /** Reads so far (each one a round trip that drains the GPU queue): what to drive down on a real GPU. */
  reads = 0;
  batches = 0;
  private readonly readTimeoutMs: number;

  private constructor(
    private readonly port: GpuPort,
    readonly adapter: AdapterSummary,
    private readonly onClosed: Promise<void>,
    options: GpuLinkOptions,
  ) {
    this.readTimeoutMs = options.readTimeoutMs ?? 600_000;
  }

  /** Waits for the GPU thread's `ready` (or its failure, as an error naming the reason). */
  static connect(port: GpuPort, options: GpuLinkOptions = {}): Promise<GpuLink> {
    return new Promise((resolve, reject) => {
      let closedResolve: () => void = () => {};
      const onClosed = new Promise<void>((r) => {
        closedResolve = r;
      });
      port.listen((message) => {
        const m = message as ServerMessage;
        if (m.op === 'ready') resolve(new GpuLink(port, m.adapter, onClosed, options));
        else if (m.op === 'failed') reject(new Error(`WebGPU: ${m.message}`));
        else if (m.op === 'closed') closedResolve();
      });
    });
  }

  private live(): void {
    if (this.closed) throw new Error('WebGPU backend: used after close()');
  }

  private push(c: Command): void {
    this.live();
    this.queue.push(c);
    if (this.queue.length >= BATCH) this.flush();
  }

  flush(): void {
    if (this.queue.length === 0) return;
    const message: ClientMessage = { op: 'batch', commands: this.queue };
    this.batches++;
    this.port.post(message, this.transfers);
    this.queue = [];
    this.transfers = [];
  }

  /** A new GPU buffer of `bytes` (rounded up to 4), zero-filled. */
  create(bytes: number): number {
    const id = this.nextId++;
    this.push({ op: 'create', id, bytes: Math.max(4, Math.ceil(bytes / 4) * 4) });
    return id;
  }

  /** A new GPU buffer holding a copy of data. */
  upload(data: ArrayBufferView): number {
    const id = this.nextId++;
    const copy = new Uint8Array(Math.max(4, Math.ceil(data.byteLength / 4) * 4));
    copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.transfers.push(copy.buffer);
    this.push({ op: 'create', id, bytes: copy.byteLength, data: copy.buffer });
    return id;
  }

  copy(src: number, srcOffset: number, dst: number, dstOffset: number, bytes: number): void {
    this.push({ op: 'copy', src, srcOffset, dst, dstOffset, bytes });
  }

  free(id: number): void {
    if (!this.closed) this.push({ op: 'free', id });
  }

  run(kernel: KernelName, uniforms: Uint32Array, buffers: number[], groups: [number, number, number]): void {
    this.push({ op: 'run', kernel, uniforms, buffers, groups });
  }

  /** Blocks until the GPU thread answers `reply`; throws its error. */
  private wait(reply: SharedArrayBuffer): SharedArrayBuffer {
    const head = new Int32Array(reply, 0, 2);
    const deadline = Date.now() + this.readTimeoutMs;
    while (Atomics.load(head, 0) === REPLY_PENDING) {
      const gone = this.port.gone?.();
      if (gone) throw new BackendLostError(`WebGPU: ${gone} while a read waited; the backend cannot be used any more`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new BackendLostError(
          `WebGPU: no answer from the GPU thread in ${Math.round(this.readTimeoutMs / 1000)} s (device hung or lost)`,
        );
      Atomics.wait(head, 0, REPLY_PENDING, Math.min(left, 250));
    }
    if (Atomics.load(head, 0) === REPLY_FAILED) throw new Error(`WebGPU: ${this.text(reply)}`);
    if (Atomics.load(head, 0) !== REPLY_DONE) throw new Error('WebGPU: malformed reply');
    return reply;
  }

  private text(reply: SharedArrayBuffer): string {
    return new TextDecoder().decode(new Uint8Array(reply, REPLY_HEADER, new Int32Array(reply, 0, 2)[1]!).slice());
  }

  /** The first `bytes` of buffer id, after everything queued before has run. */
  read(id: number, bytes: number): ArrayBuffer {
    const reply = new SharedArrayBuffer(REPLY_HEADER + Math.max(bytes, REPLY_MIN_BYTES));
    this.push({ op: 'read', id, bytes, reply });
    this.reads++;
    this.flush();
    this.wait(reply);
    const out = new ArrayBuffer(bytes);
    new Uint8Array(out).set(new Uint8Array(reply, REPLY_HEADER, bytes));
    return out;
  }

  /** Per-kernel GPU timing from now on (needs adapter.timestamps); `timings()` reads the sums. */
  profile(on: boolean): void {
    this.live();
    this.flush();
    this.port.post({ op: 'profile', on } satisfies ClientMessage);
  }

  /** GPU time per kernel since profile(true), after everything queued has run. */
  timings(): KernelTimings {
    this.live();
    this.flush();
    const reply = new SharedArrayBuffer(REPLY_HEADER + (1 << 16));
    this.port.post({ op: 'timings', reply } satisfies ClientMessage);
    return JSON.parse(this.text(this.wait(reply))) as KernelTimings;
  }

  /** Runs what is queued, waits for the GPU to finish, destroys the device. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.port.post({ op: 'close' } satisfies ClientMessage);
    await this.onClosed;
  }
}
