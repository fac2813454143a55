/**
 * Convolution kernels as im2col + GEMM, one sample at a time: Y_n[Co,P] = W[Co,K] · col(x_n)[K,P] with
 * K = Ci·kh·kw and P = Ho·Wo. A 1×1, stride-1, unpadded convolution uses x_n itself as its column matrix.
 */
import { hostArray, type DType, type HostArray } from '../tensor.js';
import type { Conv2dParams } from '../backend.js';
import type { ConvGeometry } from '../shapes.js';
import { gemmNN, gemmNT, gemmTN } from './gemm.js';

function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.stride === 1 && g.pad === 0;
}

/** col[K,P] from sample n of x. */
function im2col(g: ConvGeometry, x: HostArray, n: number, col: HostArray): void {
  const { Ci, H, W, kh, kw, Ho, Wo, stride, pad, P } = g;
  let row = 0;
  for (let c = 0; c < Ci; c++) {
    const xc = (n * Ci + c) * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const r = row * P;
        for (let oh = 0; oh < Ho; oh++) {
          const h = oh * stride - pad + i;
          const ro = r + oh * Wo;
          if (h < 0 || h >= H) {
            for (let ow = 0; ow < Wo; ow++) col[ro + ow] = 0;
            continue;
          }
          const xh = xc + h * W;
          for (let ow = 0; ow < Wo; ow++) {
            const w = ow * stride - pad + j;
            col[ro + ow] = w >= 0 && w < W ? x[xh + w]! : 0;
          }
        }
      }
    }
  }
}

/** dx_n += col2im(dcol[K,P]). */
function col2im(g: ConvGeometry, dcol: HostArray, dx: HostArray, n: number): void {
  const { Ci, H, W, kh, kw, Ho, Wo, stride, pad, P } = g;
  let row = 0;
  for (let c = 0; c < Ci; c++) {
    const xc = (n * Ci + c) * H * W;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, row++) {
        const r = row * P;
        for (let oh = 0; oh < Ho; oh++) {
          const h = oh * stride - pad + i;
          if (h < 0 || h >= H) continue;
          const xh = xc + h * W;
          const ro = r + oh * Wo;
          for (let ow = 0; ow < Wo; ow++) {
            const w = ow * stride - pad + j;
            if (w >= 0 && w < W) dx[xh + w]! += dcol[ro + ow]!;
          }
        }
      }
    }
  }
}

export function conv2dForward(g: ConvGeometry, x: HostArray, w: HostArray, dtype: DType): HostArray {
  const y = hostArray(dtype, g.N * g.Co * g.P);
  const pointwise = isPointwise(g);
  const col = pointwise ? x : hostArray(dtype, g.K * g.P);
  for (let n = 0; n < g.N; n++) {
    if (!pointwise) im2col(g, x, n, col);
    gemmNN(g.Co, g.P, g.K, w, 0, col, pointwise ? n * g.K * g.P : 0, y, n * g.Co * g.P);
  }
  return y;
}

export function conv2dGradInput(g: ConvGeometry, dy: HostArray, w: HostArray, dtype: DType): HostArray {
  const dx = hostArray(dtype, g.N * g.Ci * g.H * g.W);
  if (isPointwise(g)) {
    for (let n = 0; n < g.N; n++) gemmTN(g.K, g.P, g.Co, w, 0, dy, n * g.Co * g.P, dx, n * g.K * g.P);
    return dx;
  }
  const dcol = hostArray(dtype, g.K * g.P);
  for (let n = 0; n < g.N; n++) {
    dcol.fill(0);
    gemmTN(g.K, g.P, g.Co, w, 0, dy, n * g.Co * g.P, dcol, 0);
    col2im(g, dcol, dx, n);
  }
  return dx;
}

/**
 * Filter gradients: summed over the batch into one [Co,K] block (`perSample` false), or one [Co,K]
 * block per sample (`perSample` true).
 */
export function conv2dGradWeight(g: ConvGeometry, x: HostArray, dy: HostArray, perSample: boolean, dtype: DType): HostArray {
  const block = g.Co * g.K;
  const dw = hostArray(dtype, perSample ? g.N * block : block);
  const pointwise = isPointwise(g);
  const col = pointwise ? x : hostArray(dtype, g.K * g.P);
  for (let n = 0; n < g.N; n++) {
    if (!pointwise) im2col(g, x, n, col);
    gemmNT(g.Co, g.K, g.P, dy, n * g.Co * g.P, col, pointwise ? n * g.K * g.P : 0, dw, perSample ? n * block : 0);
  }
  return dw;
}
