/**
 * Threads for the WASM backend in Node: worker_threads, each with its own instance of the kernel module on
 * the one shared memory. The main thread takes one slice of every kernel call itself and waits on the
 * others with Atomics.wait, so kernel calls stay synchronous.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { WasmBackend } from '../backend/wasm/index.js';
import { createSharedMemory, instantiateKernels, kernelModule, type KernelExports, type KernelName } from '../backend/wasm/kernels.js';
import { SingleThreadRunner, type KernelRunner } from '../backend/wasm/runner.js';
import { ARGS_PER_SLOT, IDLE, QUIT, RUN, SLOT_INTS, type WorkerInit } from './worker_protocol.js';

const KERNEL_NAMES: KernelName[] = [
  'gemm', 'transpose', 'conv2d_forward', 'conv2d_grad_input', 'conv2d_grad_weight', 'relu', 'relu_grad', 'add', 'scale',
  'avg_pool2d', 'avg_pool2d_grad', 'global_avg_pool', 'global_avg_pool_grad', 'bn_stats', 'bn_forward', 'bn_backward',
  'add_row_vector', 'sum_rows', 'outer_per_sample', 'softmax_ce', 'softmax_ce_grad', 'sign_sum', 'signs_i8', 'class_gram',
];

class WorkerPoolRunner implements KernelRunner {
  readonly threads: number;
  private readonly ints: Int32Array;
  private readonly args: Float64Array[];

  constructor(private readonly kernels: KernelExports, private readonly workers: Worker[], control: SharedArrayBuffer, argsOffset: number) {
    this.threads = workers.length + 1;
    this.ints = new Int32Array(control, 0, workers.length * SLOT_INTS);
    this.args = workers.map((_, i) => new Float64Array(control, argsOffset + i * ARGS_PER_SLOT * 8, ARGS_PER_SLOT));
  }

  run(name: KernelName, slices: readonly (readonly number[])[]): void {
    const fn = this.kernels[name] as (...a: number[]) => void;
    const id = KERNEL_NAMES.indexOf(name);
    if (id < 0) throw new Error(`kernel ${name} is not available to workers`);
    // Waves of `threads` slices: worker w takes slice 1 + w, the main thread slice 0.
    for (let start = 0; start < slices.length; start += this.threads) {
      const wave = slices.slice(start, start + this.threads);
      const posted = wave.slice(1).map((args, w) => {
        const slot = w * SLOT_INTS;
        if (args.length > ARGS_PER_SLOT) throw new Error(`kernel ${name}: ${args.length} arguments exceed ${ARGS_PER_SLOT}`);
        this.args[w]!.set(args);
        this.ints[slot + 1] = id;
        this.ints[slot + 2] = args.length;
        Atomics.store(this.ints, slot, RUN);
        Atomics.notify(this.ints, slot);
        return slot;
      });
      fn(...wave[0]!);
      let failed = false;
      for (const slot of posted) {
        while (Atomics.load(this.ints, slot) === RUN) Atomics.wait(this.ints, slot, RUN);
        failed ||= this.ints[slot + 3] !== 0;
        Atomics.store(this.ints, slot, IDLE);
      }
      if (failed) throw new Error(`wasm kernel ${name} trapped in a worker`);
    }
  }

  async close(): Promise<void> {
    this.workers.forEach((_, w) => {
      Atomics.store(this.ints, w * SLOT_INTS, QUIT);
      Atomics.notify(this.ints, w * SLOT_INTS);
    });
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Default thread count: the cores available to this process. */
export function defaultThreads(): number {
  return availableParallelism();
}

/** A WASM backend on `threads` threads (the main thread plus threads − 1 workers). */
export async function createNodeWasmBackend(threads = defaultThreads()): Promise<WasmBackend> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  // Compile the kernels with the optimising compiler up front: V8 would otherwise run them in its baseline
  // tier (Liftoff, ~30 % slower here) until tier-up, which a short run never reaches. Process-wide; must
  // precede the first compile.
  setFlagsFromString('--no-liftoff');
  const module = await kernelModule();
  const memory = createSharedMemory();
  const kernels = await instantiateKernels(module, memory);
  if (threads === 1) return new WasmBackend({ kernels, memory, runner: new SingleThreadRunner(kernels) });
  const nWorkers = threads - 1;
  const argsOffset = Math.ceil((nWorkers * SLOT_INTS * 4) / 8) * 8;
  const control = new SharedArrayBuffer(argsOffset + nWorkers * ARGS_PER_SLOT * 8);
  const workers = await Promise.all(Array.from({ length: nWorkers }, (_, index) => new Promise<Worker>((resolve, reject) => {
    const init: WorkerInit = { module, memory, control, argsOffset, index, names: KERNEL_NAMES };
    const worker = new Worker(new URL('./wasm_worker.js', import.meta.url), { workerData: init });
    worker.once('message', () => {
      worker.unref(); // idle workers must not keep the process alive
      resolve(worker);
    });
    worker.once('error', reject);
  })));
  return new WasmBackend({ kernels, memory, runner: new WorkerPoolRunner(kernels, workers, control, argsOffset) });
}
