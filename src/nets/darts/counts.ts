/**
 * Parameter and operation counts of the DARTS network, folded over its layer list (layers.ts), without building
 * anything.
 *
 * `dartsFlops` is NAS-Bench-Suite-Zero's `flops` column: NASLib's tensorwatch ModelStats count for one
 * 1×3×H×W image, in millions. Per layer, with the sizes of PyTorch's forward:
 *   Conv2d          kh·kw·C_in·(C_out/groups)·H_out·W_out (no bias in this network)
 *   BatchNorm2d     its input elements C·H·W, twice that when affine
 *   ReLU            its input elements C·H·W
 *   Max/AvgPool2d   C·H_out·W_out·k²
 *   global pool     C·(H+1)·(W+1) of its input (sic: that counter's rule for AdaptiveAvgPool2d)
 *   Linear          in·out (the bias adds nothing)
 * and nothing for sums, concatenations, identities, zeros or the shifted view. Settled on this network: these
 * rules give the file's `flops` for all 725 NB301 genotypes exactly (tests/darts_counts.test.ts). The conv_2 of
 * FactorizedReduce reads x[:, :, 1:, 1:]; its H_out·W_out is that of conv_1 for the even sizes it accepts.
 *
 * `dartsConvLinearMacs` is the usual "FLOPs" of DARTS-family papers: conv and linear multiply-accumulates only.
 */
import type { DartsGenotype } from './genotype.js';
import { dartsLayers, type DartsLayer, type DartsLayerShape } from './layers.js';

/** One parameter tensor: its PyTorch state_dict name and shape. */
export interface DartsParameterShape {
  name: string;
  shape: number[];
}

/** The parameters of one layer in PyTorch's order (weight before bias). */
function layerParameters(l: DartsLayer): DartsParameterShape[] {
  switch (l.kind) {
    case 'conv':
      return [{ name: `${l.name}.weight`, shape: [l.cOut, l.c / l.groups, l.rect?.kh ?? l.k, l.rect?.kw ?? l.k] }];
    case 'batchNorm':
      return l.affine
        ? [
            { name: `${l.name}.weight`, shape: [l.c] },
            { name: `${l.name}.bias`, shape: [l.c] },
          ]
        : [];
    case 'linear':
      return [
        { name: `${l.name}.weight`, shape: [l.outFeatures, l.inFeatures] },
        { name: `${l.name}.bias`, shape: [l.outFeatures] },
      ];
    default:
      return [];
  }
}

/** Every parameter tensor in registration order (= named_parameters() of fixtures/pytorch/darts_model.py). */
export function dartsParameterShapes(g: DartsGenotype, s: DartsLayerShape): DartsParameterShape[] {
  return dartsLayers(g, s).flatMap(layerParameters);
}

/** Every BN's running statistics in registration order (= named_buffers() of the port). */
export function dartsBufferShapes(g: DartsGenotype, s: DartsLayerShape): DartsParameterShape[] {
  return dartsLayers(g, s).flatMap((l) =>
    l.kind === 'batchNorm'
      ? [
          { name: `${l.name}.running_mean`, shape: [l.c] },
          { name: `${l.name}.running_var`, shape: [l.c] },
          { name: `${l.name}.num_batches_tracked`, shape: [] },
        ]
      : [],
  );
}

/** Every parameter (conv weights, affine BN γ and β, classifier weight and bias): Suite-Zero's `params` × 1e6. */
export function dartsParameterCount(g: DartsGenotype, s: DartsLayerShape): number {
  return dartsParameterShapes(g, s).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

function layerFlops(l: DartsLayer): number {
  switch (l.kind) {
    case 'conv':
      return (l.rect ? l.rect.kh * l.rect.kw : l.k * l.k) * l.c * (l.cOut / l.groups) * l.hOut * l.wOut;
    case 'batchNorm':
      return (l.affine ? 2 : 1) * l.c * l.h * l.w;
    case 'relu':
      return l.c * l.h * l.w;
    case 'maxPool':
    case 'avgPool':
      return l.c * l.hOut * l.wOut * l.k * l.k;
    case 'globalAvgPool':
      return l.c * (l.h + 1) * (l.w + 1);
    case 'linear':
      return l.inFeatures * l.outFeatures;
  }
}

/** tensorwatch ModelStats' count (see above) for one image, in millions: Suite-Zero's `flops`. */
export function dartsFlops(g: DartsGenotype, s: DartsLayerShape): number {
  return dartsLayers(g, s).reduce((f, l) => f + layerFlops(l), 0) / 1e6;
}

/** Conv and linear multiply-accumulates for one image, in millions (k²·C_in/groups·C_out·H_out·W_out + in·out). */
export function dartsConvLinearMacs(g: DartsGenotype, s: DartsLayerShape): number {
  return dartsLayers(g, s).reduce((f, l) => f + (l.kind === 'conv' || l.kind === 'linear' ? layerFlops(l) : 0), 0) / 1e6;
}
