// Softmax cross-entropy per row with a max-shifted log-sum-exp, in f64. exp and log are implemented here
// (table-free, so the module keeps no data segments); both are accurate to a few ulp of f64.

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const LOG2E: f64 = 1.44269504088896338700e+00;

/** 2^k for k in [−1074, 1023]. */
@inline function pow2(k: i32): f64 {
  if (k >= -1022) return reinterpret<f64>(<u64>(k + 1023) << 52);
  return reinterpret<f64>(<u64>(k + 1023 + 54) << 52) * 5.551115123125783e-17; // · 2^−54
}

function exp64(x: f64): f64 {
  if (x != x) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const kf = floor(x * LOG2E + 0.5);
  const r = (x - kf * LN2_HI) - kf * LN2_LO; // |r| ≤ 0.35
  // Taylor series of e^r to degree 13 (truncation < 2e-17 relative)
  let p: f64 = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  let k = <i32>kf;
  if (k > 1023) { p *= 2.0; k -= 1; }
  return p * pow2(k);
}

function log64(z: f64): f64 {
  if (z != z || z < 0) return NaN;
  if (z == 0) return -Infinity;
  if (z == Infinity) return z;
  let bits = reinterpret<u64>(z);
  let e = <i32>((bits >> 52) & 0x7ff);
  if (e == 0) { // subnormal: scale up by 2^54
    bits = reinterpret<u64>(z * 18014398509481984.0);
    e = <i32>((bits >> 52) & 0x7ff) - 54;
  }
  e -= 1023;
  let m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000); // [1, 2)
  if (m > 1.4142135623730951) { m *= 0.5; e += 1; }
  const s = (m - 1.0) / (m + 1.0), s2 = s * s; // |s| ≤ 0.1716
  // 2·atanh(s) = 2s·Σ s^(2i)/(2i+1)
  let p: f64 = 1.0 / 23.0;
  p = p * s2 + 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  const lm = 2.0 * s + 2.0 * s * s2 * p;
  const ef = <f64>e;
  return ef * LN2_HI + (lm + ef * LN2_LO);
}

/** losses[n] = logsumexp(logits[n]) − logits[n, y_n]; probs = softmax(logits). labels i32. */
export function softmax_ce(logits: usize, labels: usize, N: i32, K: i32, losses: usize, probs: usize): void {
  for (let n = 0; n < N; n++) {
    const r = logits + (<usize>(n * K) << 2), pr = probs + (<usize>(n * K) << 2);
    let mx: f64 = -Infinity;
    for (let k = 0; k < K; k++) mx = max(mx, <f64>load<f32>(r + (<usize>k << 2)));
    let z: f64 = 0;
    for (let k = 0; k < K; k++) z += exp64(<f64>load<f32>(r + (<usize>k << 2)) - mx);
    for (let k = 0; k < K; k++) store<f32>(pr + (<usize>k << 2), <f32>(exp64(<f64>load<f32>(r + (<usize>k << 2)) - mx) / z));
    const y = load<i32>(labels + (<usize>n << 2));
    const ly: f64 = y >= 0 && y < K ? <f64>load<f32>(r + (<usize>y << 2)) : NaN;
    store<f32>(losses + (<usize>n << 2), <f32>(log64(z) + mx - ly));
  }
}

/** dlogits = (probs − onehot(labels)) · weight. */
export function softmax_ce_grad(probs: usize, labels: usize, N: i32, K: i32, weight: f32, dlogits: usize): void {
  const w = <f64>weight;
  for (let n = 0; n < N; n++) {
    const y = load<i32>(labels + (<usize>n << 2));
    const o = <usize>(n * K) << 2;
    for (let k = 0; k < K; k++) {
      const p = <f64>load<f32>(probs + o + (<usize>k << 2));
      store<f32>(dlogits + o + (<usize>k << 2), <f32>((p - (k == y ? 1.0 : 0.0)) * w));
    }
  }
}
