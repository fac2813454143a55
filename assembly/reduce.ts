// Per-sample reducers over sign matrices. grads: f32 [B, numel] sample-major; S: packed 2-bit rows; sign(0) = 0,
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

/**
 * Packed sign rows, 2 bits a weight: a row of numel weights is ⌈numel/64⌉ groups of 16 bytes, `nz` (u64, bit j
 * set where g ≠ 0) then `neg` (u64, bit j set where g < 0); bits past numel are 0 (sign 0). A quarter of int8's
 * memory, and the Gram's products become AND + popcount (see class_gram).
 */
@inline function packGroup(p: usize, out: usize, bad: v128): v128 {
  const z = f32x4.splat(0);
  let nz: u64 = 0,
    neg: u64 = 0;
  for (let i = 0; i < 16; i++) {
    const v = v128.load(p + (<usize>i << 4));
    const lt = f32x4.lt(v, z);
    nz |= <u64>i32x4.bitmask(v128.or(lt, f32x4.gt(v, z))) << (<u64>i << 2);
    neg |= <u64>i32x4.bitmask(lt) << (<u64>i << 2);
    bad = v128.or(bad, nonFinite4(v));
  }
  store<u64>(out, nz);
  store<u64>(out, neg, 8);
  return bad;
}

/** Rows r of grads [b, numel] → packed rows at out + r·rowBytes (rowBytes = 16·⌈numel/64⌉). */
export function signs_pack(grads: usize, b: i32, numel: i32, out: usize, rowBytes: i32, flag: usize): void {
  const full = numel >> 6;
  let bad = i32x4.splat(0);
  let badTail = false;
  for (let r = 0; r < b; r++) {
    const row = grads + ((<usize>r * <usize>numel) << 2);
    const q = out + <usize>r * <usize>rowBytes;
    for (let g = 0; g < full; g++) bad = packGroup(row + (<usize>g << 8), q + (<usize>g << 4), bad);
    if (full << 6 < numel) {
      let nz: u64 = 0,
        neg: u64 = 0;
      for (let j = 0; j < numel - (full << 6); j++) {
        const v = load<f32>(row + ((<usize>((full << 6) + j)) << 2));
        if (v > 0 || v < 0) nz |= (<u64>1) << (<u64>j);
        if (v < 0) neg |= (<u64>1) << (<u64>j);
        badTail = badTail || isNonFinite(v);
      }
      const t = q + (<usize>full << 4);
      store<u64>(t, nz);
      store<u64>(t, neg, 8);
    }
  }
  if (badTail || v128.any_true(bad)) store<i32>(flag, 1);
}

/** Groups per column block: a class's rows of one block (n × 16 KiB) stay in cache for all its pairs. */
const GRAM_BLOCK: i32 = 1024;

/**
 * G[a, b] += Σ_k s_ak·s_bk for a class of n packed rows (i32 indices; row r at S + r·rowBytes, `groups` groups
 * each); G f64 [n, n], symmetric, exact. With both signs non-zero (nz_a & nz_b) the product is +1, or −1 where
 * the negative bits differ: Σ = popcount(both) − 2·popcount(both & (neg_a ^ neg_b)).
 */
export function class_gram(S: usize, rowBytes: i32, groups: i32, rows: usize, n: i32, G: usize): void {
  for (let g0 = 0; g0 < groups; g0 += GRAM_BLOCK) {
    const len = groups - g0 < GRAM_BLOCK ? groups - g0 : GRAM_BLOCK;
    const off = <usize>g0 << 4;
    for (let a = 0; a < n; a++) {
      const ra = S + <usize>load<i32>(rows + (<usize>a << 2)) * <usize>rowBytes + off;
      for (let b = a; b < n; b++) {
        const rb = S + <usize>load<i32>(rows + (<usize>b << 2)) * <usize>rowBytes + off;
        let same: i64 = 0,
          flipped: i64 = 0;
        for (let t: usize = 0; t < (<usize>len << 4); t += 16) {
          const both = load<u64>(ra + t) & load<u64>(rb + t);
          same += <i64>popcnt(both);
          flipped += <i64>popcnt(both & (load<u64>(ra + t, 8) ^ load<u64>(rb + t, 8)));
        }
        const v = <f64>(same - 2 * flipped);
        const p = G + ((<usize>(a * n + b)) << 3);
        store<f64>(p, load<f64>(p) + v);
        if (a != b) {
          const q = G + ((<usize>(b * n + a)) << 3);
          store<f64>(q, load<f64>(q) + v);
        }
      }
    }
  }
}
