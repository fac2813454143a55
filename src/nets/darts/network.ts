/**
 * The DARTS evaluation network exactly as fixtures/pytorch/darts_model.py's DartsNetwork (quark0/darts cnn/model.py
 * NetworkCIFAR with the ops of cnn/operations.py, or NASLib's NB301 variant of them): stem conv 3×3 (3 → 3C) + BN,
 * `layers` cells (plan.ts: reductions at ⌊L/3⌋ and ⌊2L/3⌋, preprocessing by ReLU-conv 1×1-BN or FactorizedReduce),
 * global average pooling and a linear classifier; no auxiliary head, drop-path off (as at initialisation).
 * Every parameter carries the port's state_dict name, registered in its module order (layers.ts lists the same
 * layers in the same order), which is the per-sample gradient row order. The `naslib` ops' BN inside the cells
 * has affine = False: running buffers only (ParameterSet.batchNormStats). Each cell is a segment that a pass may
 * checkpoint (ForwardContext.checkpoint).
 */
import {
  Tensor,
  add,
  avgPool2d,
  batchNorm,
  concatChannels,
  conv2d,
  cropSpatial,
  depthwiseConv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  type DType,
} from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import type { ForwardContext, Network, NetworkVariant } from '../network.js';
import { ParameterSet, type ParameterEntry } from '../parameters.js';
import { segment2, type Block, type Block2 } from '../segment.js';
import { dartsFlops } from './counts.js';
import { dartsGenotypeText, type DartsGenotype } from './genotype.js';
import { checkOpsVariant, dartsLayers, sepConvKernel } from './layers.js';
import { dartsCellPlans, type DartsCellPlan, type DartsOpsVariant } from './plan.js';

export interface DartsConfig {
  genotype: DartsGenotype;
  /** Initial width C (NB301: 32). */
  C: number;
  /** Cells L (NB301: 8). */
  layers: number;
  numClasses?: number;
  /** `naslib` (NB301 as Suite-Zero built it) or `darts` (DARTS's own ops). */
  ops?: DartsOpsVariant;
  dtype?: DType;
  /** `all` (the network) or `none`: every BN left out (synflow's variant). */
  batchNorm?: 'all' | 'none';
}

/** What builds the layers: the parameter set and whether BN layers exist at all. */
interface Builder {
  ps: ParameterSet;
  withBn: boolean;
}

/** BatchNorm2d(c, affine) under `prefix`, or the identity in the BN-free variant. */
function bnLayer(b: Builder, prefix: string, c: number, affine: boolean): Block {
  if (!b.withBn) return (_ctx, x) => x;
  if (affine) {
    const bn = b.ps.batchNorm(prefix, c);
    return (ctx, x) =>
      batchNorm(ctx.tape, x, bn.gamma.tensor, bn.beta.tensor, bn.buffers, { mode: ctx.bnMode, updateRunning: ctx.updateRunning });
  }
  const bn = b.ps.batchNormStats(prefix, c);
  return (ctx, x) => batchNorm(ctx.tape, x, bn.gamma, bn.beta, bn.buffers, { mode: ctx.bnMode, updateRunning: ctx.updateRunning });
}

function reluLayer(ctx: ForwardContext, x: Tensor): Tensor {
  ctx.observe?.reluInput?.(x);
  return relu(ctx.tape, x);
}

/** Conv2d (no bias) with its layerOutput tap. */
function convLayer(b: Builder, name: string, cOut: number, cIn: number, k: number, p: { stride: number; padding: number }): Block {
  const w = b.ps.conv(`${name}.weight`, cOut, cIn, k);
  return (ctx, x) => {
    const y = conv2d(ctx.tape, x, w.tensor, p);
    ctx.observe?.layerOutput?.(w.tensor, y, ctx.tape);
    return y;
  };
}

/**
 * pycls's conv_k×1_1×k at stride s: Conv2d(1×k, stride (1, s), pad (0, ⌊k/2⌋)) then Conv2d(k×1, stride (s, 1),
 * pad (⌊k/2⌋, 0)), no BN between. The conv kernels take one stride and one padding for both axes, so the pair
 * runs as the same function in another order of its zero rows and skipped columns:
 *   a = conv(x, w₁ [1×k], stride 1, padding ⌊k/2⌋)   [H + 2⌊k/2⌋, W]: the 1×k conv at stride 1 with its
 *       output already padded by ⌊k/2⌋ zero rows above and below (a 1-tap-high kernel over zero padding rows
 *       gives exact zeros, no bias);
 *   y = conv(a, w₂ [k×1], stride s, padding 0)        [⌊(H−1)/s⌋+1, ⌊(W−1)/s⌋+1].
 * y[i, j] reads column j·s of a, which is the 1×k conv's output column j of PyTorch's (1, s)-strided one; its
 * rows i·s … i·s + k − 1 of a are PyTorch's padded rows i·s − ⌊k/2⌋ …. So y, dx, dw₁ and dw₂ (per sample too)
 * are PyTorch's: the extra rows of a are zeros of x's padding (no weight gradient), the extra columns get no
 * gradient. The layerOutput tap of w₁ sees a (fisher's Σ a·∂L/∂a is unchanged: a = 0 or ∂L/∂a = 0 there).
 */
function factorizedConvLayer(b: Builder, name: string, c: number, k: number, stride: number): Block {
  const pad = (k - 1) / 2;
  const w1 = b.ps.convRect(`${name}.1.weight`, c, c, 1, k);
  const w2 = b.ps.convRect(`${name}.2.weight`, c, c, k, 1);
  return (ctx, x) => {
    const a = conv2d(ctx.tape, x, w1.tensor, { stride: 1, padding: pad });
    ctx.observe?.layerOutput?.(w1.tensor, a, ctx.tape);
    const y = conv2d(ctx.tape, a, w2.tensor, { stride, padding: 0 });
    ctx.observe?.layerOutput?.(w2.tensor, y, ctx.tape);
    return y;
  };
}

/** Conv2d(c, c, k, groups = c) with its layerOutput tap. */
function depthwiseLayer(b: Builder, name: string, c: number, k: number, p: { stride: number; padding: number; dilation: number }): Block {
  const w = b.ps.depthwiseConv(`${name}.weight`, c, k);
  return (ctx, x) => {
    const y = depthwiseConv2d(ctx.tape, x, w.tensor, p);
    ctx.observe?.layerOutput?.(w.tensor, y, ctx.tape);
    return y;
  };
}

function chain(...blocks: Block[]): Block {
  return (ctx, x) => blocks.reduce((h, f) => f(ctx, h), x);
}

const reluBlock: Block = reluLayer;

/** cnn/operations.py ReLUConvBN 1×1 (op.0 ReLU, op.1 conv, op.2 BN). */
function reluConvBn(b: Builder, prefix: string, cIn: number, cOut: number, affine: boolean): Block {
  return chain(
    reluBlock,
    convLayer(b, `${prefix}.op.1`, cOut, cIn, 1, { stride: 1, padding: 0 }),
    bnLayer(b, `${prefix}.op.2`, cOut, affine),
  );
}

/** cnn/operations.py FactorizedReduce: ReLU, cat(conv_1(x), conv_2(x[:, :, 1:, 1:])) (1×1 stride 2, C/2 each), BN. */
function factorizedReduce(b: Builder, prefix: string, cIn: number, cOut: number, affine: boolean): Block {
  if (cOut % 2 !== 0) throw new RangeError(`${prefix}: FactorizedReduce needs an even output width, got ${cOut}`);
  const p = { stride: 2, padding: 0 };
  const conv1 = convLayer(b, `${prefix}.conv_1`, cOut / 2, cIn, 1, p);
  const conv2 = convLayer(b, `${prefix}.conv_2`, cOut / 2, cIn, 1, p);
  const bn = bnLayer(b, `${prefix}.bn`, cOut, affine);
  return (ctx, x) => {
    if (x.shape[2]! % 2 !== 0 || x.shape[3]! % 2 !== 0) {
      throw new RangeError(
        `${prefix}: FactorizedReduce needs an even input size (its two strided 1×1 convs on x and x[:, :, 1:, 1:] must agree), got ${x.shape[2]}×${x.shape[3]}`,
      );
    }
    const h = reluLayer(ctx, x);
    return bn(ctx, concatChannels(ctx.tape, [conv1(ctx, h), conv2(ctx, cropSpatial(ctx.tape, h, 1, 1))]));
  };
}

/** One node op (C → C at the cell width), as layers.ts lists it. */
function nodeOp(b: Builder, o: string, op: string, c: number, stride: number, ops: DartsOpsVariant): Block {
  const affine = ops === 'darts';
  switch (op) {
    case 'sep_conv_3x3':
    case 'sep_conv_5x5':
    case 'sep_conv_7x7': {
      const k = sepConvKernel(op);
      const pad = (k - 1) / 2;
      return chain(
        reluBlock,
        depthwiseLayer(b, `${o}.op.1`, c, k, { stride, padding: pad, dilation: 1 }),
        convLayer(b, `${o}.op.2`, c, c, 1, { stride: 1, padding: 0 }),
        bnLayer(b, `${o}.op.3`, c, affine),
        reluBlock,
        depthwiseLayer(b, `${o}.op.5`, c, k, { stride: 1, padding: pad, dilation: 1 }),
        convLayer(b, `${o}.op.6`, c, c, 1, { stride: 1, padding: 0 }),
        bnLayer(b, `${o}.op.7`, c, affine),
      );
    }
    case 'dil_sep_conv_3x3':
      // pycls DilSepConv(C, C, 3, stride, padding 2, dilation 2): SepConv with both depthwise convs dilated
      return chain(
        reluBlock,
        depthwiseLayer(b, `${o}.op.1`, c, 3, { stride, padding: 2, dilation: 2 }),
        convLayer(b, `${o}.op.2`, c, c, 1, { stride: 1, padding: 0 }),
        bnLayer(b, `${o}.op.3`, c, affine),
        reluBlock,
        depthwiseLayer(b, `${o}.op.5`, c, 3, { stride: 1, padding: 2, dilation: 2 }),
        convLayer(b, `${o}.op.6`, c, c, 1, { stride: 1, padding: 0 }),
        bnLayer(b, `${o}.op.7`, c, affine),
      );
    case 'conv_1x1':
    case 'conv_3x3': {
      // pycls: nn.Sequential(ReLU, Conv2d(C, C, k, stride, padding ⌊k/2⌋), BatchNorm2d(C, affine))
      const k = op === 'conv_1x1' ? 1 : 3;
      return chain(reluBlock, convLayer(b, `${o}.1`, c, c, k, { stride, padding: (k - 1) / 2 }), bnLayer(b, `${o}.2`, c, affine));
    }
    case 'conv_3x1_1x3':
    case 'conv_7x1_1x7':
      // pycls: nn.Sequential(ReLU, Conv2d((1, k)), Conv2d((k, 1)), BatchNorm2d(C, affine))
      return chain(reluBlock, factorizedConvLayer(b, o, c, op === 'conv_3x1_1x3' ? 3 : 7, stride), bnLayer(b, `${o}.3`, c, affine));
    case 'max_pool_5x5':
    case 'max_pool_7x7': {
      const k = op === 'max_pool_5x5' ? 5 : 7;
      const p = { kernel: k, stride, padding: (k - 1) / 2 };
      return (ctx, x) => maxPool2d(ctx.tape, x, p);
    }
    case 'dil_conv_3x3':
    case 'dil_conv_5x5': {
      const k = op === 'dil_conv_3x3' ? 3 : 5;
      return chain(
        reluBlock,
        depthwiseLayer(b, `${o}.op.1`, c, k, { stride, padding: k - 1, dilation: 2 }),
        convLayer(b, `${o}.op.2`, c, c, 1, { stride: 1, padding: 0 }),
        bnLayer(b, `${o}.op.3`, c, affine),
      );
    }
    case 'max_pool_3x3':
    case 'avg_pool_3x3': {
      const p = { kernel: 3, stride, padding: 1 };
      const pool: Block = op === 'max_pool_3x3' ? (ctx, x) => maxPool2d(ctx.tape, x, p) : (ctx, x) => avgPool2d(ctx.tape, x, p);
      return ops === 'darts' ? pool : chain(pool, bnLayer(b, `${o}.1`, c, false));
    }
    case 'skip_connect':
      return stride === 1 ? (_ctx, x) => x : factorizedReduce(b, o, c, c, affine);
    case 'none':
      // darts_model.Zero: x·0 (of the strided shape); its gradient is exactly 0, so nothing is recorded
      return (ctx, x) => {
        const [N, C, H, W] = x.shape as [number, number, number, number];
        return ctx.tape.backend.zeros(stride === 1 ? [N, C, H, W] : [N, C, Math.ceil(H / stride), Math.ceil(W / stride)], x.dtype);
      };
    default:
      throw new Error(`unknown DARTS op ${op}`);
  }
}

/** darts_model.Cell: preprocess both inputs, node k = op(state a) + op(state b), concat of `concat`. */
function cell(b: Builder, plan: DartsCellPlan, ops: DartsOpsVariant): Block2 {
  const p = `cells.${plan.index}`;
  const pre0 = plan.reductionPrev
    ? factorizedReduce(b, `${p}.preprocess0`, plan.cPrevPrev, plan.c, true)
    : reluConvBn(b, `${p}.preprocess0`, plan.cPrevPrev, plan.c, true);
  const pre1 = reluConvBn(b, `${p}.preprocess1`, plan.cPrev, plan.c, true);
  const pairs = plan.cell.pairs.map(({ op, input }, j) => ({ input, run: nodeOp(b, `${p}._ops.${j}`, op, plan.c, plan.strides[j]!, ops) }));
  const concat = plan.cell.concat;
  return (ctx, s0, s1) => {
    const states: Tensor[] = [pre0(ctx, s0), pre1(ctx, s1)];
    for (let k = 0; k < pairs.length / 2; k++) {
      const a = pairs[2 * k]!,
        c = pairs[2 * k + 1]!;
      states.push(add(ctx.tape, a.run(ctx, states[a.input]!), c.run(ctx, states[c.input]!)));
    }
    return concat.length === 1
      ? states[concat[0]!]!
      : concatChannels(
          ctx.tape,
          concat.map((i) => states[i]!),
        );
  };
}

function positiveInteger(name: string, v: number): number {
  if (!(Number.isSafeInteger(v) && v >= 1)) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  return v;
}

export class DartsNetwork implements Network {
  readonly genotype: DartsGenotype;
  readonly C: number;
  readonly layers: number;
  readonly numClasses: number;
  readonly ops: DartsOpsVariant;
  readonly batchNorm: 'all' | 'none';
  readonly cells: readonly DartsCellPlan[];
  readonly parameters: ParameterSet;
  private readonly body: Block;
  private readonly config: DartsConfig;

  constructor(
    readonly backend: Backend,
    config: DartsConfig,
  ) {
    this.config = config;
    this.genotype = config.genotype;
    this.C = positiveInteger('DARTS width C', config.C);
    this.layers = positiveInteger('DARTS depth (cells)', config.layers);
    this.numClasses = positiveInteger('numClasses', config.numClasses ?? 10);
    this.ops = config.ops ?? 'naslib';
    if (this.ops !== 'naslib' && this.ops !== 'darts') throw new Error(`DARTS ops must be naslib or darts, got ${String(this.ops)}`);
    this.batchNorm = config.batchNorm ?? 'all';
    checkOpsVariant(this.genotype, this.ops);
    // FactorizedReduce halves a width that is always even: it runs only in or right after a reduction cell (2C, 4C).
    this.cells = dartsCellPlans(this.genotype, { C: this.C, layers: this.layers });
    const ps = (this.parameters = new ParameterSet(backend, config.dtype ?? 'f32'));
    const b: Builder = { ps, withBn: this.batchNorm === 'all' };

    const stem = chain(convLayer(b, 'stem.0', 3 * this.C, 3, 3, { stride: 1, padding: 1 }), bnLayer(b, 'stem.1', 3 * this.C, true));
    const cells = this.cells.map((plan) => {
      const first = ps.entries.length;
      const run = cell(b, plan, this.ops);
      return { run, params: ps.entries.slice(first) as readonly ParameterEntry[] };
    });
    const cLast = this.cells[this.cells.length - 1]!.cOut;
    const classifier = ps.linear('classifier', this.numClasses, cLast);

    this.body = (ctx, x) => {
      let s0 = stem(ctx, x);
      let s1 = s0;
      for (const { run, params } of cells) [s0, s1] = [s1, segment2(ctx, s0, s1, params, run)];
      // no activation after the last cell: its output is the feature map (darts_model.pre_gap)
      ctx.observe?.features?.(s1);
      const logits = linear(ctx.tape, globalAvgPool(ctx.tape, s1), classifier.weight.tensor, classifier.bias.tensor);
      ctx.observe?.layerOutput?.(classifier.weight.tensor, logits, ctx.tape);
      return logits;
    };
  }

  /** The genotype in DARTS's printed form. */
  get arch(): string {
    return dartsGenotypeText(this.genotype);
  }

  private shape(inputShape: readonly [number, number, number]) {
    return { C: this.C, layers: this.layers, numClasses: this.numClasses, ops: this.ops, H: inputShape[1], W: inputShape[2] };
  }

  /**
   * NAS-Bench-Suite-Zero's `flops` (tensorwatch ModelStats' count, counts.ts) for one input, in millions; the
   * BN-free variant counts no BN.
   */
  flops(inputShape: readonly [number, number, number]): number {
    const s = this.shape(inputShape);
    const all = dartsFlops(this.genotype, s);
    if (this.batchNorm === 'all') return all;
    const bn = dartsLayers(this.genotype, s).reduce((f, l) => f + (l.kind === 'batchNorm' ? (l.affine ? 2 : 1) * l.c * l.h * l.w : 0), 0);
    return all - bn / 1e6;
  }

  /**
   * The same genotype and shape as a variant. DARTS has no BN-only-in-reduction-blocks form in any reference
   * and no cell-conv biases: batch norm `reductions` is `none` (as NB101's), `cellConvBias` changes nothing.
   */
  variant(v: NetworkVariant, backend: Backend = this.backend): DartsNetwork {
    return new DartsNetwork(backend, {
      ...this.config,
      dtype: v.dtype ?? this.parameters.dtype,
      batchNorm: v.batchNorm === undefined || v.batchNorm === 'all' ? 'all' : 'none',
    });
  }

  /** Logits [B, numClasses] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`DARTS network expects input [B,3,H,W], got [${x.shape}]`);
    // the layer list checks the sizes (FactorizedReduce needs even ones) before anything runs
    dartsLayers(this.genotype, this.shape([3, x.shape[2]!, x.shape[3]!]));
    return this.body(ctx, x);
  }
}
