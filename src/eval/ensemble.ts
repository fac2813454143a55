/**
 * Choosing an ensemble of proxies: greedy forward selection of members whose equal-weight log-rank aggregate
 * (AZ-NAS's Σ ln(rank/N)) correlates best with accuracy on one run — meant for seed 1 of CIFAR-10 only, so that
 * the other seeds, datasets and benchmarks judge it untuned.
 */
import { spearman } from './correlation.js';
import { logRankAggregate } from './population_scores.js';
import type { EvalLine } from './report.js';

export interface EnsembleStep {
  added: string;
  /** Spearman ρ of the aggregate of the members so far with accuracy. */
  rho: number;
}

export interface EnsembleChoice {
  members: string[];
  steps: EnsembleStep[];
  /** Lines with a usable value of every candidate: the population chosen on. */
  archs: number;
}

export interface EnsembleOptions {
  /** At most this many members (default 8). */
  maxMembers?: number;
  /** Stop when the best addition raises ρ by less (default 0.002). */
  minGain?: number;
}

/**
 * Greedy forward selection over `candidates` on `lines` (one dataset, one seed): start from the best single
 * candidate, add the one that raises the aggregate's ρ most, stop at `maxMembers` or when no addition gains
 * `minGain`. A line enters only if every candidate's value is a number (NaN-free: null marks NaN in results).
 */
export function chooseEnsemble(
  lines: readonly EvalLine[],
  candidates: readonly string[],
  accuracy: (index: number) => number,
  options: EnsembleOptions = {},
): EnsembleChoice {
  const maxMembers = options.maxMembers ?? 8,
    minGain = options.minGain ?? 0.002;
  const usable = lines.filter((l) => candidates.every((k) => typeof l.scores[k] === 'number' && !Number.isNaN(l.scores[k])));
  const acc = usable.map((l) => accuracy(l.index));
  const column = new Map(candidates.map((k) => [k, usable.map((l) => l.scores[k]!)]));
  const rhoOf = (members: readonly string[]) => spearman(logRankAggregate(members.map((k) => column.get(k)!)), acc).value;
  const members: string[] = [];
  const steps: EnsembleStep[] = [];
  let best = -Infinity;
  while (members.length < maxMembers) {
    let pick: { key: string; rho: number } | undefined;
    for (const k of candidates) {
      if (members.includes(k)) continue;
      const rho = rhoOf([...members, k]);
      if (!Number.isNaN(rho) && (pick === undefined || rho > pick.rho)) pick = { key: k, rho };
    }
    if (pick === undefined || (members.length > 0 && pick.rho - best < minGain)) break;
    members.push(pick.key);
    steps.push({ added: pick.key, rho: pick.rho });
    best = pick.rho;
  }
  return { members, steps, archs: usable.length };
}
