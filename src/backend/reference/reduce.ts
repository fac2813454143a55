/** Per-sample gradient reductions over grads [B × numel] (sample-major): sign sums and per-class sign Grams. */
import type { HostArray } from '../tensor.js';

/** sign(g) ∈ {−1, 0, +1}: exact zeros stay 0, as numpy's sign does. */
export function signsOf(grads: HostArray): Int8Array {
  const s = new Int8Array(grads.length);
  for (let i = 0; i < grads.length; i++) s[i] = grads[i]! > 0 ? 1 : grads[i]! < 0 ? -1 : 0;
  return s;
}

/** Adds the sign sums; returns whether any gradient was NaN or ±Inf. */
export function signSum(grads: HostArray, B: number, numel: number, sums: Int32Array, offset: number): boolean {
  let nonFinite = false;
  for (let b = 0; b < B; b++) {
    const row = b * numel;
    for (let k = 0; k < numel; k++) {
      const g = grads[row + k]!;
      if (g > 0) sums[offset + k]!++;
      else if (g < 0) sums[offset + k]!--;
      if (g - g !== 0) nonFinite = true; // NaN − NaN and ∞ − ∞ are NaN
    }
  }
  return nonFinite;
}

/** Whether any value is NaN or ±Inf. */
export function anyNonFinite(a: HostArray): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! !== 0) return true;
  return false;
}

/** Per class: G_c += S_c S_cᵀ over the member rows of S [B, numel], exact. */
export function classGram(S: Int8Array, numel: number, classes: readonly (readonly number[])[], grams: Float64Array[]): void {
  classes.forEach((rows, c) => {
    const n = rows.length,
      G = grams[c]!;
    for (let a = 0; a < n; a++) {
      const ra = rows[a]! * numel;
      for (let b = a; b < n; b++) {
        const rb = rows[b]! * numel;
        let dot = 0;
        for (let k = 0; k < numel; k++) dot += S[ra + k]! * S[rb + k]!;
        G[a * n + b]! += dot;
        if (b !== a) G[b * n + a]! += dot;
      }
    }
  });
}
