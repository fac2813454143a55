// f32 GEMM: C[M,N] = (acc ? C : 0) + A[M,K]·B[K,N], row-major, rows [m0, m1) of C.

@inline function mac(c: v128, a: v128, b: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

/** 4 rows × 8 columns. a: &A[i,0], b: &B[0,j], c: &C[i,j]. */
@inline function block4x8(K: i32, lda: usize, ldb: usize, ldc: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load32_splat(a0);
    c00 = mac(c00, x, b0); c01 = mac(c01, x, b1);
    x = v128.load32_splat(a1);
    c10 = mac(c10, x, b0); c11 = mac(c11, x, b1);
    x = v128.load32_splat(a2);
    c20 = mac(c20, x, b0); c21 = mac(c21, x, b1);
    x = v128.load32_splat(a3);
    c30 = mac(c30, x, b0); c31 = mac(c31, x, b1);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4; pb += ldb;
  }
  const r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc;
  if (acc) {
    c00 = f32x4.add(v128.load(c), c00); c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(r1), c10); c11 = f32x4.add(v128.load(r1, 16), c11);
    c20 = f32x4.add(v128.load(r2), c20); c21 = f32x4.add(v128.load(r2, 16), c21);
    c30 = f32x4.add(v128.load(r3), c30); c31 = f32x4.add(v128.load(r3, 16), c31);
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(r1, c10); v128.store(r1, c11, 16);
  v128.store(r2, c20); v128.store(r2, c21, 16);
  v128.store(r3, c30); v128.store(r3, c31, 16);
}

/** 1 row × 8 columns. */
@inline function block1x8(K: i32, ldb: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    const x = v128.load32_splat(pa);
    c0 = mac(c0, x, v128.load(pb)); c1 = mac(c1, x, v128.load(pb, 16));
    pa += 4; pb += ldb;
  }
  if (acc) { c0 = f32x4.add(v128.load(c), c0); c1 = f32x4.add(v128.load(c, 16), c1); }
  v128.store(c, c0); v128.store(c, c1, 16);
}

/** 4 rows × 4 columns. */
@inline function block4x4(K: i32, lda: usize, ldb: usize, ldc: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda;
  let pb = b;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(pb);
    c0 = mac(c0, v128.load32_splat(a0), b0);
    c1 = mac(c1, v128.load32_splat(a1), b0);
    c2 = mac(c2, v128.load32_splat(a2), b0);
    c3 = mac(c3, v128.load32_splat(a3), b0);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4; pb += ldb;
  }
  const r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc;
  if (acc) {
    c0 = f32x4.add(v128.load(c), c0); c1 = f32x4.add(v128.load(r1), c1);
    c2 = f32x4.add(v128.load(r2), c2); c3 = f32x4.add(v128.load(r3), c3);
  }
  v128.store(c, c0); v128.store(r1, c1); v128.store(r2, c2); v128.store(r3, c3);
}

/** 1 row × 4 columns. */
@inline function block1x4(K: i32, ldb: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let c0 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    c0 = mac(c0, v128.load32_splat(pa), v128.load(pb));
    pa += 4; pb += ldb;
  }
  if (acc) c0 = f32x4.add(v128.load(c), c0);
  v128.store(c, c0);
}

/** 1 row × 1 column (scalar edge). */
@inline function block1x1(K: i32, ldb: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let s: f32 = 0;
  let pa = a, pb = b;
  for (let k = 0; k < K; k++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += 4; pb += ldb;
  }
  store<f32>(c, acc ? load<f32>(c) + s : s);
}

/**
 * C[M,N] = (acc ? C : 0) + A[M,K]·B[K,N] with explicit row strides in bytes; rows [m0, m1) only.
 * Column panels of 8 outer, 4-row blocks inner, so one K×8 panel of B stays in L1 across all rows.
 */
export function gemmNN(
  M: i32, N: i32, K: i32, A: usize, lda: usize, B: usize, ldb: usize, C: usize, ldc: usize, acc: i32, m0: i32, m1: i32,
): void {
  if (m1 > M) m1 = M;
  if (m0 < 0) m0 = 0;
  if (m1 <= m0 || N <= 0) return;
  if (K <= 0) {
    if (!acc) for (let i = m0; i < m1; i++) memory.fill(C + <usize>i * ldc, 0, <usize>N << 2);
    return;
  }
  const m4 = m0 + ((m1 - m0) & ~3);
  const n8 = N & ~7, n4 = N & ~3;
  for (let j = 0; j < n8; j += 8) {
    const bj = B + (<usize>j << 2), cj = C + (<usize>j << 2);
    let i = m0;
    for (; i < m4; i += 4) block4x8(K, lda, ldb, ldc, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
    for (; i < m1; i++) block1x8(K, ldb, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
  }
  if (n4 > n8) {
    const bj = B + (<usize>n8 << 2), cj = C + (<usize>n8 << 2);
    let i = m0;
    for (; i < m4; i += 4) block4x4(K, lda, ldb, ldc, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
    for (; i < m1; i++) block1x4(K, ldb, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
  }
  for (let j = n4; j < N; j++) {
    const bj = B + (<usize>j << 2), cj = C + (<usize>j << 2);
    for (let i = m0; i < m1; i++) block1x1(K, ldb, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
  }
}

// ---- C[M,N] = (acc ? C : 0) + A[M,K]·B[N,K]ᵀ: dot products along contiguous rows, 2×4 blocks ----

/** Horizontal sums of four vectors: [Σa, Σb, Σc, Σd]. */
@inline function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

@inline function hsum(a: v128): f32 {
  const t = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
}

@inline function gather4(b: usize, ldb: usize, o: usize): v128 {
  let v = f32x4.splat(load<f32>(b + o));
  v = f32x4.replace_lane(v, 1, load<f32>(b + ldb + o));
  v = f32x4.replace_lane(v, 2, load<f32>(b + 2 * ldb + o));
  return f32x4.replace_lane(v, 3, load<f32>(b + 3 * ldb + o));
}

/** C[i..i+1, j..j+3]; a: &A[i,0], b: &B[j,0]. */
@inline function nt2x4(K: i32, lda: usize, ldb: usize, ldc: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const a1 = a + lda, b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
  const k4 = <usize>(K & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) {
    const x0 = v128.load(a + o), x1 = v128.load(a1 + o);
    let y = v128.load(b + o);
    s00 = mac(s00, x0, y); s10 = mac(s10, x1, y);
    y = v128.load(b1 + o);
    s01 = mac(s01, x0, y); s11 = mac(s11, x1, y);
    y = v128.load(b2 + o);
    s02 = mac(s02, x0, y); s12 = mac(s12, x1, y);
    y = v128.load(b3 + o);
    s03 = mac(s03, x0, y); s13 = mac(s13, x1, y);
  }
  let r0 = hsum4(s00, s01, s02, s03), r1 = hsum4(s10, s11, s12, s13);
  for (let o = k4; o < (<usize>K << 2); o += 4) {
    const y = gather4(b, ldb, o);
    r0 = mac(r0, v128.load32_splat(a + o), y);
    r1 = mac(r1, v128.load32_splat(a1 + o), y);
  }
  if (acc) { r0 = f32x4.add(v128.load(c), r0); r1 = f32x4.add(v128.load(c + ldc), r1); }
  v128.store(c, r0); v128.store(c + ldc, r1);
}

@inline function nt1x4(K: i32, ldb: usize, a: usize, b: usize, c: usize, acc: i32): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const b1 = b + ldb, b2 = b + 2 * ldb, b3 = b + 3 * ldb;
  const k4 = <usize>(K & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) {
    const x = v128.load(a + o);
    s0 = mac(s0, x, v128.load(b + o)); s1 = mac(s1, x, v128.load(b1 + o));
    s2 = mac(s2, x, v128.load(b2 + o)); s3 = mac(s3, x, v128.load(b3 + o));
  }
  let r = hsum4(s0, s1, s2, s3);
  for (let o = k4; o < (<usize>K << 2); o += 4) r = mac(r, v128.load32_splat(a + o), gather4(b, ldb, o));
  if (acc) r = f32x4.add(v128.load(c), r);
  v128.store(c, r);
}

@inline function nt1x1(K: i32, a: usize, b: usize, c: usize, acc: i32): void {
  let s = f32x4.splat(0);
  const k4 = <usize>(K & ~3) << 2;
  for (let o: usize = 0; o < k4; o += 16) s = mac(s, v128.load(a + o), v128.load(b + o));
  let r = hsum(s);
  for (let o = k4; o < (<usize>K << 2); o += 4) r += load<f32>(a + o) * load<f32>(b + o);
  store<f32>(c, acc ? load<f32>(c) + r : r);
}

/** C[M,N] = (acc ? C : 0) + A[M,K]·B[N,K]ᵀ, strides in bytes. 4-row groups of B outer, row pairs of A inner. */
export function gemmNT(
  M: i32, N: i32, K: i32, A: usize, lda: usize, B: usize, ldb: usize, C: usize, ldc: usize, acc: i32,
): void {
  if (M <= 0 || N <= 0) return;
  const m2 = M & ~1, n4 = N & ~3;
  for (let j = 0; j < n4; j += 4) {
    const bj = B + <usize>j * ldb, cj = C + (<usize>j << 2);
    let i = 0;
    for (; i < m2; i += 2) nt2x4(K, lda, ldb, ldc, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
    if (i < M) nt1x4(K, ldb, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
  }
  for (let j = n4; j < N; j++) {
    const bj = B + <usize>j * ldb, cj = C + (<usize>j << 2);
    for (let i = 0; i < M; i++) nt1x1(K, A + <usize>i * lda, bj, cj + <usize>i * ldc, acc);
  }
}

/** Exported ABI: C[M,N] = (acc ? C : 0) + A[M,K]·B[K,N], lda = K, ldb = ldc = N; rows [m0, m1) of C. */
export function gemm(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize, acc: i32, m0: i32, m1: i32): void {
  gemmNN(M, N, K, A, <usize>K << 2, B, <usize>N << 2, C, <usize>N << 2, acc, m0, m1);
}
