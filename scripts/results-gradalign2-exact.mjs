#!/usr/bin/env node
// Re-scores the results lines whose GradAlign-II came from a singular class Gram, which the f64 Cholesky of
// older versions scored as a finite log det (now NaN: the determinant is exact). Such a line shows it: with
// norm none every nonsingular class Gram has integer det ≥ 1, so log det ≥ 0, and a negative gradalign2 can
// only come from a singular class; a cosine reading that is null (an all-zero sign vector) beside a finite
// gradalign2 is the same case. `--below X` also re-scores lines with gradalign2 < X, `--all` every line
// (slow: one per-sample pass each). Only the chosen lines' gradalign2* scores and gradalign2 warnings are
// rewritten; every other byte of the file stays as it is.
//
// The batch is rebuilt from the line's own fields (dataset, split, batch, normalization, batchChoice, seed)
// and the images in --data DIR; a re-scored GradSign or GradAlign-I that differs from the stored one (beyond
// f32 noise) means the batch is not the one the line was made with, and the line is left alone, reported.
//
// Usage: npx tsc -p . && node scripts/results-gradalign2-exact.mjs FILE... --data DIR [--dry-run] [--below X | --all]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createWasmBackend } from '../dist/src/backend/wasm/index.js';
import { CIFAR_NUM_CLASSES, sampleCifarBatch } from '../dist/src/data/cifar.js';
import { scoreReadings } from '../dist/src/eval/readings.js';
import { loadCifar } from '../dist/src/node/files.js';
import { DEFAULT_CHUNK } from '../dist/src/scoring.js';

const GA2 = ['gradalign2', 'gradalign2_params', 'gradalign2_cosine'];
const CHECKED = ['gradsign', 'gradalign1'];

function parseArgs(argv) {
  const o = { files: [], dryRun: false, all: false, below: 0, data: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') o.dryRun = true;
    else if (a === '--all') o.all = true;
    else if (a === '--data') o.data = argv[++i];
    else if (a === '--below') o.below = Number(argv[++i]);
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.files.push(a);
  }
  if (o.data === undefined || o.files.length === 0 || !Number.isFinite(o.below)) {
    throw new Error('usage: results-gradalign2-exact.mjs FILE... --data DIR [--dry-run] [--below X | --all]');
  }
  return o;
}

/** Whether a line's GradAlign-II may come from a singular class Gram (see the header). */
function suspect(line, o) {
  const s = line.scores ?? {};
  if (!GA2.some((k) => k in s)) return false;
  if (o.all) return true;
  const g = s.gradalign2;
  if (typeof g !== 'number') return false;
  return g < o.below || ('gradalign2_cosine' in s && s.gradalign2_cosine === null);
}

const datasets = new Map();
function images(dir, dataset, split) {
  const key = `${dataset}|${split}`;
  if (!datasets.has(key)) datasets.set(key, loadCifar(dir, dataset, split));
  return datasets.get(key);
}

function batchFor(line, dir) {
  const p = line.protocol;
  const data = images(dir, line.dataset, p.split);
  const perArch = p.batchChoice.startsWith('a fresh batch per architecture');
  const seed = perArch ? 1_000_003 * line.seed + line.index : line.seed;
  return sampleCifarBatch(data, { batchSize: p.batch, seed, normalization: p.normalization });
}

/** The line's warnings with its gradalign2 ones replaced by `fresh`, where the first of them stood (order kept). */
function withGradalign2Warnings(old, fresh) {
  const at = old.findIndex((w) => w.startsWith('gradalign2:'));
  const rest = old.filter((w) => !w.startsWith('gradalign2:'));
  const i = at < 0 ? rest.length : old.slice(0, at).filter((w) => !w.startsWith('gradalign2:')).length;
  return [...rest.slice(0, i), ...fresh, ...rest.slice(i)];
}

const fmt = (v) => (v === null || v === undefined ? 'null' : String(v));
const close = (a, b) =>
  (a === null && b === null) || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b)));

const o = parseArgs(process.argv.slice(2));
const backend = await createWasmBackend();
for (const file of o.files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  let changed = 0,
    looked = 0;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = JSON.parse(raw);
    if (!suspect(line, o)) return;
    looked++;
    const r = scoreReadings(backend, line.arch, batchFor(line, o.data), {
      numClasses: CIFAR_NUM_CLASSES[line.dataset],
      seed: line.seed,
      chunk: DEFAULT_CHUNK,
    });
    const where = `${file}:${i + 1} #${line.index} seed ${line.seed}`;
    const off = CHECKED.filter((k) => k in line.scores && !close(r.scores[k], line.scores[k]));
    if (off.length > 0) {
      console.log(
        `${where}: left alone, the rebuilt batch does not reproduce ${off.map((k) => `${k} (${fmt(line.scores[k])} stored, ${fmt(r.scores[k])} now)`).join(', ')}`,
      );
      return;
    }
    const keys = GA2.filter((k) => k in line.scores);
    const warnings = withGradalign2Warnings(
      line.warnings,
      r.warnings.filter((w) => w.startsWith('gradalign2:')),
    );
    if (keys.every((k) => close(r.scores[k], line.scores[k])) && JSON.stringify(warnings) === JSON.stringify(line.warnings)) return;
    console.log(
      `${where}: ${keys.map((k) => `${k} ${fmt(line.scores[k])} → ${fmt(r.scores[k])}`).join(', ')}; warnings + ${JSON.stringify(warnings.filter((w) => !line.warnings.includes(w)))}`,
    );
    for (const k of keys) line.scores[k] = r.scores[k];
    line.warnings = warnings;
    lines[i] = JSON.stringify(line);
    changed++;
  });
  console.log(`${file}: ${looked} line(s) re-scored, ${changed} ${o.dryRun ? 'would change' : 'changed'}`);
  if (!o.dryRun && changed > 0) {
    writeFileSync(`${file}.tmp`, lines.join('\n'));
    renameSync(`${file}.tmp`, file);
  }
}
await backend.close?.();
