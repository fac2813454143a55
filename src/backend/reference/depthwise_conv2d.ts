/**
 * Depthwise convolution (groups = channels) as direct loops over planes q = n·C + c: each output cell is the
 * sum over the taps (i, j) that land inside the plane of w[c, i, j] · x[q, oh·s − p + i·d, ow·s − p + j·d].
 * The input and weight gradients visit the same (output cell, tap) pairs and scatter or accumulate.
 */
import { hostArray, type DType, type HostArray } from '../tensor.js';
import type { DepthwiseGeometry } from '../shapes.js';

/** Calls visit(o, at, tap) for every output cell o of plane q and every tap reading x at offset `at`. */
function forEachTap(g: DepthwiseGeometry, q: number, visit: (o: number, at: number, tap: number) => void): void {
  const { H, W, kh, kw, stride, pad, dilation, Ho, Wo } = g;
  for (let oh = 0; oh < Ho; oh++)
    for (let ow = 0; ow < Wo; ow++) {
      const o = (q * Ho + oh) * Wo + ow;
      for (let i = 0; i < kh; i++) {
        const h = oh * stride - pad + i * dilation;
        if (h < 0 || h >= H) continue;
        for (let j = 0; j < kw; j++) {
          const w = ow * stride - pad + j * dilation;
          if (w >= 0 && w < W) visit(o, (q * H + h) * W + w, i * kw + j);
        }
      }
    }
}

export function depthwiseForward(g: DepthwiseGeometry, x: HostArray, w: HostArray, dtype: DType): HostArray {
  const taps = g.kh * g.kw;
  const y = hostArray(dtype, g.N * g.C * g.Ho * g.Wo);
  for (let q = 0; q < g.N * g.C; q++) {
    const wc = (q % g.C) * taps;
    forEachTap(g, q, (o, at, tap) => (y[o]! += x[at]! * w[wc + tap]!));
  }
  return y;
}

export function depthwiseGradInput(g: DepthwiseGeometry, dy: HostArray, w: HostArray, dtype: DType): HostArray {
  const taps = g.kh * g.kw;
  const dx = hostArray(dtype, g.N * g.C * g.H * g.W);
  for (let q = 0; q < g.N * g.C; q++) {
    const wc = (q % g.C) * taps;
    forEachTap(g, q, (o, at, tap) => (dx[at]! += dy[o]! * w[wc + tap]!));
  }
  return dx;
}

/** Filter gradients: summed over the batch into [C, kh·kw] (`perSample` false), or [N, C, kh·kw] kept per sample. */
export function depthwiseGradWeight(g: DepthwiseGeometry, x: HostArray, dy: HostArray, perSample: boolean, dtype: DType): HostArray {
  const taps = g.kh * g.kw;
  const dw = hostArray(dtype, (perSample ? g.N : 1) * g.C * taps);
  for (let q = 0; q < g.N * g.C; q++) {
    const block = (perSample ? q : q % g.C) * taps;
    forEachTap(g, q, (o, at, tap) => (dw[block + tap]! += dy[o]! * x[at]!));
  }
  return dw;
}
