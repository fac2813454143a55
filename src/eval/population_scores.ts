/**
 * Scores defined over a population of architectures, not one: each combines the ranks of per-architecture
 * readings over the lines of one (dataset, seed) — TE-NAS's rank sum, AZ-NAS's Σ ln(rank/N), and any such
 * ensemble of readings. A line that lacks a usable member value gets null and is not in the population.
 */
import { averageRanks } from './correlation.js';
import { ENSEMBLE_MEMBERS } from '../proxies/ensemble.js';
import type { EvalLine } from './report.js';

export interface PopulationScore {
  /** The score key it adds. */
  key: string;
  /** The readings it combines, in order. */
  members: readonly string[];
  /** Whether a member's value may enter the population (NaN never does). */
  usable(v: number): boolean;
  /** The population's scores from its member columns (columns[m][i]: member m of architecture i). */
  aggregate(columns: readonly (readonly number[])[]): number[];
}

/** Σ_m w_m ln(rank_m / N) (average ranks, N the population size): AZ-NAS's rank_agg when every w_m = 1. */
export function logRankAggregate(columns: readonly (readonly number[])[], weights?: readonly number[]): number[] {
  const n = columns[0]?.length ?? 0;
  const total = new Array<number>(n).fill(0);
  columns.forEach((col, m) => {
    const w = weights?.[m] ?? 1;
    averageRanks([...col]).forEach((r, i) => (total[i]! += w * Math.log(r / n)));
  });
  return total;
}

/** Adds `rule.key` to copies of the lines, over each (dataset, seed) whose lines hold every member. */
export function withPopulationScore<L extends EvalLine>(lines: readonly L[], rule: PopulationScore): L[] {
  const out = lines.map((l) => ({ ...l, scores: { ...l.scores } }));
  const groups = new Map<string, L[]>();
  for (const l of out)
    if (rule.members.every((k) => k in l.scores)) {
      const k = `${l.dataset}|${l.seed}`;
      groups.set(k, [...(groups.get(k) ?? []), l]);
    }
  for (const g of groups.values()) {
    const complete = g.filter((l) => rule.members.every((k) => typeof l.scores[k] === 'number' && rule.usable(l.scores[k]!)));
    for (const l of g) l.scores[rule.key] = null;
    const agg = rule.aggregate(rule.members.map((k) => complete.map((l) => l.scores[k]!)));
    complete.forEach((l, i) => (l.scores[rule.key] = agg[i]!));
  }
  return out;
}

/** TE-NAS: rank(−NTK condition) + rank(linear regions), average ranks; both parts finite. */
export const TENAS_SCORE: PopulationScore = {
  key: 'tenas',
  members: ['tenas_ntk', 'tenas_lr'],
  usable: Number.isFinite,
  aggregate: (columns) => {
    const [ntk, lr] = columns.map((c) => averageRanks([...c]));
    return ntk!.map((r, i) => r + lr![i]!);
  },
};

/** AZ-NAS's four per-architecture readings, in its aggregate's order (complexity first, as the official sum). */
export const AZ_NAS_TERMS = ['az_nas_complexity', 'az_nas_expressivity', 'az_nas_progressivity', 'az_nas_trainability'] as const;

/** AZ-NAS: Σ_m ln(rank_m / N) of its four terms (the official NB201 notebook's rank_agg); −∞ (−1e308) ranks lowest. */
export const AZ_NAS_SCORE: PopulationScore = {
  key: 'az_nas',
  members: AZ_NAS_TERMS,
  usable: (v) => !Number.isNaN(v),
  aggregate: (columns) => logRankAggregate(columns),
};

/** AZ-NAS's score of a population from its four columns (see AZ_NAS_SCORE). */
export const azNasAggregate = (columns: readonly (readonly number[])[]): number[] => logRankAggregate(columns);

/** `tenas` over each (dataset, seed) where both parts are present. */
export const withTenasRanks = <L extends EvalLine>(lines: readonly L[]): L[] => withPopulationScore(lines, TENAS_SCORE);

/** `az_nas` over each (dataset, seed) whose lines hold all four terms. */
export const withAzNasRanks = <L extends EvalLine>(lines: readonly L[]): L[] => withPopulationScore(lines, AZ_NAS_SCORE);

/** zerocost's ensemble (src/proxies/ensemble.ts): Σ_m ln(rank_m / N) of its members; NaN members drop a line. */
export const ENSEMBLE_SCORE: PopulationScore = {
  key: 'ensemble',
  members: ENSEMBLE_MEMBERS,
  usable: (v) => !Number.isNaN(v),
  aggregate: (columns) => logRankAggregate(columns),
};

/** `ensemble` over each (dataset, seed) whose lines hold every member. */
export const withEnsembleRanks = <L extends EvalLine>(lines: readonly L[]): L[] => withPopulationScore(lines, ENSEMBLE_SCORE);
