/**
 * A product kernel density over categorical decisions, as statsmodels' KDEMultivariate with unordered variables
 * fits it for hpbandster's BOHB: the Aitchison–Aitken kernel k(x, X) = 1 − λ if x = X, else λ/(c − 1), and
 * per-decision bandwidths λ_d from the normal reference rule 1.06·σ_d·n^(−1/(4+D)) on the integer codes,
 * clipped below at BOHB's min_bandwidth. The rule treats codes as numbers and often gives λ > (c − 1)/c, where the
 * kernel would favour the *other* values (even λ > 1, a negative weight, in statsmodels); λ is clipped above at
 * (c − 1)/c, the uniform kernel, so the density stays one.
 */

export interface CategoricalKde {
  data: readonly (readonly number[])[];
  bandwidth: number[];
  choices: readonly number[];
  /** The kernel's two values per decision, 1 − λ_d and λ_d/(c_d − 1), and the data flat: the density's hot loop. */
  same: Float64Array;
  other: Float64Array;
  flat: Int32Array;
}

export function fitKde(data: readonly (readonly number[])[], choices: readonly number[], minBandwidth: number): CategoricalKde {
  const n = data.length,
    dims = choices.length;
  const bandwidth = choices.map((c, d) => {
    const mean = data.reduce((a, x) => a + x[d]!, 0) / n;
    const std = Math.sqrt(data.reduce((a, x) => a + (x[d]! - mean) ** 2, 0) / n);
    return Math.min(Math.max(1.06 * std * n ** (-1 / (4 + dims)), minBandwidth), (c - 1) / c);
  });
  const same = Float64Array.from(bandwidth, (l) => 1 - l);
  const other = Float64Array.from(bandwidth, (l, d) => l / (choices[d]! - 1));
  return { data, bandwidth, choices, same, other, flat: Int32Array.from(data.flat()) };
}

/** The density at x: the mean over the data of the product of the kernels. */
export function kdeDensity(kde: CategoricalKde, x: readonly number[]): number {
  const { flat, same, other } = kde;
  const dims = x.length;
  let sum = 0;
  for (let at = 0; at < flat.length; at += dims) {
    let p = 1;
    for (let d = 0; d < dims; d++) p *= x[d] === flat[at + d] ? same[d]! : other[d]!;
    sum += p;
  }
  return sum / kde.data.length;
}
