// Element-wise kernels over index ranges [i0, i1), dense helpers and transpose. Pointers are byte offsets.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** y = x > 0 ? x : 0 (NaN and −0 give +0, like the reference). */
export function relu(x: usize, y: usize, i0: i32, i1: i32): void {
  const z = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const v = v128.load(at(x, i));
    v128.store(at(y, i), v128.and(v, f32x4.gt(v, z)));
  }
  for (; i < i1; i++) {
    const v = load<f32>(at(x, i));
    store<f32>(at(y, i), v > 0 ? v : 0);
  }
}

/** dx = x > 0 ? dy : 0. */
export function relu_grad(dy: usize, x: usize, dx: usize, i0: i32, i1: i32): void {
  const z = f32x4.splat(0);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    v128.store(at(dx, i), v128.and(v128.load(at(dy, i)), f32x4.gt(v128.load(at(x, i)), z)));
  }
  for (; i < i1; i++) store<f32>(at(dx, i), load<f32>(at(x, i)) > 0 ? load<f32>(at(dy, i)) : 0);
}

export function add(a: usize, b: usize, y: usize, i0: i32, i1: i32): void {
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(y, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < i1; i++) store<f32>(at(y, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

export function scale(a: usize, s: f32, y: usize, i0: i32, i1: i32): void {
  const sv = f32x4.splat(s);
  let i = i0;
  for (; i + 4 <= i1; i += 4) v128.store(at(y, i), f32x4.mul(v128.load(at(a, i)), sv));
  for (; i < i1; i++) store<f32>(at(y, i), load<f32>(at(a, i)) * s);
}

/** Σ x[0..n) accumulated in f64 (four f64 lanes). */
export function sum(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
  }
  const t = f64x2.add(s0, s1);
  let s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  for (; i < n; i++) s += <f64>load<f32>(at(x, i));
  return s;
}

/** The 4×4 block at s (rows lds bytes apart), transposed to o (rows ldd bytes apart): four loads, eight shuffles. */
@inline export function transpose4x4(s: usize, lds: usize, o: usize, ldd: usize): void {
  const a = v128.load(s), b = v128.load(s + lds), c = v128.load(s + 2 * lds), d = v128.load(s + 3 * lds);
  const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(o, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
  v128.store(o + ldd, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7));
  v128.store(o + 2 * ldd, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5));
  v128.store(o + 3 * ldd, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7));
}

/** dst[cols, rows] = src[rows, cols]ᵀ, in 4×4 register transposes over 32×32 tiles. */
export function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  const lds = <usize>cols << 2, ldd = <usize>rows << 2;
  const r4 = rows & ~3, c4 = cols & ~3;
  for (let ib = 0; ib < r4; ib += 32) {
    const ie = ib + 32 < r4 ? ib + 32 : r4;
    for (let jb = 0; jb < c4; jb += 32) {
      const je = jb + 32 < c4 ? jb + 32 : c4;
      for (let i = ib; i < ie; i += 4) {
        for (let j = jb; j < je; j += 4) {
          transpose4x4(src + <usize>i * lds + (<usize>j << 2), lds, dst + <usize>j * ldd + (<usize>i << 2), ldd);
        }
      }
    }
  }
  // ragged edges: columns [c4, cols) of all rows, rows [r4, rows) of the first c4 columns
  for (let i = 0; i < rows; i++) {
    for (let j = c4; j < cols; j++) store<f32>(dst + <usize>j * ldd + (<usize>i << 2), load<f32>(src + <usize>i * lds + (<usize>j << 2)));
  }
  for (let i = r4; i < rows; i++) {
    for (let j = 0; j < c4; j++) store<f32>(dst + <usize>j * ldd + (<usize>i << 2), load<f32>(src + <usize>i * lds + (<usize>j << 2)));
  }
}

/** y[i, :] = a[i, :] + v, a and y [M, N]. */
export function add_row_vector(a: usize, v: usize, y: usize, M: i32, N: i32): void {
  const ld = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>i * ld, yi = y + <usize>i * ld;
    let j = 0;
    for (; j + 4 <= N; j += 4) v128.store(at(yi, j), f32x4.add(v128.load(at(ai, j)), v128.load(at(v, j))));
    for (; j < N; j++) store<f32>(at(yi, j), load<f32>(at(ai, j)) + load<f32>(at(v, j)));
  }
}

/** y[j] = Σ_i a[i, j] accumulated in f64, a [M, N]. */
export function sum_rows(a: usize, M: i32, N: i32, y: usize): void {
  const ld = <usize>N << 2;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    let p = at(a, j);
    for (let i = 0; i < M; i++) {
      const v = v128.load(p);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
      p += ld;
    }
    const lo = f32x4.demote_f64x2_zero(s0), hi = f32x4.demote_f64x2_zero(s1);
    v128.store(at(y, j), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
  }
  for (; j < N; j++) {
    let s: f64 = 0;
    let p = at(a, j);
    for (let i = 0; i < M; i++) { s += <f64>load<f32>(p); p += ld; }
    store<f32>(at(y, j), <f32>s);
  }
}

/** y[n, o, :] = dy[n, o] · x[n, :]; dy [N, O], x [N, I], y [N, O, I]. */
export function outer_per_sample(dy: usize, x: usize, y: usize, N: i32, O: i32, I: i32): void {
  const ldx = <usize>I << 2;
  let out = y;
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>n * ldx;
    for (let o = 0; o < O; o++) {
      const g = load<f32>(at(dy, n * O + o));
      const gv = f32x4.splat(g);
      let j = 0;
      for (; j + 4 <= I; j += 4) v128.store(at(out, j), f32x4.mul(gv, v128.load(at(xn, j))));
      for (; j < I; j++) store<f32>(at(out, j), g * load<f32>(at(xn, j)));
      out += ldx;
    }
  }
}
