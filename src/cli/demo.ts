/**
 * `zerocost demo` (what `npm start` runs): scores a dozen NB201 architectures on the bundled CIFAR-10 sample
 * and prints them ranked by GradSign beside their NB201 test accuracy, with each proxy's rank correlation.
 */
import { CIFAR_NUM_CLASSES, sampleCifarBatch } from '../data/cifar.js';
import { kendallTauB, spearman } from '../eval/correlation.js';
import { Nb201Network } from '../nets/nb201/network.js';
import { loadBundledCifar10Sample, loadNb201Table } from '../node/files.js';
import { DEFAULT_PROXIES } from '../proxies/registry.js';
import { scoreArchitecture } from '../scoring.js';
import { Random } from '../util/random.js';
import { quote } from '../util/quote.js';
import { intOption, parseArgs, seedOption, UsageError } from './args.js';
import { makeBackend } from './score.js';

export async function runDemo(argv: readonly string[], io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const args = parseArgs(argv, { n: {}, batch: {}, seed: {}, backend: {}, threads: {}, conv: {}, help: { flag: true } });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${quote(args.positional[0]!)}`);
  const n = intOption(args, 'n', 12, 2);
  const batchSize = intOption(args, 'batch', 64, 2);
  const seed = seedOption(args, 'seed', 1);
  const table = loadNb201Table();
  const data = loadBundledCifar10Sample();
  if (n > table.rows.length) throw new UsageError(`--n ${n} exceeds the ${table.rows.length} NB201 architectures`);
  if (batchSize > data.count) throw new UsageError(`--batch ${batchSize} exceeds the ${data.count} images of the bundled CIFAR-10 sample`);
  const backend = await makeBackend(args);

  const batch = sampleCifarBatch(data, { batchSize, seed });
  const rows = new Random(seed).sample(table.rows.length, n).map((i) => table.rows[i]!);
  io.err(
    `Scoring ${n} random NB201 architectures (seed ${seed}) on ${batchSize} images of the bundled CIFAR-10 sample, ` +
      `backend ${backend.name}; NB201 CIFAR-10 test accuracy from the bundled table.`,
  );

  const results = rows.map((row, k) => {
    const r = scoreArchitecture(backend, row.arch, batch, { proxies: DEFAULT_PROXIES, numClasses: CIFAR_NUM_CLASSES.cifar10, seed });
    const params = new Nb201Network(backend, { arch: row.arch }).parameters.parameterCount();
    io.err(`[${k + 1}/${n}] ${r.seconds.toFixed(1)} s  #${row.index}  ${row.arch}`);
    for (const w of r.warnings) io.err(`  warning: ${w}`);
    return { row, scores: r.scores, params };
  });

  results.sort((a, b) => (b.scores.gradsign ?? -Infinity) - (a.scores.gradsign ?? -Infinity));
  const fmt = (v: number | undefined, digits: number) => (v === undefined || Number.isNaN(v) ? 'NaN' : v.toFixed(digits));
  io.out('rank  NB201#  test acc  gradsign    gradalign1   gradalign2  params     arch');
  results.forEach(({ row, scores, params }, k) => {
    io.out(
      `${String(k + 1).padStart(4)}  ${String(row.index).padStart(6)}  ${row.test.cifar10.toFixed(2).padStart(8)}  ` +
        `${fmt(scores.gradsign, 0).padStart(9)}  ${fmt(scores.gradalign1, 1).padStart(11)}  ${fmt(scores.gradalign2, 3).padStart(10)}  ` +
        `${String(params).padStart(9)}  ${row.arch}`,
    );
  });
  const acc = results.map((r) => r.row.test.cifar10);
  io.out('');
  io.out(`rank correlation with NB201 CIFAR-10 test accuracy over these ${n} architectures (higher is better):`);
  const columns: [string, number[]][] = [
    ...DEFAULT_PROXIES.map((p): [string, number[]] => [p, results.map((r) => r.scores[p] ?? NaN)]),
    ['params (reference)', results.map((r) => r.params)],
  ];
  for (const [name, scores] of columns) {
    const rho = spearman(scores, acc),
      tau = kendallTauB(scores, acc);
    io.out(
      `  ${name.padEnd(20)} Spearman ρ ${fmt(rho.value, 3).padStart(6)}   Kendall τ ${fmt(tau.value, 3).padStart(6)}` +
        (rho.dropped > 0 ? `   (${rho.dropped} NaN scores dropped)` : ''),
    );
  }
  io.out(`(${n} architectures is a small sample: expect about ±0.2; the papers use all 15,625.)`);
  await backend.close?.();
  return 0;
}
