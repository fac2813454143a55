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
}

export function fitKde(data: readonly (readonly number[])[], choices: readonly number[], minBandwidth: number): CategoricalKde {
  const n = data.length,
    dims = choices.length;
  const bandwidth = choices.map((c, d) => {
    const mean = data.reduce((a, x) => a + x[d]!, 0) / n;
    const std = Math.sqrt(data.reduce((a, x) => a + (x[d]! - mean) ** 2, 0) / n);
    return Math.min(Math.max(1.06 * std * n ** (-1 / (4 + dims)), minBandwidth), (c - 1) / c);
  });
  return { data, bandwidth, choices };
}

/** The density at x: the mean over the data of the product of the kernels. */
export function kdeDensity(kde: CategoricalKde, x: readonly number[]): number {
  let sum = 0;
  for (const point of kde.data) {
    let p = 1;
    for (let d = 0; d < x.length; d++) {
      const l = kde.bandwidth[d]!;
      p *= x[d] === point[d] ? 1 - l : l / (kde.choices[d]! - 1);
    }
    sum += p;
  }
  return sum / kde.data.length;
}
