/**
 * The NAS-Bench-101 network exactly as fixtures/pytorch/nb101_model.py's NB101Network (itself written from
 * google-research/nasbench's model_builder.py): stem ConvBnRelu 3×3, `stacks` stacks of `cellsPerStack` cells
 * with a 2×2 max-pool before every stack but the first (whose first cell doubles the width), global average
 * pooling and a linear classifier. ConvBnRelu = Conv2d (no bias, stride 1, padding k/2) → BatchNorm2d → ReLU.
 * Every parameter carries the port's state_dict name, registered in its module order (stem, then per cell all
 * input projections by vertex, then all vertex ops by vertex, then the classifier), which is the per-sample
 * gradient row order. Each cell is a segment that a pass may checkpoint (ForwardContext.checkpoint): at batch 64
 * the benchmark's widths hold more activations than the WASM heap.
 */
import {
  Tensor,
  add,
  batchNorm,
  concatChannels,
  conv2d,
  globalAvgPool,
  linear,
  maxPool2d,
  relu,
  sliceChannels,
  type DType,
} from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import type { ForwardContext, Network, NetworkVariant } from '../network.js';
import { ParameterSet } from '../parameters.js';
import { segment, type Block } from '../segment.js';
import { nb101CellPlans, nb101KernelSize, type Nb101CellPlan } from './channels.js';
import { nb101Flops } from './flops.js';
import { Nb101SpecError, createNb101Spec, specToJson, type Nb101Spec } from './spec.js';

export interface Nb101Config {
  /** The pruned cell (parseNb101Spec, createNb101Spec or specFromLabels give one). */
  spec: Nb101Spec;
  numClasses?: number;
  /** Stem width (128 in the benchmark). */
  stemChannels?: number;
  /** Stacks (3 in the benchmark). */
  stacks?: number;
  /** Cells per stack (3 in the benchmark). */
  cellsPerStack?: number;
  dtype?: DType;
  /** `all` (the benchmark network) or `none`: every ConvBnRelu without its BN (synflow's variant). */
  batchNorm?: 'all' | 'none';
}

/** ConvBnRelu: conv (layerOutput tap) → BN (when kept) → ReLU (reluInput tap), as the port's module `prefix`. */
function convBnRelu(ps: ParameterSet, withBn: boolean, prefix: string, cin: number, cout: number, k: number): Block {
  const w = ps.conv(`${prefix}.conv.weight`, cout, cin, k);
  const bn = withBn ? ps.batchNorm(`${prefix}.bn`, cout) : undefined;
  const p = { stride: 1, padding: (k - 1) / 2 };
  return (ctx, x) => {
    let y = conv2d(ctx.tape, x, w.tensor, p);
    ctx.observe?.layerOutput?.(w.tensor, y, ctx.tape);
    if (bn) y = batchNorm(ctx.tape, y, bn.gamma.tensor, bn.beta.tensor, bn.buffers, { mode: ctx.bnMode, updateRunning: ctx.updateRunning });
    ctx.observe?.reluInput?.(y);
    return relu(ctx.tape, y);
  };
}

/**
 * One cell (nb101_model.Cell): an interior vertex v computes op_v(Σ_{u→v} x_u[:, :ch[v]] + input_proj.v(x)),
 * the sources in increasing u and the projection last; the output concatenates, in vertex order, the interior
 * vertices feeding it, plus input_proj.{V-1}(x) when the input feeds the output directly.
 */
function cell(ps: ParameterSet, withBn: boolean, prefix: string, spec: Nb101Spec, plan: Nb101CellPlan): Block {
  const { matrix: m, ops } = spec;
  const ch = plan.channels;
  const V = m.length;
  const proj = new Map<number, Block>();
  for (let v = 1; v < V; v++) if (m[0]![v]) proj.set(v, convBnRelu(ps, withBn, `${prefix}.input_proj.${v}`, plan.cIn, ch[v]!, 1));
  const vertexOp = new Map<number, Block>();
  for (let v = 1; v < V - 1; v++) {
    const k = nb101KernelSize(ops[v]!);
    vertexOp.set(
      v,
      k > 0
        ? convBnRelu(ps, withBn, `${prefix}.vertex_op.${v}`, ch[v]!, ch[v]!, k)
        : (ctx, x) => maxPool2d(ctx.tape, x, { kernel: 3, stride: 1, padding: 1 }),
    );
  }
  return (ctx, x) => {
    const vals: Tensor[] = [x];
    for (let v = 1; v < V - 1; v++) {
      const terms: Tensor[] = [];
      for (let u = 1; u < v; u++) {
        if (!m[u]![v]) continue;
        terms.push(ch[u]! > ch[v]! ? sliceChannels(ctx.tape, vals[u]!, 0, ch[v]!) : vals[u]!);
      }
      const p = proj.get(v);
      if (p) terms.push(p(ctx, x));
      let s = terms[0]!;
      for (const t of terms.slice(1)) s = add(ctx.tape, s, t);
      vals.push(vertexOp.get(v)!(ctx, s));
    }
    const cat: Tensor[] = [];
    for (let v = 1; v < V - 1; v++) if (m[v]![V - 1]) cat.push(vals[v]!);
    let out = cat.length === 0 ? undefined : cat.length === 1 ? cat[0]! : concatChannels(ctx.tape, cat);
    const direct = proj.get(V - 1);
    if (direct) {
      const p = direct(ctx, x);
      out = out ? add(ctx.tape, out, p) : p;
    }
    return out!;
  };
}

function positiveInteger(name: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

export class Nb101Network implements Network {
  readonly spec: Nb101Spec;
  readonly numClasses: number;
  readonly stemChannels: number;
  readonly stacks: number;
  readonly cellsPerStack: number;
  readonly batchNorm: 'all' | 'none';
  /** The cells in network order with their vertices' widths (nb101CellPlans). */
  readonly cells: readonly Nb101CellPlan[];
  readonly parameters: ParameterSet;
  private readonly body: Block;
  private readonly config: Nb101Config;

  constructor(
    readonly backend: Backend,
    config: Nb101Config,
  ) {
    this.config = config;
    // The port takes a pruned cell only: the state_dict names carry the pruned vertex indices.
    const checked = createNb101Spec(config.spec.matrix, config.spec.ops);
    if (specToJson(checked) !== specToJson({ matrix: config.spec.matrix, ops: config.spec.ops })) {
      throw new Nb101SpecError(`the cell is not pruned (vertices off every input→output path); its pruned form is ${specToJson(checked)}`);
    }
    this.spec = checked;
    this.numClasses = positiveInteger('numClasses', config.numClasses ?? 10);
    this.stemChannels = positiveInteger('stemChannels', config.stemChannels ?? 128);
    this.stacks = positiveInteger('stacks', config.stacks ?? 3);
    this.cellsPerStack = positiveInteger('cellsPerStack', config.cellsPerStack ?? 3);
    this.batchNorm = config.batchNorm ?? 'all';
    const withBn = this.batchNorm === 'all';
    this.cells = nb101CellPlans(this.spec.matrix, this);
    const ps = (this.parameters = new ParameterSet(backend, config.dtype ?? 'f32'));

    const stem = convBnRelu(ps, withBn, 'stem', 3, this.stemChannels, 3);
    const cells = this.cells.map((plan) => {
      const prefix = `stacks.${plan.stack}.cells.${plan.cell}`;
      const first = ps.entries.length;
      const run = cell(ps, withBn, prefix, this.spec, plan);
      return { plan, run, params: ps.entries.slice(first) };
    });
    const cLast = this.cells[this.cells.length - 1]!.cOut;
    const classifier = ps.linear('classifier', this.numClasses, cLast);

    this.body = (ctx, x) => {
      let h = stem(ctx, x);
      for (const { plan, run, params } of cells) {
        if (plan.stack > 0 && plan.cell === 0) h = maxPool2d(ctx.tape, h, { kernel: 2, stride: 2, padding: 0 });
        h = segment(ctx, h, params, run);
      }
      // NB101 has no activation after the last cell: its output is the feature map (nb101_model.pre_gap)
      ctx.observe?.features?.(h);
      const logits = linear(ctx.tape, globalAvgPool(ctx.tape, h), classifier.weight.tensor, classifier.bias.tensor);
      ctx.observe?.layerOutput?.(classifier.weight.tensor, logits, ctx.tape);
      return logits;
    };
  }

  flops(inputShape: readonly [number, number, number]): number {
    const { stemChannels, stacks, cellsPerStack, numClasses } = this;
    return nb101Flops(this.spec, {
      stemChannels,
      stacks,
      cellsPerStack,
      numClasses,
      batchNorm: this.batchNorm === 'all',
      H: inputShape[1],
      W: inputShape[2],
    });
  }

  /**
   * The same cell and shape as a variant. NB101 has no reduction blocks and no cell-conv biases in any
   * reference: batch norm `reductions` (BN only inside reduction blocks) is therefore `none`, and
   * `cellConvBias` changes nothing. So both synflow variants score the BN-free network, which is also
   * zero-cost-nas's NB101 synflow model (its nasbench1 network with bn=False: Conv2d(bias=False) → ReLU).
   */
  variant(v: NetworkVariant, backend: Backend = this.backend): Nb101Network {
    return new Nb101Network(backend, {
      ...this.config,
      spec: this.spec,
      dtype: v.dtype ?? this.parameters.dtype,
      batchNorm: v.batchNorm === undefined || v.batchNorm === 'all' ? 'all' : 'none',
    });
  }

  /** Logits [B, numClasses] for input x [B, 3, H, W]. */
  forward(ctx: ForwardContext, x: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== 3) throw new Error(`NB101 network expects input [B,3,H,W], got [${x.shape}]`);
    const min = 2 ** (this.stacks - 1);
    if (x.shape[2]! < min || x.shape[3]! < min)
      throw new Error(`NB101 network with ${this.stacks} stacks needs H and W of at least ${min}, got ${x.shape[2]}x${x.shape[3]}`);
    return this.body(ctx, x);
  }
}
