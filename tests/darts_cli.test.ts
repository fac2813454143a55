/**
 * `--space nb301` and `--space darts` through the command line, on the real images and NB301 file of ../shared:
 * the file's smallest genotype scores with the file's params and flops; the same genotype written as DARTS's
 * Genotype(...) text at NB301's width, depth and ops scores identically under `--space darts`; NASLib's ops take the
 * batch's BN statistics for the per-sample pass by default (per-image ones are allowed with a warning, and give
 * other numbers); eval writes NB301 lines, reports against the surrogate accuracy and Suite-Zero's scores, resumes;
 * bad genotypes and `eval --space darts` are usage errors that say why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dartsGenotypeText, parseDartsGenotype } from '../src/nets/darts/genotype.js';
import { loadNb301Table } from '../src/node/files.js';
import { repoRoot, skipSuite } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const shared = join(repoRoot, '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-darts-'));
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: repoRoot });

interface ScoreLine {
  arch: string;
  scores: Record<string, number | null>;
  protocol: Record<string, unknown>;
}

if (!existsSync(join(shared, 'nb301'))) {
  skipSuite('darts_cli', '../shared/data/nb301 is not beside the checkout');
} else {
  const table = loadNb301Table()!;
  // the file's smallest network (0.575402 M parameters): identities and pools in the normal cell
  const smallest = table.rows.reduce((a, r) => (r.scores.params < a.scores.params ? r : a));
  const common = ['--batch', '4', '--data', shared, '--backend', 'wasm', '--threads', '1', '--quiet'];
  const score = (args: string[]) => run(['score', ...args, ...common, '--proxies', 'gradsign,gradalign1,params,flops', '--json']);

  test('score --space nb301: the file key as written, its params and flops; = --space darts with the Genotype text at C 32, 8 cells, naslib ops', () => {
    const r = score(['--space', 'nb301', '--arch', smallest.key]);
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stderr, /rounding noise/);
    const a = JSON.parse(r.stdout) as ScoreLine;
    assert.is(a.arch, smallest.key);
    assert.is(a.scores.params, Math.round(smallest.scores.params * 1e6));
    assert.ok(Math.abs(a.scores.flops! - smallest.scores.flops) < 1e-6, `flops ${a.scores.flops} vs ${smallest.scores.flops}`);
    assert.ok(Number.isInteger(a.scores.gradsign) && a.scores.gradsign! > 0);
    assert.match(String(a.protocol.bn), /batch's statistics, held fixed/);

    const text = dartsGenotypeText(parseDartsGenotype(smallest.key));
    const d = score(['--space', 'darts', '--arch', text, '--width', '32', '--depth', '8', '--ops', 'naslib']);
    assert.is(d.status, 0, d.stderr);
    const b = JSON.parse(d.stdout) as ScoreLine;
    assert.is(b.arch, text);
    assert.equal(b.scores, a.scores);
  });

  test('score --space nb301 --per-sample-bn sample: allowed, with a warning that the gradients are rounding noise', () => {
    const r = score(['--space', 'nb301', '--arch', smallest.key, '--per-sample-bn', 'sample']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: --space nb301 with --per-sample-bn sample: .*rounding noise/);
    const a = JSON.parse(r.stdout) as ScoreLine;
    assert.match(String(a.protocol.bn), /per-sample statistics/);
  });

  test('score: a bad genotype is a usage error that names the problem', () => {
    const seven = smallest.key.replace('(0, 2)', '(0, 7)');
    const r = score(['--space', 'nb301', '--arch', seven]);
    assert.is(r.status, 2);
    assert.match(r.stderr, /7/);
    const late = run([
      'score',
      '--space',
      'darts',
      '--arch',
      "Genotype(normal=[('sep_conv_3x3', 2), ('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])",
      ...common,
    ]);
    assert.is(late.status, 2);
    assert.match(late.stderr, /invalid DARTS genotype/);
    const unknown = run([
      'score',
      '--space',
      'darts',
      '--arch',
      "Genotype(normal=[('conv_9x9', 0), ('sep_conv_3x3', 1)], normal_concat=[2], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1)], reduce_concat=[2])",
      ...common,
    ]);
    assert.is(unknown.status, 2);
    assert.match(unknown.stderr, /conv_9x9/);
  });

  test('eval --space nb301: lines, the report vs the surrogate accuracy and Suite-Zero agreement, resume; eval --space darts refused', () => {
    const out = join(tmp, 'nb301.jsonl');
    const args = ['eval', '--space', 'nb301', '--archs', '2', ...common, '--proxies', 'gradsign,synflow', '--out', out];
    const r = run(args);
    assert.is(r.status, 0, r.stderr);
    const ls = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ScoreLine & { space: string; index: number });
    assert.is(ls.length, 2);
    for (const l of ls) {
      assert.is(l.space, 'nb301');
      assert.is(l.arch, table.rows[l.index]!.key);
      assert.is(l.scores.params, Math.round(table.rows[l.index]!.scores.params * 1e6));
    }
    assert.match(r.stdout, /NB301 cifar10 surrogate-predicted validation accuracy/);
    assert.match(r.stdout, /\| synflow \| 2 \| /);
    assert.match(r.stdout, /\| params \| 2 \| 1\.000 \|/);
    const again = run([...args, '--report-only']);
    assert.is(again.stdout, r.stdout, 'resumes: nothing to score, the same report');
    const darts = run(['eval', '--space', 'darts', '--archs', '2', ...common, '--out', join(tmp, 'd.jsonl')]);
    assert.is(darts.status, 2);
    assert.match(darts.stderr, /--space darts has no benchmark table for eval/);
  });
}

test.run();
