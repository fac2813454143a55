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

/** The first n (1 ≤ n < 4) lanes of v. */
@inline function storeFirst(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/**
 * The tap table of a plane: for each tap t < taps (row-major (i, j)), its byte offset (i·ld + j)·d·4 into a scratch
 * row block at offs[t] (padded with zeros to a multiple of 4 taps), and, when wq is given, its weight splatted to
 * four lanes at wts[t] (flip: the taps in reverse, w[kh − 1 − i, kw − 1 − j], for the input gradient).
 */
@inline function tapOffsets(offs: usize, kh: i32, kw: i32, d: i32, ld: i32): void {
  const taps = kh * kw, padded = (taps + 3) & ~3;
  for (let t = 0; t < padded; t++) store<i32>(at(offs, t), t < taps ? ((t / kw) * ld + t % kw) * d * 4 : 0);
}

@inline function tapWeights(wts: usize, wq: usize, taps: i32, flip: bool): void {
  for (let t = 0; t < taps; t++) v128.store(wts + (<usize>t << 4), v128.load32_splat(at(wq, flip ? taps - 1 - t : t)));
}

/**
 * out[oh, ow] = Σ_t wts[t] · src[oh·s, ow·s] shifted by offs[t], for a bordered scratch plane src (row stride ld
 * floats) and s = 1 or 2: blocks of two output rows × eight columns in four accumulators (every tap's weight and
 * offset loaded once per 32 products), then four columns, then the last row alone; a partial group of columns is
 * stored lane by lane (its extra lanes read the border and are dropped).
 */
@inline function correlatePlane(
  src: usize, ld: i32, taps: i32, offs: usize, wts: usize, Ho: i32, Wo: i32, out: usize, stride2: bool,
): void {
  const s = stride2 ? 2 : 1;
  const down = <usize>(s * ld) << 2, right = <usize>(4 * s) << 2, oRow = <usize>Wo << 2;
  const offEnd = at(offs, taps);
  let oh = 0;
  for (; oh + 2 <= Ho; oh += 2) {
    const row = at(src, oh * s * ld), orow = at(out, oh * Wo);
    let ow = 0;
    for (; ow + 8 <= Wo; ow += 8) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
      const base = at(row, ow * s);
      let pw = wts;
      for (let po = offs; po < offEnd; po += 4, pw += 16) {
        const wv = v128.load(pw), p = base + <usize>load<i32>(po);
        a0 = f32x4.add(a0, f32x4.mul(wv, lanes(p, stride2)));
        a1 = f32x4.add(a1, f32x4.mul(wv, lanes(p + right, stride2)));
        b0 = f32x4.add(b0, f32x4.mul(wv, lanes(p + down, stride2)));
        b1 = f32x4.add(b1, f32x4.mul(wv, lanes(p + down + right, stride2)));
      }
      const o = at(orow, ow);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o + oRow, b0);
      v128.store(o + oRow, b1, 16);
    }
    for (; ow < Wo; ow += 4) {
      let a = f32x4.splat(0), b = f32x4.splat(0);
      const base = at(row, ow * s);
      let pw = wts;
      for (let po = offs; po < offEnd; po += 4, pw += 16) {
        const wv = v128.load(pw), p = base + <usize>load<i32>(po);
        a = f32x4.add(a, f32x4.mul(wv, lanes(p, stride2)));
        b = f32x4.add(b, f32x4.mul(wv, lanes(p + down, stride2)));
      }
      const o = at(orow, ow);
      if (ow + 4 <= Wo) {
        v128.store(o, a);
        v128.store(o + oRow, b);
      } else {
        storeFirst(o, a, Wo - ow);
        storeFirst(o + oRow, b, Wo - ow);
      }
    }
  }
  if (oh < Ho) {
    const row = at(src, oh * s * ld), orow = at(out, oh * Wo);
    for (let ow = 0; ow < Wo; ow += 4) {
      let a = f32x4.splat(0);
      const base = at(row, ow * s);
      let pw = wts;
      for (let po = offs; po < offEnd; po += 4, pw += 16) {
        a = f32x4.add(a, f32x4.mul(v128.load(pw), lanes(base + <usize>load<i32>(po), stride2)));
      }
      if (ow + 4 <= Wo) v128.store(at(orow, ow), a);
      else storeFirst(at(orow, ow), a, Wo - ow);
    }
  }
}

/** correlatePlane for any stride, one output at a time. */
function correlateScalar(src: usize, ld: i32, taps: i32, offs: usize, wts: usize, s: i32, Ho: i32, Wo: i32, out: usize): void {
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      const base = at(src, (oh * ld + ow) * s);
      let a: f32 = 0;
      for (let t = 0; t < taps; t++) a += f32x4.extract_lane(v128.load(wts + (<usize>t << 4)), 0) * load<f32>(base + <usize>load<i32>(at(offs, t)));
      store<f32>(at(out, oh * Wo + ow), a);
    }
  }
}

/**
 * Bytes of the tap tables at the start of the scratch: offsets (taps rounded up to 4), then room for 4·taps splatted
 * weights (the input gradient's stride-2 path keeps four parity classes of taps there; the filter gradient, its f32x4
 * and scalar sums per tap).
 */
@inline function tableBytes(taps: i32): i32 {
  return (((taps + 3) & ~3) << 2) + (taps << 6) + (((taps + 3) & ~3) << 2);
}

/**
 * The stride-2 input gradient's bordered dy plane (polyphasePlane): T rows and L columns of zeros before dy, so
 * that every tap's dy index (h + p − i·d) / 2 lands at or after row 0; rows and columns enough for every read.
 */
@inline function phaseTop(k: i32, pad: i32, dil: i32): i32 {
  const t = dil * (k - 1) - pad;
  return t > 0 ? (t + 1) >> 1 : 0;
}
@inline function phaseRows(H: i32, Ho: i32, k: i32, pad: i32, dil: i32): i32 {
  const T = phaseTop(k, pad, dil), a = Ho + T, b = ((H - 1 + pad) >> 1) + T + 1;
  return a > b ? a : b;
}
@inline function phaseLd(W: i32, Wo: i32, k: i32, pad: i32, dil: i32): i32 {
  const L = phaseTop(k, pad, dil), a = Wo + L, b = ((W + 1) >> 1) + ((pad + 1) >> 1) + L;
  return (a > b ? a : b) + MARGIN;
}

/** The scratch bytes the three kernels need for this geometry: the tap tables, then one bordered plane. */
export function depthwise_conv2d_scratch(H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32): i32 {
  const bordered = (H + 2 * pad) * (W + 2 * pad + MARGIN);
  const top = dil * (kh - 1) - pad, left = dil * (kw - 1) - pad;
  let other = 0;
  if (stride == 1 && top >= 0 && left >= 0) other = (Ho + 2 * top) * (Wo + 2 * left + MARGIN);
  if (stride == 2) other = phaseRows(H, Ho, kh, pad, dil) * phaseLd(W, Wo, kw, pad, dil);
  return tableBytes(kh * kw) + ((bordered > other ? bordered : other) << 2);
}

/** y[q] = x[q] ⋆ w[q mod C] for planes [q0, q1). */
export function depthwise_conv2d_forward(
  x: usize, w: usize, y: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32,
): void {
  const taps = kh * kw, ld = W + 2 * pad + MARGIN;
  const offs = scratch, wts = at(offs, (taps + 3) & ~3), plane = scratch + <usize>tableBytes(taps);
  tapOffsets(offs, kh, kw, dil, ld);
  zeroF32(plane, (H + 2 * pad) * ld);
  for (let q = q0; q < q1; q++) {
    copyIn(at(x, q * H * W), H, W, plane, ld, pad, pad);
    tapWeights(wts, at(w, (q % C) * taps), taps, false);
    const yq = at(y, q * Ho * Wo);
    if (stride == 1) correlatePlane(plane, ld, taps, offs, wts, Ho, Wo, yq, false);
    else if (stride == 2) correlatePlane(plane, ld, taps, offs, wts, Ho, Wo, yq, true);
    else correlateScalar(plane, ld, taps, offs, wts, stride, Ho, Wo, yq);
  }
}

/**
 * One parity class of the stride-2 input gradient: the taps (i, j) with i·d ≡ a + p and j·d ≡ b + p (mod 2) reach
 * the dx cells of rows ≡ a and columns ≡ b, dx[2u + a, 2m + b] = Σ w[i, j] · dyp[u + (a + p − i·d)/2 + T,
 * m + (b + p − j·d)/2 + L]: a stride-1 correlation over the bordered dy. Writes the class's offsets and splatted
 * weights at offs / wts and returns how many taps it has (maybe none).
 */
@inline function phaseTaps(
  offs: usize, wts: usize, wq: usize, kh: i32, kw: i32, pad: i32, dil: i32, a: i32, b: i32, T: i32, L: i32, ld: i32,
): i32 {
  let n = 0;
  for (let i = 0; i < kh; i++) {
    const ri = a + pad - i * dil;
    if (ri & 1) continue;
    for (let j = 0; j < kw; j++) {
      const cj = b + pad - j * dil;
      if (cj & 1) continue;
      store<i32>(at(offs, n), (((ri >> 1) + T) * ld + (cj >> 1) + L) << 2);
      v128.store(wts + (<usize>n << 4), v128.load32_splat(at(wq, i * kw + j)));
      n++;
    }
  }
  return n;
}

/** Σ over n taps of wts[t] · (four lanes at p + offs[t]). */
@inline function tapSum(p: usize, offs: usize, wts: usize, n: i32): v128 {
  let a = f32x4.splat(0);
  const end = at(offs, n);
  let pw = wts;
  for (let po = offs; po < end; po += 4, pw += 16) a = f32x4.add(a, f32x4.mul(v128.load(pw), v128.load(p + <usize>load<i32>(po))));
  return a;
}

/** The first n (1 ≤ n < 8) of eight values, lo then hi. */
@inline function storeFirst8(p: usize, lo: v128, hi: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, lo);
    if (n > 4) storeFirst(p + 16, hi, n - 4);
  } else storeFirst(p, lo, n);
}

/**
 * dx of one plane for stride 2 as four stride-1 correlations of the bordered dy (one per parity class of dx's rows
 * and columns, phaseTaps), so each dx value is written once: for each dx row, eight even and eight odd columns at a
 * time, interleaved into sixteen consecutive values. Rows whose class has no taps (dilation 2) are zeros.
 */
@inline function polyphasePlane(
  plane: usize, ld: i32, T: i32, L: i32, tables: usize, taps: i32, wq: usize, kh: i32, kw: i32, pad: i32, dil: i32,
  H: i32, W: i32, dxq: usize,
): void {
  const M = (W + 1) >> 1; // columns of each parity class, the even ones (one more when W is odd)
  for (let a = 0; a < 2; a++) {
    const oE = tables, wE = tables + (<usize>taps << 2), oO = wE + (<usize>taps << 4), wO = oO + (<usize>taps << 2);
    const nE = phaseTaps(oE, wE, wq, kh, kw, pad, dil, a, 0, T, L, ld);
    const nO = phaseTaps(oO, wO, wq, kh, kw, pad, dil, a, 1, T, L, ld);
    for (let h = a; h < H; h += 2) {
      const row = at(plane, ((h - a) >> 1) * ld), drow = at(dxq, h * W);
      let m = 0;
      for (; m + 8 <= M; m += 8) {
        const p = at(row, m);
        const e0 = tapSum(p, oE, wE, nE), e1 = tapSum(p + 16, oE, wE, nE);
        const o0 = tapSum(p, oO, wO, nO), o1 = tapSum(p + 16, oO, wO, nO);
        const d = at(drow, 2 * m), n = W - 2 * m;
        const l0 = v128.shuffle<f32>(e0, o0, 0, 4, 1, 5), h0 = v128.shuffle<f32>(e0, o0, 2, 6, 3, 7);
        const l1 = v128.shuffle<f32>(e1, o1, 0, 4, 1, 5), h1 = v128.shuffle<f32>(e1, o1, 2, 6, 3, 7);
        if (n >= 16) {
          v128.store(d, l0);
          v128.store(d, h0, 16);
          v128.store(d, l1, 32);
          v128.store(d, h1, 48);
        } else {
          v128.store(d, l0);
          v128.store(d, h0, 16);
          storeFirst8(d + 32, l1, h1, n - 8);
        }
      }
      for (; m < M; m += 4) {
        const p = at(row, m);
        const e = tapSum(p, oE, wE, nE), o = tapSum(p, oO, wO, nO);
        const d = at(drow, 2 * m), n = W - 2 * m;
        const lo = v128.shuffle<f32>(e, o, 0, 4, 1, 5), hi = v128.shuffle<f32>(e, o, 2, 6, 3, 7);
        if (n >= 8) {
          v128.store(d, lo);
          v128.store(d, hi, 16);
        } else storeFirst8(d, lo, hi, n);
      }
    }
  }
}

/** dxp[oh·s + i·d, ow·s + j·d] += w[i, j] · dy[oh, ow] into a bordered scratch plane dxp, one value at a time. */
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
 * dx[q] for planes [q0, q1), as gathers that write each dx value once. Stride 1 (with p ≤ d·(k − 1), every "same"
 * and "valid" padding): dx is the correlation of dy, bordered by d·(k − 1) − p, with the taps reversed. Stride 2:
 * four correlations, one per parity class of dx's rows and columns (polyphasePlane). Other strides scatter w·dy into
 * a bordered plane (zeroed per plane) whose interior is dx.
 */
export function depthwise_conv2d_grad_input(
  dy: usize, w: usize, dx: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32,
): void {
  const taps = kh * kw, top = dil * (kh - 1) - pad, left = dil * (kw - 1) - pad;
  const offs = scratch, wts = at(offs, (taps + 3) & ~3), plane = scratch + <usize>tableBytes(taps);
  if (stride == 1 && top >= 0 && left >= 0) {
    const ld = Wo + 2 * left + MARGIN;
    tapOffsets(offs, kh, kw, dil, ld);
    zeroF32(plane, (Ho + 2 * top) * ld);
    for (let q = q0; q < q1; q++) {
      copyIn(at(dy, q * Ho * Wo), Ho, Wo, plane, ld, top, left);
      tapWeights(wts, at(w, (q % C) * taps), taps, true);
      correlatePlane(plane, ld, taps, offs, wts, H, W, at(dx, q * H * W), false);
    }
    return;
  }
  if (stride == 2) {
    const T = phaseTop(kh, pad, dil), L = phaseTop(kw, pad, dil), ld = phaseLd(W, Wo, kw, pad, dil);
    zeroF32(plane, phaseRows(H, Ho, kh, pad, dil) * ld);
    for (let q = q0; q < q1; q++) {
      copyIn(at(dy, q * Ho * Wo), Ho, Wo, plane, ld, T, L);
      polyphasePlane(plane, ld, T, L, scratch, taps, at(w, (q % C) * taps), kh, kw, pad, dil, H, W, at(dx, q * H * W));
    }
    return;
  }
  const ld = W + 2 * pad + MARGIN, rows = H + 2 * pad;
  for (let q = q0; q < q1; q++) {
    zeroF32(plane, rows * ld);
    scatterScalar(at(dy, q * Ho * Wo), at(w, (q % C) * taps), kh, kw, stride, dil, Ho, Wo, plane, ld);
    const dxq = at(dx, q * H * W);
    for (let r = 0; r < H; r++) copyF32(at(dxq, r * W), at(plane, (r + pad) * ld + pad), W);
  }
}

/**
 * acc[t] += Σ_k g_k · (the lanes at p_k shifted by offs[t]) for every tap t: up to four dy vectors g_k (each loaded
 * once for all the taps) with the input positions p_k they multiply; acc holds an f32x4 per tap.
 */
@inline function tapAcc(
  acc: usize, offs: usize, offEnd: usize, k: i32, p0: usize, p1: usize, p2: usize, p3: usize, g0: v128, g1: v128,
  g2: v128, g3: v128, stride2: bool,
): void {
  let pa = acc;
  for (let po = offs; po < offEnd; po += 4, pa += 16) {
    const o = <usize>load<i32>(po);
    let v = f32x4.mul(g0, lanes(p0 + o, stride2));
    if (k > 1) v = f32x4.add(v, f32x4.mul(g1, lanes(p1 + o, stride2)));
    if (k > 2) v = f32x4.add(v, f32x4.mul(g2, lanes(p2 + o, stride2)));
    if (k > 3) v = f32x4.add(v, f32x4.mul(g3, lanes(p3 + o, stride2)));
    v128.store(pa, f32x4.add(v128.load(pa), v));
  }
}

/** The scalar leftovers (the last Wo mod 4 columns): sums[t] += g · p[offs[t]]. */
@inline function tapAccScalar(sums: usize, offs: usize, taps: i32, p: usize, g: f32): void {
  for (let t = 0; t < taps; t++) {
    const s = at(sums, t);
    store<f32>(s, load<f32>(s) + g * load<f32>(p + <usize>load<i32>(at(offs, t))));
  }
}

/**
 * Σ_{oh,ow} dq[oh, ow] · src[oh·s, ow·s] shifted by offs[t], every tap t, over a bordered scratch plane (s = 1 or 2)
 * into out[t]: blocks of two dy rows × eight columns (four vectors, loaded once for all the taps), then four columns,
 * the last row alone, the last columns scalar. acc (f32x4 per tap) and sums (f32 per tap) are scratch.
 */
@inline function dotPlaneTaps(
  src: usize, ld: i32, taps: i32, offs: usize, dq: usize, Ho: i32, Wo: i32, acc: usize, sums: usize, out: usize, stride2: bool,
): void {
  const s = stride2 ? 2 : 1;
  const down = <usize>(s * ld) << 2, right = <usize>(4 * s) << 2, gRow = <usize>Wo << 2;
  const offEnd = at(offs, taps);
  zeroF32(acc, 4 * taps);
  zeroF32(sums, taps);
  const z = f32x4.splat(0);
  let oh = 0;
  for (; oh + 2 <= Ho; oh += 2) {
    const r = at(src, oh * s * ld), g = at(dq, oh * Wo);
    let ow = 0;
    for (; ow + 8 <= Wo; ow += 8) {
      const p = at(r, ow * s), gp = at(g, ow);
      tapAcc(acc, offs, offEnd, 4, p, p + right, p + down, p + down + right, v128.load(gp), v128.load(gp, 16), v128.load(gp + gRow), v128.load(gp + gRow, 16), stride2);
    }
    for (; ow + 4 <= Wo; ow += 4) {
      const p = at(r, ow * s), gp = at(g, ow);
      tapAcc(acc, offs, offEnd, 2, p, p + down, 0, 0, v128.load(gp), v128.load(gp + gRow), z, z, stride2);
    }
    for (; ow < Wo; ow++) {
      tapAccScalar(sums, offs, taps, at(r, ow * s), load<f32>(at(g, ow)));
      tapAccScalar(sums, offs, taps, at(r, ow * s) + down, load<f32>(at(g, ow) + gRow));
    }
  }
  if (oh < Ho) {
    const r = at(src, oh * s * ld), g = at(dq, oh * Wo);
    let ow = 0;
    for (; ow + 8 <= Wo; ow += 8) {
      const p = at(r, ow * s), gp = at(g, ow);
      tapAcc(acc, offs, offEnd, 2, p, p + right, 0, 0, v128.load(gp), v128.load(gp, 16), z, z, stride2);
    }
    for (; ow + 4 <= Wo; ow += 4) tapAcc(acc, offs, offEnd, 1, at(r, ow * s), 0, 0, 0, v128.load(at(g, ow)), z, z, z, stride2);
    for (; ow < Wo; ow++) tapAccScalar(sums, offs, taps, at(r, ow * s), load<f32>(at(g, ow)));
  }
  for (let t = 0; t < taps; t++) store<f32>(at(out, t), hsum(v128.load(acc + (<usize>t << 4))) + load<f32>(at(sums, t)));
}

function dotScalar(src: usize, ld: i32, off: i32, dq: usize, Ho: i32, Wo: i32, s: i32): f32 {
  let a: f32 = 0;
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) a += load<f32>(at(dq, oh * Wo + ow)) * load<f32>(at(src, (oh * ld + ow) * s) + <usize>off);
  }
  return a;
}

/**
 * Filter gradients for planes [q0, q1): dw[q] = the kh·kw taps' Σ_{oh,ow} dy[q] · x[q] (perSample = 1, blocks
 * [N·C, kh·kw], overwritten), or added into dw[q mod C] (perSample = 0: the caller zeroes dw, and threads that
 * share channels need partials of their own). The plane's sums land in the scratch first.
 */
export function depthwise_conv2d_grad_weight(
  x: usize, dy: usize, dw: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, stride: i32, pad: i32, dil: i32, Ho: i32, Wo: i32,
  scratch: usize, q0: i32, q1: i32, perSample: i32,
): void {
  const taps = kh * kw, ld = W + 2 * pad + MARGIN, padded = (taps + 3) & ~3;
  const offs = scratch, acc = at(offs, padded), sums = acc + (<usize>taps << 4), out = at(sums, padded);
  const plane = scratch + <usize>tableBytes(taps);
  tapOffsets(offs, kh, kw, dil, ld);
  zeroF32(plane, (H + 2 * pad) * ld);
  for (let q = q0; q < q1; q++) {
    copyIn(at(x, q * H * W), H, W, plane, ld, pad, pad);
    const dq = at(dy, q * Ho * Wo);
    if (stride == 1) dotPlaneTaps(plane, ld, taps, offs, dq, Ho, Wo, acc, sums, out, false);
    else if (stride == 2) dotPlaneTaps(plane, ld, taps, offs, dq, Ho, Wo, acc, sums, out, true);
    else for (let t = 0; t < taps; t++) store<f32>(at(out, t), dotScalar(plane, ld, load<i32>(at(offs, t)), dq, Ho, Wo, stride));
    const target = at(dw, (perSample ? q : q % C) * taps);
    for (let t = 0; t < taps; t++) {
      const p = at(target, t);
      store<f32>(p, perSample ? load<f32>(at(out, t)) : load<f32>(p) + load<f32>(at(out, t)));
    }
  }
}
