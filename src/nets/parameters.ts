/**
 * A network's parameters and BN buffers under their PyTorch state_dict names, in registration order, with
 * PyTorch's default initialisation drawn from our seeded generator.
 */
import type { Kernels } from '../backend/backend.js';
import {
  Tensor,
  hostArray,
  hostArrayOf,
  sameShape,
  shapeString,
  sizeOf,
  type BatchNormBuffers,
  type DType,
  type HostArray,
} from '../autodiff/index.js';
import { nonFiniteProblem } from '../util/finite.js';
import { Random } from '../util/random.js';

/** What a parameter is, which decides its init and whether proxies count it. */
export type ParameterKind = 'conv_weight' | 'conv_bias' | 'linear_weight' | 'linear_bias' | 'bn_weight' | 'bn_bias';

export interface ParameterEntry {
  name: string;
  kind: ParameterKind;
  tensor: Tensor;
  fanIn: number;
}

/** A host-side array with its shape, as read from or written to a weights file. */
export interface HostTensor {
  shape: number[];
  data: HostArray;
}

export class ParameterSet {
  readonly entries: ParameterEntry[] = [];
  readonly batchNorms = new Map<string, BatchNormBuffers>();
  private byName = new Map<string, ParameterEntry>();
  /** The zero tensors the constructor allocates: nothing but their entry holds them, so a replace may free them. */
  private readonly placeholders = new WeakSet<Tensor>();

  constructor(
    readonly backend: Kernels,
    readonly dtype: DType,
  ) {}

  private add(name: string, kind: ParameterKind, shape: number[], fanIn: number): ParameterEntry {
    if (this.byName.has(name)) throw new Error(`duplicate parameter name ${name}`);
    const data = hostArray(this.dtype, sizeOf(shape));
    const tensor = this.backend.fromHost(data, shape);
    tensor.name = name;
    this.placeholders.add(tensor);
    const entry = { name, kind, tensor, fanIn };
    this.entries.push(entry);
    this.byName.set(name, entry);
    return entry;
  }

  conv(name: string, out: number, inp: number, k: number): ParameterEntry {
    return this.add(name, 'conv_weight', [out, inp, k, k], inp * k * k);
  }

  /** A convolution weight with a kh × kw kernel [out, inp, kh, kw] (PyTorch's fan_in inp·kh·kw). */
  convRect(name: string, out: number, inp: number, kh: number, kw: number): ParameterEntry {
    return this.add(name, 'conv_weight', [out, inp, kh, kw], inp * kh * kw);
  }

  /**
   * A depthwise convolution's weight [channels, 1, k, k] (PyTorch's Conv2d with groups = channels): a conv
   * weight like any other, so the gradient proxies count it; PyTorch's fan_in for a grouped conv is
   * (in / groups)·k·k = k·k.
   */
  depthwiseConv(name: string, channels: number, k: number): ParameterEntry {
    return this.add(name, 'conv_weight', [channels, 1, k, k], k * k);
  }

  convBias(name: string, out: number, fanIn: number): ParameterEntry {
    return this.add(name, 'conv_bias', [out], fanIn);
  }

  linear(prefix: string, out: number, inp: number): { weight: ParameterEntry; bias: ParameterEntry } {
    return {
      weight: this.add(`${prefix}.weight`, 'linear_weight', [out, inp], inp),
      bias: this.add(`${prefix}.bias`, 'linear_bias', [out], inp),
    };
  }

  batchNorm(prefix: string, channels: number): { gamma: ParameterEntry; beta: ParameterEntry; buffers: BatchNormBuffers } {
    const gamma = this.add(`${prefix}.weight`, 'bn_weight', [channels], channels);
    const beta = this.add(`${prefix}.bias`, 'bn_bias', [channels], channels);
    const buffers: BatchNormBuffers = {
      runningMean: hostArray(this.dtype, channels),
      runningVar: hostArray(this.dtype, channels).fill(1),
      numBatchesTracked: 0,
    };
    this.batchNorms.set(prefix, buffers);
    return { gamma, beta, buffers };
  }

  /**
   * A BatchNorm2d with affine=False: running buffers under `prefix` (in stateDict, as PyTorch's named_buffers),
   * no γ or β parameters. The op still takes γ = 1 and β = 0: constant tensors made once here, never
   * parameters (not in `entries`, so parameterCount, initialize, countedWeights and the proxies never see them,
   * and no tape watches them).
   */
  batchNormStats(prefix: string, channels: number): { gamma: Tensor; beta: Tensor; buffers: BatchNormBuffers } {
    if (this.batchNorms.has(prefix)) throw new Error(`duplicate batch norm ${prefix}`);
    const gamma = this.backend.fromHost(hostArray(this.dtype, channels).fill(1), [channels]);
    const beta = this.backend.fromHost(hostArray(this.dtype, channels), [channels]);
    gamma.name = `${prefix}.(γ = 1)`;
    beta.name = `${prefix}.(β = 0)`;
    const buffers: BatchNormBuffers = {
      runningMean: hostArray(this.dtype, channels),
      runningVar: hostArray(this.dtype, channels).fill(1),
      numBatchesTracked: 0,
    };
    this.batchNorms.set(prefix, buffers);
    return { gamma, beta, buffers };
  }

  get(name: string): ParameterEntry | undefined {
    return this.byName.get(name);
  }

  /** Conv2d (depthwise ones included) and Linear weights in module order: the parameters every gradient proxy counts. */
  countedWeights(): ParameterEntry[] {
    return this.entries.filter((e) => e.kind === 'conv_weight' || e.kind === 'linear_weight');
  }

  /** Number of trainable parameters (weights, biases, BN γ and β), as PyTorch's parameters() counts them. */
  parameterCount(): number {
    return this.entries.reduce((n, e) => n + e.tensor.size, 0);
  }

  /**
   * PyTorch's default init: conv/linear weights (kaiming_uniform, a=√5) and conv/linear biases U(±1/√fan_in);
   * BN γ = 1, β = 0, running mean 0, running variance 1. Draws follow registration order.
   */
  initialize(seed: number): void {
    const rng = new Random(seed);
    for (const e of this.entries) {
      const data = hostArray(this.dtype, e.tensor.size);
      if (e.kind === 'bn_weight') data.fill(1);
      else if (e.kind === 'bn_bias') data.fill(0);
      else {
        const bound = 1 / Math.sqrt(e.fanIn);
        for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
      }
      this.replace(e, data);
    }
    this.resetBuffers();
  }

  /**
   * Zen-NAS's init: conv/linear weights ~ N(0, 1) from `rng` in registration order, every bias 0, BN γ = 1,
   * β = 0, fresh running statistics.
   */
  initializeGaussian(rng: Random): void {
    for (const e of this.entries) {
      const data = hostArray(this.dtype, e.tensor.size);
      if (e.kind === 'conv_weight' || e.kind === 'linear_weight') for (let i = 0; i < data.length; i++) data[i] = rng.normal();
      else if (e.kind === 'bn_weight') data.fill(1);
      this.replace(e, data);
    }
    this.resetBuffers();
  }

  /**
   * AZ-NAS's and VKDNW's init (kaiming_normal_fanin_init applied to every module): conv/linear weights
   * N(0, 2/fan_in) (kaiming_normal_, mode fan_in, ReLU gain √2) from `rng` in registration order, conv/linear
   * biases 0, BN γ = 1, β = 0; the running statistics fresh (the official init leaves a new model's as they are).
   */
  initializeKaimingNormal(rng: Random): void {
    for (const e of this.entries) {
      const data = hostArray(this.dtype, e.tensor.size);
      if (e.kind === 'conv_weight' || e.kind === 'linear_weight') {
        const std = Math.sqrt(2 / e.fanIn);
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      } else if (e.kind === 'bn_weight') data.fill(1);
      this.replace(e, data);
    }
    this.resetBuffers();
  }

  private resetBuffers(): void {
    for (const bn of this.batchNorms.values()) {
      bn.runningMean.fill(0);
      bn.runningVar.fill(1);
      bn.numBatchesTracked = 0;
    }
  }

  private replace(e: ParameterEntry, data: HostArray): void {
    const t = this.backend.fromHost(data, e.tensor.shape);
    t.name = e.name;
    // Parameters are swapped, not mutated, so backends never see their storage change under them;
    // forwards read `entry.tensor` at call time. The constructor's zeros are read by nothing else: freed at once,
    // so an initialised network holds one copy of its parameters (a tensor a pass may hold stays until its scope ends).
    const old = e.tensor;
    e.tensor = t;
    if (this.placeholders.delete(old)) this.backend.release(old);
  }

  /** Parameters and BN buffers by state_dict name (`num_batches_tracked` as a one-element array). */
  stateDict(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const e of this.entries) out.set(e.name, { shape: [...e.tensor.shape], data: this.backend.toHost(e.tensor) });
    for (const [prefix, bn] of this.batchNorms) {
      out.set(`${prefix}.running_mean`, { shape: [bn.runningMean.length], data: bn.runningMean.slice() });
      out.set(`${prefix}.running_var`, { shape: [bn.runningVar.length], data: bn.runningVar.slice() });
      out.set(`${prefix}.num_batches_tracked`, { shape: [], data: Float64Array.of(bn.numBatchesTracked) });
    }
    return out;
  }

  /**
   * Loads every parameter and BN running buffer by name; a missing name, a wrong shape, or a name the
   * network does not have is an error that names it, and so is a NaN or ±Inf value (naming where it is).
   * `num_batches_tracked` is optional.
   */
  loadStateDict(state: Map<string, HostTensor>, source = 'state dict'): void {
    const expected = new Set<string>();
    const take = (name: string, shape: readonly number[]): HostArray => {
      expected.add(name);
      const t = state.get(name);
      if (!t) throw new Error(`${source}: missing tensor "${name}" (shape ${shapeString(shape)})`);
      if (!sameShape(t.shape, shape)) {
        throw new Error(`${source}: tensor "${name}" has shape ${shapeString(t.shape)}, expected ${shapeString(shape)}`);
      }
      const data = hostArrayOf(this.dtype, t.data);
      // checked after the conversion: an F64 value beyond f32's range becomes ±Inf in an f32 network
      const problem = nonFiniteProblem(name, data, shape);
      if (problem) throw new Error(`${source}: ${problem}`);
      return data;
    };
    const loaded = this.entries.map((e) => take(e.name, e.tensor.shape));
    const buffers = [...this.batchNorms].map(([prefix, bn]) => {
      const tracked = state.get(`${prefix}.num_batches_tracked`);
      expected.add(`${prefix}.num_batches_tracked`);
      return {
        bn,
        mean: take(`${prefix}.running_mean`, [bn.runningMean.length]),
        variance: take(`${prefix}.running_var`, [bn.runningVar.length]),
        tracked: tracked ? Number(tracked.data[0] ?? 0) : 0,
      };
    });
    const unknown = [...state.keys()].filter((k) => !expected.has(k));
    if (unknown.length > 0) {
      throw new Error(
        `${source}: ${unknown.length} tensor(s) this network does not have, e.g. "${unknown[0]}" (wrong architecture or class count?)`,
      );
    }
    this.entries.forEach((e, i) => this.replace(e, loaded[i]!));
    for (const { bn, mean, variance, tracked } of buffers) {
      bn.runningMean.set(mean);
      bn.runningVar.set(variance);
      bn.numBatchesTracked = tracked;
    }
  }
}
