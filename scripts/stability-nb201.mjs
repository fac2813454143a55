#!/usr/bin/env node
// Issue 17, point 4: how stable every proxy's ranking is on NAS-Bench-201 — the Spearman ρ of its scores between
// seeds (same 1,000 architectures, another init and another batch) and between batch sizes 32/64/128 (seed 1),
// beside its ρ against test accuracy; a proxy whose ranking moves with the seed more than it follows accuracy is
// marked. Reads the committed results files that exist (each run named below; missing files are skipped and said
// so) and writes docs/stability-nb201.md.
//
// Usage: npm run build && node scripts/stability-nb201.mjs [--results results] [--docs docs]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { nb201Benchmark } from '../dist/src/eval/nb201_benchmark.js';
import { spearman } from '../dist/src/eval/correlation.js';
import { runStability, seedStability } from '../dist/src/eval/stability.js';
import { loadNb201Table } from '../dist/src/node/files.js';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const RESULTS = option('results', 'results');
const DOCS = option('docs', 'docs');

/** Runs by dataset: the seeds runs (1,000 archs × seeds 1–3) and the batch-size runs (seed 1). */
const RUNS = {
  cifar10: {
    seeds: ['nb201-cifar10-b128.jsonl', 'nb201-cifar10-b64-new-proxies.jsonl'],
    batches: [
      ['batch 32', 'nb201-cifar10-b32.jsonl'],
      ['batch 64', 'nb201-all-cifar10-b64.jsonl.gz'],
      ['batch 64', 'nb201-cifar10-b64-new-proxies.jsonl'],
      ['batch 128', 'nb201-cifar10-b128.jsonl'],
    ],
  },
  cifar100: { seeds: ['nb201-cifar100-b128.jsonl'], batches: [] },
};
/** Readings that are views of another one (the same ranking or a fixed rescaling) and the parameter count. */
const SKIP = new Set(['gradsign_mean', 'gradalign1_params', 'gradalign1_cosine', 'gradalign2_params', 'gradalign2_cosine']);

const missing = [];
function read(file) {
  const path = join(RESULTS, file);
  if (!existsSync(path)) {
    missing.push(file);
    return [];
  }
  const bytes = readFileSync(path);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
const describe = (lines) => {
  const p = lines[0]?.protocol ?? {};
  return `batch ${p.batch}, ${p.normalization} normalisation, ${p.data?.images ?? '?'} images`;
};

const bench = nb201Benchmark(loadNb201Table());
const fmt = (x) => (Number.isNaN(x) ? '—' : x.toFixed(3));
const out = [
  '# Stability of the proxies on NAS-Bench-201 (issue 17, point 4)',
  '',
  'For each proxy: its Spearman ρ against NB201 test accuracy (mean over the seeds present), the ρ of its own scores',
  'between two seeds of the same run (same 1,000 architectures — sample seed 0 — with another init and another batch',
  'of images), and between batch sizes 32, 64 and 128 at seed 1 (another batch of images too: a batch is drawn from',
  'the seed and its size). **Unstable** marks a proxy whose ranking agrees less with itself across seeds than with',
  'accuracy: its ranking of one architecture is mostly the draw. Written by `node scripts/stability-nb201.mjs` from',
  'the results files named under each table.',
  '',
];
for (const [dataset, runs] of Object.entries(RUNS)) {
  const target = bench.targets(dataset)[0];
  const seedRuns = runs.seeds.map((f) => ({ file: f, lines: read(f).filter((l) => l.dataset === dataset) })).filter((r) => r.lines.length);
  if (seedRuns.length === 0) continue;
  out.push(`## ${dataset} images, ${target.label}`, '');
  out.push('| score | ρ vs accuracy | archs | seeds: ρ mean (min) | seed pairs × archs | batch sizes: ρ mean (min) | batch pairs | run |');
  out.push('|---|---|---|---|---|---|---|---|');
  const batchRuns = runs.batches
    .map(([label, f]) => ({ label, file: f, lines: read(f).filter((l) => l.dataset === dataset && l.seed === 1) }))
    .filter((r) => r.lines.length);
  const seen = new Set();
  for (const run of seedRuns) {
    const keys = [...new Set(run.lines.flatMap((l) => Object.keys(l.scores)))].filter((k) => !SKIP.has(k) && !seen.has(k));
    const stable = seedStability(run.lines, keys);
    for (const s of stable) {
      seen.add(s.key);
      const seeds = [...new Set(run.lines.map((l) => l.seed))];
      const rhoAcc =
        seeds
          .map((seed) => {
            const ls = run.lines.filter((l) => l.seed === seed);
            return spearman(
              ls.map((l) => l.scores[s.key] ?? NaN),
              ls.map((l) => target.accuracy(l.index)),
            ).value;
          })
          .reduce((a, b) => a + b, 0) / seeds.length;
      const withKey = batchRuns.filter((r) => r.lines.some((l) => s.key in l.scores));
      // one run per batch size: the first listed that holds the key
      const perBatch = withKey.filter((r, i) => withKey.findIndex((q) => q.label === r.label) === i);
      const [b] = runStability(perBatch, [s.key]);
      const unstable = !Number.isNaN(s.mean) && s.mean < Math.abs(rhoAcc);
      const archs = s.pairs.length ? Math.min(...s.pairs.map((p) => p.archs)) : 0;
      out.push(
        `| ${s.key}${unstable ? ' **unstable**' : ''} | ${fmt(rhoAcc)} | ${run.lines.filter((l) => l.seed === seeds[0]).length} | ` +
          `${s.pairs.length ? `${fmt(s.mean)} (${fmt(s.min)})` : '—'} | ` +
          `${s.pairs.length} × ${archs} | ${b.pairs.length ? `${fmt(b.mean)} (${fmt(b.min)})` : '—'} | ` +
          `${b.pairs.map((p) => `${p.label.replace(/batch /g, '')}: ${fmt(p.rho)} (${p.archs})`).join('; ') || '—'} | ${run.file} |`,
      );
    }
  }
  out.push(
    '',
    ...seedRuns.map(
      (r) => `- ${r.file}: ${describe(r.lines)}, seeds ${[...new Set(r.lines.map((l) => l.seed))].join(', ')}, ${r.lines.length} lines`,
    ),
  );
  out.push(...batchRuns.map((r) => `- ${r.label}: ${r.file} (${describe(r.lines)}, seed 1, ${r.lines.length} lines)`), '');
}
if (missing.length) out.push(`Not found (skipped): ${[...new Set(missing)].join(', ')}.`, '');
// A run still being written (fewer than its 1,000 architectures × 3 seeds) is said to be partial.
const partial = Object.values(RUNS)
  .flatMap((r) => r.seeds)
  .map((f) => [f, read(f).length])
  .filter(([, n]) => n > 0 && n < 3000);
if (partial.length)
  out.push(
    `Partial (a run still in progress when this was written): ${partial.map(([f, n]) => `${f}, ${n} of 3000 lines`).join('; ')}.`,
    '',
  );
writeFileSync(join(DOCS, 'stability-nb201.md'), out.join('\n'));
console.log(out.join('\n'));
