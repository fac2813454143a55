/**
 * What the scoring thread (the GpuLink) sends the thread that owns the GPU (serveGpu): batches of commands
 * over a message port, and for reads a SharedArrayBuffer the server fills and signals with Atomics.notify.
 * The autodiff is synchronous, WebGPU is not: the scoring thread blocks on Atomics.wait only at a read,
 * while everything else streams to the GPU thread without waiting.
 */
import type { KernelName } from './shaders_wgsl.js';

export type Command =
  /** A buffer of `bytes` (a multiple of 4) under the client's id: holding `data`, or zero-filled. */
  | { op: 'create'; id: number; bytes: number; data?: ArrayBuffer }
  | { op: 'copy'; src: number; srcOffset: number; dst: number; dstOffset: number; bytes: number }
  | { op: 'free'; id: number }
  /** One dispatch: uniform words, buffer ids for bindings 1.., workgroup counts. */
  | { op: 'run'; kernel: KernelName; uniforms: Uint32Array; buffers: number[]; groups: [number, number, number] }
  /** Copy `bytes` of buffer id into reply (after the REPLY_HEADER), then set reply's status and notify. */
  | { op: 'read'; id: number; bytes: number; reply: SharedArrayBuffer };

export type ClientMessage =
  | { op: 'batch'; commands: Command[] }
  /** Per-kernel GPU time from timestamp queries (where the adapter has them): on or off; read as JSON. */
  | { op: 'profile'; on: boolean }
  | { op: 'timings'; reply: SharedArrayBuffer }
  | { op: 'close' };

/** GPU time per kernel since profiling was turned on: dispatches and nanoseconds. */
export type KernelTimings = Record<string, { dispatches: number; ns: number }>;

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** A software or fallback adapter (lavapipe, SwiftShader, WARP): slower than the WASM backend. */
  software: boolean;
  /** Whether kernels can be timed on the GPU (the timestamp-query feature). */
  timestamps: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export type ServerMessage = { op: 'ready'; adapter: AdapterSummary } | { op: 'failed'; message: string } | { op: 'closed' };

/** Reply layout: Int32 status at 0 (0 pending, 1 done, 2 failed), Int32 length of the error text at 1. */
export const REPLY_HEADER = 8;
export const REPLY_PENDING = 0;
export const REPLY_DONE = 1;
export const REPLY_FAILED = 2;
/** Room for an error message in a reply. */
export const REPLY_MIN_BYTES = 4096;

/** Uniform slots are 256 bytes apart (WebGPU's default minUniformBufferOffsetAlignment): 64 words each. */
export const UNIFORM_SLOT_BYTES = 256;

/**
 * Both ends of a message channel: Node's worker_threads (on/postMessage) and the web's Worker / MessagePort
 * (addEventListener/postMessage) adapt to it.
 */
export interface GpuPort {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: unknown) => void): void;
  /**
   * Why the GPU thread has ended, once it has (else null): polled while a read waits, since a thread blocked
   * in Atomics.wait never hears the other's exit event. Where a runtime cannot tell, reads time out instead.
   */
  gone?(): string | null;
}

/** A web Worker, MessagePort or worker global scope as a GpuPort. */
export function webPort(target: {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}): GpuPort {
  return {
    post: (m, transfer) => target.postMessage(m, transfer ?? []),
    listen: (h) => target.addEventListener('message', (e) => h(e.data)),
  };
}
