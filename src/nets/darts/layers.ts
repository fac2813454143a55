/**
 * The DARTS network as its list of primitive layers (conv, BN, ReLU, pool, global pool, linear), each with its
 * shapes at a given input resolution and the module name of fixtures/pytorch/darts_model.py (cnn/model.py's
 * names), in PyTorch's registration order: the parameter rows follow it, and the counts fold over it. Sums,
 * concatenations, identities, zeros and FactorizedReduce's shifted view x[:, :, 1:, 1:] are not layers.
 *
 * Ops (both variants C → C at the cell width, stride s from the plan):
 *   sep_conv_k×k   ReLU, depthwise k×k (s, pad ⌊k/2⌋), 1×1, BN, ReLU, depthwise k×k (1, pad ⌊k/2⌋), 1×1, BN
 *   dil_conv_k×k   ReLU, depthwise k×k dilation 2 (s, pad k−1), 1×1, BN
 *   max/avg_pool   3×3, stride s, pad 1 (avg: count_include_pad=False); `naslib`: then BN
 *   skip_connect   identity; at stride 2 FactorizedReduce: ReLU, conv_1 1×1/2 on x and conv_2 1×1/2 on
 *                  x[:, :, 1:, 1:] (C → C/2 each), concatenated, BN
 *   none           zeros, no layer
 * `naslib` (NASLib's DARTS/NB301 space, naslib/search_spaces/nasbench301/graph.py _set_ops): every BN inside a
 * cell has affine=False (no γ, β) and the pools get their BN; `darts` (cnn/operations.py): every BN affine, bare
 * pools. The stem BN and the preprocessing (ReLUConvBN 1×1, FactorizedReduce) are affine in both.
 *
 * NDS's ops (`darts` only; pycls/models/nas/operations.py, whose shared ops are DARTS's, built with affine=True by
 * pycls's Cell._compile; NASLib has none of them):
 *   sep_conv_7x7       as sep_conv_k×k, k = 7, pad 3
 *   dil_sep_conv_3x3   ReLU, depthwise 3×3 dilation 2 (s, pad 2), 1×1, BN, ReLU, depthwise 3×3 dilation 2
 *                      (1, pad 2), 1×1, BN (DilSepConv: both depthwise convs dilated)
 *   conv_1x1, conv_3x3 ReLU, conv k×k (s, pad ⌊k/2⌋), BN (nn.Sequential: names .0, .1, .2)
 *   conv_3x1_1x3, conv_7x1_1x7
 *                      ReLU, conv 1×k (stride (1, s), pad (0, ⌊k/2⌋)), conv k×1 (stride (s, 1), pad (⌊k/2⌋, 0)),
 *                      BN (names .0 … .3)
 *   max_pool_5x5/7x7   k×k, stride s, pad ⌊k/2⌋
 */
import { NDS_EXTRA_OPS, type DartsGenotype } from './genotype.js';
import { dartsCellPlans, type DartsOpsVariant, type DartsShape } from './plan.js';

/** NASLib's op variant has none of NDS's ops: a genotype holding one needs the `darts` (= pycls) ops. */
export function checkOpsVariant(g: DartsGenotype, ops: DartsOpsVariant): void {
  if (ops !== 'naslib') return;
  for (const { op } of [...g.normal.pairs, ...g.reduce.pairs])
    if ((NDS_EXTRA_OPS as readonly string[]).includes(op))
      throw new RangeError(`op ${op} is one of NDS's (pycls's) ops, which NASLib's op variant does not have: use --ops darts`);
}

/** The kernel size of a sep_conv_k×k op. */
export function sepConvKernel(op: 'sep_conv_3x3' | 'sep_conv_5x5' | 'sep_conv_7x7'): number {
  return op === 'sep_conv_3x3' ? 3 : op === 'sep_conv_5x5' ? 5 : 7;
}

/** Spatial size after a conv or pool (PyTorch's rule). */
export function convOutputSize(size: number, k: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((size + 2 * padding - dilation * (k - 1) - 1) / stride) + 1;
}

interface Spatial {
  /** Input channels, height and width. */
  c: number;
  h: number;
  w: number;
}

export type DartsLayer =
  | ({
      kind: 'conv';
      name: string;
      cOut: number;
      k: number;
      stride: number;
      padding: number;
      dilation: number;
      groups: number;
      /** Reads x[:, :, 1:, 1:] (FactorizedReduce's conv_2); h and w are the shifted input's. */
      shifted: boolean;
      hOut: number;
      wOut: number;
      /**
       * A non-square kernel (NDS's conv_3x1_1x3, conv_7x1_1x7): kernel kh × kw, stride and padding per axis
       * [height, width]; `k`, `stride` and `padding` are then the kernel height, the height stride and padding.
       */
      rect?: { kh: number; kw: number; stride: [number, number]; padding: [number, number] };
    } & Spatial)
  | ({ kind: 'batchNorm'; name: string; affine: boolean } & Spatial)
  | ({ kind: 'relu'; name: string } & Spatial)
  | ({ kind: 'maxPool' | 'avgPool'; name: string; k: number; stride: number; padding: number; hOut: number; wOut: number } & Spatial)
  | ({ kind: 'globalAvgPool'; name: string } & Spatial)
  | { kind: 'linear'; name: string; inFeatures: number; outFeatures: number };

export interface DartsLayerShape extends DartsShape {
  numClasses: number;
  ops: DartsOpsVariant;
  /** Input height and width (32 when not given: parameters do not depend on them). */
  H?: number;
  W?: number;
}

/** Collects the layers in order and tracks the shape of the tensor flowing through them. */
class LayerList {
  readonly layers: DartsLayer[] = [];
  c = 0;
  h = 0;
  w = 0;

  at(c: number, h: number, w: number): this {
    this.c = c;
    this.h = h;
    this.w = w;
    return this;
  }

  relu(name: string): void {
    this.layers.push({ kind: 'relu', name, c: this.c, h: this.h, w: this.w });
  }

  bn(name: string, affine: boolean): void {
    this.layers.push({ kind: 'batchNorm', name, affine, c: this.c, h: this.h, w: this.w });
  }

  conv(name: string, cOut: number, k: number, o: { stride?: number; padding?: number; dilation?: number; groups?: number } = {}): void {
    const { stride = 1, padding = 0, dilation = 1, groups = 1 } = o;
    this.pushConv(name, cOut, { k, stride, padding, dilation, groups }, convOutputSize(this.w, k, stride, padding, dilation));
  }

  /** Conv2d(kernel (kh, kw), stride (sh, sw), padding (ph, pw)), no bias. */
  rectConv(name: string, cOut: number, kh: number, kw: number, stride: [number, number], padding: [number, number]): void {
    const conv = { k: kh, stride: stride[0], padding: padding[0], dilation: 1, groups: 1, rect: { kh, kw, stride, padding } };
    this.pushConv(name, cOut, conv, convOutputSize(this.w, kw, stride[1], padding[1]));
  }

  /** A conv layer at the current shape: the height from its k/stride/padding/dilation, the width as given. */
  private pushConv(
    name: string,
    cOut: number,
    conv: {
      k: number;
      stride: number;
      padding: number;
      dilation: number;
      groups: number;
      rect?: { kh: number; kw: number; stride: [number, number]; padding: [number, number] };
    },
    wOut: number,
  ): void {
    const hOut = convOutputSize(this.h, conv.k, conv.stride, conv.padding, conv.dilation);
    this.layers.push({ kind: 'conv', name, c: this.c, h: this.h, w: this.w, cOut, ...conv, shifted: false, hOut, wOut });
    this.at(cOut, hOut, wOut);
  }

  /** A k×k pool at padding ⌊k/2⌋ (k = 3 unless given). */
  pool(kind: 'maxPool' | 'avgPool', name: string, stride: number, k = 3): void {
    const padding = (k - 1) / 2;
    const hOut = convOutputSize(this.h, k, stride, padding),
      wOut = convOutputSize(this.w, k, stride, padding);
    this.layers.push({ kind, name, c: this.c, h: this.h, w: this.w, k, stride, padding, hOut, wOut });
    this.at(this.c, hOut, wOut);
  }

  /** ReLU → conv 1×1 → BN (cnn/operations.py ReLUConvBN; names op.0, op.1, op.2). */
  reluConvBn(prefix: string, cOut: number, affine: boolean): void {
    this.relu(`${prefix}.op.0`);
    this.conv(`${prefix}.op.1`, cOut, 1);
    this.bn(`${prefix}.op.2`, affine);
  }

  /** cnn/operations.py FactorizedReduce: its two convs must give equal sizes, so the input size must be even. */
  factorizedReduce(prefix: string, cOut: number, affine: boolean): void {
    const { c, h, w } = this;
    if (h % 2 !== 0 || w % 2 !== 0) {
      throw new RangeError(
        `${prefix}: FactorizedReduce needs an even input size (its two strided 1×1 convs on x and x[:, :, 1:, 1:] must agree), got ${h}×${w}`,
      );
    }
    this.relu(`${prefix}.relu`);
    this.conv(`${prefix}.conv_1`, cOut / 2, 1, { stride: 2 });
    const hOut = this.h,
      wOut = this.w;
    this.layers.push({
      kind: 'conv',
      name: `${prefix}.conv_2`,
      c,
      h: h - 1,
      w: w - 1,
      cOut: cOut / 2,
      k: 1,
      stride: 2,
      padding: 0,
      dilation: 1,
      groups: 1,
      shifted: true,
      hOut: convOutputSize(h - 1, 1, 2, 0),
      wOut: convOutputSize(w - 1, 1, 2, 0),
    });
    this.at(cOut, hOut, wOut);
    this.bn(`${prefix}.bn`, affine);
  }
}

/** The primitive layers of the network in registration order. */
export function dartsLayers(g: DartsGenotype, s: DartsLayerShape): DartsLayer[] {
  const H = s.H ?? 32,
    W = s.W ?? 32;
  if (!Number.isSafeInteger(H) || !Number.isSafeInteger(W) || H < 1 || W < 1)
    throw new RangeError(`input size must be positive integers, got ${H}×${W}`);
  const inCell = s.ops === 'darts'; // affine BN inside the cells: DARTS's ops only
  checkOpsVariant(g, s.ops);
  const L = new LayerList();
  L.at(3, H, W);
  L.conv('stem.0', 3 * s.C, 3, { padding: 1 });
  L.bn('stem.1', true);
  // [channels, height, width] of the outputs of cell i−2 and i−1 (both the stem's at first).
  let prevPrev = [L.c, L.h, L.w] as [number, number, number];
  let prev = prevPrev;
  for (const plan of dartsCellPlans(g, s)) {
    const p = `cells.${plan.index}`;
    L.at(...prevPrev);
    if (plan.reductionPrev) L.factorizedReduce(`${p}.preprocess0`, plan.c, true);
    else L.reluConvBn(`${p}.preprocess0`, plan.c, true);
    const s0 = [L.h, L.w];
    L.at(...prev);
    L.reluConvBn(`${p}.preprocess1`, plan.c, true);
    if (s0[0] !== L.h || s0[1] !== L.w) {
      throw new RangeError(
        `cell ${plan.index}: its inputs come out of preprocessing at ${s0.join('×')} and ${L.h}×${L.w}; they must agree`,
      );
    }
    const inputSize = [L.h, L.w] as const;
    const nodeSize = plan.reduction ? [convOutputSize(L.h, 3, 2, 1), convOutputSize(L.w, 3, 2, 1)] : inputSize;
    plan.cell.pairs.forEach(({ op, input }, j) => {
      const stride = plan.strides[j]!;
      const o = `${p}._ops.${j}`;
      const [h, w] = input < 2 ? inputSize : nodeSize;
      L.at(plan.c, h!, w!);
      if (op === 'sep_conv_3x3' || op === 'sep_conv_5x5' || op === 'sep_conv_7x7') {
        const k = sepConvKernel(op);
        L.relu(`${o}.op.0`);
        L.conv(`${o}.op.1`, plan.c, k, { stride, padding: (k - 1) / 2, groups: plan.c });
        L.conv(`${o}.op.2`, plan.c, 1);
        L.bn(`${o}.op.3`, inCell);
        L.relu(`${o}.op.4`);
        L.conv(`${o}.op.5`, plan.c, k, { padding: (k - 1) / 2, groups: plan.c });
        L.conv(`${o}.op.6`, plan.c, 1);
        L.bn(`${o}.op.7`, inCell);
      } else if (op === 'dil_sep_conv_3x3') {
        L.relu(`${o}.op.0`);
        L.conv(`${o}.op.1`, plan.c, 3, { stride, padding: 2, dilation: 2, groups: plan.c });
        L.conv(`${o}.op.2`, plan.c, 1);
        L.bn(`${o}.op.3`, inCell);
        L.relu(`${o}.op.4`);
        L.conv(`${o}.op.5`, plan.c, 3, { padding: 2, dilation: 2, groups: plan.c });
        L.conv(`${o}.op.6`, plan.c, 1);
        L.bn(`${o}.op.7`, inCell);
      } else if (op === 'conv_1x1' || op === 'conv_3x3') {
        const k = op === 'conv_1x1' ? 1 : 3;
        L.relu(`${o}.0`);
        L.conv(`${o}.1`, plan.c, k, { stride, padding: (k - 1) / 2 });
        L.bn(`${o}.2`, inCell);
      } else if (op === 'conv_3x1_1x3' || op === 'conv_7x1_1x7') {
        const k = op === 'conv_3x1_1x3' ? 3 : 7;
        const pad = (k - 1) / 2;
        L.relu(`${o}.0`);
        L.rectConv(`${o}.1`, plan.c, 1, k, [1, stride], [0, pad]);
        L.rectConv(`${o}.2`, plan.c, k, 1, [stride, 1], [pad, 0]);
        L.bn(`${o}.3`, inCell);
      } else if (op === 'max_pool_5x5' || op === 'max_pool_7x7') {
        L.pool('maxPool', o, stride, op === 'max_pool_5x5' ? 5 : 7);
      } else if (op === 'dil_conv_3x3' || op === 'dil_conv_5x5') {
        const k = op === 'dil_conv_3x3' ? 3 : 5;
        L.relu(`${o}.op.0`);
        L.conv(`${o}.op.1`, plan.c, k, { stride, padding: k - 1, dilation: 2, groups: plan.c });
        L.conv(`${o}.op.2`, plan.c, 1);
        L.bn(`${o}.op.3`, inCell);
      } else if (op === 'max_pool_3x3' || op === 'avg_pool_3x3') {
        const kind = op === 'max_pool_3x3' ? 'maxPool' : 'avgPool';
        if (s.ops === 'darts') L.pool(kind, o, stride);
        else {
          L.pool(kind, `${o}.0`, stride);
          L.bn(`${o}.1`, false);
        }
      } else if (op === 'skip_connect' && stride === 2) {
        L.factorizedReduce(o, plan.c, inCell);
      }
      // skip_connect at stride 1 (identity) and none (zeros) have no layers.
    });
    prevPrev = prev;
    prev = [plan.cOut, nodeSize[0]!, nodeSize[1]!];
  }
  L.at(...prev);
  L.layers.push({ kind: 'globalAvgPool', name: 'global_pooling', c: L.c, h: L.h, w: L.w });
  L.layers.push({ kind: 'linear', name: 'classifier', inFeatures: L.c, outFeatures: s.numClasses });
  return L.layers;
}
