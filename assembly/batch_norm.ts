// Batch norm over statistic groups: perSample = 0 → group c over (N,H,W); perSample = 1 → group (n,c) over (H,W),
// index n·C + c. Sums in f64 (two passes: mean, then biased variance) and f64 element math, like the reference.

@inline function runPtr(p: usize, n: i32, c: i32, C: i32, HW: i32): usize {
  return p + (<usize>(n * C + c) * <usize>HW << 2);
}

@inline function lo64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline function hi64(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two f64x2 → one f32x4 (round to nearest, like a Float32Array store). */
@inline function demote2(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

@inline function hadd(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

function runSum(p: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    s0 = f64x2.add(s0, lo64(v));
    s1 = f64x2.add(s1, hi64(v));
  }
  let s = hadd(f64x2.add(s0, s1));
  for (; i < n; i++) s += <f64>load<f32>(p + (<usize>i << 2));
  return s;
}

function runSqDev(p: usize, n: i32, m: f64): f64 {
  const mv = f64x2.splat(m);
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    const d0 = f64x2.sub(lo64(v), mv), d1 = f64x2.sub(hi64(v), mv);
    s0 = f64x2.add(s0, f64x2.mul(d0, d0));
    s1 = f64x2.add(s1, f64x2.mul(d1, d1));
  }
  let s = hadd(f64x2.add(s0, s1));
  for (; i < n; i++) { const d = <f64>load<f32>(p + (<usize>i << 2)) - m; s += d * d; }
  return s;
}

export function bn_stats(x: usize, N: i32, C: i32, HW: i32, perSample: i32, mean: usize, variance: usize): void {
  if (perSample) {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const p = runPtr(x, n, c, C, HW), g = <usize>(n * C + c) << 2;
        const m = runSum(p, HW) / <f64>HW;
        store<f32>(mean + g, <f32>m);
        store<f32>(variance + g, <f32>(runSqDev(p, HW, m) / <f64>HW));
      }
    }
    return;
  }
  const count = <f64>N * <f64>HW;
  for (let c = 0; c < C; c++) {
    let s: f64 = 0;
    for (let n = 0; n < N; n++) s += runSum(runPtr(x, n, c, C, HW), HW);
    const m = s / count;
    let v: f64 = 0;
    for (let n = 0; n < N; n++) v += runSqDev(runPtr(x, n, c, C, HW), HW, m);
    store<f32>(mean + (<usize>c << 2), <f32>m);
    store<f32>(variance + (<usize>c << 2), <f32>(v / count));
  }
}

/** y = (x − m)·k + b over one run, in f64. */
function affineRun(x: usize, y: usize, n: i32, m: f64, k: f64, b: f64): void {
  const mv = f64x2.splat(m), kv = f64x2.splat(k), bv = f64x2.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const r0 = f64x2.add(f64x2.mul(f64x2.sub(lo64(v), mv), kv), bv);
    const r1 = f64x2.add(f64x2.mul(f64x2.sub(hi64(v), mv), kv), bv);
    v128.store(y + (<usize>i << 2), demote2(r0, r1));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), <f32>((<f64>load<f32>(x + (<usize>i << 2)) - m) * k + b));
}

export function bn_forward(
  x: usize, y: usize, N: i32, C: i32, HW: i32, perSample: i32, mean: usize, invstd: usize, gamma: usize, beta: usize,
): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const g = <usize>(perSample ? n * C + c : c) << 2, cc = <usize>c << 2;
      const k = <f64>load<f32>(invstd + g) * <f64>load<f32>(gamma + cc);
      affineRun(runPtr(x, n, c, C, HW), runPtr(y, n, c, C, HW), HW, <f64>load<f32>(mean + g), k, <f64>load<f32>(beta + cc));
    }
  }
}

/** Σ dy and Σ dy·(x − m)·k over one run. */
@inline function runDySums(dy: usize, x: usize, n: i32, m: f64, k: f64): v128 {
  const mv = f64x2.splat(m), kv = f64x2.splat(k);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = v128.load(dy + (<usize>i << 2)), v = v128.load(x + (<usize>i << 2));
    const d0 = lo64(d), d1 = hi64(d);
    a0 = f64x2.add(a0, d0);
    a1 = f64x2.add(a1, d1);
    b0 = f64x2.add(b0, f64x2.mul(f64x2.mul(d0, f64x2.sub(lo64(v), mv)), kv));
    b1 = f64x2.add(b1, f64x2.mul(f64x2.mul(d1, f64x2.sub(hi64(v), mv)), kv));
  }
  let a = hadd(f64x2.add(a0, a1)), b = hadd(f64x2.add(b0, b1));
  for (; i < n; i++) {
    const d = <f64>load<f32>(dy + (<usize>i << 2));
    a += d;
    b += d * (<f64>load<f32>(x + (<usize>i << 2)) - m) * k;
  }
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

/** dx = scale·(dy − mdy − (x − m)·k·mdyx) over one run (statsFromInput), or dx = dy·scale. */
function dxRun(dy: usize, x: usize, dx: usize, n: i32, m: f64, k: f64, scale: f64, mdy: f64, mdyx: f64, fromInput: i32): void {
  const sv = f64x2.splat(scale);
  let i = 0;
  if (!fromInput) {
    for (; i + 4 <= n; i += 4) {
      const d = v128.load(dy + (<usize>i << 2));
      v128.store(dx + (<usize>i << 2), demote2(f64x2.mul(lo64(d), sv), f64x2.mul(hi64(d), sv)));
    }
    for (; i < n; i++) store<f32>(dx + (<usize>i << 2), <f32>(<f64>load<f32>(dy + (<usize>i << 2)) * scale));
    return;
  }
  const mv = f64x2.splat(m), kv = f64x2.splat(k), av = f64x2.splat(mdy), bv = f64x2.splat(mdyx);
  for (; i + 4 <= n; i += 4) {
    const d = v128.load(dy + (<usize>i << 2)), v = v128.load(x + (<usize>i << 2));
    const r0 = f64x2.mul(sv, f64x2.sub(f64x2.sub(lo64(d), av), f64x2.mul(f64x2.mul(f64x2.sub(lo64(v), mv), kv), bv)));
    const r1 = f64x2.mul(sv, f64x2.sub(f64x2.sub(hi64(d), av), f64x2.mul(f64x2.mul(f64x2.sub(hi64(v), mv), kv), bv)));
    v128.store(dx + (<usize>i << 2), demote2(r0, r1));
  }
  for (; i < n; i++) {
    const d = <f64>load<f32>(dy + (<usize>i << 2)), v = <f64>load<f32>(x + (<usize>i << 2));
    store<f32>(dx + (<usize>i << 2), <f32>(scale * (d - mdy - (v - m) * k * mdyx)));
  }
}

export function bn_backward(
  dy: usize, x: usize, dx: usize, N: i32, C: i32, HW: i32, perSample: i32, statsFromInput: i32,
  mean: usize, invstd: usize, gamma: usize, dgamma: usize, dbeta: usize,
): void {
  for (let c = 0; c < C; c++) {
    const cc = <usize>c << 2;
    const gam = <f64>load<f32>(gamma + cc);
    let sa: f64 = 0, sb: f64 = 0;
    if (perSample) {
      // each (n,c) run is its own group: sums, then dx, run by run
      for (let n = 0; n < N; n++) {
        const g = <usize>(n * C + c) << 2;
        const m = <f64>load<f32>(mean + g), k = <f64>load<f32>(invstd + g);
        const xp = runPtr(x, n, c, C, HW), dp = runPtr(dy, n, c, C, HW);
        const ab = runDySums(dp, xp, HW, m, k);
        const a = f64x2.extract_lane(ab, 0), b = f64x2.extract_lane(ab, 1);
        sa += a;
        sb += b;
        dxRun(dp, xp, runPtr(dx, n, c, C, HW), HW, m, k, gam * k, a / <f64>HW, b / <f64>HW, statsFromInput);
      }
    } else {
      const m = <f64>load<f32>(mean + cc), k = <f64>load<f32>(invstd + cc);
      for (let n = 0; n < N; n++) {
        const ab = runDySums(runPtr(dy, n, c, C, HW), runPtr(x, n, c, C, HW), HW, m, k);
        sa += f64x2.extract_lane(ab, 0);
        sb += f64x2.extract_lane(ab, 1);
      }
      const count = <f64>N * <f64>HW;
      for (let n = 0; n < N; n++) {
        dxRun(runPtr(dy, n, c, C, HW), runPtr(x, n, c, C, HW), runPtr(dx, n, c, C, HW), HW, m, k, gam * k, sa / count, sb / count, statsFromInput);
      }
    }
    store<f32>(dgamma + cc, <f32>sb);
    store<f32>(dbeta + cc, <f32>sa);
  }
}
