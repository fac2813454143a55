/**
 * The evaluation table: for each score, Spearman ρ and Kendall τ-b against a benchmark's accuracies, per seed, then
 * mean ± std over seeds, with the number of architectures, of NaN scores, and the papers' numbers beside.
 */
import type { AccuracyTarget } from './benchmark.js';
import { kendallTauB, spearman } from './correlation.js';
import type { PaperNumber } from './paper_numbers.js';

export interface EvalLine {
  index: number;
  arch: string;
  dataset: string;
  seed: number;
  scores: Record<string, number | null>;
}

export interface CorrelationRow {
  key: string;
  target: string;
  rho: { mean: number; std: number };
  tau: { mean: number; std: number };
  seeds: number;
  archs: number;
  nan: number;
  /** Scores of −∞ (NASWOT's singular kernel), stored as −1e308 so that they rank last. */
  negInf: number;
}

/** How results lines store −∞ (JSON has no infinities): the most negative normal double rounded. */
export const NEG_INF_SCORE = -1e308;

function meanStd(xs: number[]): { mean: number; std: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1) : 0;
  return { mean: m, std: Math.sqrt(v) };
}

/** Correlations of each score key against each target, mean ± std over the seeds present. */
export function correlationRows(lines: readonly EvalLine[], targets: readonly AccuracyTarget[]): CorrelationRow[] {
  const seeds = [...new Set(lines.map((l) => l.seed))].sort((a, b) => a - b);
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l.scores)))];
  const out: CorrelationRow[] = [];
  for (const target of targets) {
    for (const key of keys) {
      const rhos: number[] = [],
        taus: number[] = [];
      let archs = 0,
        nan = 0,
        negInf = 0;
      for (const seed of seeds) {
        const ls = lines.filter((l) => l.seed === seed);
        const x = ls.map((l) => l.scores[key] ?? NaN);
        const y = ls.map((l) => target.accuracy(l.index));
        const rho = spearman(x, y),
          tau = kendallTauB(x, y);
        rhos.push(rho.value);
        taus.push(tau.value);
        archs = Math.max(archs, ls.length);
        nan = Math.max(nan, rho.dropped);
        negInf = Math.max(negInf, x.filter((v) => v <= NEG_INF_SCORE).length);
      }
      out.push({ key, target: target.label, rho: meanStd(rhos), tau: meanStd(taus), seeds: seeds.length, archs, nan, negInf });
    }
  }
  return out;
}

function fmt(m: { mean: number; std: number }, seeds: number): string {
  if (!Number.isFinite(m.mean)) return 'NaN';
  return seeds > 1 ? `${m.mean.toFixed(3)} ± ${m.std.toFixed(3)}` : m.mean.toFixed(3);
}

/** A markdown table per target, the papers' numbers beside where they are comparable. */
export function formatReport(
  rows: readonly CorrelationRow[],
  targets: readonly AccuracyTarget[],
  papers: Readonly<Record<string, readonly PaperNumber[]>>,
): string {
  const parts: string[] = [];
  for (const t of targets) {
    parts.push(`### vs ${t.label}`, '', '| score | Spearman ρ | Kendall τ-b | archs | NaN | paper |', '|---|---|---|---|---|---|');
    for (const r of rows.filter((x) => x.target === t.label)) {
      const key = t.paper;
      const paper = (key === undefined ? [] : (papers[r.key] ?? []))
        .filter((p) => p.values[key!] !== undefined)
        .map((p) => `${p.metric === 'spearman' ? 'ρ' : 'τ'} ${p.values[key!]!.toFixed(3)} (${p.source})`)
        .join('; ');
      parts.push(
        `| ${r.key} | ${fmt(r.rho, r.seeds)} | ${fmt(r.tau, r.seeds)} | ${r.archs} | ${r.nan}${r.negInf > 0 ? ` (+${r.negInf} −∞)` : ''} | ${paper} |`,
      );
    }
    parts.push('');
  }
  return parts.join('\n');
}

/**
 * Spearman ρ between our scores and NAS-Bench-Suite-Zero's for the same architectures (first seed): how
 * close each baseline is to a published implementation, architecture by architecture.
 */
export function formatSuiteZeroAgreement(lines: readonly EvalLine[], theirs: ReadonlyMap<string, Record<string, number>>): string {
  const seed = Math.min(...lines.map((l) => l.seed));
  const ours = lines.filter((l) => l.seed === seed && theirs.has(l.arch));
  const keys = [...new Set(ours.flatMap((l) => Object.keys(l.scores)))].filter((k) => k in (theirs.values().next().value ?? {}));
  if (keys.length === 0 || ours.length === 0) return '';
  const out = [
    `### Agreement with NAS-Bench-Suite-Zero's per-architecture scores (seed ${seed}; their protocol: ZC, batch 64)`,
    '',
    '| score | archs in common | Spearman ρ ours vs theirs |',
    '|---|---|---|',
  ];
  for (const k of keys) {
    const x = ours.map((l) => l.scores[k] ?? NaN),
      y = ours.map((l) => theirs.get(l.arch)![k]!);
    out.push(`| ${k} | ${ours.length} | ${spearman(x, y).value.toFixed(3)} |`);
  }
  return out.join('\n') + '\n';
}
