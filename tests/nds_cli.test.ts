/**
 * The NDS spaces on the command line: `score --space nds-…` of a given model (an NDS net record or Genotype(...)
 * at --width/--depth) and of a seeded sample (--sample N, --sample-seed); `eval --space nds-… --nds-table FILE`
 * on a small table in NDS's record format written here (sampled models at width 4, depth 3, made-up accuracies);
 * the usage errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ndsArchText, ndsCellSpace, ndsSearchSpace, sampleNdsArch } from '../src/nets/darts/nds_spaces.js';
import { Random } from '../src/util/random.js';
import { repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-nds-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const small = ['--batch', '4', '--backend', 'js', '--proxies', 'gradsign,params', '--quiet'];

test('score --sample N: seeded models of the space, canonical texts, one line each', () => {
  const a = run('score', '--space', 'nds-enas', '--sample', '2', '--sample-seed', '9', '--width', '4', '--depth', '3', '--json', ...small);
  // --width/--depth shape Genotype(...) text only: sampled models carry the space's own widths and depths
  assert.is(a.status, 0, a.stderr);
  const lines = a.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { arch: string; scores: { params: number } });
  assert.is(lines.length, 2);
  const r = new Random(9);
  const want = [0, 1].map(() => ndsArchText(sampleNdsArch(ndsCellSpace('nds-enas'), r)));
  assert.equal(
    lines.map((l) => l.arch),
    want,
  );
  for (const l of lines) assert.ok(l.scores.params > 0);
});

test('score --arch: a Genotype(...) at --width/--depth and the same model as a net record score alike', () => {
  const genotype =
    "Genotype(normal=[('conv_3x1_1x3', 0), ('conv_7x1_1x7', 1), ('max_pool_5x5', 2), ('conv_1x1', 0), ('max_pool_7x7', 3), " +
    "('conv_3x3', 1), ('sep_conv_7x7', 4), ('skip_connect', 2), ('dil_conv_3x3', 5), ('avg_pool_3x3', 0)], normal_concat=[6], " +
    "reduce=[('conv_7x1_1x7', 0), ('conv_3x1_1x3', 1), ('max_pool_7x7', 1), ('max_pool_3x3', 2), ('sep_conv_5x5', 3), " +
    "('conv_3x3', 0), ('sep_conv_3x3', 4), ('skip_connect', 0), ('max_pool_5x5', 5), ('conv_1x1', 1)], reduce_concat=[6])";
  const a = run('score', '--space', 'nds-nasnet', '--arch', genotype, '--width', '4', '--depth', '3', '--json', ...small);
  assert.is(a.status, 0, a.stderr);
  const ja = JSON.parse(a.stdout) as { arch: string; scores: Record<string, number> };
  assert.ok(ja.arch.startsWith('{"width":4,"depth":3,"genotype":{"normal":[["conv_3x1_1x3",0],'), ja.arch);
  const b = run('score', '--space', 'nds-nasnet', '--arch', ja.arch, '--json', ...small);
  assert.is(b.status, 0, b.stderr);
  const jb = JSON.parse(b.stdout) as { arch: string; scores: Record<string, number> };
  assert.equal(jb, { ...jb, arch: ja.arch, scores: ja.scores });
});

test('usage errors: an op of another space, --ops, --sample elsewhere, --sample-seed alone, eval without --nds-table', () => {
  const bad = run(
    'score',
    '--space',
    'nds-enas',
    '--arch',
    "Genotype(normal=[('dil_conv_3x3', 0), ('skip_connect', 1)], normal_concat=[2], reduce=[('skip_connect', 0), ('skip_connect', 1)], reduce_concat=[2])",
  );
  assert.is(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /unknown op "dil_conv_3x3"/);
  const ops = run('score', '--space', 'nds-darts', '--sample', '1', '--ops', 'naslib');
  assert.match(ops.stderr, /--ops is for --space darts/);
  const nb = run('score', '--space', 'nb201', '--sample', '3');
  assert.match(nb.stderr, /--space nb201 has no sampler/);
  const seed = run('score', '--space', 'nds-darts', '--arch', 'x', '--sample-seed', '1');
  assert.match(seed.stderr, /--sample-seed seeds --sample N/);
  const ev = run('eval', '--space', 'nds-amoeba');
  assert.is(ev.status, 2);
  assert.match(ev.stderr, /--space nds-amoeba needs --nds-table FILE: your copy of NDS's Amoeba\.json/);
  const other = run('eval', '--space', 'nb201', '--nds-table', 'x.json');
  assert.match(other.stderr, /--nds-table is for the nds-… spaces/);
  const missing = run('eval', '--space', 'nds-amoeba', '--nds-table', join(tmp, 'none.json'));
  assert.match(missing.stderr, /cannot read NDS file .*none\.json: no such file/);
});

test('eval --nds-table: a {top, mid} file in NDS record format, every record scored, correlated with 100 − test_ep_top1[−1]', () => {
  const space = ndsCellSpace('nds-pnas');
  const r = new Random(5);
  const records = Array.from({ length: 5 }, (_, i) => {
    const net = JSON.parse(ndsArchText({ ...sampleNdsArch(space, r), width: 4, depth: 3 })) as object;
    return { job_id: i, net: { ...net, aux: false, drop_prob: 0 }, test_ep_top1: [60, 40 - 3 * i], min_test_top1: 40 - 3 * i };
  });
  const file = join(tmp, 'PNAS.json');
  writeFileSync(file, JSON.stringify({ top: records.slice(0, 2), mid: records.slice(2) }));
  const out = join(tmp, 'pnas.jsonl');
  const e = run(
    'eval',
    '--space',
    'nds-pnas',
    '--nds-table',
    file,
    '--archs',
    'all',
    '--batch',
    '4',
    '--threads',
    '1',
    '--proxies',
    'params',
    '--out',
    out,
  );
  assert.is(e.status, 0, e.stderr);
  assert.match(e.stdout, /vs NDS PNAS cifar10 final test accuracy \(NDS, PNAS\.json\)/);
  const lines = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { index: number; arch: string });
  assert.is(lines.length, 5);
  assert.equal(lines.map((l) => l.index).sort(), [0, 1, 2, 3, 4]);
  const canonical = ndsSearchSpace('nds-pnas');
  for (const l of lines) assert.is(l.arch, canonical.canonical(JSON.stringify(records[l.index]!.net)));
});

test.run();
