#!/usr/bin/env node
// Issue 17, point 3: choose the ensemble's members on seed 1 of CIFAR-10 only (greedy forward selection of an
// equal-weight Σ ln(rank/N), src/eval/ensemble.ts) from one results file holding every candidate proxy, against
// NB201 CIFAR-10 test accuracy; then report the chosen ensemble, untuned, on the file's other seeds (and on the
// CIFAR-100 file and ImageNet16-120 accuracy when given). Prints markdown.
//
// Usage: npm run build && node scripts/choose-ensemble-nb201.mjs results/nb201-cifar10-b64-new-proxies.jsonl
//          [--cifar100 results/nb201-cifar100-b64-new-proxies.jsonl] [--max 8]
import { readFileSync } from 'node:fs';
import { spearman } from '../dist/src/eval/correlation.js';
import { chooseEnsemble } from '../dist/src/eval/ensemble.js';
import { logRankAggregate } from '../dist/src/eval/population_scores.js';
import { loadNb201Table } from '../dist/src/node/files.js';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const file = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
if (!file) throw new Error('usage: node scripts/choose-ensemble-nb201.mjs RESULTS.jsonl [--cifar100 FILE] [--max N]');
const read = (f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
// readings that are fixed views of another, and the trivial reference
const SKIP = new Set(['params', 'gradsign_mean', 'gradalign1_params', 'gradalign1_cosine', 'gradalign2_params', 'gradalign2_cosine']);
const table = loadNb201Table();
const test = (dataset) => (i) => table.rows[i].test[dataset];

const lines = read(file).filter((l) => l.dataset === 'cifar10');
const seed1 = lines.filter((l) => l.seed === 1);
const candidates = [...new Set(seed1.flatMap((l) => Object.keys(l.scores)))].filter((k) => !SKIP.has(k));
const choice = chooseEnsemble(seed1, candidates, test('cifar10'), { maxMembers: Number(option('max', '8')) });
const out = [
  `## Ensemble chosen on seed 1, CIFAR-10 images, vs NB201 CIFAR-10 test accuracy (${choice.archs} architectures, ${file})`,
  '',
  '| step | added | ρ of the aggregate |',
  '|---|---|---|',
  ...choice.steps.map((s, i) => `| ${i + 1} | ${s.added} | ${s.rho.toFixed(3)} |`),
  '',
  `members: ${choice.members.join(', ')}`,
  '',
  '## The chosen ensemble, untuned',
  '',
  '| images | seed | accuracy | archs | ρ |',
  '|---|---|---|---|---|',
];
const report = (ls, dataset, seed, accDataset) => {
  const usable = ls.filter((l) => l.seed === seed && choice.members.every((k) => typeof l.scores[k] === 'number'));
  if (usable.length === 0) return;
  const agg = logRankAggregate(choice.members.map((k) => usable.map((l) => l.scores[k])));
  const rho = spearman(
    agg,
    usable.map((l) => test(accDataset)(l.index)),
  ).value;
  out.push(`| ${dataset} | ${seed} | ${accDataset} test | ${usable.length} | ${rho.toFixed(3)} |`);
};
const seeds = [...new Set(lines.map((l) => l.seed))].sort();
for (const s of seeds) for (const acc of ['cifar10', 'imagenet16-120']) report(lines, 'cifar10', s, acc);
const c100 = option('cifar100');
if (c100) {
  const ls = read(c100).filter((l) => l.dataset === 'cifar100');
  for (const s of [...new Set(ls.map((l) => l.seed))].sort())
    for (const acc of ['cifar100', 'imagenet16-120']) report(ls, 'cifar100', s, acc);
}
console.log(out.join('\n'));
