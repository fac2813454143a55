/**
 * `zerocost search`: NAS on the NB201 table with RS, REA, REINFORCE, BOHB or A-REA, plain or assisted by a
 * zero-cost proxy from a score table (the GradSign paper's §5.5, Table 6), many seeded runs, the returned
 * architecture's validation and test accuracy on every NB201 dataset.
 */
import { join } from 'node:path';
import { NB201_DATASETS, type Nb201Dataset } from '../data/nb201_table.js';
import { loadNb201Table, packageRoot } from '../node/files.js';
import { readScoreTable } from '../node/score_table.js';
import { ALGORITHMS, ALGORITHM_NAMES, algorithmLabel, isAlgorithmName, type AlgorithmName } from '../search/algorithms.js';
import { nb201TableOracle } from '../search/nb201_oracle.js';
import { NB201_SEARCH_SPACE } from '../search/nb201_space.js';
import { GRADSIGN_TABLE6 } from '../search/paper_numbers.js';
import { proxyFromResults, type ProxyScores } from '../search/proxy.js';
import { searchRuns, type SearchOptions } from '../search/search.js';
import { summarizeAccuracies, type MeanStd } from '../search/summary.js';
import { quote } from '../util/quote.js';
import { UsageError, choiceOption, intOption, parseArgs, seedOption } from './args.js';

/** The committed full score table (issue 15, point 1): all 15,625 architectures, CIFAR-10 images, batch 64, seed 1. */
export function defaultScoreTablePath(): string {
  return join(packageRoot(), 'results', 'nb201-all-cifar10-b64.jsonl.gz');
}

export async function runSearch(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const args = parseArgs(argv, {
    algo: {},
    proxy: {},
    pool: {},
    budget: {},
    runs: {},
    seed: {},
    'dataset-search': {},
    scores: {},
    variant: {},
    'init-sample': {},
    json: { flag: true },
    help: { flag: true },
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${quote(args.positional[0]!)}`);
  const algoName = args.values.get('algo') ?? 'rea';
  if (!isAlgorithmName(algoName)) throw new UsageError(`unknown --algo ${quote(algoName)} (expected ${ALGORITHM_NAMES.join(', ')})`);
  const algorithm: AlgorithmName = algoName;
  const proxyName = args.values.get('proxy') ?? 'gradsign';
  const assisted = proxyName !== 'none';
  if (!assisted && algorithm === 'a-rea')
    throw new UsageError("--algo a-rea needs a proxy: its initial population is the proxy's top (give --proxy NAME)");
  const budget = intOption(args, 'budget', 100, 1);
  const runs = intOption(args, 'runs', 500, 1);
  const seed = seedOption(args, 'seed', 0);
  const datasetSearch = choiceOption<Nb201Dataset>(args, 'dataset-search', NB201_DATASETS, 'cifar10');
  const variant = choiceOption(args, 'variant', ['published', 'corrected'] as const, 'published');
  if (variant === 'corrected' && !('corrected' in ALGORITHMS[algorithm]))
    throw new UsageError(`--variant corrected: ${algorithm} has none (only reinforce and bohb do)`);
  if (variant === 'corrected' && !assisted)
    throw new UsageError('--variant corrected changes only the proxy-assisted variant: give a proxy');
  if (args.values.has('pool') && !assisted) throw new UsageError('--pool is the number of candidates the proxy ranks: it needs a proxy');
  const pool = intOption(args, 'pool', 10, 1);
  if (args.values.has('init-sample') && algorithm !== 'a-rea')
    throw new UsageError("--init-sample is A-REA's initial sample: it needs --algo a-rea");
  const initSample = intOption(args, 'init-sample', 1000, 1);

  const table = loadNb201Table();
  let proxy: ProxyScores | undefined;
  let scoresNote = '';
  if (assisted) {
    const scores = readScoreTable(args.values.get('scores') ?? defaultScoreTablePath(), table);
    if (!scores.keys.includes(proxyName))
      throw new UsageError(`unknown --proxy ${quote(proxyName)}: ${scores.path} has ${scores.keys.join(', ')} (or none)`);
    proxy = proxyFromResults(scores.lines, proxyName);
    scoresNote = `; ${proxyName} scores from ${scores.path} (${scores.dataset} images, seed ${scores.seed})`;
  } else if (args.values.has('scores')) throw new UsageError("--scores is the proxy's score table: it needs a proxy");

  const oracle = nb201TableOracle(table, datasetSearch);
  const options: SearchOptions = {
    space: NB201_SEARCH_SPACE,
    algorithm,
    oracle,
    ...(proxy ? { proxy } : {}),
    budget,
    seed,
    pool,
    variant,
    settings: { initSample },
  };
  const label = algorithmLabel(algorithm, proxy?.name, variant);
  const hasVariant = assisted && 'corrected' in ALGORITHMS[algorithm];
  const started = performance.now();
  const found: { val: Record<string, number>; test: Record<string, number> }[] = [];
  for await (const r of searchRuns(options, runs)) {
    const accuracies = oracle.report!(r.best.arch);
    found.push(accuracies);
    if (args.flags.has('json'))
      io.out(
        JSON.stringify({
          run: r.run,
          seed: r.seed,
          algo: algorithm,
          proxy: proxy?.name ?? null,
          ...(hasVariant ? { variant } : {}),
          budget,
          best: { arch: r.best.arch, ...accuracies },
        }),
      );
  }
  const seconds = (performance.now() - started) / 1000;
  const summary = summarizeAccuracies(found);
  if (args.flags.has('json')) {
    io.out(
      JSON.stringify({
        summary: {
          algo: algorithm,
          proxy: proxy?.name ?? null,
          ...(hasVariant ? { variant } : {}),
          budget,
          runs,
          seed,
          datasetSearch,
          ...summary,
        },
      }),
    );
    io.err(`search: ${label}, ${runs} runs × ${budget} trained architectures in ${seconds.toFixed(2)} s`);
    return 0;
  }
  io.out(
    `${label} on NB201: ${runs} runs × ${budget} trained architectures (seed ${seed}), reward = ${datasetSearch} validation accuracy ` +
      `(200 epochs, from the bundled table)${proxy ? `, the proxy ranking ${pool} candidates per training` : ''}${scoresNote}.`,
  );
  io.out("Mean ± std (sample std over runs) of the returned architecture's accuracy:\n");
  io.out(`| | ${NB201_DATASETS.map((d) => `${d} val | ${d} test`).join(' | ')} |`);
  io.out(`|---|${NB201_DATASETS.map(() => '---|---').join('|')}|`);
  const cell = (s: MeanStd | undefined) => (s ? `${s.mean.toFixed(2)}±${s.std.toFixed(2)}` : '-');
  io.out(`| ours | ${NB201_DATASETS.map((d) => `${cell(summary.val[d])} | ${cell(summary.test[d])}`).join(' | ')} |`);
  const paper = GRADSIGN_TABLE6[label];
  if (paper && datasetSearch === 'cifar10')
    io.out(`| paper (Table 6, 12,000 s) | ${NB201_DATASETS.map((d) => `${cell(paper.val[d])} | ${cell(paper.test[d])}`).join(' | ')} |`);
  io.out(`\n(${seconds.toFixed(2)} s of search.)`);
  return 0;
}
