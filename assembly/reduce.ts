// Per-sample reducers over sign matrices. grads: f32 [B, numel] sample-major; S: i8 [B, numel]; sign(0) = 0,
// sign(NaN) = 0 (like the reference's comparisons). The kernels that read gradients store 1 at `flag` (i32)
// when any is NaN or ±Inf (exponent bits all ones), so an overflowed pass is caught where it is reduced;
// threads racing on the flag all store the same 1.

const EXP: i32 = 0x7f800000;

/** Lanes of v (f32x4) that are NaN or ±Inf, as i32x4 masks. */
@inline function nonFinite4(v: v128): v128 {
  return i32x4.eq(v128.and(v, i32x4.splat(EXP)), i32x4.splat(EXP));
}

@inline function isNonFinite(g: f32): bool {
  return (reinterpret<i32>(g) & EXP) == EXP;
}

/** sums[k] += Σ_b sign(grads[b, k]) for k in [k0, k1); sums i32. Blocks of 16 columns kept in registers. */
export function sign_sum(grads: usize, B: i32, numel: i32, sums: usize, k0: i32, k1: i32, flag: usize): void {
  const ld = <usize>numel << 2;
  const z = f32x4.splat(0);
  let bad = i32x4.splat(0);
  let k = k0;
  for (; k + 16 <= k1; k += 16) {
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let p = grads + (<usize>k << 2);
    for (let b = 0; b < B; b++) {
      // sign = (g < 0 mask) − (g > 0 mask): masks are −1 where true
      let v = v128.load(p);
      a0 = i32x4.sub(i32x4.add(a0, f32x4.lt(v, z)), f32x4.gt(v, z));
      bad = v128.or(bad, nonFinite4(v));
      v = v128.load(p, 16);
      a1 = i32x4.sub(i32x4.add(a1, f32x4.lt(v, z)), f32x4.gt(v, z));
      bad = v128.or(bad, nonFinite4(v));
      v = v128.load(p, 32);
      a2 = i32x4.sub(i32x4.add(a2, f32x4.lt(v, z)), f32x4.gt(v, z));
      bad = v128.or(bad, nonFinite4(v));
      v = v128.load(p, 48);
      a3 = i32x4.sub(i32x4.add(a3, f32x4.lt(v, z)), f32x4.gt(v, z));
      bad = v128.or(bad, nonFinite4(v));
      p += ld;
    }
    const s = sums + (<usize>k << 2);
    v128.store(s, i32x4.add(v128.load(s), a0));
    v128.store(s, i32x4.add(v128.load(s, 16), a1), 16);
    v128.store(s, i32x4.add(v128.load(s, 32), a2), 32);
    v128.store(s, i32x4.add(v128.load(s, 48), a3), 48);
  }
  let badTail = false;
  for (; k < k1; k++) {
    let a = 0;
    let p = grads + (<usize>k << 2);
    for (let b = 0; b < B; b++) {
      const g = load<f32>(p);
      a += g > 0 ? 1 : g < 0 ? -1 : 0;
      badTail = badTail || isNonFinite(g);
      p += ld;
    }
    const s = sums + (<usize>k << 2);
    store<i32>(s, load<i32>(s) + a);
  }
  if (badTail || v128.any_true(bad)) store<i32>(flag, 1);
}

/** out[i] = sign(grads[i]) as i8, i < count. */
export function signs_i8(grads: usize, count: i32, out: usize, flag: usize): void {
  const z = f32x4.splat(0);
  let bad = i32x4.splat(0);
  let i = 0;
  for (; i + 16 <= count; i += 16) {
    const p = grads + (<usize>i << 2);
    let v = v128.load(p);
    const s0 = i32x4.sub(f32x4.lt(v, z), f32x4.gt(v, z));
    bad = v128.or(bad, nonFinite4(v));
    v = v128.load(p, 16);
    const s1 = i32x4.sub(f32x4.lt(v, z), f32x4.gt(v, z));
    bad = v128.or(bad, nonFinite4(v));
    v = v128.load(p, 32);
    const s2 = i32x4.sub(f32x4.lt(v, z), f32x4.gt(v, z));
    bad = v128.or(bad, nonFinite4(v));
    v = v128.load(p, 48);
    const s3 = i32x4.sub(f32x4.lt(v, z), f32x4.gt(v, z));
    bad = v128.or(bad, nonFinite4(v));
    v128.store(out + <usize>i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(s0, s1), i16x8.narrow_i32x4_s(s2, s3)));
  }
  let badTail = false;
  for (; i < count; i++) {
    const g = load<f32>(grads + (<usize>i << 2));
    store<i8>(out + <usize>i, g > 0 ? 1 : g < 0 ? -1 : 0);
    badTail = badTail || isNonFinite(g);
  }
  if (badTail || v128.any_true(bad)) store<i32>(flag, 1);
}

/** Columns per block: i32 lanes take ≤ 4·127² per 16 columns, so 4096-byte blocks never overflow. */
const GRAM_BLOCK: i32 = 4096;

@inline function isum(v: v128): f64 {
  return <f64>(i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + <f64>(i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}

@inline function dot16(acc: v128, alo: v128, ahi: v128, blo: v128, bhi: v128): v128 {
  return i32x4.add(i32x4.add(acc, i32x4.dot_i16x8_s(alo, blo)), i32x4.dot_i16x8_s(ahi, bhi));
}

/** Scalar dot of two i8 runs. */
@inline function dotTail(a: usize, b: usize, n: i32): i32 {
  let s = 0;
  for (let t = 0; t < n; t++) s += <i32>load<i8>(a + <usize>t) * <i32>load<i8>(b + <usize>t);
  return s;
}

@inline function rowPtr(S: usize, rows: usize, numel: i32, a: i32): usize {
  return S + <usize>load<i32>(rows + (<usize>a << 2)) * <usize>numel;
}

@inline function commit(G: usize, n: i32, a: i32, b: i32, v: f64): void {
  if (a > b || a >= n || b >= n) return;
  const p = G + ((<usize>(a * n + b)) << 3);
  store<f64>(p, load<f64>(p) + v);
  if (a != b) {
    const q = G + ((<usize>(b * n + a)) << 3);
    store<f64>(q, load<f64>(q) + v);
  }
}

/**
 * G[a, b] += Σ_k S[rows[a], k]·S[rows[b], k] for a class of n rows (i32 indices into S [B, numel] i8); G f64 [n, n],
 * symmetric, exact. 2×4 tiles of row pairs over the upper triangle, 4 KiB column blocks, i8 → i16 → i32 dot products.
 */
export function class_gram(S: usize, numel: i32, rows: usize, n: i32, G: usize): void {
  if (n <= 0) return;
  for (let k0 = 0; k0 < numel; k0 += GRAM_BLOCK) {
    const len = numel - k0 < GRAM_BLOCK ? numel - k0 : GRAM_BLOCK;
    const l16 = len & ~15;
    const off = <usize>k0;
    for (let a0 = 0; a0 < n; a0 += 2) {
      // a missing partner row re-reads row a0; its results are never committed
      const ra0 = rowPtr(S, rows, numel, a0) + off;
      const ra1 = rowPtr(S, rows, numel, a0 + 1 < n ? a0 + 1 : a0) + off;
      for (let b0 = a0 & ~3; b0 < n; b0 += 4) {
        const rb0 = rowPtr(S, rows, numel, b0) + off;
        const rb1 = rowPtr(S, rows, numel, b0 + 1 < n ? b0 + 1 : b0) + off;
        const rb2 = rowPtr(S, rows, numel, b0 + 2 < n ? b0 + 2 : b0) + off;
        const rb3 = rowPtr(S, rows, numel, b0 + 3 < n ? b0 + 3 : b0) + off;
        let s00 = i32x4.splat(0), s01 = i32x4.splat(0), s02 = i32x4.splat(0), s03 = i32x4.splat(0);
        let s10 = i32x4.splat(0), s11 = i32x4.splat(0), s12 = i32x4.splat(0), s13 = i32x4.splat(0);
        for (let t: usize = 0; t < <usize>l16; t += 16) {
          let v = v128.load(ra0 + t);
          const x0l = i16x8.extend_low_i8x16_s(v), x0h = i16x8.extend_high_i8x16_s(v);
          v = v128.load(ra1 + t);
          const x1l = i16x8.extend_low_i8x16_s(v), x1h = i16x8.extend_high_i8x16_s(v);
          v = v128.load(rb0 + t);
          let yl = i16x8.extend_low_i8x16_s(v), yh = i16x8.extend_high_i8x16_s(v);
          s00 = dot16(s00, x0l, x0h, yl, yh); s10 = dot16(s10, x1l, x1h, yl, yh);
          v = v128.load(rb1 + t);
          yl = i16x8.extend_low_i8x16_s(v); yh = i16x8.extend_high_i8x16_s(v);
          s01 = dot16(s01, x0l, x0h, yl, yh); s11 = dot16(s11, x1l, x1h, yl, yh);
          v = v128.load(rb2 + t);
          yl = i16x8.extend_low_i8x16_s(v); yh = i16x8.extend_high_i8x16_s(v);
          s02 = dot16(s02, x0l, x0h, yl, yh); s12 = dot16(s12, x1l, x1h, yl, yh);
          v = v128.load(rb3 + t);
          yl = i16x8.extend_low_i8x16_s(v); yh = i16x8.extend_high_i8x16_s(v);
          s03 = dot16(s03, x0l, x0h, yl, yh); s13 = dot16(s13, x1l, x1h, yl, yh);
        }
        const tl = len - l16, tu = <usize>l16;
        commit(G, n, a0, b0, isum(s00) + <f64>dotTail(ra0 + tu, rb0 + tu, tl));
        commit(G, n, a0, b0 + 1, isum(s01) + <f64>dotTail(ra0 + tu, rb1 + tu, tl));
        commit(G, n, a0, b0 + 2, isum(s02) + <f64>dotTail(ra0 + tu, rb2 + tu, tl));
        commit(G, n, a0, b0 + 3, isum(s03) + <f64>dotTail(ra0 + tu, rb3 + tu, tl));
        commit(G, n, a0 + 1, b0, isum(s10) + <f64>dotTail(ra1 + tu, rb0 + tu, tl));
        commit(G, n, a0 + 1, b0 + 1, isum(s11) + <f64>dotTail(ra1 + tu, rb1 + tu, tl));
        commit(G, n, a0 + 1, b0 + 2, isum(s12) + <f64>dotTail(ra1 + tu, rb2 + tu, tl));
        commit(G, n, a0 + 1, b0 + 3, isum(s13) + <f64>dotTail(ra1 + tu, rb3 + tu, tl));
      }
    }
  }
}
