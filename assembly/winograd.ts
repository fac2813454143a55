// Winograd F(2×2, 3×3) for 3×3 convolutions with stride 1 and padding 1 (Lavin & Gray, 2016). Per 2×2 output tile
// and the 4×4 input tile d around it: y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. Over channels, each of the 16 elementwise
// products becomes one GEMM, [Co × Ci]·[Ci × tiles]: 16 multiply-adds per tile where direct convolution does 36.
// The weight gradient is the same map transposed: dg = Σ_tiles Gᵀ[(Bᵀ d B) ⊙ (A dy Aᵀ)]G, 16 GEMMs over tiles.
// The transforms are adds and halvings; rounding differs from direct convolution by a few ulps of the summands.
//
// Work goes in blocks of about TILES tiles (a few tile rows of a sample, or a few whole samples), so a block's
// transformed tiles V [16][Ci][tiles] and products M [16][Co][tiles] stay in L2. Four tiles side by side in a
// tile row fill the four SIMD lanes, which needs W/2 to be a multiple of 4 (NB201's and NB101's 32, 16, 8).
import { transpose4x4 } from './elementwise';
import { gemmNN } from './gemm';

/** Target tiles per block (GEMM columns). */
const TILES: i32 = 64;

/** Tile rows per block and samples per block, for a sample of TR × TC tiles. */
@inline function blockRows(TR: i32, TC: i32): i32 {
  const r = TILES / TC;
  return r < 1 ? 1 : r > TR ? TR : r;
}

@inline function blockSamples(TR: i32, TC: i32): i32 {
  const s = TILES / (TR * TC);
  return blockRows(TR, TC) < TR || s < 1 ? 1 : s;
}

/**
 * Row stride in bytes of the V, M and D matrices (tiles columns): four floats past the tiles, so that their 16 ξ
 * planes, which the transforms read and write side by side, are not a multiple of 4 KiB apart (L1 set aliasing).
 */
@inline function tileStride(TB: i32): usize {
  return <usize>(TB + 4) << 2;
}

/** The largest block's tile count. */
@inline function blockTiles(H: i32, W: i32): i32 {
  const TR = H >> 1, TC = W >> 1;
  return blockRows(TR, TC) * TC * blockSamples(TR, TC);
}

/** Bytes of scratch per slice: the block's zero-bordered input rows, V, and M (forward) or D, a transposed V_ξ and P (grad). */
export function winograd_scratch(Ci: i32, Co: i32, H: i32, W: i32, grad: i32): i32 {
  const rows = blockRows(H >> 1, W >> 1);
  // the weight gradient's blocks stay inside one sample
  const TB = grad ? rows * (W >> 1) : blockTiles(H, W);
  const padded = (2 * rows + 2) * (W + 2);
  return ((padded + 16 * (Ci + Co) * (TB + 4) + (grad ? TB * Ci : 0)) << 2) + (grad ? 16 * <i32>uPlane(Co, Ci) + 256 : 0) + 64;
}

/**
 * Byte stride of U's 16 planes: 64 bytes past outs·ins floats, so that the 16 stores of one filter's transform do
 * not land a multiple of 4 KiB apart (L1 set aliasing: 3–10× slower at 32 and 64 channels).
 */
@inline function uPlane(outs: i32, ins: i32): usize {
  return (<usize>(outs * ins) << 2) + 64;
}

/** Bytes of U for a w [Co][Ci][3][3] (either orientation). */
export function winograd_weights_bytes(Co: i32, Ci: i32): i32 {
  return 16 * <i32>uPlane(Co, Ci);
}

/** G·(a, b, c)ᵀ = a, ½(a + b + c), ½(a − b + c), c into four planes `plane` bytes apart from u; returns the next u. */
@inline function storeGRow(u: usize, plane: usize, a: f32, b: f32, c: f32): usize {
  store<f32>(u, a);
  store<f32>(u + plane, (a + b + c) * <f32>0.5);
  store<f32>(u + 2 * plane, (a - b + c) * <f32>0.5);
  store<f32>(u + 3 * plane, c);
  return u + 4 * plane;
}

/** g[a][c] of the filter at f: f[a·3 + c], or f[(2 − a)·3 + 2 − c] rotated by 180°. */
@inline function tap(f: usize, a: i32, c: i32, rotated: i32): f32 {
  return load<f32>(f + (<usize>(rotated ? (2 - a) * 3 + 2 - c : a * 3 + c) << 2));
}

/**
 * U[ξ][o][i] = (G g Gᵀ)[ξ] for every filter g = w[o][i] (w [Co][Ci][3][3]), planes uPlane apart; with `gradInput`,
 * for the filters of the input gradient instead — g'[ci][co] = w[co][ci] rotated by 180° — so U is [16][Ci][Co]. G's rows: (1, 0, 0),
 * ½(1, 1, 1), ½(1, −1, 1), (0, 0, 1).
 */
export function winograd_weights(w: usize, U: usize, Co: i32, Ci: i32, gradInput: i32): void {
  const outs = gradInput ? Ci : Co, ins = gradInput ? Co : Ci;
  const plane = uPlane(outs, ins);
  const h: f32 = 0.5;
  for (let o = 0; o < outs; o++) {
    for (let i = 0; i < ins; i++) {
      const f = w + (<usize>(gradInput ? i * Ci + o : o * Ci + i) * 9 << 2);
      const g00 = tap(f, 0, 0, gradInput), g01 = tap(f, 0, 1, gradInput), g02 = tap(f, 0, 2, gradInput);
      const g10 = tap(f, 1, 0, gradInput), g11 = tap(f, 1, 1, gradInput), g12 = tap(f, 1, 2, gradInput);
      const g20 = tap(f, 2, 0, gradInput), g21 = tap(f, 2, 1, gradInput), g22 = tap(f, 2, 2, gradInput);
      // G g: four rows of three
      const a0 = g00, a1 = g01, a2 = g02;
      const b0 = (g00 + g10 + g20) * h, b1 = (g01 + g11 + g21) * h, b2 = (g02 + g12 + g22) * h;
      const c0 = (g00 - g10 + g20) * h, c1 = (g01 - g11 + g21) * h, c2 = (g02 - g12 + g22) * h;
      const d0 = g20, d1 = g21, d2 = g22;
      // (G g) Gᵀ: each row's four
      let u = U + (<usize>(o * ins + i) << 2);
      u = storeGRow(u, plane, a0, a1, a2);
      u = storeGRow(u, plane, b0, b1, b2);
      u = storeGRow(u, plane, c0, c1, c2);
      storeGRow(u, plane, d0, d1, d2);
    }
  }
}

/**
 * Rows 2·th0 − 1 .. 2·th1 of one plane (H × W) into `pad` with a zero border: R = 2(th1 − th0) + 2 rows of W + 2.
 */
function padRows(x: usize, H: i32, W: i32, th0: i32, th1: i32, pad: usize): void {
  const Wp = W + 2, ldp = <usize>Wp << 2;
  const R = 2 * (th1 - th0) + 2;
  for (let r = 0; r < R; r++) {
    const h = 2 * th0 - 1 + r, p = pad + <usize>r * ldp;
    if (h < 0 || h >= H) {
      memory.fill(p, 0, ldp);
    } else {
      store<f32>(p, 0);
      memory.copy(p + 4, x + (<usize>(h * W) << 2), <usize>W << 2);
      store<f32>(p + (<usize>(W + 1) << 2), 0);
    }
  }
}

@inline function even(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 2, 4, 6);
}

@inline function odd(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 1, 3, 5, 7);
}

/**
 * Bᵀ d B for four tiles side by side (lanes), d the 4×4 cells at padded rows p .. p + 3 (row stride ldp), columns
 * 2·lane .. 2·lane + 3; the 16 results go to v + ξ·ldx (ξ = 4·row + column).
 */
@inline function inputTile4(p: usize, ldp: usize, v: usize, ldx: usize): void {
  // t = Bᵀ d over rows: t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3 (each row as its four columns)
  let d00: v128, d01: v128, d02: v128, d03: v128;
  let d10: v128, d11: v128, d12: v128, d13: v128;
  let d20: v128, d21: v128, d22: v128, d23: v128;
  let d30: v128, d31: v128, d32: v128, d33: v128;
  let a = v128.load(p), b = v128.load(p, 16), c = v128.load(p, 8), e = v128.load(p, 24);
  d00 = even(a, b); d01 = odd(a, b); d02 = even(c, e); d03 = odd(c, e);
  let q = p + ldp;
  a = v128.load(q); b = v128.load(q, 16); c = v128.load(q, 8); e = v128.load(q, 24);
  d10 = even(a, b); d11 = odd(a, b); d12 = even(c, e); d13 = odd(c, e);
  q += ldp;
  a = v128.load(q); b = v128.load(q, 16); c = v128.load(q, 8); e = v128.load(q, 24);
  d20 = even(a, b); d21 = odd(a, b); d22 = even(c, e); d23 = odd(c, e);
  q += ldp;
  a = v128.load(q); b = v128.load(q, 16); c = v128.load(q, 8); e = v128.load(q, 24);
  d30 = even(a, b); d31 = odd(a, b); d32 = even(c, e); d33 = odd(c, e);
  const t00 = f32x4.sub(d00, d20), t01 = f32x4.sub(d01, d21), t02 = f32x4.sub(d02, d22), t03 = f32x4.sub(d03, d23);
  const t10 = f32x4.add(d10, d20), t11 = f32x4.add(d11, d21), t12 = f32x4.add(d12, d22), t13 = f32x4.add(d13, d23);
  const t20 = f32x4.sub(d20, d10), t21 = f32x4.sub(d21, d11), t22 = f32x4.sub(d22, d12), t23 = f32x4.sub(d23, d13);
  const t30 = f32x4.sub(d10, d30), t31 = f32x4.sub(d11, d31), t32 = f32x4.sub(d12, d32), t33 = f32x4.sub(d13, d33);
  // (Bᵀ d) B over columns, the same combination
  v128.store(v, f32x4.sub(t00, t02)); v128.store(v + ldx, f32x4.add(t01, t02));
  v128.store(v + 2 * ldx, f32x4.sub(t02, t01)); v128.store(v + 3 * ldx, f32x4.sub(t01, t03));
  v128.store(v + 4 * ldx, f32x4.sub(t10, t12)); v128.store(v + 5 * ldx, f32x4.add(t11, t12));
  v128.store(v + 6 * ldx, f32x4.sub(t12, t11)); v128.store(v + 7 * ldx, f32x4.sub(t11, t13));
  v128.store(v + 8 * ldx, f32x4.sub(t20, t22)); v128.store(v + 9 * ldx, f32x4.add(t21, t22));
  v128.store(v + 10 * ldx, f32x4.sub(t22, t21)); v128.store(v + 11 * ldx, f32x4.sub(t21, t23));
  v128.store(v + 12 * ldx, f32x4.sub(t30, t32)); v128.store(v + 13 * ldx, f32x4.add(t31, t32));
  v128.store(v + 14 * ldx, f32x4.sub(t32, t31)); v128.store(v + 15 * ldx, f32x4.sub(t31, t33));
}

/**
 * V[ξ][c][col + tile] for one sample's tile rows [th0, th1), every channel: tiles in row-major order from `col`.
 * V's rows are ldv bytes, its ξ planes Ci·ldv apart.
 */
function inputTiles(x: usize, Ci: i32, H: i32, W: i32, th0: i32, th1: i32, pad: usize, V: usize, ldv: usize, col: i32): void {
  const TC = W >> 1, ldp = <usize>(W + 2) << 2, ldx = <usize>Ci * ldv;
  const plane = <usize>(H * W) << 2;
  for (let c = 0; c < Ci; c++) {
    padRows(x + <usize>c * plane, H, W, th0, th1, pad);
    let t = col;
    for (let th = th0; th < th1; th++) {
      const p = pad + <usize>(2 * (th - th0)) * ldp;
      for (let tw = 0; tw < TC; tw += 4) {
        inputTile4(p + (<usize>(2 * tw) << 2), ldp, V + <usize>c * ldv + (<usize>t << 2), ldx);
        t += 4;
      }
    }
  }
}

/**
 * y[co][2th + a][2tw + b] = (Aᵀ m A)[a][b] for one sample's tile rows [th0, th1): m = M[ξ][co][col + tile].
 * Aᵀ m A: per row i, a_i = m_i0 + m_i1 + m_i2 and b_i = m_i1 − m_i2 − m_i3; then the same down the rows.
 */
function outputTiles(M: usize, ldm: usize, Co: i32, H: i32, W: i32, th0: i32, th1: i32, y: usize, col: i32): void {
  const TC = W >> 1, ldx = <usize>Co * ldm, plane = <usize>(H * W) << 2, rowB = <usize>W << 2;
  for (let co = 0; co < Co; co++) {
    const yc = y + <usize>co * plane;
    let t = col;
    for (let th = th0; th < th1; th++) {
      const r0 = yc + <usize>(2 * th) * rowB;
      for (let tw = 0; tw < TC; tw += 4) {
        const m = M + <usize>co * ldm + (<usize>t << 2);
        let a0 = f32x4.add(f32x4.add(v128.load(m), v128.load(m + ldx)), v128.load(m + 2 * ldx));
        let b0 = f32x4.sub(f32x4.sub(v128.load(m + ldx), v128.load(m + 2 * ldx)), v128.load(m + 3 * ldx));
        const a1 = f32x4.add(f32x4.add(v128.load(m + 4 * ldx), v128.load(m + 5 * ldx)), v128.load(m + 6 * ldx));
        const b1 = f32x4.sub(f32x4.sub(v128.load(m + 5 * ldx), v128.load(m + 6 * ldx)), v128.load(m + 7 * ldx));
        const a2 = f32x4.add(f32x4.add(v128.load(m + 8 * ldx), v128.load(m + 9 * ldx)), v128.load(m + 10 * ldx));
        const b2 = f32x4.sub(f32x4.sub(v128.load(m + 9 * ldx), v128.load(m + 10 * ldx)), v128.load(m + 11 * ldx));
        const a3 = f32x4.add(f32x4.add(v128.load(m + 12 * ldx), v128.load(m + 13 * ldx)), v128.load(m + 14 * ldx));
        const b3 = f32x4.sub(f32x4.sub(v128.load(m + 13 * ldx), v128.load(m + 14 * ldx)), v128.load(m + 15 * ldx));
        const y00 = f32x4.add(f32x4.add(a0, a1), a2), y01 = f32x4.add(f32x4.add(b0, b1), b2);
        const y10 = f32x4.sub(f32x4.sub(a1, a2), a3), y11 = f32x4.sub(f32x4.sub(b1, b2), b3);
        // lanes are tiles: output columns 2·lane (y·0) and 2·lane + 1 (y·1), interleaved
        const o = r0 + (<usize>(2 * tw) << 2);
        v128.store(o, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5));
        v128.store(o, v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), 16);
        v128.store(o + rowB, v128.shuffle<f32>(y10, y11, 0, 4, 1, 5));
        v128.store(o + rowB, v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), 16);
        t += 4;
      }
    }
  }
}

/**
 * y[n] = conv3×3(x[n], g), stride 1, padding 1, for samples [n0, n1): x [N,Ci,H,W], U = winograd_weights' [16][Co][Ci],
 * y [N,Co,H,W]. With U of the rotated filters (gradInput), x = dy and Ci, Co swapped, it is the input gradient.
 */
export function winograd_forward(x: usize, U: usize, y: usize, Ci: i32, H: i32, W: i32, Co: i32, scratch: usize, n0: i32, n1: i32): void {
  const TR = H >> 1, TC = W >> 1, rows = blockRows(TR, TC), spb = blockSamples(TR, TC);
  const TB = blockTiles(H, W), ldv = tileStride(TB);
  const pad = scratch;
  const V = pad + (<usize>((2 * rows + 2) * (W + 2)) << 2);
  const M = V + (<usize>(16 * Ci) * ldv);
  const xs = <usize>(Ci * H * W) << 2, ys = <usize>(Co * H * W) << 2;
  for (let n = n0; n < n1; n += spb) {
    const ns = n + spb < n1 ? spb : n1 - n;
    for (let th0 = 0; th0 < TR; th0 += rows) {
      const th1 = th0 + rows < TR ? th0 + rows : TR;
      const per = (th1 - th0) * TC, tiles = ns * per;
      for (let s = 0; s < ns; s++) inputTiles(x + <usize>(n + s) * xs, Ci, H, W, th0, th1, pad, V, ldv, s * per);
      for (let e = 0; e < 16; e++) {
        const Ue = U + <usize>e * uPlane(Co, Ci), Ve = V + <usize>(e * Ci) * ldv, Me = M + <usize>(e * Co) * ldv;
        gemmNN(Co, tiles, Ci, Ue, <usize>Ci << 2, Ve, ldv, Me, ldv, 0, 0, Co);
      }
      for (let s = 0; s < ns; s++) outputTiles(M + (<usize>(s * per) << 2), ldv, Co, H, W, th0, th1, y + <usize>(n + s) * ys, 0);
    }
  }
}

/**
 * A dy Aᵀ for one sample's tile rows [th0, th1), every output channel: D[ξ][co][col + tile]. dy's 2×2 tile [[p0, q0],
 * [p1, q1]] → rows r = (p0, q0), (p0 + p1, q0 + q1), (p0 − p1, q0 − q1), (−p1, −q1), each r = (p, q) → (p, p + q, p − q, −q).
 */
function gradTiles(dy: usize, Co: i32, H: i32, W: i32, th0: i32, th1: i32, D: usize, ldd: usize, col: i32): void {
  const TC = W >> 1, ldx = <usize>Co * ldd, plane = <usize>(H * W) << 2, rowB = <usize>W << 2;
  const zero = f32x4.splat(0);
  for (let co = 0; co < Co; co++) {
    const dc = dy + <usize>co * plane;
    let t = col;
    for (let th = th0; th < th1; th++) {
      const r0 = dc + <usize>(2 * th) * rowB;
      for (let tw = 0; tw < TC; tw += 4) {
        const o = r0 + (<usize>(2 * tw) << 2);
        let a = v128.load(o), b = v128.load(o, 16);
        const p0 = even(a, b), q0 = odd(a, b);
        a = v128.load(o + rowB); b = v128.load(o + rowB, 16);
        const p1 = even(a, b), q1 = odd(a, b);
        const d = D + <usize>co * ldd + (<usize>t << 2);
        for (let r = 0; r < 4; r++) {
          const p = r == 0 ? p0 : r == 1 ? f32x4.add(p0, p1) : r == 2 ? f32x4.sub(p0, p1) : f32x4.sub(zero, p1);
          const q = r == 0 ? q0 : r == 1 ? f32x4.add(q0, q1) : r == 2 ? f32x4.sub(q0, q1) : f32x4.sub(zero, q1);
          const at = d + <usize>(4 * r) * ldx;
          v128.store(at, p);
          v128.store(at + ldx, f32x4.add(p, q));
          v128.store(at + 2 * ldx, f32x4.sub(p, q));
          v128.store(at + 3 * ldx, f32x4.sub(zero, q));
        }
        t += 4;
      }
    }
  }
}

/** Gᵀ's rows applied to (c0, c1, c2, c3): c0 + ½(c1 + c2), ½(c1 − c2), ½(c1 + c2) + c3, stored 16 bytes apart at o. */
@inline function gT3(c0: v128, c1: v128, c2: v128, c3: v128, o: usize): void {
  const h = f32x4.splat(0.5);
  const s = f32x4.mul(f32x4.add(c1, c2), h);
  v128.store(o, f32x4.add(c0, s));
  v128.store(o, f32x4.mul(f32x4.sub(c1, c2), h), 16);
  v128.store(o, f32x4.add(s, c3), 32);
}

/**
 * dw[co][ci] = Gᵀ P G (3×3 from 4×4) with P[ξ][co][ci] = Σ_tiles D[ξ][co][t]·V[ξ][ci][t] (planes uPlane apart), four
 * input channels at a time (lanes; P's rows are contiguous in ci, Ci a multiple of 4). tmp: 240 bytes of scratch.
 */
function filterTransform(P: usize, Co: i32, Ci: i32, dw: usize, tmp: usize): void {
  const ldx = uPlane(Co, Ci);
  for (let co = 0; co < Co; co++) {
    for (let ci = 0; ci < Ci; ci += 4) {
      const base = P + (<usize>(co * Ci + ci) << 2);
      // columns j of P (ξ = 4·row + j) → tmp[j] = the three rows of Gᵀ P in that column
      for (let j = 0; j < 4; j++) {
        const at = base + <usize>j * ldx;
        gT3(v128.load(at), v128.load(at + 4 * ldx), v128.load(at + 8 * ldx), v128.load(at + 12 * ldx), tmp + (<usize>j * 48));
      }
      const out = dw + (<usize>(co * Ci + ci) * 9 << 2);
      for (let i = 0; i < 3; i++) {
        // row i of Gᵀ P, times G: three taps, each lane one input channel
        const r = tmp + (<usize>i << 4);
        gT3(v128.load(r), v128.load(r + 48), v128.load(r + 96), v128.load(r + 144), tmp + 192);
        const k0 = v128.load(tmp + 192), k1 = v128.load(tmp + 208), k2 = v128.load(tmp + 224);
        store<f32>(out + (<usize>(i * 3) << 2), f32x4.extract_lane(k0, 0));
        store<f32>(out + (<usize>(i * 3 + 1) << 2), f32x4.extract_lane(k1, 0));
        store<f32>(out + (<usize>(i * 3 + 2) << 2), f32x4.extract_lane(k2, 0));
        store<f32>(out + (<usize>(9 + i * 3) << 2), f32x4.extract_lane(k0, 1));
        store<f32>(out + (<usize>(9 + i * 3 + 1) << 2), f32x4.extract_lane(k1, 1));
        store<f32>(out + (<usize>(9 + i * 3 + 2) << 2), f32x4.extract_lane(k2, 1));
        store<f32>(out + (<usize>(18 + i * 3) << 2), f32x4.extract_lane(k0, 2));
        store<f32>(out + (<usize>(18 + i * 3 + 1) << 2), f32x4.extract_lane(k1, 2));
        store<f32>(out + (<usize>(18 + i * 3 + 2) << 2), f32x4.extract_lane(k2, 2));
        store<f32>(out + (<usize>(27 + i * 3) << 2), f32x4.extract_lane(k0, 3));
        store<f32>(out + (<usize>(27 + i * 3 + 1) << 2), f32x4.extract_lane(k1, 3));
        store<f32>(out + (<usize>(27 + i * 3 + 2) << 2), f32x4.extract_lane(k2, 3));
      }
    }
  }
}

/** dst[t][c] = src[c][t] for c < C, t < T (both multiples of 4); src rows lds bytes apart, dst rows C floats. */
function transposeTiles(src: usize, lds: usize, C: i32, T: i32, dst: usize): void {
  const ldd = <usize>C << 2;
  for (let c = 0; c < C; c += 4) {
    for (let t = 0; t < T; t += 4) transpose4x4(src + <usize>c * lds + (<usize>t << 2), lds, dst + <usize>t * ldd + (<usize>c << 2), ldd);
  }
}

/**
 * Per-sample filter gradients dw[n] [Co,Ci,3,3] of conv3×3 (stride 1, padding 1) for samples [n0, n1): x [N,Ci,H,W],
 * dy [N,Co,H,W]. Per sample, each block's V (input tiles) and D (dy tiles) add 16 GEMMs D_ξ·V_ξᵀ into P.
 */
export function winograd_grad_weight(x: usize, dy: usize, dw: usize, Ci: i32, H: i32, W: i32, Co: i32, scratch: usize, n0: i32, n1: i32): void {
  const TR = H >> 1, TC = W >> 1, rows = blockRows(TR, TC);
  const TB = rows * TC, ldv = tileStride(TB);
  const pad = scratch;
  const V = pad + (<usize>((2 * rows + 2) * (W + 2)) << 2);
  const D = V + <usize>(16 * Ci) * ldv;
  const P = D + <usize>(16 * Co) * ldv;
  const tmp = P + 16 * uPlane(Co, Ci);
  const VT = tmp + 256;
  const xs = <usize>(Ci * H * W) << 2, ys = <usize>(Co * H * W) << 2, ws = <usize>(Co * Ci * 9) << 2;
  const ldp = <usize>Ci << 2;
  for (let n = n0; n < n1; n++) {
    for (let th0 = 0; th0 < TR; th0 += rows) {
      const th1 = th0 + rows < TR ? th0 + rows : TR;
      const tiles = (th1 - th0) * TC;
      inputTiles(x + <usize>n * xs, Ci, H, W, th0, th1, pad, V, ldv, 0);
      gradTiles(dy + <usize>n * ys, Co, H, W, th0, th1, D, ldv, 0);
      for (let e = 0; e < 16; e++) {
        const De = D + <usize>(e * Co) * ldv, Ve = V + <usize>(e * Ci) * ldv, Pe = P + <usize>e * uPlane(Co, Ci);
        // P_ξ += D_ξ·V_ξᵀ as a GEMM along the tiles on V_ξ transposed: rank-1 updates in registers, no horizontal sums
        // (a sample's 8×8 plane has only 16 tiles, too short for dot products)
        transposeTiles(Ve, ldv, Ci, tiles, VT);
        gemmNN(Co, Ci, tiles, De, ldv, VT, ldp, Pe, ldp, th0 > 0 ? 1 : 0, 0, Co);
      }
    }
    filterTransform(P, Co, Ci, dw + <usize>n * ws, tmp);
  }
}
