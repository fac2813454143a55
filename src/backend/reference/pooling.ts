/** Average pooling (count_include_pad = false), max pooling and global average pooling over NCHW arrays. */
import type { HostArray } from '../tensor.js';
import type { Pool2dParams } from '../backend.js';
import { poolOutputSize } from '../shapes.js';

/** Visits every output cell with its clamped input window; the divisor counts only real (unpadded) cells. */
function forEachWindow(
  H: number,
  W: number,
  p: Pool2dParams,
  visit: (o: number, h0: number, h1: number, w0: number, w1: number) => void,
): void {
  const Ho = poolOutputSize(H, p),
    Wo = poolOutputSize(W, p);
  for (let oh = 0; oh < Ho; oh++) {
    const h0 = Math.max(oh * p.stride - p.padding, 0),
      h1 = Math.min(oh * p.stride - p.padding + p.kernel, H);
    for (let ow = 0; ow < Wo; ow++) {
      const w0 = Math.max(ow * p.stride - p.padding, 0),
        w1 = Math.min(ow * p.stride - p.padding + p.kernel, W);
      visit(oh * Wo + ow, h0, h1, w0, w1);
    }
  }
}

export function avgPool2d(planes: number, H: number, W: number, p: Pool2dParams, x: HostArray, y: HostArray): void {
  const Ho = poolOutputSize(H, p),
    Wo = poolOutputSize(W, p);
  for (let q = 0; q < planes; q++) {
    const xb = q * H * W,
      yb = q * Ho * Wo;
    forEachWindow(H, W, p, (o, h0, h1, w0, w1) => {
      let s = 0;
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[xb + h * W + w]!;
      y[yb + o] = s / ((h1 - h0) * (w1 - w0));
    });
  }
}

export function avgPool2dGrad(planes: number, H: number, W: number, p: Pool2dParams, dy: HostArray, dx: HostArray): void {
  const Ho = poolOutputSize(H, p),
    Wo = poolOutputSize(W, p);
  for (let q = 0; q < planes; q++) {
    const xb = q * H * W,
      yb = q * Ho * Wo;
    forEachWindow(H, W, p, (o, h0, h1, w0, w1) => {
      const g = dy[yb + o]! / ((h1 - h0) * (w1 - w0));
      for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[xb + h * W + w]! += g;
    });
  }
}

/**
 * Visits every output cell with its window's argmax in plane q of x (an offset into x). PyTorch's rule:
 * `v > max || isNaN(v)` in row-major window order from the first real cell, so the first maximum wins a tie,
 * a NaN beats everything and a later NaN an earlier one; padded cells are never looked at.
 */
function forEachArgmax(H: number, W: number, p: Pool2dParams, x: HostArray, q: number, visit: (o: number, at: number) => void): void {
  const xb = q * H * W;
  forEachWindow(H, W, p, (o, h0, h1, w0, w1) => {
    let at = xb + h0 * W + w0,
      max = x[at]!;
    for (let h = h0; h < h1; h++)
      for (let w = w0; w < w1; w++) {
        const v = x[xb + h * W + w]!;
        if (v > max || v !== v) {
          max = v;
          at = xb + h * W + w;
        }
      }
    visit(o, at);
  });
}

/** y = values at the argmax of each window of x (values = x: the max pool; a tangent of x: its JVP). */
export function maxPool2d(planes: number, H: number, W: number, p: Pool2dParams, x: HostArray, values: HostArray, y: HostArray): void {
  const outPlane = poolOutputSize(H, p) * poolOutputSize(W, p);
  for (let q = 0; q < planes; q++) forEachArgmax(H, W, p, x, q, (o, at) => (y[q * outPlane + o] = values[at]!));
}

/** dx = each dy added at its window's argmax, in output order (dx zero on entry). */
export function maxPool2dGrad(planes: number, H: number, W: number, p: Pool2dParams, x: HostArray, dy: HostArray, dx: HostArray): void {
  const outPlane = poolOutputSize(H, p) * poolOutputSize(W, p);
  for (let q = 0; q < planes; q++) forEachArgmax(H, W, p, x, q, (o, at) => (dx[at]! += dy[q * outPlane + o]!));
}

export function globalAvgPool(planes: number, HW: number, x: HostArray, y: HostArray): void {
  for (let q = 0; q < planes; q++) {
    let s = 0;
    for (let i = 0; i < HW; i++) s += x[q * HW + i]!;
    y[q] = s / HW;
  }
}

export function globalAvgPoolGrad(planes: number, HW: number, dy: HostArray, dx: HostArray): void {
  for (let q = 0; q < planes; q++) {
    const g = dy[q]! / HW;
    for (let i = 0; i < HW; i++) dx[q * HW + i] = g;
  }
}
