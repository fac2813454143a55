// Depthwise convolution (groups = channels, no bias): x [N,C,H,W], w [C,1,kh,kw], y [N,C,Ho,Wo], stride s,
// padding p, dilation d, over planes q = n·C + c in [q0, q1) (each plane reads only its own channel's taps, so
// threads split the planes freely). Direct loops, no im2col: each plane is first copied into a zero-bordered
// scratch plane, so every tap of every output reads inside it and the inner loops test no bounds; then the taps
// run over eight or four outputs side by side (f32x4 over the W axis). Stride 2 takes the even lanes of two
// vectors; other strides run scalar loops over the same scratch. These kernels are memory-bound: a plane is read
// once from memory and its k² taps then hit the cache.

/** Zero columns right of every scratch row: the last tap's eight-lane stride-2 read stays inside the scratch. */
const MARGIN: i32 = 8;

@inline function copyF32(dst: usize, src: usize, n: i32): void {
  const nb = <usize>n << 2;
  let o: usize = 0;
  for (; o + 16 <= nb; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < nb; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

@inline function zeroF32(dst: usize, n: i32): void {
  const nb = <usize>n << 2;
  const z = f32x4.splat(0);
  let o: usize = 0;
  for (; o + 16 <= nb; o += 16) v128.store(dst + o, z);
  for (; o < nb; o += 4) store<f32>(dst + o, 0);
}

@inline function at(base: usize, offset: i32): usize {
  return base + (<usize>offset << 2);
}

/** Plane src [h, w] into the scratch at row top, column left (row stride ld floats); the border is left alone. */
@inline function copyIn(src: usize, h: i32, w: i32, dst: usize, ld: i32, top: i32, left: i32): void {
  for (let r = 0; r < h; r++) copyF32(at(dst, (r + top) * ld + left), at(src, r * w), w);
}

/** Four values for four outputs side by side: p[0..3] (stride 1) or p[0, 2, 4, 6] (stride 2). */
@inline function lanes(p: usize, stride2: bool): v128 {
  if (stride2) return v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  return v128.load(p);
}

@inline function storeFirst(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * out[oh, ow] = Σ_{i,j} w[t] · src[oh·s + i·d, ow·s + j·d], t = i·kw + j (flip: kh·kw − 1 − t, the taps reversed),
 * for a bordered scratch plane src (row stride ld floats) and s = 1 or 2: eight outputs in two accumulators, then
 * four, the last partial group stored lane by lane (its extra lanes read the border and are dropped).
 */
@inline function correlatePlane(
  src: usize, ld: i32, wq: usize, kh: i32, kw: i32, d: i32, Ho: i32, Wo: i32, out: usize, stride2: bool, flip: bool,
): void {
  const s = stride2 ? 2 : 1, last = kh * kw - 1;
  for (let oh = 0; oh < Ho; oh++) {
    const row = at(src, oh * s * ld), orow = at(out, oh * Wo);
    let ow = 0;
    for (; ow + 8 <= Wo; ow += 8) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
      const base = at(row, ow * s);
      for (let i = 0; i < kh; i++) {
        const r = at(base, i * d * ld);
        for (let j = 0; j < kw; j++) {
          const t = i * kw + j;
          const wv = v128.load32_splat(at(wq, flip ? last - t : t));
          const p = at(r, j * d);
          a0 = f32x4.add(a0, f32x4.mul(wv, lanes(p, stride2)));
          a1 = f32x4.add(a1, f32x4.mul(wv, lanes(at(p, 4 * s), stride2)));
        }
      }
      v128.store(at(orow, ow), a0);
      v128.store(at(orow, ow), a1, 16);
    }
    for (; ow < Wo; ow += 4) {
      let a = f32x4.splat(0);
      const base = at(row, ow * s);
      for (let i = 0; i < kh; i++) {
        const r = at(base, i * d * ld);
        for (let j = 0; j < kw; j++) {
          const t = i * kw + j;
          a = f32x4.add(a, f32x4.mul(v128.load32_splat(at(wq, flip ? last - t : t)), lanes(at(r, j * d), stride2)));
        }
      }
      if (ow + 4 <= Wo) v128.store(at(orow, ow), a);
      else storeFirst(at(orow, ow), a, Wo - ow);
    }
  }
}

/** correlatePlane for any stride, one output at a time. */
function correlateScalar(src: usize, ld: i32, wq: usize, kh: i32, kw: i32, s: i32, d: i32, Ho: i32, Wo: i32, out: usize): void {
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      let a: f32 = 0;
      for (let i = 0; i < kh; i++) {
        const r = at(src, (oh * s + i * d) * ld + ow * s);
        for (let j = 0; j < kw; j++) a += load<f32>(at(wq, i * kw + j)) * load<f32>(at(r, j * d));
      }
      store<f32>(at(out, oh * Wo + ow), a);
    }
  }
}

/** The scratch bytes the three kernels need for this geometry (one bordered plane). */
export function depthwise_conv2d_scratch(H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32): i32 {
  const bordered = (H + 2 * pad) * (W + 2 * pad + MARGIN);
  const top = dil * (kh - 1) - pad, left = dil * (kw - 1) - pad;
  const gathered = stride == 1 && top >= 0 && left >= 0 ? (Ho + 2 * top) * (Wo + 2 * left + MARGIN) : 0;
  return (bordered > gathered ? bordered : gathered) << 2;
}

/** y[q] = x[q] ⋆ w[q mod C] for planes [q0, q1). */
export function depthwise_conv2d_forward(
  x: usize, w: usize, y: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32,
): void {
  const ld = W + 2 * pad + MARGIN;
  zeroF32(scratch, (H + 2 * pad) * ld);
  for (let q = q0; q < q1; q++) {
    copyIn(at(x, q * H * W), H, W, scratch, ld, pad, pad);
    const wq = at(w, (q % C) * kh * kw), yq = at(y, q * Ho * Wo);
    if (stride == 1) correlatePlane(scratch, ld, wq, kh, kw, dil, Ho, Wo, yq, false, false);
    else if (stride == 2) correlatePlane(scratch, ld, wq, kh, kw, dil, Ho, Wo, yq, true, false);
    else correlateScalar(scratch, ld, wq, kh, kw, stride, dil, Ho, Wo, yq);
  }
}

/**
 * dxp[oh·2 + i·d, ow·2 + j·d] += w[i, j] · dy[oh, ow] into a bordered scratch plane dxp: four dy values at a time,
 * interleaved with zeros over eight columns (the odd ones get +0).
 */
@inline function scatterPlane2(dq: usize, wq: usize, kh: i32, kw: i32, d: i32, Ho: i32, Wo: i32, dst: usize, ld: i32): void {
  const z = f32x4.splat(0);
  for (let oh = 0; oh < Ho; oh++) {
    const g = at(dq, oh * Wo), rows = at(dst, 2 * oh * ld);
    for (let i = 0; i < kh; i++) {
      const r = at(rows, i * d * ld);
      for (let j = 0; j < kw; j++) {
        const wt = load<f32>(at(wq, i * kw + j)), wv = f32x4.splat(wt);
        const c = at(r, j * d);
        let ow = 0;
        for (; ow + 4 <= Wo; ow += 4) {
          const v = f32x4.mul(wv, v128.load(at(g, ow)));
          const p = at(c, 2 * ow);
          v128.store(p, f32x4.add(v128.load(p), v128.shuffle<f32>(v, z, 0, 4, 1, 5)));
          v128.store(p, f32x4.add(v128.load(p, 16), v128.shuffle<f32>(v, z, 2, 6, 3, 7)), 16);
        }
        for (; ow < Wo; ow++) {
          const p = at(c, 2 * ow);
          store<f32>(p, load<f32>(p) + wt * load<f32>(at(g, ow)));
        }
      }
    }
  }
}

/** scatterPlane2 for any stride, one value at a time. */
function scatterScalar(dq: usize, wq: usize, kh: i32, kw: i32, s: i32, d: i32, Ho: i32, Wo: i32, dst: usize, ld: i32): void {
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      const g = load<f32>(at(dq, oh * Wo + ow));
      for (let i = 0; i < kh; i++) {
        const r = at(dst, (oh * s + i * d) * ld + ow * s);
        for (let j = 0; j < kw; j++) {
          const p = at(r, j * d);
          store<f32>(p, load<f32>(p) + load<f32>(at(wq, i * kw + j)) * g);
        }
      }
    }
  }
}

/**
 * dx[q] for planes [q0, q1). Stride 1 (with p ≤ d·(k − 1), every "same" and "valid" padding) is a gather: dx is the
 * correlation of dy, bordered by d·(k − 1) − p, with the taps reversed, so each dx value is written once. Other
 * strides scatter w·dy into a bordered plane (zeroed per plane) whose interior is dx.
 */
export function depthwise_conv2d_grad_input(
  dy: usize, w: usize, dx: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32,
): void {
  const top = dil * (kh - 1) - pad, left = dil * (kw - 1) - pad;
  if (stride == 1 && top >= 0 && left >= 0) {
    const ld = Wo + 2 * left + MARGIN;
    zeroF32(scratch, (Ho + 2 * top) * ld);
    for (let q = q0; q < q1; q++) {
      copyIn(at(dy, q * Ho * Wo), Ho, Wo, scratch, ld, top, left);
      correlatePlane(scratch, ld, at(w, (q % C) * kh * kw), kh, kw, dil, H, W, at(dx, q * H * W), false, true);
    }
    return;
  }
  const ld = W + 2 * pad + MARGIN, rows = H + 2 * pad;
  for (let q = q0; q < q1; q++) {
    zeroF32(scratch, rows * ld);
    const dq = at(dy, q * Ho * Wo), wq = at(w, (q % C) * kh * kw);
    if (stride == 2) scatterPlane2(dq, wq, kh, kw, dil, Ho, Wo, scratch, ld);
    else scatterScalar(dq, wq, kh, kw, stride, dil, Ho, Wo, scratch, ld);
    const dxq = at(dx, q * H * W);
    for (let r = 0; r < H; r++) copyF32(at(dxq, r * W), at(scratch, (r + pad) * ld + pad), W);
  }
}

/** Σ_{oh,ow} dq[oh, ow] · src[oh·s, ow·s] over a bordered scratch plane (s = 1 or 2), eight products at a time. */
@inline function dotPlane(src: usize, ld: i32, dq: usize, Ho: i32, Wo: i32, stride2: bool): f32 {
  const s = stride2 ? 2 : 1;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let tail: f32 = 0;
  for (let oh = 0; oh < Ho; oh++) {
    const r = at(src, oh * s * ld), g = at(dq, oh * Wo);
    let ow = 0;
    for (; ow + 8 <= Wo; ow += 8) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(at(g, ow)), lanes(at(r, ow * s), stride2)));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(at(g, ow + 4)), lanes(at(r, (ow + 4) * s), stride2)));
    }
    for (; ow + 4 <= Wo; ow += 4) a0 = f32x4.add(a0, f32x4.mul(v128.load(at(g, ow)), lanes(at(r, ow * s), stride2)));
    for (; ow < Wo; ow++) tail += load<f32>(at(g, ow)) * load<f32>(at(r, ow * s));
  }
  return hsum(f32x4.add(a0, a1)) + tail;
}

function dotScalar(src: usize, ld: i32, dq: usize, Ho: i32, Wo: i32, s: i32): f32 {
  let a: f32 = 0;
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) a += load<f32>(at(dq, oh * Wo + ow)) * load<f32>(at(src, oh * s * ld + ow * s));
  }
  return a;
}

/**
 * Filter gradients for planes [q0, q1): dw[q] = the kh·kw taps' Σ_{oh,ow} dy[q] · x[q] (perSample = 1, blocks
 * [N·C, kh·kw], overwritten), or added into dw[q mod C] (perSample = 0: the caller zeroes dw, and threads that
 * share channels need partials of their own).
 */
export function depthwise_conv2d_grad_weight(
  x: usize, dy: usize, dw: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32, perSample: i32,
): void {
  const ld = W + 2 * pad + MARGIN, taps = kh * kw;
  zeroF32(scratch, (H + 2 * pad) * ld);
  for (let q = q0; q < q1; q++) {
    copyIn(at(x, q * H * W), H, W, scratch, ld, pad, pad);
    const dq = at(dy, q * Ho * Wo), out = at(dw, (perSample ? q : q % C) * taps);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const src = at(scratch, i * dil * ld + j * dil);
        const g =
          stride == 1 ? dotPlane(src, ld, dq, Ho, Wo, false)
          : stride == 2 ? dotPlane(src, ld, dq, Ho, Wo, true)
          : dotScalar(src, ld, dq, Ho, Wo, stride);
        const p = at(out, i * kw + j);
        store<f32>(p, perSample ? g : load<f32>(p) + g);
      }
    }
  }
}
