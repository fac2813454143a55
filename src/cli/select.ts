/**
 * `zerocost select`: the GradSign paper's Table 5 from existing `zerocost eval` results (nothing is scored
 * again): pick the best-scored of N random architectures, R runs, and report the picks' NB201 accuracies.
 */
import { NB201_DATASETS } from '../data/nb201_table.js';
import { checkResultLine, uniqueLines, type ResultLine } from '../eval/result_line.js';
import { selectArchitectures } from '../eval/select.js';
import { loadNb201Table } from '../node/files.js';
import { openResults } from '../node/results_file.js';
import { quote } from '../util/quote.js';
import { UsageError, intOption, parseArgs, seedOption } from './args.js';

/** GradSign paper, Table 5 (N = 100, 500 runs, searched on CIFAR-10): val/test per dataset. */
const PAPER: Record<string, string> = {
  'gradsign (paper)': '89.84±0.61 93.31±0.47 70.22±1.32 70.33±1.28 42.07±2.78 42.42±2.81',
  'random (paper)': '83.20±13.28 86.61±13.46 60.70±12.55 60.83±12.58 33.34±9.39 33.13±9.66',
  'optimal (paper)': '91.05±0.28 93.84±0.23 71.45±0.79 71.56±0.78 45.37±0.61 45.67±0.64',
};

export async function runSelect(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const args = parseArgs(argv, { results: {}, n: {}, runs: {}, seed: {}, 'score-seed': {}, scores: {}, help: { flag: true } });
  const files = (args.values.get('results') ?? '').split(',').filter(Boolean);
  if (files.length === 0) throw new UsageError('give --results FILE[,FILE...] (JSON lines from zerocost eval)');
  const n = intOption(args, 'n', 100, 1);
  const runs = intOption(args, 'runs', 500, 1);
  const seed = seedOption(args, 'seed', 0);
  const table = loadNb201Table();
  // Read-only (safe beside a running eval); every line checked, each (architecture, seed) counted once.
  const all = uniqueLines(
    files.flatMap(
      (f) =>
        openResults<ResultLine>(f, {
          readOnly: true,
          mustExist: true,
          check: (v) => checkResultLine(v, { space: 'nb201', size: table.rows.length, archOf: (i) => table.rows[i]!.arch }),
          repairHint: 'run the zerocost eval that wrote it with --report-only --repair',
        }).existing,
    ),
  );
  if (all.duplicates > 0) io.err(`select: ${all.duplicates} duplicate line(s) of an (architecture, seed) already read were ignored`);
  const lines = all.lines;
  if (lines.length === 0) throw new Error(`no results lines in ${files.join(', ')}`); // a data error (exit 1)
  const scoreSeed = seedOption(args, 'score-seed', Math.min(...lines.map((l) => l.seed)));
  // In NB201 index order, so that the draws do not depend on the order of the lines (a merge of shards).
  const pool = lines.filter((l) => l.seed === scoreSeed && l.dataset === 'cifar10').sort((a, b) => a.index - b.index);
  if (pool.length === 0)
    throw new UsageError(`no CIFAR-10 results with seed ${scoreSeed} in ${files.join(', ')} (search is on CIFAR-10, as in the paper)`);
  const keys = (args.values.get('scores') ?? 'gradsign,gradalign1,gradalign2,params').split(',');
  for (const k of keys)
    if (!(k in pool[0]!.scores))
      throw new UsageError(`unknown score ${quote(k)} (in the results: ${Object.keys(pool[0]!.scores).join(', ')})`);
  const columns = NB201_DATASETS.flatMap((d) => (['val', 'test'] as const).map((kind) => pool.map((l) => table.rows[l.index]![kind][d])));
  const header = NB201_DATASETS.flatMap((d) => [`${d} val`, `${d} test`]);
  io.out(
    `Selection on NB201 (GradSign paper Table 5 protocol): best score of N = ${n} drawn uniformly with replacement from the ${pool.length} ` +
      `architectures scored (seed ${scoreSeed}, CIFAR-10 images), ${runs} runs (selection seed ${seed}); mean ± std of the pick's accuracy.\n`,
  );
  io.out(`| method | ${header.join(' | ')} |`);
  io.out(`|---|${header.map(() => '---').join('|')}|`);
  const fmt = (s: { mean: number[]; std: number[] }) => s.mean.map((m, c) => `${m.toFixed(2)}±${s.std[c]!.toFixed(2)}`).join(' | ');
  let baseline: ReturnType<typeof selectArchitectures> | undefined;
  for (const key of keys) {
    const r = selectArchitectures(
      pool.map((l) => l.scores[key] ?? NaN),
      columns,
      n,
      runs,
      seed,
    );
    baseline ??= r;
    io.out(`| ${key} (N=${n}) | ${fmt(r.score)} |`);
  }
  io.out(`| random | ${fmt(baseline!.random)} |`);
  io.out(`| optimal (N=${n}) | ${fmt(baseline!.optimal)} |`);
  // the paper's rows are for N = 100 only
  if (n === 100)
    for (const [name, v] of Object.entries(PAPER)) io.out(`| ${name.replace(')', ', N=100)')} | ${v.split(' ').join(' | ')} |`);
  io.out(
    `\n(The paper draws from all 15,625 architectures; here the draw is from the scored pool. Validation accuracy is NAS-Bench-Suite-Zero's.)`,
  );
  return 0;
}
