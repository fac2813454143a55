/**
 * The NAS-Bench-201 network exactly as xautodl's TinyNetwork (proxies.md §4): stem conv+BN, three stages of
 * N InferCells joined by two ResNet reduction blocks, lastact BN+ReLU, global pooling and a linear classifier.
 * Every parameter carries its xautodl state_dict name.
 */
import {
  Tensor,
  add,
  avgPool2d,
  batchNorm,
  channelBias,
  conv2d,
  globalAvgPool,
  linear,
  relu,
  zero,
  type DType,
} from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import type { ForwardContext, Network, NetworkVariant } from '../network.js';
import { ParameterSet } from '../parameters.js';
import { archString, parseArch, type Genotype, type Nb201Op } from './arch.js';
import { nb201Flops } from './flops.js';

export interface Nb201Config {
  /** Arch string or parsed genotype. */
  arch: string | Genotype;
  /** Stem width (16 in the benchmark). */
  C?: number;
  /** Cells per stage (5 in the benchmark). */
  N?: number;
  numClasses?: number;
  dtype?: DType;
  /** Where batch norm stays (default `all`, the benchmark network). */
  batchNorm?: NetworkVariant['batchNorm'];
  /** Cell ReLUConvBN convolutions with a bias (default false). */
  cellConvBias?: boolean;
}

type Block = (ctx: ForwardContext, x: Tensor) => Tensor;

interface Structure {
  batchNorm: 'all' | 'reductions' | 'none';
  cellConvBias: boolean;
}

/** y as the output of `modules` nested modules of NAS201Model (ActivationObserver.moduleOutput). */
function emit(ctx: ForwardContext, y: Tensor, modules = 1): Tensor {
  const tap = ctx.observe?.moduleOutput;
  if (tap) for (let i = 0; i < modules; i++) tap(y);
  return y;
}

function convLayer(ctx: ForwardContext, x: Tensor, w: Tensor, p: { stride: number; padding: number }): Tensor {
  const y = conv2d(ctx.tape, x, w, p);
  ctx.observe?.layerOutput?.(w, y, ctx.tape);
  return emit(ctx, y);
}

function reluLayer(ctx: ForwardContext, x: Tensor): Tensor {
  ctx.observe?.reluInput?.(x);
  return emit(ctx, relu(ctx.tape, x));
}

function bnLayer(ctx: ForwardContext, x: Tensor, bn: ReturnType<ParameterSet['batchNorm']>): Tensor {
  const y = batchNorm(ctx.tape, x, bn.gamma.tensor, bn.beta.tensor, bn.buffers, { mode: ctx.bnMode, updateRunning: ctx.updateRunning });
  return emit(ctx, y);
}

/** ReLU → Conv → BN; in a cell or a reduction block (`inReduction`), which decides BN and bias in variants. */
function reluConvBn(
  ps: ParameterSet,
  s: Structure,
  prefix: string,
  cin: number,
  cout: number,
  k: number,
  stride: number,
  inReduction: boolean,
): Block {
  const w = ps.conv(`${prefix}.op.1.weight`, cout, cin, k);
  const bias = !inReduction && s.cellConvBias ? ps.convBias(`${prefix}.op.1.bias`, cout, cin * k * k) : undefined;
  const hasBn = s.batchNorm === 'all' || (s.batchNorm === 'reductions' && inReduction);
  const bn = hasBn ? ps.batchNorm(`${prefix}.op.2`, cout) : undefined;
  const p = { stride, padding: (k - 1) / 2 };
  return (ctx, x) => {
    let y = convLayer(ctx, reluLayer(ctx, x), w.tensor, p);
    if (bias) y = channelBias(ctx.tape, y, bias.tensor);
    // its Sequential `op`, then the ReLUConvBN
    return emit(ctx, bn ? bnLayer(ctx, y, bn) : y, 2);
  };
}

const cellOps: Record<Nb201Op, (ps: ParameterSet, s: Structure, prefix: string, C: number) => Block> = {
  none: () => (ctx, x) => emit(ctx, zero(ctx.tape, x)),
  skip_connect: () => (ctx, x) => emit(ctx, x),
  nor_conv_1x1: (ps, s, prefix, C) => reluConvBn(ps, s, prefix, C, C, 1, 1, false),
  nor_conv_3x3: (ps, s, prefix, C) => reluConvBn(ps, s, prefix, C, C, 3, 1, false),
  // its AvgPool2d, then the POOLING module
  avg_pool_3x3: () => (ctx, x) => emit(ctx, avgPool2d(ctx.tape, x, { kernel: 3, stride: 1, padding: 1 }), 2),
};

/** InferCell: node_j = Σ_{i<j} op_{i→j}(node_i); the output is node 3. */
function inferCell(ps: ParameterSet, s: Structure, prefix: string, C: number, genotype: Genotype): Block {
  const layers = genotype.edges.map((e, j) => ({ edge: e, run: cellOps[e.op](ps, s, `${prefix}.layers.${j}`, C) }));
  return (ctx, x) => {
    const nodes: Tensor[] = [x];
    for (let node = 1; node <= 3; node++) {
      let acc: Tensor | undefined;
      for (const { edge, run } of layers) {
        if (edge.to !== node) continue;
        const y = run(ctx, nodes[edge.from]!);
        acc = acc ? add(ctx.tape, acc, y) : y;
      }
      nodes.push(acc!);
    }
    return emit(ctx, nodes[3]!);
  };
}

/** ResNetBasicblock: conv_b(conv_a(x)) + downsample(x), downsample = AvgPool(2,2) then 1×1 conv, no BN. */
function resnetBlock(ps: ParameterSet, s: Structure, prefix: string, cin: number, cout: number): Block {
  const convA = reluConvBn(ps, s, `${prefix}.conv_a`, cin, cout, 3, 2, true);
  const convB = reluConvBn(ps, s, `${prefix}.conv_b`, cout, cout, 3, 1, true);
  const down = ps.conv(`${prefix}.downsample.1.weight`, cout, cin, 1);
  return (ctx, x) => {
    const residual = convB(ctx, convA(ctx, x));
    const pooled = emit(ctx, avgPool2d(ctx.tape, x, { kernel: 2, stride: 2, padding: 0 }));
    // the shortcut's Sequential, then the block
    const shortcut = emit(ctx, convLayer(ctx, pooled, down.tensor, { stride: 1, padding: 0 }));
    return emit(ctx, add(ctx.tape, shortcut, residual));
  };
}

export class Nb201Network implements Network {
  readonly genotype: Genotype;
  readonly arch: string;
  readonly C: number;
  readonly N: number;
  readonly numClasses: number;
  readonly parameters: ParameterSet;
  private readonly body: Block;

  private readonly config: Nb201Config;

  constructor(
    readonly backend: Backend,
    config: Nb201Config,
  ) {
    this.config = config;
    this.genotype = typeof config.arch === 'string' ? parseArch(config.arch) : config.arch;
    this.arch = archString(this.genotype);
    this.C = config.C ?? 16;
    this.N = config.N ?? 5;
    this.numClasses = config.numClasses ?? 10;
    if (!(Number.isInteger(this.numClasses) && this.numClasses >= 1))
      throw new Error(`numClasses must be a positive integer, got ${config.numClasses}`);
    const ps = (this.parameters = new ParameterSet(backend, config.dtype ?? 'f32'));
    const s: Structure = { batchNorm: config.batchNorm ?? 'all', cellConvBias: config.cellConvBias ?? false };
    const { C, N } = this;

    const stemW = ps.conv('stem.0.weight', C, 3, 3);
    const stemBn = s.batchNorm === 'all' ? ps.batchNorm('stem.1', C) : undefined;
    const widths = [...Array(N).fill(C), 2 * C, ...Array(N).fill(2 * C), 4 * C, ...Array(N).fill(4 * C)] as number[];
    const cells: Block[] = [];
    let cin = C;
    widths.forEach((cout, k) => {
      const reduction = k === N || k === 2 * N + 1;
      cells.push(reduction ? resnetBlock(ps, s, `cells.${k}`, cin, cout) : inferCell(ps, s, `cells.${k}`, cout, this.genotype));
      cin = cout;
    });
    const lastBn = s.batchNorm === 'all' ? ps.batchNorm('lastact.0', cin) : undefined;
    const classifier = ps.linear('classifier', this.numClasses, cin);

    this.body = (ctx, x) => {
      let h = convLayer(ctx, x, stemW.tensor, { stride: 1, padding: 1 });
      if (stemBn) h = bnLayer(ctx, h, stemBn);
      emit(ctx, h, 2); // NAS201Model's stem.net Sequential and stem
      ctx.observe?.cellOutput?.(h);
      cells.forEach((cell, k) => {
        h = cell(ctx, h);
        ctx.observe?.cellOutput?.(h);
        if (k === N - 1 || k === 2 * N || k === 3 * N + 1) emit(ctx, h); // the stage's Sequential of cells
      });
      if (lastBn) h = bnLayer(ctx, h, lastBn);
      h = emit(ctx, reluLayer(ctx, h)); // lastact's Sequential
      ctx.observe?.features?.(h);
      const pooled = emit(ctx, globalAvgPool(ctx.tape, h), 2); // global pooling, NAS201Model's top
      const logits = linear(ctx.tape, pooled, classifier.weight.tensor, classifier.bias.tensor);
      ctx.observe?.layerOutput?.(classifier.weight.tensor, logits, ctx.tape);
      return emit(ctx, logits, 2); // the classifier, the network
    };
  }

  flops(inputShape: readonly [number, number, number]): number {
    return nb201Flops(this.genotype, { C: this.C, N: this.N, numClasses: this.numClasses, H: inputShape[1], W: inputShape[2] });
  }

  variant(v: NetworkVariant, backend: Backend = this.backend): Nb201Network {
    return new Nb201Network(backend, {
      ...this.config,
      arch: this.genotype,
      dtype: v.dtype ?? this.parameters.dtype,
      batchNorm: v.batchNorm,
      cellConvBias: v.cellConvBias,
    });
  }

  /** Logits [B, numClasses] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`NB201 network expects input [B,3,H,W], got [${x.shape}]`);
    if (x.shape[2]! % 4 !== 0 || x.shape[3]! % 4 !== 0)
      throw new Error(`NB201 network needs H and W divisible by 4, got ${x.shape[2]}x${x.shape[3]}`);
    return this.body(ctx, x);
  }
}
