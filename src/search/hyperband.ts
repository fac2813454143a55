/**
 * Hyperband's brackets (Li et al. 2017) as hpbandster schedules them: s_max = ⌊log_η(max/min)⌋, rung budgets
 * max·η^−k; bracket s (s_max, s_max−1, …, 0, then again) starts n₀ = ⌊(s_max+1)/(s+1)⌋·η^s configurations at
 * budget max·η^−s and keeps the best 1/η at each next rung. For η = 3 over [12, 200] epochs: rungs 22.2, 66.7,
 * 200; brackets 9→3→1, 3→1 and 3 (the paper's Algorithm 5 writes ⌈(s_max+1)/(s+1)·η^s⌉, 5 instead of 3 for the
 * middle bracket; hpbandster, which their numbers come from, floors first).
 */

export interface Bracket {
  /** counts[k]: configurations evaluated at rung k of the bracket. */
  counts: number[];
  /** fractions[k]: rung k's budget as a share of the largest (1 at the top rung). */
  fractions: number[];
}

export function hyperbandBrackets(eta: number, minBudget: number, maxBudget: number): Bracket[] {
  if (!(eta > 1) || !(minBudget > 0) || !(maxBudget >= minBudget))
    throw new RangeError(`Hyperband needs η > 1 and 0 < min ≤ max budget, got η ${eta}, [${minBudget}, ${maxBudget}]`);
  const sMax = Math.floor(Math.log(maxBudget / minBudget) / Math.log(eta) + 1e-9);
  const fractions = Array.from({ length: sMax + 1 }, (_, k) => eta ** -(sMax - k)); // rung k of the largest bracket
  const brackets: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n0 = Math.floor((sMax + 1) / (s + 1)) * eta ** s;
    brackets.push({
      counts: Array.from({ length: s + 1 }, (_, i) => Math.max(Math.floor(n0 / eta ** i + 1e-9), 1)),
      fractions: fractions.slice(sMax - s),
    });
  }
  return brackets;
}
