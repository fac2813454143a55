/**
 * The NAS-Bench-201 network exactly as xautodl's TinyNetwork (proxies.md §4): stem conv+BN, three stages of
 * N InferCells joined by two ResNet reduction blocks, lastact BN+ReLU, global pooling and a linear classifier.
 * Every parameter carries its xautodl state_dict name.
 */
import { Tensor, add, avgPool2d, batchNorm, conv2d, globalAvgPool, linear, relu, zero, type DType } from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import type { ForwardContext, Network } from '../network.js';
import { ParameterSet } from '../parameters.js';
import { archString, parseArch, type Genotype, type Nb201Op } from './arch.js';

export interface Nb201Config {
  /** Arch string or parsed genotype. */
  arch: string | Genotype;
  /** Stem width (16 in the benchmark). */
  C?: number;
  /** Cells per stage (5 in the benchmark). */
  N?: number;
  numClasses?: number;
  dtype?: DType;
}

type Block = (ctx: ForwardContext, x: Tensor) => Tensor;

function reluConvBn(ps: ParameterSet, prefix: string, cin: number, cout: number, k: number, stride: number): Block {
  const w = ps.conv(`${prefix}.op.1.weight`, cout, cin, k);
  const bn = ps.batchNorm(`${prefix}.op.2`, cout);
  const p = { stride, padding: (k - 1) / 2 };
  return (ctx, x) => {
    const y = conv2d(ctx.tape, relu(ctx.tape, x), w.tensor, p);
    return batchNorm(ctx.tape, y, bn.gamma.tensor, bn.beta.tensor, bn.buffers, { mode: ctx.bnMode });
  };
}

const cellOps: Record<Nb201Op, (ps: ParameterSet, prefix: string, C: number) => Block> = {
  none: () => (ctx, x) => zero(ctx.tape, x),
  skip_connect: () => (_ctx, x) => x,
  nor_conv_1x1: (ps, prefix, C) => reluConvBn(ps, prefix, C, C, 1, 1),
  nor_conv_3x3: (ps, prefix, C) => reluConvBn(ps, prefix, C, C, 3, 1),
  avg_pool_3x3: () => (ctx, x) => avgPool2d(ctx.tape, x, { kernel: 3, stride: 1, padding: 1 }),
};

/** InferCell: node_j = Σ_{i<j} op_{i→j}(node_i); the output is node 3. */
function inferCell(ps: ParameterSet, prefix: string, C: number, genotype: Genotype): Block {
  const layers = genotype.edges.map((e, j) => ({ edge: e, run: cellOps[e.op](ps, `${prefix}.layers.${j}`, C) }));
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
    return nodes[3]!;
  };
}

/** ResNetBasicblock: conv_b(conv_a(x)) + downsample(x), downsample = AvgPool(2,2) then 1×1 conv, no BN. */
function resnetBlock(ps: ParameterSet, prefix: string, cin: number, cout: number): Block {
  const convA = reluConvBn(ps, `${prefix}.conv_a`, cin, cout, 3, 2);
  const convB = reluConvBn(ps, `${prefix}.conv_b`, cout, cout, 3, 1);
  const down = ps.conv(`${prefix}.downsample.1.weight`, cout, cin, 1);
  return (ctx, x) => {
    const residual = convB(ctx, convA(ctx, x));
    const pooled = avgPool2d(ctx.tape, x, { kernel: 2, stride: 2, padding: 0 });
    return add(ctx.tape, conv2d(ctx.tape, pooled, down.tensor, { stride: 1, padding: 0 }), residual);
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

  constructor(readonly backend: Backend, config: Nb201Config) {
    this.genotype = typeof config.arch === 'string' ? parseArch(config.arch) : config.arch;
    this.arch = archString(this.genotype);
    this.C = config.C ?? 16;
    this.N = config.N ?? 5;
    this.numClasses = config.numClasses ?? 10;
    if (!(Number.isInteger(this.numClasses) && this.numClasses >= 1)) throw new Error(`numClasses must be a positive integer, got ${config.numClasses}`);
    const ps = (this.parameters = new ParameterSet(backend, config.dtype ?? 'f32'));
    const { C, N } = this;

    const stemW = ps.conv('stem.0.weight', C, 3, 3);
    const stemBn = ps.batchNorm('stem.1', C);
    const widths = [...Array(N).fill(C), 2 * C, ...Array(N).fill(2 * C), 4 * C, ...Array(N).fill(4 * C)] as number[];
    const cells: Block[] = [];
    let cin = C;
    widths.forEach((cout, k) => {
      const reduction = k === N || k === 2 * N + 1;
      cells.push(reduction ? resnetBlock(ps, `cells.${k}`, cin, cout) : inferCell(ps, `cells.${k}`, cout, this.genotype));
      cin = cout;
    });
    const lastBn = ps.batchNorm('lastact.0', cin);
    const classifier = ps.linear('classifier', this.numClasses, cin);

    this.body = (ctx, x) => {
      let h = conv2d(ctx.tape, x, stemW.tensor, { stride: 1, padding: 1 });
      h = batchNorm(ctx.tape, h, stemBn.gamma.tensor, stemBn.beta.tensor, stemBn.buffers, { mode: ctx.bnMode });
      for (const cell of cells) h = cell(ctx, h);
      h = batchNorm(ctx.tape, h, lastBn.gamma.tensor, lastBn.beta.tensor, lastBn.buffers, { mode: ctx.bnMode });
      h = relu(ctx.tape, h);
      return linear(ctx.tape, globalAvgPool(ctx.tape, h), classifier.weight.tensor, classifier.bias.tensor);
    };
  }

  /** Logits [B, numClasses] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`NB201 network expects input [B,3,H,W], got [${x.shape}]`);
    if (x.shape[2]! % 4 !== 0 || x.shape[3]! % 4 !== 0) throw new Error(`NB201 network needs H and W divisible by 4, got ${x.shape[2]}x${x.shape[3]}`);
    return this.body(ctx, x);
  }
}
