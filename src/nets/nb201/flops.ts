/**
 * Multiply-accumulate count of the NB201 network for one image, in millions, in the convention of
 * NAS-Bench-Suite-Zero's `flops` column (NASLib: tensorwatch/torchstat rules), so it can be checked against
 * that table: Conv2d k²·C_in·C_out·H_out·W_out; BN 2 per element; ReLU 1 per input element; AvgPool2d
 * C·H_out·W_out·k²; global pooling C·(H+1)·(W+1); Linear in·out (no bias term). Zero and identity ops cost 0.
 * (xautodl's own counter, behind the NB201 API, counts only Conv2d and Linear.)
 */
import type { Genotype } from './arch.js';

export interface Nb201Shape {
  C: number;
  N: number;
  numClasses: number;
  /** Input height and width. */
  H: number;
  W: number;
}

export function nb201Flops(genotype: Genotype, s: Nb201Shape): number {
  const reluConvBn = (cin: number, cout: number, k: number, h: number, w: number, stride: number) => {
    const ho = h / stride,
      wo = w / stride;
    return cin * h * w + k * k * cin * cout * ho * wo + 2 * cout * ho * wo;
  };
  const cell = (c: number, h: number, w: number) =>
    genotype.edges.reduce(
      (t, e) =>
        t +
        (e.op === 'nor_conv_3x3'
          ? reluConvBn(c, c, 3, h, w, 1)
          : e.op === 'nor_conv_1x1'
            ? reluConvBn(c, c, 1, h, w, 1)
            : e.op === 'avg_pool_3x3'
              ? 9 * c * h * w
              : 0),
      0,
    );
  const reduction = (cin: number, cout: number, h: number, w: number) => {
    const ho = h / 2,
      wo = w / 2;
    return reluConvBn(cin, cout, 3, h, w, 2) + reluConvBn(cout, cout, 3, ho, wo, 1) + 4 * cin * ho * wo + cin * cout * ho * wo;
  };
  const { C, N, H, W } = s;
  let f = 9 * 3 * C * H * W + 2 * C * H * W; // stem conv + BN
  f += N * cell(C, H, W) + reduction(C, 2 * C, H, W);
  f += N * cell(2 * C, H / 2, W / 2) + reduction(2 * C, 4 * C, H / 2, W / 2);
  f += N * cell(4 * C, H / 4, W / 4);
  const [c, h, w] = [4 * C, H / 4, W / 4];
  f += 2 * c * h * w + c * h * w + c * (h + 1) * (w + 1) + c * s.numClasses; // lastact BN + ReLU, pooling, classifier
  return f / 1e6;
}

/**
 * FLOPs of one image, in millions, as the NB201/NATS-Bench API reports them (xautodl's get_model_infos: its
 * compute_average_flops_cost sums only Conv2d — k²·C_in·C_out·H_out·W_out — and Linear — in·out + out for the
 * bias; pooling, BN and ReLU are not counted). AZ-NAS's complexity term takes these from the API.
 */
export function nb201ApiFlops(genotype: Genotype, s: Nb201Shape): number {
  const conv = (cin: number, cout: number, k: number, ho: number, wo: number) => k * k * cin * cout * ho * wo;
  const cell = (c: number, h: number, w: number) =>
    genotype.edges.reduce(
      (t, e) => t + (e.op === 'nor_conv_3x3' ? conv(c, c, 3, h, w) : e.op === 'nor_conv_1x1' ? conv(c, c, 1, h, w) : 0),
      0,
    );
  const reduction = (cin: number, cout: number, h: number, w: number) =>
    conv(cin, cout, 3, h / 2, w / 2) + conv(cout, cout, 3, h / 2, w / 2) + conv(cin, cout, 1, h / 2, w / 2);
  const { C, N, H, W } = s;
  let f = conv(3, C, 3, H, W);
  f += N * cell(C, H, W) + reduction(C, 2 * C, H, W);
  f += N * cell(2 * C, H / 2, W / 2) + reduction(2 * C, 4 * C, H / 2, W / 2);
  f += N * cell(4 * C, H / 4, W / 4);
  f += 4 * C * s.numClasses + s.numClasses;
  return f / 1e6;
}
