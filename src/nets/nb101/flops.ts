/**
 * Multiply-accumulate count of the NB101 network for one image, in millions, in the convention nb201/flops.ts
 * uses (NASLib's tensorwatch/torchstat rules) so the two spaces count alike: Conv2d k²·C_in·C_out·H_out·W_out;
 * BN 2 per element; ReLU 1 per input element; a max-pool C·H_out·W_out·k² (that convention's pooling rule: the
 * 3×3 vertex pools and the 2×2 downsampling pools); global pooling C·(H+1)·(W+1); Linear in·out (no bias term).
 * Additions, concatenations and truncations cost 0. NB101's table has no FLOPs column, so nothing checks this
 * against a published number; the tests check it against a count by hand.
 */
import { nb101CellPlans, nb101KernelSize, nb101OutputChannels, type Nb101Shape } from './channels.js';
import type { Nb101Spec } from './spec.js';

export interface Nb101FlopsShape extends Nb101Shape {
  numClasses: number;
  /** Whether the ConvBnRelu units have their BN (false in the BN-free variant). */
  batchNorm: boolean;
  /** Input height and width. */
  H: number;
  W: number;
}

export function nb101Flops(spec: Nb101Spec, s: Nb101FlopsShape): number {
  const { matrix, ops } = spec;
  const V = matrix.length;
  const convBnRelu = (cin: number, cout: number, k: number, hw: number) =>
    k * k * cin * cout * hw + (s.batchNorm ? 2 : 0) * cout * hw + cout * hw;
  let h = s.H,
    w = s.W;
  let f = convBnRelu(3, s.stemChannels, 3, h * w);
  for (const { stack, cell, cIn, channels } of nb101CellPlans(matrix, s)) {
    if (stack > 0 && cell === 0) {
      h = Math.floor(h / 2);
      w = Math.floor(w / 2);
      f += cIn * h * w * 4;
    }
    for (let v = 1; v < V; v++) if (matrix[0]![v]) f += convBnRelu(cIn, channels[v]!, 1, h * w);
    for (let v = 1; v < V - 1; v++) {
      const k = nb101KernelSize(ops[v]!);
      f += k > 0 ? convBnRelu(channels[v]!, channels[v]!, k, h * w) : 9 * channels[v]! * h * w;
    }
  }
  const c = nb101OutputChannels(s);
  f += c * (h + 1) * (w + 1) + c * s.numClasses;
  return f / 1e6;
}
