/**
 * `--space nb101` through the command line, on the real images and NB101 tables of ../shared: a cell given as a
 * JSON line, as an isomorphic writing of it and as its hash scores the same; eval writes NB101 lines (and
 * Suite-Zero table lines carrying their table) that resume and merge only with their own kind.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, skipSuite } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const shared = join(repoRoot, '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-nb101-'));
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: repoRoot });
const lines = (f: string) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { space: string; table?: string; index: number; arch: string; scores: Record<string, number | null> });

if (!existsSync(join(shared, 'nb101'))) {
  skipSuite('nb101_cli', '../shared/data/nb101 is not beside the checkout');
} else {
  // Row 0 of the 1,000-cell table (hash 00005c14…): a 7-vertex cell with a max-pool.
  const row0 = JSON.parse(readFileSync(join(shared, 'nb101', 'nb101_1k_graphs_valacc108.jsonl'), 'utf8').split('\n')[0]!) as {
    hash: string;
  };
  const score = (arch: string) =>
    run([
      'score',
      '--space',
      'nb101',
      '--arch',
      arch,
      '--batch',
      '4',
      '--proxies',
      'gradsign,params',
      '--backend',
      'wasm',
      '--threads',
      '1',
      '--json',
      '--quiet',
    ]);

  test('score: a cell by its hash, as its JSON line and renumbered, gives one canonical cell and the same scores', () => {
    const byHash = score(row0.hash);
    assert.is(byHash.status, 0, byHash.stderr);
    const a = JSON.parse(byHash.stdout) as { arch: string; scores: Record<string, number>; protocol: Record<string, unknown> };
    const spec = JSON.parse(a.arch) as { matrix: number[][]; ops: string[] };
    assert.equal(Object.keys(spec), ['matrix', 'ops']);
    const byLine = JSON.parse(score(a.arch).stdout) as typeof a;
    assert.equal(byLine.scores, a.scores);
    assert.ok(a.scores.gradsign! > 0 && Number.isInteger(a.scores.gradsign));
    // an unpruned writing: an extra vertex that feeds nothing is pruned away
    const V = spec.matrix.length;
    const unpruned = {
      matrix: [...spec.matrix.map((r) => [...r.slice(0, V - 1), 0, r[V - 1]!]), Array(V + 1).fill(0), Array(V + 1).fill(0)],
      ops: [...spec.ops.slice(0, V - 1), 'conv1x1-bn-relu', 'output'],
    };
    unpruned.matrix[0]![V - 1] = 1; // input → the dangling vertex, which reaches nothing
    if (V < 7) {
      const r = JSON.parse(score(JSON.stringify(unpruned)).stdout) as typeof a;
      assert.is(r.arch, a.arch);
      assert.equal(r.scores, a.scores);
    }
    const bad = score('{"matrix": [[0,1],[0,0]], "ops": ["input", "conv5x5"]}');
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /conv5x5/);
    const unknown = score('0123456789abcdef0123456789abcdef');
    assert.is(unknown.status, 2);
    assert.match(unknown.stderr, /0123456789abcdef0123456789abcdef/);
  });

  const evalArgs = (out: string, extra: string[] = []) => [
    'eval',
    '--space',
    'nb101',
    '--archs',
    '2',
    '--batch',
    '4',
    '--data',
    shared,
    '--proxies',
    'gradsign,synflow',
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--quiet',
    '--out',
    out,
    ...extra,
  ];

  test('eval: NB101 lines, the report against 108-epoch validation accuracy with the papers beside; Suite-Zero lines carry their table', () => {
    const out = join(tmp, 'nb101.jsonl');
    const r = run(evalArgs(out));
    assert.is(r.status, 0, r.stderr);
    const ls = lines(out);
    assert.is(ls.length, 2);
    assert.ok(ls.every((l) => l.space === 'nb101' && l.table === undefined && l.index >= 0 && l.index < 1000));
    assert.match(r.stdout, /### vs NB101 cifar10 validation accuracy \(108 epochs, one repeat; the papers: test\)/);
    assert.match(r.stdout, /ρ 0\.449 \(GradSign Table 2/);
    const again = run(evalArgs(out, ['--report-only']));
    assert.is(again.stdout, r.stdout, 'resumes: nothing to score, the same report');

    const sz = join(tmp, 'sz.jsonl');
    const s = run(evalArgs(sz, ['--table', 'suite-zero']));
    assert.is(s.status, 0, s.stderr);
    assert.ok(lines(sz).every((l) => l.space === 'nb101' && l.table === 'suite-zero'));
    assert.match(s.stdout, /Agreement with NAS-Bench-Suite-Zero's per-architecture scores/);
    assert.match(s.stdout, /\| synflow \| 2 \| /);

    const mixed = run(['merge', join(tmp, 'mixed.jsonl'), out, sz]);
    assert.is(mixed.status, 1);
    const wrongTable = join(tmp, 'wrong.jsonl');
    writeFileSync(wrongTable, readFileSync(sz));
    const refused = run(evalArgs(wrongTable, ['--report-only']));
    assert.is(refused.status, 1);
    assert.match(refused.stderr, /"table"/);
    const noCifar100 = run([...evalArgs(join(tmp, 'c100.jsonl')), '--dataset', 'cifar100']);
    assert.is(noCifar100.status, 2);
    assert.match(noCifar100.stderr, /--space nb101 has accuracies for cifar10 only/);
  });
}

test.run();
