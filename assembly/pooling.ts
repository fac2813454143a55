// Average pooling (count_include_pad = false), max pooling and global average pooling over planes [p0, p1);
// plane = one (n,c).

@inline function imax(a: i32, b: i32): i32 { return a > b ? a : b; }
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }

/** Output columns [owA, owB) whose window lies fully inside [0, W). */
@inline function fullLo(stride: i32, pad: i32, Wo: i32): i32 {
  return imin((pad + stride - 1) / stride, Wo);
}

@inline function fullHi(W: i32, k: i32, stride: i32, pad: i32, Wo: i32, lo: i32): i32 {
  const d = W + pad - k;
  const hi = d < 0 ? 0 : imin(d / stride + 1, Wo);
  return hi < lo ? lo : hi;
}

/** Whether a pool is stride 1 with "same" padding (pad = (k − 1) / 2): the case the bordered-plane kernels take. */
@inline function samePool(H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32): bool {
  return stride == 1 && 2 * pad == k - 1 && Ho == H && Wo == W;
}

/** Bytes of scratch the stride-1 "same" kernels need per slice: a bordered plane and one row of column counts. */
export function avg_pool2d_scratch(H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32): i32 {
  return samePool(H, W, k, stride, pad, Ho, Wo) ? ((H + 2 * pad) * (W + 2 * pad) + W + 4) << 2 : 0;
}

/** ccRow[w] = the number of window columns inside [0, W) at output column w. */
function columnCounts(ccRow: usize, W: i32, k: i32, pad: i32): void {
  for (let w = 0; w < W; w++) store<f32>(ccRow + (<usize>w << 2), <f32>(imin(w - pad + k, W) - imax(w - pad, 0)));
}

/**
 * out[h, w] = Σ over the k×k window at (h − pad, w − pad) of the bordered plane b (row stride W + 2·pad), summed from
 * 0 in row-major window order, then divided by the window's valid-cell count when `divide`. The border is zero, so
 * each sum is exactly the sum of the window's valid cells in PyTorch's order (adding a zero changes nothing).
 */
function windowSums(b: usize, out: usize, H: i32, W: i32, k: i32, pad: i32, ccRow: usize, divide: bool): void {
  const ldb = <usize>(W + 2 * pad) << 2;
  const W4 = W & ~3;
  for (let h = 0; h < H; h++) {
    const rc = <f32>(imin(h - pad + k, H) - imax(h - pad, 0));
    const top = b + <usize>h * ldb, o = out + (<usize>(h * W) << 2);
    for (let w = 0; w < W4; w += 4) {
      let s = f32x4.splat(0);
      for (let i = 0; i < k; i++) {
        const r = top + <usize>i * ldb + (<usize>w << 2);
        for (let j = 0; j < k; j++) s = f32x4.add(s, v128.load(r + (<usize>j << 2)));
      }
      if (divide) s = f32x4.div(s, f32x4.mul(f32x4.splat(rc), v128.load(ccRow + (<usize>w << 2))));
      v128.store(o + (<usize>w << 2), s);
    }
    for (let w = W4; w < W; w++) {
      let s: f32 = 0;
      for (let i = 0; i < k; i++) {
        const r = top + <usize>i * ldb + (<usize>w << 2);
        for (let j = 0; j < k; j++) s += load<f32>(r + (<usize>j << 2));
      }
      if (divide) s /= rc * load<f32>(ccRow + (<usize>w << 2));
      store<f32>(o + (<usize>w << 2), s);
    }
  }
}

/**
 * Stride-1 "same" average pooling over planes [p0, p1), forward (dy = 0: y = window mean of x) or backward (dy = 1:
 * dx[h, w] = Σ dy[o] / count(o) over the outputs o whose windows cover (h, w)). Each plane — x, or dy divided by
 * its counts — is copied into the zero-bordered scratch plane first. In the backward, the covering outputs in
 * row-major order are the window around (h, w) in row-major order: the sum adds them in the order PyTorch's
 * scatter does.
 */
function avgPoolSame(src: usize, dst: usize, H: i32, W: i32, k: i32, pad: i32, p0: i32, p1: i32, scratch: usize, backward: bool): void {
  const Wb = W + 2 * pad, plane = <usize>(H * W) << 2, rowB = <usize>W << 2, ldb = <usize>Wb << 2;
  const b = scratch, ccRow = scratch + (<usize>((H + 2 * pad) * Wb) << 2);
  memory.fill(b, 0, <usize>((H + 2 * pad) * Wb) << 2);
  columnCounts(ccRow, W, k, pad);
  const W4 = W & ~3;
  for (let q = p0; q < p1; q++) {
    const sq = src + <usize>q * plane;
    for (let h = 0; h < H; h++) {
      const from = sq + <usize>h * rowB, to = b + <usize>(h + pad) * ldb + (<usize>pad << 2);
      if (backward) {
        const rc = f32x4.splat(<f32>(imin(h - pad + k, H) - imax(h - pad, 0)));
        for (let w = 0; w < W4; w += 4) {
          const c = f32x4.mul(rc, v128.load(ccRow + (<usize>w << 2)));
          v128.store(to + (<usize>w << 2), f32x4.div(v128.load(from + (<usize>w << 2)), c));
        }
        for (let w = W4; w < W; w++) {
          const c = f32x4.extract_lane(rc, 0) * load<f32>(ccRow + (<usize>w << 2));
          store<f32>(to + (<usize>w << 2), load<f32>(from + (<usize>w << 2)) / c);
        }
      } else {
        memory.copy(to, from, rowB);
      }
    }
    windowSums(b, dst + <usize>q * plane, H, W, k, pad, ccRow, !backward);
  }
}

export function avg_pool2d(
  x: usize, y: usize, H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32, p0: i32, p1: i32, scratch: usize,
): void {
  if (scratch != 0 && samePool(H, W, k, stride, pad, Ho, Wo)) {
    avgPoolSame(x, y, H, W, k, pad, p0, p1, scratch, false);
    return;
  }
  const xsz = <usize>(H * W) << 2, ysz = <usize>(Ho * Wo) << 2, rowB = <usize>W << 2;
  const owA = fullLo(stride, pad, Wo), owB = fullHi(W, k, stride, pad, Wo, owA);
  for (let q = p0; q < p1; q++) {
    const xq = x + <usize>q * xsz;
    let yr = y + <usize>q * ysz;
    for (let oh = 0; oh < Ho; oh++) {
      const hs = oh * stride - pad, h0 = imax(hs, 0), h1 = imin(hs + k, H);
      let ow = 0;
      for (; ow < Wo; ow++) {
        if (ow == owA && stride == 1) {
          // interior: four outputs per step, each the f32 sum of its (h1−h0)×k window
          const cnt = f32x4.splat(<f32>((h1 - h0) * k));
          for (; ow + 4 <= owB; ow += 4) {
            let s = f32x4.splat(0);
            for (let h = h0; h < h1; h++) {
              const r = xq + <usize>h * rowB + (<usize>(ow - pad) << 2);
              for (let dw = 0; dw < k; dw++) s = f32x4.add(s, v128.load(r + (<usize>dw << 2)));
            }
            v128.store(yr + (<usize>ow << 2), f32x4.div(s, cnt));
          }
          if (ow >= Wo) break;
        }
        const ws = ow * stride - pad, w0 = imax(ws, 0), w1 = imin(ws + k, W);
        let s: f32 = 0;
        for (let h = h0; h < h1; h++) {
          const r = xq + <usize>h * rowB;
          for (let w = w0; w < w1; w++) s += load<f32>(r + (<usize>w << 2));
        }
        store<f32>(yr + (<usize>ow << 2), s / <f32>((h1 - h0) * (w1 - w0)));
      }
      yr += <usize>Wo << 2;
    }
  }
}

/** dx[h, w] for stride 1 as a gather over the outputs whose windows cover (h, w); rows [oh0, oh1] of dy. */
@inline function gatherOne(
  dq: usize, Wo: i32, k: i32, pad: i32, H: i32, W: i32, oh0: i32, oh1: i32, w: i32,
): f32 {
  const ow0 = imax(w + pad - k + 1, 0), ow1 = imin(w + pad, Wo - 1);
  let s: f32 = 0;
  for (let oh = oh0; oh <= oh1; oh++) {
    const hs = oh - pad, rc = imin(hs + k, H) - imax(hs, 0);
    for (let ow = ow0; ow <= ow1; ow++) {
      const ws = ow - pad, cc = imin(ws + k, W) - imax(ws, 0);
      s += load<f32>(dq + (<usize>(oh * Wo + ow) << 2)) / <f32>(rc * cc);
    }
  }
  return s;
}

export function avg_pool2d_grad(
  dy: usize, dx: usize, H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32, p0: i32, p1: i32, scratch: usize,
): void {
  if (scratch != 0 && samePool(H, W, k, stride, pad, Ho, Wo)) {
    avgPoolSame(dy, dx, H, W, k, pad, p0, p1, scratch, true);
    return;
  }
  const xsz = <usize>(H * W) << 2, ysz = <usize>(Ho * Wo) << 2, rowB = <usize>W << 2;
  if (stride == 1) {
    // Gather: dx[h, w] = Σ dy[oh, ow] / count(oh, ow) over the outputs covering (h, w); every dx element is written
    // once. Columns whose covering outputs all have full-width windows go four at a time.
    const owA = fullLo(1, pad, Wo), owB = fullHi(W, k, 1, pad, Wo, owA);
    // w is interior when its covering outputs [w + pad − k + 1, w + pad] all lie in [owA, owB)
    const wA = imax(owA - pad + k - 1, 0), wB = owB - pad; // interior w ∈ [wA, wB)
    for (let q = p0; q < p1; q++) {
      const xq = dx + <usize>q * xsz, dq = dy + <usize>q * ysz;
      for (let h = 0; h < H; h++) {
        const oh0 = imax(h + pad - k + 1, 0), oh1 = imin(h + pad, Ho - 1);
        const xr = xq + <usize>h * rowB;
        let w = 0;
        for (; w < W; w++) {
          if (w == wA) {
            for (; w + 4 <= wB; w += 4) {
              let s = f32x4.splat(0);
              for (let oh = oh0; oh <= oh1; oh++) {
                const hs = oh - pad, rc = imin(hs + k, H) - imax(hs, 0);
                const r = dq + (<usize>(oh * Wo + w + pad - k + 1) << 2);
                let t = f32x4.splat(0);
                for (let dw = 0; dw < k; dw++) t = f32x4.add(t, v128.load(r + (<usize>dw << 2)));
                s = f32x4.add(s, f32x4.mul(t, f32x4.splat(<f32>1 / <f32>(k * rc))));
              }
              v128.store(xr + (<usize>w << 2), s);
            }
            if (w >= W) break;
          }
          store<f32>(xr + (<usize>w << 2), gatherOne(dq, Wo, k, pad, H, W, oh0, oh1, w));
        }
      }
    }
    return;
  }
  for (let q = p0; q < p1; q++) {
    const xq = dx + <usize>q * xsz;
    memory.fill(xq, 0, xsz);
    let yr = dy + <usize>q * ysz;
    for (let oh = 0; oh < Ho; oh++) {
      const hs = oh * stride - pad, h0 = imax(hs, 0), h1 = imin(hs + k, H);
      for (let ow = 0; ow < Wo; ow++) {
        const ws = ow * stride - pad, w0 = imax(ws, 0), w1 = imin(ws + k, W);
        const g = load<f32>(yr + (<usize>ow << 2)) / <f32>((h1 - h0) * (w1 - w0));
        for (let h = h0; h < h1; h++) {
          const r = xq + <usize>h * rowB;
          for (let w = w0; w < w1; w++) {
            const p = r + (<usize>w << 2);
            store<f32>(p, load<f32>(p) + g);
          }
        }
      }
      yr += <usize>Wo << 2;
    }
  }
}

/**
 * The argmax of the window rows [h0, h1) × columns [w0, w1) of plane xq, as an offset h·W + w: PyTorch's rule
 * `v > max || isNaN(v)` in row-major order from the first cell (first maximum wins; a NaN wins, the last one).
 */
@inline function argmax(xq: usize, W: i32, h0: i32, h1: i32, w0: i32, w1: i32): i32 {
  let at = h0 * W + w0;
  let m = load<f32>(xq + (<usize>at << 2));
  for (let h = h0; h < h1; h++) {
    for (let w = w0; w < w1; w++) {
      const v = load<f32>(xq + (<usize>(h * W + w) << 2));
      if (v > m || v != v) { m = v; at = h * W + w; }
    }
  }
  return at;
}

/**
 * The argmaxes (offsets h·W + w) of four stride-1 windows side by side, columns [ws, ws + k) + lane, rows
 * [h0, h1), the same rule lane by lane: the masks pick the new cell where it is greater or NaN.
 */
@inline function argmax4(xq: usize, W: i32, h0: i32, h1: i32, ws: i32, k: i32): v128 {
  const lane = i32x4(0, 1, 2, 3);
  let at = i32x4.add(i32x4.splat(h0 * W + ws), lane);
  let m = v128.load(xq + (<usize>(h0 * W + ws) << 2));
  for (let h = h0; h < h1; h++) {
    for (let dw = 0; dw < k; dw++) {
      const c = h * W + ws + dw;
      const v = v128.load(xq + (<usize>c << 2));
      const take = v128.or(f32x4.gt(v, m), f32x4.ne(v, v));
      m = v128.bitselect(v, m, take);
      at = v128.bitselect(i32x4.add(i32x4.splat(c), lane), at, take);
    }
  }
  return at;
}

/**
 * y = v at each window's argmax in x (v = x: the max pool; v a tangent of x: its JVP). Stride 1 (the 3×3
 * "same" pool) takes four interior outputs per step; other strides go one output at a time.
 */
export function max_pool2d(
  x: usize, v: usize, y: usize, H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32, p0: i32, p1: i32,
): void {
  const xsz = <usize>(H * W) << 2, ysz = <usize>(Ho * Wo) << 2;
  const owA = fullLo(stride, pad, Wo), owB = fullHi(W, k, stride, pad, Wo, owA);
  for (let q = p0; q < p1; q++) {
    const xq = x + <usize>q * xsz, vq = v + <usize>q * xsz;
    let yr = y + <usize>q * ysz;
    for (let oh = 0; oh < Ho; oh++) {
      const hs = oh * stride - pad, h0 = imax(hs, 0), h1 = imin(hs + k, H);
      let ow = 0;
      for (; ow < Wo; ow++) {
        if (ow == owA && stride == 1) {
          for (; ow + 4 <= owB; ow += 4) {
            const at = argmax4(xq, W, h0, h1, ow - pad, k);
            const o = yr + (<usize>ow << 2);
            store<f32>(o, load<f32>(vq + (<usize>i32x4.extract_lane(at, 0) << 2)));
            store<f32>(o + 4, load<f32>(vq + (<usize>i32x4.extract_lane(at, 1) << 2)));
            store<f32>(o + 8, load<f32>(vq + (<usize>i32x4.extract_lane(at, 2) << 2)));
            store<f32>(o + 12, load<f32>(vq + (<usize>i32x4.extract_lane(at, 3) << 2)));
          }
          if (ow >= Wo) break;
        }
        const ws = ow * stride - pad;
        const at = argmax(xq, W, h0, h1, imax(ws, 0), imin(ws + k, W));
        store<f32>(yr + (<usize>ow << 2), load<f32>(vq + (<usize>at << 2)));
      }
      yr += <usize>Wo << 2;
    }
  }
}

/** dx = each dy added at its window's argmax in x, outputs in row-major order (as the reference adds them). */
export function max_pool2d_grad(
  x: usize, dy: usize, dx: usize, H: i32, W: i32, k: i32, stride: i32, pad: i32, Ho: i32, Wo: i32, p0: i32, p1: i32,
): void {
  const xsz = <usize>(H * W) << 2, ysz = <usize>(Ho * Wo) << 2;
  const owA = fullLo(stride, pad, Wo), owB = fullHi(W, k, stride, pad, Wo, owA);
  for (let q = p0; q < p1; q++) {
    const xq = x + <usize>q * xsz, dq = dx + <usize>q * xsz;
    memory.fill(dq, 0, xsz);
    let yr = dy + <usize>q * ysz;
    for (let oh = 0; oh < Ho; oh++) {
      const hs = oh * stride - pad, h0 = imax(hs, 0), h1 = imin(hs + k, H);
      let ow = 0;
      for (; ow < Wo; ow++) {
        if (ow == owA && stride == 1) {
          for (; ow + 4 <= owB; ow += 4) {
            const at = argmax4(xq, W, h0, h1, ow - pad, k);
            const g = yr + (<usize>ow << 2);
            let p = dq + (<usize>i32x4.extract_lane(at, 0) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(g));
            p = dq + (<usize>i32x4.extract_lane(at, 1) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(g + 4));
            p = dq + (<usize>i32x4.extract_lane(at, 2) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(g + 8));
            p = dq + (<usize>i32x4.extract_lane(at, 3) << 2);
            store<f32>(p, load<f32>(p) + load<f32>(g + 12));
          }
          if (ow >= Wo) break;
        }
        const ws = ow * stride - pad;
        const p = dq + (<usize>argmax(xq, W, h0, h1, imax(ws, 0), imin(ws + k, W)) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(yr + (<usize>ow << 2)));
      }
      yr += <usize>Wo << 2;
    }
  }
}

export function global_avg_pool(x: usize, y: usize, HW: i32, p0: i32, p1: i32): void {
  const sz = <usize>HW << 2;
  for (let q = p0; q < p1; q++) {
    const p = x + <usize>q * sz;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= HW; i += 4) {
      const v = v128.load(p + (<usize>i << 2));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
    }
    const t = f64x2.add(s0, s1);
    let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; i < HW; i++) s += <f64>load<f32>(p + (<usize>i << 2));
    store<f32>(y + (<usize>q << 2), <f32>(s / <f64>HW));
  }
}

export function global_avg_pool_grad(dy: usize, dx: usize, HW: i32, p0: i32, p1: i32): void {
  const sz = <usize>HW << 2;
  for (let q = p0; q < p1; q++) {
    const g = <f32>(<f64>load<f32>(dy + (<usize>q << 2)) / <f64>HW);
    const gv = f32x4.splat(g);
    const p = dx + <usize>q * sz;
    let i = 0;
    for (; i + 4 <= HW; i += 4) v128.store(p + (<usize>i << 2), gv);
    for (; i < HW; i++) store<f32>(p + (<usize>i << 2), g);
  }
}
