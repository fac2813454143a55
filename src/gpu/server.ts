/// <reference types="@webgpu/types" />
/**
 * The thread that owns the GPU: takes a `GPU` object by injection (webgpu's create() in Node, navigator.gpu
 * in Deno and browsers), answers one GpuLink over a port. Each batch of commands becomes one command
 * encoder and one submit; dispatches share compute passes; buffers come from a size-bucketed pool and go
 * back to it only after the submit that last used them; pipelines are compiled once per kernel.
 */
import {
  REPLY_DONE,
  REPLY_FAILED,
  REPLY_HEADER,
  UNIFORM_SLOT_BYTES,
  type AdapterSummary,
  type ClientMessage,
  type Command,
  type GpuPort,
  type KernelTimings,
  type ServerMessage,
} from './protocol.js';
import { SHADERS, type KernelName } from './shaders_wgsl.js';

const USAGE_STORAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const USAGE_UNIFORM = 0x40 | 0x08; // UNIFORM | COPY_DST
const USAGE_READBACK = 0x01 | 0x08; // MAP_READ | COPY_DST
const MAP_READ = 0x01;

/** Buffers are pooled by size rounded up to a power of two (at least 256 bytes). */
function bucketOf(bytes: number): number {
  return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
}

function describe(adapter: GPUAdapter): AdapterSummary {
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const text = `${info?.vendor ?? ''} ${info?.architecture ?? ''} ${info?.description ?? ''} ${info?.device ?? ''}`.toLowerCase();
  const fallback =
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description || info?.device || info?.architecture || '',
    software: fallback || /llvmpipe|lavapipe|swiftshader|software|warp|cpu/.test(text),
    timestamps: adapter.features.has('timestamp-query'),
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxBufferSize: adapter.limits.maxBufferSize,
  };
}

export interface ServeOptions {
  powerPreference?: 'low-power' | 'high-performance';
}

/**
 * A WebGPU `GPU` object (navigator.gpu, or webgpu's create()), typed structurally so that users of the
 * library's declarations need no WebGPU type package.
 */
export interface GpuEntry {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<unknown>;
}

/**
 * Serves GPU commands on `port` until a close message: opens the adapter and device, says `ready` (or
 * `failed` with the reason) and runs batches in arrival order. Resolves once the device is destroyed.
 */
export async function serveGpu(gpu: GpuEntry, port: GpuPort, options: ServeOptions = {}): Promise<void> {
  let device: GPUDevice;
  let adapter: GPUAdapter | null;
  try {
    adapter = (await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' })) as GPUAdapter | null;
    if (!adapter) throw new Error('no WebGPU adapter is available');
    const summary = describe(adapter);
    device = await adapter.requestDevice({
      // Big architectures need buffers past the 128 MiB default; take what the adapter offers.
      requiredLimits: { maxStorageBufferBindingSize: summary.maxStorageBufferBindingSize, maxBufferSize: summary.maxBufferSize },
      requiredFeatures: summary.timestamps ? ['timestamp-query'] : [],
    });
    port.post({ op: 'ready', adapter: summary } satisfies ServerMessage);
  } catch (e) {
    port.post({ op: 'failed', message: (e as Error).message ?? String(e) } satisfies ServerMessage);
    return;
  }
  const server = new GpuServer(device, [gpu, adapter]);
  return new Promise<void>((resolve) => {
    let chain = Promise.resolve();
    port.listen((message) => {
      const m = message as ClientMessage;
      chain = chain.then(async () => {
        if (m.op === 'batch') await server.run(m.commands);
        else if (m.op === 'profile') server.profile(m.on);
        else if (m.op === 'timings') reply(m.reply, JSON.stringify(server.timings), REPLY_DONE);
        else if (m.op === 'close') {
          await server.close();
          port.post({ op: 'closed' } satisfies ServerMessage);
          resolve();
        }
      });
    });
  });
}

class GpuServer {
  private readonly buffers = new Map<number, { buffer: GPUBuffer; bytes: number }>();
  private readonly pool = new Map<number, GPUBuffer[]>();
  private readonly pipelines = new Map<KernelName, GPUComputePipeline>();
  private uniforms: GPUBuffer | null = null;
  /** The first error the device reported since the last read: the next read fails with it. */
  private error: string | null = null;
  private lost: string | null = null;
  /** Profiling: one pass per dispatch with timestamp writes, GPU nanoseconds summed per kernel. */
  private profiling = false;
  timings: KernelTimings = {};

  /**
   * `owners`: the GPU and adapter objects. Dawn (Node) crashes when they are garbage-collected while their
   * device lives, and nothing else refers to them once the device is open.
   */
  constructor(
    private readonly device: GPUDevice,
    private readonly owners: readonly unknown[],
  ) {
    device.addEventListener('uncapturederror', (e) => {
      this.error ??= (e as GPUUncapturedErrorEvent).error.message;
    });
    void device.lost.then((info) => {
      this.lost = `the GPU device was lost (${info.reason}): ${info.message}`;
    });
  }

  private pipeline(kernel: KernelName): GPUComputePipeline {
    let p = this.pipelines.get(kernel);
    if (!p) {
      const code = SHADERS[kernel];
      if (code === undefined) throw new Error(`unknown GPU kernel ${kernel}`);
      const module = this.device.createShaderModule({ label: kernel, code });
      p = this.device.createComputePipeline({ label: kernel, layout: 'auto', compute: { module, entryPoint: 'main' } });
      this.pipelines.set(kernel, p);
    }
    return p;
  }

  profile(on: boolean): void {
    this.profiling = on && this.device.features.has('timestamp-query'); // else timings stay empty
    this.timings = {};
  }

  private take(bytes: number): { buffer: GPUBuffer; fresh: boolean } {
    const size = bucketOf(bytes);
    const reused = this.pool.get(size)?.pop();
    if (reused) return { buffer: reused, fresh: false };
    return { buffer: this.device.createBuffer({ size, usage: USAGE_STORAGE }), fresh: true };
  }

  private get(id: number): GPUBuffer {
    const b = this.buffers.get(id);
    if (!b) throw new Error(`GPU buffer ${id} does not exist (freed, or never created)`);
    return b.buffer;
  }

  async run(commands: Command[]): Promise<void> {
    const reads: { staging: GPUBuffer; bytes: number; reply: SharedArrayBuffer }[] = [];
    const freed: GPUBuffer[] = [];
    const spent: GPUBuffer[] = []; // not pool material: destroyed after the batch
    let scopes = 0;
    try {
      if (this.lost) throw new Error(this.lost);
      const runs = commands.filter((c) => c.op === 'run').length;
      const uniformBytes = Math.max(runs, 1) * UNIFORM_SLOT_BYTES;
      if (!this.uniforms || this.uniforms.size < uniformBytes) {
        this.uniforms?.destroy();
        this.uniforms = this.device.createBuffer({ size: bucketOf(uniformBytes), usage: USAGE_UNIFORM });
      }
      const uniformData = new Uint32Array(uniformBytes / 4);
      // Error scopes make this batch's validation and memory errors certain before its reads are answered.
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      scopes = 2;
      const encoder = this.device.createCommandEncoder();
      let pass: GPUComputePassEncoder | null = null;
      const endPass = () => {
        pass?.end();
        pass = null;
      };
      let slot = 0;
      const timed: KernelName[] = [];
      const querySet = this.profiling ? this.device.createQuerySet({ type: 'timestamp', count: 2 * Math.max(runs, 1) }) : null;
      for (const c of commands) {
        switch (c.op) {
          case 'create': {
            const { buffer, fresh } = this.take(c.bytes);
            this.buffers.set(c.id, { buffer, bytes: c.bytes });
            // Queue writes land before this batch's commands: safe, because the buffer is new to this batch
            // (freed buffers rejoin the pool only after the submit). A clear is encoded in order instead.
            if (c.data) this.device.queue.writeBuffer(buffer, 0, c.data);
            else if (!fresh) {
              endPass();
              encoder.clearBuffer(buffer);
            }
            break;
          }
          case 'copy':
            endPass();
            encoder.copyBufferToBuffer(this.get(c.src), c.srcOffset, this.get(c.dst), c.dstOffset, c.bytes);
            break;
          case 'free': {
            const b = this.buffers.get(c.id);
            if (b) {
              this.buffers.delete(c.id);
              freed.push(b.buffer);
            }
            break;
          }
          case 'run': {
            const pipeline = this.pipeline(c.kernel);
            uniformData.set(c.uniforms, slot * (UNIFORM_SLOT_BYTES / 4));
            const bindGroup = this.device.createBindGroup({
              layout: pipeline.getBindGroupLayout(0),
              entries: [
                { binding: 0, resource: { buffer: this.uniforms, offset: slot * UNIFORM_SLOT_BYTES, size: UNIFORM_SLOT_BYTES } },
                ...c.buffers.map((id, i) => ({ binding: i + 1, resource: { buffer: this.get(id) } })),
              ],
            });
            slot++;
            if (querySet) {
              endPass();
              pass = encoder.beginComputePass({
                timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * timed.length, endOfPassWriteIndex: 2 * timed.length + 1 },
              });
              timed.push(c.kernel);
            }
            pass ??= encoder.beginComputePass();
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, bindGroup);
            pass.dispatchWorkgroups(...c.groups);
            break;
          }
          case 'read': {
            endPass();
            const staging = this.device.createBuffer({ size: Math.max(4, Math.ceil(c.bytes / 4) * 4), usage: USAGE_READBACK });
            if (c.bytes > 0) encoder.copyBufferToBuffer(this.get(c.id), 0, staging, 0, staging.size);
            reads.push({ staging, bytes: c.bytes, reply: c.reply });
            break;
          }
        }
      }
      endPass();
      let stamps: GPUBuffer | null = null;
      if (querySet && timed.length > 0) {
        const resolved = this.device.createBuffer({ size: 16 * timed.length, usage: 0x200 | 0x04 }); // QUERY_RESOLVE | COPY_SRC
        stamps = this.device.createBuffer({ size: 16 * timed.length, usage: USAGE_READBACK });
        encoder.resolveQuerySet(querySet, 0, 2 * timed.length, resolved, 0);
        encoder.copyBufferToBuffer(resolved, 0, stamps, 0, 16 * timed.length);
        spent.push(resolved);
      }
      if (slot > 0) this.device.queue.writeBuffer(this.uniforms, 0, uniformData, 0, slot * (UNIFORM_SLOT_BYTES / 4));
      this.device.queue.submit([encoder.finish()]);
      scopes = 0;
      const scoped = (await Promise.all([this.device.popErrorScope(), this.device.popErrorScope()])).find((e) => e !== null);
      if (scoped) this.error ??= scoped.message;
      if (stamps) {
        await stamps.mapAsync(MAP_READ);
        const t = new BigUint64Array(stamps.getMappedRange());
        timed.forEach((k, i) => {
          const e = (this.timings[k] ??= { dispatches: 0, ns: 0 });
          e.dispatches++;
          e.ns += Number(t[2 * i + 1]! - t[2 * i]!);
        });
        stamps.unmap();
        stamps.destroy();
      }
      querySet?.destroy();
      for (const r of reads) {
        await r.staging.mapAsync(MAP_READ);
        if (this.error || this.lost) throw new Error(this.lost ?? this.error!);
        new Uint8Array(r.reply, REPLY_HEADER, r.bytes).set(new Uint8Array(r.staging.getMappedRange(), 0, r.bytes));
        r.staging.unmap();
        r.staging.destroy();
        signal(r.reply, REPLY_DONE);
      }
    } catch (e) {
      for (; scopes > 0; scopes--) {
        const err = await this.device.popErrorScope().catch(() => null);
        if (err) this.error ??= err.message;
      }
      const message = this.lost ?? this.error ?? ((e as Error).message || String(e));
      this.error = null;
      // Every read of the batch fails with the message; with no read waiting, the next read gets it.
      const replies = commands.flatMap((c) => (c.op === 'read' ? [c.reply] : []));
      for (const reply of replies) fail(reply, message);
      if (replies.length === 0) this.error = message;
    } finally {
      for (const b of spent) b.destroy();
      for (const b of freed) {
        const size = b.size;
        const list = this.pool.get(size);
        if (list) list.push(b);
        else this.pool.set(size, [b]);
      }
    }
  }

  async close(): Promise<void> {
    try {
      await this.device.queue.onSubmittedWorkDone();
    } finally {
      this.device.destroy();
      void this.owners;
    }
  }
}

function signal(reply: SharedArrayBuffer, status: number): void {
  const head = new Int32Array(reply, 0, 2);
  Atomics.store(head, 0, status);
  Atomics.notify(head, 0);
}

/** A text reply (an error message, or JSON): its byte length in the second header word. */
function reply(to: SharedArrayBuffer, text: string, status: number): void {
  const bytes = new TextEncoder().encode(text);
  const n = Math.min(bytes.length, to.byteLength - REPLY_HEADER);
  new Uint8Array(to, REPLY_HEADER, n).set(bytes.subarray(0, n));
  new Int32Array(to, 0, 2)[1] = n;
  signal(to, status);
}

function fail(to: SharedArrayBuffer, message: string): void {
  reply(to, message, REPLY_FAILED);
}
