// Convolution drivers: im2col / col2im over chunks of output rows + the register-blocked GEMMs.
// x [N,Ci,H,W], w [Co,Ci,kh,kw], y [N,Co,Ho,Wo]; K = Ci·kh·kw, P = Ho·Wo. All pointers are byte offsets.
import { gemmNN, gemmNT } from './gemm';

/** Target number of output pixels (GEMM columns) per chunk. */
const CHUNK: i32 = 256;

@inline function copyF32(dst: usize, src: usize, n: i32): void {
  const nb = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= nb; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < nb; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

@inline function zeroF32(dst: usize, n: i32): void {
  const nb = <usize>n << 2;
  let o: usize = 0;
  const z = f32x4.splat(0);
  for (; o + 16 <= nb; o += 16) v128.store(dst + o, z);
  for (; o < nb; o += 4) store<f32>(dst + o, 0);
}

/** dst[t] += src[t], t < n. */
@inline function addF32(dst: usize, src: usize, n: i32): void {
  const nb = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= nb; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  for (; o < nb; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
}

/** First output column whose input column ow·stride − pad + j is ≥ 0. */
@inline function firstValid(pad: i32, j: i32, stride: i32, Wo: i32): i32 {
  const d = pad - j;
  const lo = d > 0 ? (d + stride - 1) / stride : 0;
  return lo < Wo ? lo : Wo;
}

/** One past the last output column whose input column is < W (never below lo). */
@inline function lastValid(W: i32, pad: i32, j: i32, stride: i32, Wo: i32, lo: i32): i32 {
  const d = W - 1 + pad - j;
  let hi = d < 0 ? 0 : d / stride + 1;
  if (hi > Wo) hi = Wo;
  return hi < lo ? lo : hi;
}

/**
 * Stride 1 and Wo == W ("same" padding): for each (c,i,j) the valid output rows of a chunk read one contiguous,
 * shifted run of x's plane, so im2col is one vector copy plus zeroing the padding columns.
 * Reads at most `pad` floats before and after the sample's data (the caller checks these are inside memory).
 */
function im2colSame(
  x: usize, Ci: i32, H: i32, W: i32, kh: i32, kw: i32, pad: i32, oh0: i32, oh1: i32, dst: usize, ldd: usize,
): void {
  let row = dst;
  const plane = <usize>(H * W) << 2, rowB = <usize>W << 2;
  for (let c = 0; c < Ci; c++) {
    const xc = x + <usize>c * plane;
    for (let i = 0; i < kh; i++) {
      let ohA = pad - i, ohB = H + pad - i;
      if (ohA < oh0) ohA = oh0;
      if (ohB > oh1) ohB = oh1;
      if (ohB < ohA) ohB = ohA;
      for (let j = 0; j < kw; j++) {
        const lo = firstValid(pad, j, 1, W), hi = lastValid(W, pad, j, 1, W, lo);
        zeroF32(row, (ohA - oh0) * W);
        const d = row + <usize>(ohA - oh0) * rowB;
        const n = (ohB - ohA) * W;
        copyF32(d, xc + <usize>((ohA + i - pad) * W + j - pad) * 4, n);
        for (let r = 0; r < ohB - ohA; r++) {
          const dr = d + <usize>r * rowB;
          for (let t = 0; t < lo; t++) store<f32>(dr + (<usize>t << 2), 0);
          for (let t = hi; t < W; t++) store<f32>(dr + (<usize>t << 2), 0);
        }
        zeroF32(d + (<usize>n << 2), (oh1 - ohB) * W);
        row += ldd;
      }
    }
  }
}

/**
 * col2im for stride 1 and Wo == W: zero the padding columns of dcol (scratch), then one vector add per (c,i,j)
 * over the span from the first to the last valid target, all inside that channel's plane.
 */
function col2imSame(
  dcol: usize, ldd: usize, dx: usize, Ci: i32, H: i32, W: i32, kh: i32, kw: i32, pad: i32, oh0: i32, oh1: i32,
): void {
  let row = dcol;
  const plane = <usize>(H * W) << 2, rowB = <usize>W << 2;
  for (let c = 0; c < Ci; c++) {
    const xc = dx + <usize>c * plane;
    for (let i = 0; i < kh; i++) {
      let ohA = pad - i, ohB = H + pad - i;
      if (ohA < oh0) ohA = oh0;
      if (ohB > oh1) ohB = oh1;
      for (let j = 0; j < kw; j++) {
        if (ohA < ohB) {
          const lo = firstValid(pad, j, 1, W), hi = lastValid(W, pad, j, 1, W, lo);
          if (lo < hi) {
            const s = row + <usize>(ohA - oh0) * rowB;
            for (let r = 0; r < ohB - ohA; r++) {
              const sr = s + <usize>r * rowB;
              for (let t = 0; t < lo; t++) store<f32>(sr + (<usize>t << 2), 0);
              for (let t = hi; t < W; t++) store<f32>(sr + (<usize>t << 2), 0);
            }
            const n = (ohB - ohA - 1) * W + hi - lo;
            addF32(xc + <usize>((ohA + i - pad) * W + lo + j - pad) * 4, s + (<usize>lo << 2), n);
          }
        }
        row += ldd;
      }
    }
  }
}

/**
 * col[K, (oh1−oh0)·Wo] for output rows [oh0, oh1) of one sample (x: that sample's [Ci,H,W]), row stride ldd bytes.
 */
function im2colRows(
  x: usize, Ci: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, Wo: i32,
  oh0: i32, oh1: i32, dst: usize, ldd: usize,
): void {
  const plane = <usize>(H * W) << 2;
  // Stride 1 with the row-overhanging reads (≤ pad floats before / after x's sample) inside memory.
  const memEnd = <usize>memory.size() << 16;
  const wide = stride == 1 && Wo + kw - 1 == W + 2 * pad && x >= (<usize>pad << 2) &&
    x + <usize>Ci * plane + (<usize>pad << 2) <= memEnd;
  if (wide && Wo == W) {
    im2colSame(x, Ci, H, W, kh, kw, pad, oh0, oh1, dst, ldd);
    return;
  }
  let row = dst;
  for (let c = 0; c < Ci; c++) {
    const xc = x + <usize>c * plane;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const lo = firstValid(pad, j, stride, Wo), hi = lastValid(W, pad, j, stride, Wo, lo);
        let seg = row;
        for (let oh = oh0; oh < oh1; oh++) {
          const h = oh * stride - pad + i;
          if (h < 0 || h >= H) {
            zeroF32(seg, Wo);
          } else if (wide) {
            // Whole-row vector copy from x[h, j−pad ..]: reads at most `pad` floats beyond either end of the row
            // (checked in bounds by the caller), then the padding lanes are zeroed.
            const src = xc + <usize>(h * W - pad + j) * 4;
            const n4 = Wo & ~3;
            for (let t = 0; t < n4; t += 4) v128.store(seg + (<usize>t << 2), v128.load(src + (<usize>t << 2)));
            for (let t = n4; t < Wo; t++) store<f32>(seg + (<usize>t << 2), t >= lo && t < hi ? load<f32>(src + (<usize>t << 2)) : 0);
            for (let t = 0; t < lo; t++) store<f32>(seg + (<usize>t << 2), 0);
            for (let t = hi; t < n4; t++) store<f32>(seg + (<usize>t << 2), 0);
          } else {
            zeroF32(seg, lo);
            const src = xc + ((<usize>(h * W + lo * stride - pad + j)) << 2);
            const d = seg + (<usize>lo << 2);
            const n = hi - lo;
            if (stride == 1) {
              copyF32(d, src, n);
            } else if (stride == 2) {
              let t = 0;
              // reads src[2t .. 2t+7]; stop before the last group so we never read past the final needed element
              for (; t + 4 < n; t += 4) {
                const s = src + (<usize>t << 3);
                v128.store(d + (<usize>t << 2), v128.shuffle<f32>(v128.load(s), v128.load(s, 16), 0, 2, 4, 6));
              }
              for (; t < n; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + (<usize>t << 3)));
            } else {
              const sb = <usize>stride << 2;
              for (let t = 0; t < n; t++) store<f32>(d + (<usize>t << 2), load<f32>(src + <usize>t * sb));
            }
            zeroF32(seg + (<usize>hi << 2), Wo - hi);
          }
          seg += <usize>Wo << 2;
        }
        row += ldd;
      }
    }
  }
}

/** dx (one sample's [Ci,H,W]) += col2im(dcol[K, (oh1−oh0)·Wo]) for output rows [oh0, oh1), row stride ldd bytes. */
function col2imRows(
  dcol: usize, ldd: usize, dx: usize, Ci: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, Wo: i32,
  oh0: i32, oh1: i32,
): void {
  if (stride == 1 && Wo == W && Wo + kw - 1 == W + 2 * pad) {
    col2imSame(dcol, ldd, dx, Ci, H, W, kh, kw, pad, oh0, oh1);
    return;
  }
  let row = dcol;
  const plane = <usize>(H * W) << 2;
  for (let c = 0; c < Ci; c++) {
    const xc = dx + <usize>c * plane;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const lo = firstValid(pad, j, stride, Wo), hi = lastValid(W, pad, j, stride, Wo, lo);
        const n = hi - lo;
        let seg = row + (<usize>lo << 2);
        for (let oh = oh0; oh < oh1; oh++) {
          const h = oh * stride - pad + i;
          if (h >= 0 && h < H) {
            const d = xc + ((<usize>(h * W + lo * stride - pad + j)) << 2);
            if (stride == 1) {
              addF32(d, seg, n);
            } else if (stride == 2) {
              // targets d[2t]: add (s_t, 0, s_t+1, 0) pairs; the untouched odd slots get +0 and all lie between
              // two targets of this row, so nothing outside the row is read or written
              const z = f32x4.splat(0);
              let t = 0;
              for (; t + 4 < n; t += 4) {
                const v = v128.load(seg + (<usize>t << 2));
                const p = d + (<usize>t << 3);
                v128.store(p, f32x4.add(v128.load(p), v128.shuffle<f32>(v, z, 0, 4, 1, 4)));
                v128.store(p, f32x4.add(v128.load(p, 16), v128.shuffle<f32>(v, z, 2, 4, 3, 4)), 16);
              }
              for (; t < n; t++) {
                const p = d + (<usize>t << 3);
                store<f32>(p, load<f32>(p) + load<f32>(seg + (<usize>t << 2)));
              }
            } else {
              const sb = <usize>stride << 2;
              for (let t = 0; t < n; t++) {
                const p = d + <usize>t * sb;
                store<f32>(p, load<f32>(p) + load<f32>(seg + (<usize>t << 2)));
              }
            }
          }
          seg += <usize>Wo << 2;
        }
        row += ldd;
      }
    }
  }
}

@inline function isPointwise(kh: i32, kw: i32, stride: i32, pad: i32): bool {
  return kh == 1 && kw == 1 && stride == 1 && pad == 0;
}

/** dst[r, 0..n) = src[r, 0..n) for r < rows; dst rows are contiguous (stride n), src rows stride lds bytes. */
function copyRows(dst: usize, src: usize, lds: usize, rows: i32, n: i32): void {
  const ldd = <usize>n << 2;
  for (let r = 0; r < rows; r++) copyF32(dst + <usize>r * ldd, src + <usize>r * lds, n);
}

/**
 * Output rows per chunk: about CHUNK pixels, at least one row, at most Ho, with `perCol` scratch floats per
 * pixel fitting in `budget` floats; 0 when even one row does not fit.
 */
function chunkRows(Ho: i32, Wo: i32, perCol: i32, budget: i32): i32 {
  let r = CHUNK / Wo;
  if (r < 1) r = 1;
  if (r > Ho) r = Ho;
  while (r > 1 && r * Wo * perCol > budget) r--;
  return r * Wo * perCol <= budget ? r : 0;
}

export function conv2d_forward(
  x: usize, w: usize, y: usize, Ci: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, scratch: usize, n0: i32, n1: i32,
): void {
  const K = Ci * kh * kw, P = Ho * Wo;
  const xs = <usize>(Ci * H * W) << 2, ys = <usize>(Co * P) << 2, ldy = <usize>P << 2, lda = <usize>K << 2;
  const pointwise = isPointwise(kh, kw, stride, pad);
  const rows = chunkRows(Ho, Wo, K, K * P);
  for (let n = n0; n < n1; n++) {
    const xn = x + <usize>n * xs, yn = y + <usize>n * ys;
    if (pointwise && P <= CHUNK) {
      // x_n is the column matrix itself
      gemmNN(Co, P, K, w, lda, xn, ldy, yn, ldy, 0, 0, Co);
      continue;
    }
    for (let oh0 = 0; oh0 < Ho; oh0 += rows) {
      const oh1 = oh0 + rows < Ho ? oh0 + rows : Ho;
      const nc = (oh1 - oh0) * Wo, ldc = <usize>nc << 2, p0 = <usize>(oh0 * Wo) << 2;
      // pointwise: copy the chunk's columns of x_n so the GEMM panel rows are not 4 KiB apart
      if (pointwise) copyRows(scratch, xn + p0, ldy, K, nc);
      else im2colRows(xn, Ci, H, W, kh, kw, stride, pad, Wo, oh0, oh1, scratch, ldc);
      gemmNN(Co, nc, K, w, lda, scratch, ldc, yn + p0, ldy, 0, 0, Co);
    }
  }
}

export function conv2d_grad_input(
  dy: usize, wT: usize, dx: usize, Ci: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, scratch: usize, n0: i32, n1: i32,
): void {
  const K = Ci * kh * kw, P = Ho * Wo;
  const xs = <usize>(Ci * H * W) << 2, ys = <usize>(Co * P) << 2, ldy = <usize>P << 2, lda = <usize>Co << 2;
  const pointwise = isPointwise(kh, kw, stride, pad);
  // scratch: dcol chunk [K, nc] (not for pointwise), then the chunk of dy_n copied [Co, nc] when it fits
  const dcolCols = pointwise ? 0 : K;
  let rows = chunkRows(Ho, Wo, dcolCols + Co, K * P);
  const packed = rows > 0 && P > 64;
  if (!packed) rows = pointwise ? Ho : chunkRows(Ho, Wo, K, K * P);
  for (let n = n0; n < n1; n++) {
    const dxn = dx + <usize>n * xs, dyn = dy + <usize>n * ys;
    if (pointwise && !packed) {
      gemmNN(K, P, Co, wT, lda, dyn, ldy, dxn, ldy, 0, 0, K);
      continue;
    }
    if (!pointwise) memory.fill(dxn, 0, xs);
    for (let oh0 = 0; oh0 < Ho; oh0 += rows) {
      const oh1 = oh0 + rows < Ho ? oh0 + rows : Ho;
      const nc = (oh1 - oh0) * Wo, ldc = <usize>nc << 2, p0 = <usize>(oh0 * Wo) << 2;
      let B = dyn + p0, ldb = ldy;
      if (packed) {
        B = scratch + <usize>dcolCols * ldc;
        ldb = ldc;
        copyRows(B, dyn + p0, ldy, Co, nc);
      }
      if (pointwise) {
        gemmNN(K, nc, Co, wT, lda, B, ldb, dxn + p0, ldy, 0, 0, K);
      } else {
        gemmNN(K, nc, Co, wT, lda, B, ldb, scratch, ldc, 0, 0, K);
        col2imRows(scratch, ldc, dxn, Ci, H, W, kh, kw, stride, pad, Wo, oh0, oh1);
      }
    }
  }
}

export function conv2d_grad_weight(
  x: usize, dy: usize, dw: usize, Ci: i32, H: i32, W: i32, Co: i32, kh: i32, kw: i32, stride: i32, pad: i32,
  Ho: i32, Wo: i32, scratch: usize, n0: i32, n1: i32, perSample: i32,
): void {
  const K = Ci * kh * kw, P = Ho * Wo;
  const xs = <usize>(Ci * H * W) << 2, ys = <usize>(Co * P) << 2, ldy = <usize>P << 2, ldw = <usize>K << 2;
  const ws = <usize>(Co * K) << 2;
  const pointwise = isPointwise(kh, kw, stride, pad);
  // scratch: col chunk [K, nc], then the chunk of dy_n copied [Co, nc] when it fits
  let rows = chunkRows(Ho, Wo, K + Co, K * P);
  const packed = rows > 0 && P > 64;
  if (!packed) rows = pointwise ? Ho : chunkRows(Ho, Wo, K, K * P);
  for (let n = n0; n < n1; n++) {
    const xn = x + <usize>n * xs, dyn = dy + <usize>n * ys;
    const dst = perSample ? dw + <usize>n * ws : dw;
    let acc = perSample ? 0 : 1;
    for (let oh0 = 0; oh0 < Ho; oh0 += rows) {
      const oh1 = oh0 + rows < Ho ? oh0 + rows : Ho;
      const nc = (oh1 - oh0) * Wo, ldc = <usize>nc << 2, p0 = <usize>(oh0 * Wo) << 2;
      let A = dyn + p0, lda = ldy, Bm = scratch, ldb = ldc;
      if (packed) {
        A = scratch + <usize>K * ldc;
        lda = ldc;
        copyRows(A, dyn + p0, ldy, Co, nc);
      }
      if (pointwise) {
        if (packed) copyRows(scratch, xn + p0, ldy, K, nc);
        else { Bm = xn + p0; ldb = ldy; }
      } else {
        im2colRows(xn, Ci, H, W, kh, kw, stride, pad, Wo, oh0, oh1, scratch, ldc);
      }
      gemmNT(Co, K, nc, A, lda, Bm, ldb, dst, ldw, acc);
      acc = 1;
    }
  }
}
