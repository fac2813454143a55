/** What a user sees around the commands: --version, each command's --help, a closed pipe, long inputs quoted short. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SCORE_OPTIONS } from '../src/cli/score.js';
import { repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-help-'));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const CHEAP = [
  '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|none~0|+|skip_connect~0|none~1|+|none~0|none~1|none~2|',
  '|none~0|+|none~0|skip_connect~1|+|none~0|none~1|none~2|',
];

test('--version prints the version of package.json', () => {
  const r = run('--version');
  assert.is(r.status, 0);
  assert.is(r.stdout, `zerocost ${(JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
});

test("CMD --help prints that command's options only", () => {
  const own: Record<string, { has: string[]; lacks: string[] }> = {
    score: { has: Object.keys(SCORE_OPTIONS).map((k) => `\n  --${k}`), lacks: ['--report-only', '--seeds', 'Eval options'] },
    eval: {
      has: ['--report-only', '--seeds', '--sample-seed', '--proxies', '--threads', '--out'],
      lacks: ['--weights', '--json', 'Score options'],
    },
    select: { has: ['--results', '--runs', '--score-seed', '--scores'], lacks: ['--proxies', '--backend'] },
    demo: { has: ['--n ', '--batch', '--seed', '--backend'], lacks: ['--proxies', '--results'] },
    search: {
      has: ['--algo', '--proxy', '--pool', '--budget', '--runs', '--dataset-search', '--scores', '--variant', '--json'],
      lacks: ['--backend', '--results'],
    },
  };
  for (const [command, { has, lacks }] of Object.entries(own)) {
    for (const args of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const r = run(...args);
      assert.is(r.status, 0, args.join(' '));
      assert.ok(r.stdout.startsWith(`Usage:\n  zerocost ${command} `), `${args.join(' ')}: ${r.stdout.slice(0, 80)}`);
      for (const s of has) assert.ok(r.stdout.includes(s), `${command} --help lacks ${JSON.stringify(s)}`);
      for (const s of lacks) assert.not.ok(r.stdout.includes(s), `${command} --help has ${JSON.stringify(s)}`);
    }
  }
  const all = run('--help');
  for (const s of ['Score options:', 'Eval options:', 'Select options:', 'Search options:', 'Demo options:', 'zerocost --help | --version'])
    assert.ok(all.stdout.includes(s), s);
});

test('a closed pipe (| head) ends the run quietly with exit 0, scoring nothing more', () => {
  const file = join(tmp, 'cheap.txt');
  writeFileSync(file, CHEAP.join('\n') + '\n');
  const r = spawnSync(
    'bash',
    ['-c', `set -o pipefail; "${process.execPath}" "${cli}" score --archs "${file}" --backend js --batch 2 --proxies params | head -2`],
    { encoding: 'utf8' },
  );
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.split('\n').length, 3);
  assert.not.match(r.stderr, /EPIPE|Error|at /);
  // the header and the first line fit before head exits; the second line's write finds the pipe closed
  assert.ok((r.stderr.match(/^\[\d\/4\]/gm) ?? []).length < 4, r.stderr);
});

test('an error message quotes at most ~200 characters of an input', () => {
  const huge = 'x'.repeat(10_000);
  const file = join(tmp, 'huge.txt');
  writeFileSync(file, `${CHEAP[0]}\n|${huge}~0|+|none~0|none~1|+|none~0|none~1|none~2|\n`);
  for (const args of [
    ['score', '--arch', huge],
    ['score', '--archs', file],
    ['score', '--arch', CHEAP[0]!, '--batch', huge],
    ['score', '--arch', CHEAP[0]!, `--${huge}`],
    ['score', '--arch', CHEAP[0]!, '--proxies', huge],
    ['score', '--arch', CHEAP[0]!, huge],
    ['score', '--arch', CHEAP[0]!, '--backend', huge],
    ['eval', '--seeds', huge],
    [huge],
  ]) {
    const r = run(...args);
    assert.is(r.status, 2, `${args.join(' ').slice(0, 60)}: ${r.stderr.slice(0, 300)}`);
    assert.ok(r.stderr.length < 1000, `${args.join(' ').slice(0, 60)}: ${r.stderr.length} characters: ${r.stderr.slice(0, 300)}`);
    assert.ok(r.stderr.includes('(10'), r.stderr.slice(0, 300)); // "… (10002 characters)"
  }
});

test.run();
