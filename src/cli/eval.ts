/**
 * `zerocost eval`: scores NB201 architectures on real images with every reading of every proxy, appending one
 * JSON line per (architecture, seed) as it goes (resumable), then prints the correlation table and writes SVG
 * scatter plots next to the results file.
 */
import { WasmBackend } from '../backend/wasm/index.js';
import { writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { CIFAR_NUM_CLASSES, sampleCifarBatch } from '../data/cifar.js';
import { NORMALIZATION_NAMES } from '../data/normalization.js';
import { kendallTauB, spearman } from '../eval/correlation.js';
import { readingKeys, scoreReadings } from '../eval/readings.js';
import { AZ_NAS_TERMS, withAzNasRanks, withEnsembleRanks, withTenasRanks } from '../eval/population_scores.js';
import { ENSEMBLE_PROVENANCE } from '../proxies/ensemble.js';
import { correlationRows, formatReport, formatSuiteZeroAgreement, type EvalLine } from '../eval/report.js';
import { scatterSvg } from '../eval/svg_scatter.js';
import { cifarIdentity } from '../node/data_fingerprint.js';
import { perSampleBnProtocol, protocolMismatch, type DataIdentity } from '../eval/protocol.js';
import { openResults, ResultsWriteError } from '../node/results_file.js';
import { BackendLostError } from '../backend/backend.js';
import { checkResultLine, uniqueLines, type ResultLine } from '../eval/result_line.js';
import { inShard, parseShard, ShardError, type Shard } from '../eval/shard.js';
import { DEFAULT_PROXY_OPTIONS, isPerSample, wantsEnsemble } from '../proxies/registry.js';
import { DEFAULT_CHUNK } from '../scoring.js';
import { Random, SEED_LIMIT } from '../util/random.js';
import { quote } from '../util/quote.js';
import { UsageError, choiceOption, intOption, parseArgs, seedListOption, seedOption } from './args.js';
import { readArchList } from './arch_list.js';
import { loadBenchmark, resultTableOf, SPACE_NAMES, TABLE_NAMES } from './benchmarks.js';
import { chooseImages } from './images.js';
import { Progress } from './progress.js';
import { parseProxyOptions, perSampleBnOption, proxiesOption, proxyOptionSpecs } from './proxy_flags.js';
import { makeBackend } from './score.js';

/** GradAlign-II's direction in results lines (files written before it was settled held −log det). */
export const GRADALIGN2_PROTOCOL = '+mean_c log det';

export async function runEval(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void; tty: boolean },
): Promise<number> {
  const args = parseArgs(argv, {
    space: {},
    dataset: {},
    archs: {},
    proxies: {},
    batch: {},
    seeds: {},
    data: {},
    split: {},
    out: {},
    backend: {},
    threads: {},
    conv: {},
    chunk: {},
    checkpoint: { flag: true },
    'per-sample-bn': {},
    normalization: {},
    'sample-seed': {},
    quiet: { flag: true },
    help: { flag: true },
    'report-only': { flag: true },
    'batch-choice': {},
    ...proxyOptionSpecs(['ntkBatch']),
    repair: { flag: true },
    shard: {},
    table: {},
    'nds-table': {},
  });
  if (args.positional.length > 0) throw new UsageError(`unexpected argument ${quote(args.positional[0]!)}`);
  const spaceName = choiceOption(args, 'space', SPACE_NAMES, 'nb201');
  const ndsTable = args.values.get('nds-table');
  const bench = loadBenchmark(spaceName, args.values.get('table') ?? TABLE_NAMES[spaceName][0]!, ndsTable ? { ndsTable } : {});
  const { space } = bench;
  const NAME = space.name.toUpperCase();
  const dataset = choiceOption(args, 'dataset', ['cifar10', 'cifar100'] as const, 'cifar10');
  if (!bench.datasets.includes(dataset))
    throw new UsageError(`--space ${space.name} has accuracies for ${bench.datasets.join(', ')} only, not --dataset ${dataset}`);
  const batchSize = intOption(args, 'batch', 128, 2);
  const chunk = intOption(args, 'chunk', DEFAULT_CHUNK, 1);
  const proxies = proxiesOption(args);
  const perSampleBn = perSampleBnOption(args, space, proxies, (line) => io.err(line));
  const normalization = choiceOption(args, 'normalization', NORMALIZATION_NAMES, 'xautodl');
  const sampleSeed = seedOption(args, 'sample-seed', 0);
  const seeds = seedListOption(args, 'seeds', '1');
  let shard: Shard | undefined;
  try {
    shard = args.values.has('shard') ? parseShard(args.values.get('shard')!) : undefined;
  } catch (e) {
    throw new UsageError((e as ShardError).message);
  }
  const out =
    args.values.get('out') ??
    `results-${space.name}${bench.table ? `-${bench.table}` : ''}-${dataset}${shard ? `.shard-${shard.k}-of-${shard.n}` : ''}.jsonl`;

  // Architectures: a seeded sample of N indices, all of the table, or a file of architectures.
  const archsArg = args.values.get('archs') ?? '100';
  let indices: number[];
  if (archsArg === 'all') indices = Array.from({ length: bench.size }, (_, i) => i);
  else if (/^\d+$/.test(archsArg)) {
    const n = Number(archsArg);
    if (n < 2 || n > bench.size) throw new UsageError(`--archs N must be in [2, ${bench.size}], got ${n}`);
    indices = new Random(sampleSeed).sample(bench.size, n);
  } else {
    const list = readArchList(archsArg, {
      space,
      check: (arch) => (bench.indexOf(arch) !== undefined ? undefined : `is not in the ${NAME} table`),
    });
    for (const w of list.warnings) io.err(`warning: ${w}`);
    indices = list.entries.map(({ arch }) => bench.indexOf(arch)!);
  }

  // The protocol identifies the images by content (data_fingerprint.ts); the message also says where they are.
  const { data, description: dataDescription, split, label } = chooseImages(args, dataset, batchSize);
  const dataIdentity: DataIdentity = cifarIdentity(data, label);

  // zero-cost-nas draws a new batch for every architecture; NASWOT, GradSign's Kendall path and GradAlign reuse one
  const perArch = choiceOption(args, 'batch-choice', ['same', 'per-arch'] as const, 'same') === 'per-arch';
  const { ntkBatch } = parseProxyOptions(args, ['ntkBatch']);
  // --report-only reads without the lock (safe beside a running eval), unless --repair must rewrite the file;
  // a writer takes the lock before it starts a backend, so a second writer fails at once.
  const reportOnly = args.flags.has('report-only'),
    repair = args.flags.has('repair');
  const results = openResults<ResultLine>(out, {
    readOnly: reportOnly && !repair,
    repair,
    mustExist: reportOnly,
    check: (v) => checkResultLine(v, resultTableOf(bench)),
    say: (line) => io.err(line),
  });
  // A report scores nothing: no backend to start (nor a GPU to probe).
  let backend: Awaited<ReturnType<typeof makeBackend>> | undefined;
  try {
    if (!reportOnly) backend = await makeBackend(args, args.flags.has('quiet') ? undefined : (line) => io.err(line));
  } catch (e) {
    results.close();
    throw e;
  }
  const protocol = {
    dataset,
    batch: batchSize,
    split,
    data: dataIdentity,
    normalization,
    batchChoice: perArch
      ? `a fresh batch per architecture (seed 1,000,003·seed + ${NAME} index)`
      : 'same for every architecture (per seed)',
    init: 'PyTorch default, seeded by seed',
    bn: proxies.every(isPerSample)
      ? perSampleBnProtocol(perSampleBn)
      : `${perSampleBn === 'sample' ? 'per-sample statistics' : "the batch's statistics held fixed"} for GradSign/GradAlign, batch statistics (train mode) for the baselines`,
    loss: 'cross-entropy per sample',
    readings: readingKeys(proxies),
    gradalign2: GRADALIGN2_PROTOCOL,
    accuracy: bench.accuracyNote,
    backend: backend?.name ?? 'none',
    // only when not the default, so existing files keep their protocol
    ...(backend instanceof WasmBackend && backend.convolution !== 'direct' ? { convolution: backend.convolution } : {}),
    // only where TE-NAS's NTK is scored, so files without it keep their protocol
    ...(proxies.includes('tenas_ntk') ? { ntkBatch } : {}),
    // the defaults eval scores these with (recorded only where they are scored)
    ...(proxies.includes('zico') ? { zicoGradients: DEFAULT_PROXY_OPTIONS.zicoGradients } : {}),
    ...(proxies.includes('swap') || proxies.includes('swap_reg')
      ? { swap: { repeats: DEFAULT_PROXY_OPTIONS.swapRepeats, samples: DEFAULT_PROXY_OPTIONS.swapSamples } }
      : {}),
    ...(proxies.includes('swap_reg') ? { swapReg: { mu: DEFAULT_PROXY_OPTIONS.swapMu, sigma: DEFAULT_PROXY_OPTIONS.swapSigma } } : {}),
    ...(proxies.some((p) => p.startsWith('az_nas_') && p !== 'az_nas_complexity') ? { aznasBatch: DEFAULT_PROXY_OPTIONS.aznasBatch } : {}),
    ...(proxies.includes('vkdnw') || proxies.includes('vkdnw_entropy')
      ? {
          vkdnwBatch: DEFAULT_PROXY_OPTIONS.vkdnwBatch,
          vkdnwTensors: DEFAULT_PROXY_OPTIONS.vkdnwTensors,
          vkdnwInput: DEFAULT_PROXY_OPTIONS.vkdnwInput,
        }
      : {}),
  };

  if (results.repaired) io.err(`${out}: a torn last line was removed and will be redone`);
  const done = new Set<string>();
  for (const l of results.existing) {
    const mismatch = protocolMismatch(l.protocol, protocol);
    if (mismatch !== undefined) {
      results.close();
      await backend?.close?.();
      throw new UsageError(`${out} holds results made under another protocol: ${mismatch}; use another --out`);
    }
    done.add(`${l.dataset}|${l.seed}|${l.index}`);
  }
  const jobs = seeds.flatMap((seed) => indices.map((index) => ({ seed, index }))).filter(({ seed, index }) => inShard(shard, index, seed));
  const pending = jobs.filter(({ seed, index }) => !done.has(`${dataset}|${seed}|${index}`));
  const todo = reportOnly ? [] : pending;
  const total = jobs.length;
  io.err(
    `eval: ${indices.length} ${NAME} architectures × ${seeds.length} seed(s)${shard ? `, shard ${shard.k}/${shard.n} (${total} of them)` : ''} ` +
      `on ${dataDescription}, batch ${batchSize}${backend ? `, backend ${backend.name}` : ''}; ${total - pending.length} already in ${out}, ${todo.length} to score`,
  );
  const progress = args.flags.has('quiet') ? undefined : new Progress(total, total - todo.length, (s) => process.stderr.write(s), io.tty);
  const batches = new Map(seeds.map((seed) => [seed, sampleCifarBatch(data, { batchSize, seed, normalization })]));
  let failures = 0;
  for (const { seed, index } of todo) {
    const arch = bench.archOf(index);
    try {
      const batch = perArch
        ? sampleCifarBatch(data, { batchSize, seed: (1_000_003 * seed + index) % SEED_LIMIT, normalization })
        : batches.get(seed)!;
      const r = scoreReadings(backend!, arch, batch, {
        numClasses: CIFAR_NUM_CLASSES[dataset],
        seed,
        chunk,
        proxies,
        ntkBatch,
        space,
        checkpoint: args.flags.has('checkpoint'),
        perSampleBn,
      });
      const line: ResultLine = {
        space: space.name,
        ...(bench.table ? { table: bench.table } : {}),
        index,
        arch,
        dataset,
        seed,
        scores: r.scores,
        seconds: Number(r.seconds.toFixed(3)),
        warnings: r.warnings,
        protocol,
      };
      results.append(line);
      results.existing.push(line);
    } catch (e) {
      // A result that cannot be saved stops the run: every later one would be scored and lost too.
      if (e instanceof ResultsWriteError) {
        if (progress && io.tty) process.stderr.write('\n');
        results.close();
        await backend?.close?.();
        throw e;
      }
      // A lost backend fails every later architecture too: stop, keeping what is saved, so that a rerun resumes.
      if (e instanceof BackendLostError) {
        if (progress && io.tty) process.stderr.write('\n');
        results.close();
        await backend?.close?.().catch(() => undefined);
        throw new BackendLostError(
          `#${index} ${arch} seed ${seed}: ${e.message}. Stopped: ${results.existing.length} results are in ${out}; ` +
            'run the same command again to resume with a fresh backend',
        );
      }
      failures++;
      io.err(`error: #${index} ${arch} seed ${seed}: ${(e as Error).message}`);
    }
    progress?.tick();
  }
  results.close();
  await backend?.close?.();

  // The report over every line of this dataset and these seeds for the chosen architectures.
  const wanted = new Set(indices);
  const unique = uniqueLines(results.existing);
  if (unique.duplicates > 0)
    io.err(`${out}: ${unique.duplicates} duplicate line(s) of an (architecture, seed) already counted were ignored`);
  const lines = withEnsembleRanks(
    withAzNasRanks(withTenasRanks(unique.lines.filter((l) => l.dataset === dataset && seeds.includes(l.seed) && wanted.has(l.index)))),
  );
  const azNasAll = AZ_NAS_TERMS.every((k) => proxies.includes(k));
  const ensemble = wantsEnsemble(proxies);
  const targets = bench.targets(dataset);
  const rows = correlationRows(lines, targets);
  io.out(
    `## ${NAME}, ${dataset} images: ${indices.length} architectures × seeds ${seeds.join(',')} (${lines.length} lines` +
      `${unique.duplicates > 0 ? `; ${unique.duplicates} duplicate lines ignored` : ''})\n`,
  );
  io.out(
    `protocol: batch ${batchSize}, ${protocol.batchChoice}, ${split} split, ${normalization} normalisation, ` +
      `PyTorch default init, ${protocol.bn}, no augmentation; correlations signed (no abs), NaN scores dropped and counted` +
      `${proxies.includes('tenas_ntk') && proxies.includes('tenas_lr') ? '; tenas = rank(tenas_ntk) + rank(tenas_lr) over these architectures' : ''}` +
      `${azNasAll ? '; az_nas = Σ ln(rank/N) of its four terms over these architectures' : ''}` +
      `${ensemble ? `; ensemble = ${ENSEMBLE_PROVENANCE}, over these architectures` : ''}.\n`,
  );
  io.out(formatReport(rows, targets, bench.papers));
  const suiteZero = bench.suiteZero?.(dataset);
  if (suiteZero) io.out(formatSuiteZeroAgreement(lines, suiteZero));

  // Scatter plots of the first seed against the first target (the GradSign paper's Figure 2).
  const plotted0 = targets[0]!;
  const plotSeed = seeds[0]!;
  const base = join(dirname(out), basename(out).replace(/\.jsonl(\.gz)?$/, ''));
  const plotted: string[] = [];
  const keys = [
    'params',
    ...readingKeys(proxies),
    ...(proxies.includes('tenas_ntk') && proxies.includes('tenas_lr') ? ['tenas'] : []),
    ...(azNasAll ? ['az_nas'] : []),
    ...(ensemble ? ['ensemble'] : []),
  ];
  for (const key of keys) {
    const ls = lines.filter((l) => l.seed === plotSeed);
    const x = ls.map((l) => l.scores[key] ?? NaN),
      y = ls.map((l) => plotted0.accuracy(l.index));
    const rho = spearman(x, y).value,
      tau = kendallTauB(x, y).value;
    const file = `${base}.${key}.svg`;
    writeFileSync(
      file,
      scatterSvg(
        x.map((v, i) => ({ x: v, y: y[i]! })),
        {
          title: `${key} vs ${plotted0.label} — ρ ${rho.toFixed(3)}, τ ${tau.toFixed(3)}, n = ${ls.length} (seed ${plotSeed})`,
          xLabel: key,
          yLabel: `${plotted0.label.replace(/^\S+ /, '')} (%)`,
          logX: /^(params|gradsign|gradalign1|synflow|flops)$/.test(key),
        },
      ),
    );
    plotted.push(file);
  }
  io.err(`plots: ${plotted.join(', ')}`);
  return failures > 0 ? 1 : 0;
}
