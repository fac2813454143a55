/** `zerocost search` as a user runs it: JSON lines and their summary, the same output for a seed, errors that name the problem. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNb201Table } from '../src/node/files.js';
import { meanStd } from '../src/search/summary.js';
import { repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-search-'));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, 'search', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
};
const DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'];

interface RunLine {
  run: number;
  seed: number;
  algo: string;
  proxy: string | null;
  variant?: string;
  budget: number;
  best: { arch: string; val: Record<string, number>; test: Record<string, number> };
}

test('--json: one line per run with the returned architecture’s accuracies, then a summary equal to their mean ± std', () => {
  const table = loadNb201Table();
  for (const args of [
    ['--algo', 'rea', '--budget', '12', '--runs', '9', '--seed', '4'],
    ['--algo', 'bohb', '--proxy', 'none', '--budget', '15', '--runs', '5'],
    ['--algo', 'reinforce', '--proxy', 'naswot', '--variant', 'corrected', '--budget', '8', '--runs', '4', '--pool', '5'],
    ['--algo', 'a-rea', '--proxy', 'gradalign2', '--budget', '11', '--runs', '3', '--init-sample', '200', '--dataset-search', 'cifar100'],
  ]) {
    const r = run(...args, '--json');
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    const runs = lines.slice(0, -1) as RunLine[];
    const { summary } = lines[lines.length - 1] as {
      summary: Record<string, unknown> & {
        val: Record<string, { mean: number; std: number }>;
        test: Record<string, { mean: number; std: number }>;
      };
    };
    const n = Number(args[args.indexOf('--runs') + 1]);
    assert.is(runs.length, n, args.join(' '));
    const algo = args[1]!;
    const proxy = args.includes('--proxy') ? args[args.indexOf('--proxy') + 1]! : 'gradsign';
    runs.forEach((l, i) => {
      assert.is(l.run, i);
      assert.is(l.algo, algo);
      assert.is(l.proxy, proxy === 'none' ? null : proxy);
      assert.is(l.budget, Number(args[args.indexOf('--budget') + 1]));
      const row = table.byArch.get(l.best.arch);
      assert.ok(row, `${l.best.arch} is an NB201 architecture`);
      assert.equal(l.best.val, row!.val);
      assert.equal(l.best.test, row!.test);
      assert.equal(Object.keys(l.best.val), DATASETS);
    });
    assert.is(runs[0]!.variant, algo === 'reinforce' ? 'corrected' : undefined);
    assert.is(summary.runs, n);
    assert.is(summary.algo, algo);
    for (const split of ['val', 'test'] as const)
      for (const d of DATASETS) {
        const want = meanStd(runs.map((l) => l.best[split][d]!));
        assert.ok(Math.abs(summary[split][d]!.mean - want.mean) < 1e-9, `${split} ${d}`);
        assert.ok(Math.abs(summary[split][d]!.std - want.std) < 1e-9, `${split} ${d} std`);
      }
    assert.match(r.stderr, /search: .* runs × \d+ trained architectures in [\d.]+ s/);
  }
});

test('the same seed prints the same runs; another seed other runs', () => {
  const a = run('--algo', 'rs', '--budget', '5', '--runs', '6', '--seed', '2', '--json');
  const b = run('--algo', 'rs', '--budget', '5', '--runs', '6', '--seed', '2', '--json');
  const c = run('--algo', 'rs', '--budget', '5', '--runs', '6', '--seed', '3', '--json');
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, b.stdout);
  assert.is.not(a.stdout, c.stdout);
});

test('the plain report: a table of mean ± std per dataset and split, with the paper’s row where Table 6 has one', () => {
  const r = run('--algo', 'rs', '--budget', '10', '--runs', '20');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'G-RS on NB201: 20 runs × 10 trained architectures (seed 0), reward = cifar10 validation accuracy');
  assert.match(r.stdout, '| | cifar10 val | cifar10 test | cifar100 val | cifar100 test | imagenet16-120 val | imagenet16-120 test |');
  assert.match(r.stdout, /\| ours \| \d+\.\d\d±\d+\.\d\d \|/);
  assert.match(r.stdout, '| paper (Table 6, 12,000 s) | 91.24±0.21 | 94.02±0.21 | 72.15±0.77 | 72.20±0.76 | 45.38±0.79 | 45.77±0.79 |');
});

test('errors exit 2 (usage) or 1 (data) and name the problem', () => {
  const partial = join(tmp, 'partial.jsonl.gz');
  writeFileSync(
    partial,
    gzipSync(
      JSON.stringify({
        space: 'nb201',
        index: 0,
        arch: loadNb201Table().rows[0]!.arch,
        dataset: 'cifar10',
        seed: 1,
        scores: { gradsign: 1 },
        seconds: 1,
        warnings: [],
        protocol: {},
      }) + '\n',
    ),
  );
  for (const [code, args, message] of [
    [2, ['--algo', 'dfs'], 'unknown --algo "dfs" (expected rs, rea, reinforce, bohb, a-rea)'],
    [2, ['--proxy', 'zen'], 'unknown --proxy "zen"'],
    [2, ['--budget', '0'], '--budget must be an integer ≥ 1, got "0"'],
    [2, ['--budget', 'ten'], '--budget must be an integer ≥ 1'],
    [2, ['--runs', '-3'], '--runs must be an integer ≥ 1'],
    [2, ['--algo', 'a-rea', '--proxy', 'none'], '--algo a-rea needs a proxy'],
    [2, ['--algo', 'rea', '--variant', 'corrected'], '--variant corrected: rea has none'],
    [2, ['--algo', 'bohb', '--proxy', 'none', '--variant', 'corrected'], 'give a proxy'],
    [2, ['--proxy', 'none', '--pool', '5'], '--pool is the number of candidates the proxy ranks'],
    [2, ['--dataset-search', 'mnist'], '--dataset-search must be one of cifar10|cifar100|imagenet16-120'],
    [2, ['extra'], 'unexpected argument "extra"'],
    [1, ['--scores', join(tmp, 'absent.jsonl')], 'absent.jsonl: no such results file'],
    [1, ['--scores', partial], 'scores 1 of the 15625 NB201 architectures'],
  ] as [number, string[], string][]) {
    const r = run(...args);
    assert.is(r.code, code, `${args.join(' ')}: exit ${r.code}, ${r.stderr}`);
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: ${JSON.stringify(r.stderr)} lacks ${JSON.stringify(message)}`);
    assert.is(r.stdout, '');
  }
});

test.run();
