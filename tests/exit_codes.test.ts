/**
 * Exit status across commands: 2 for every usage error (an option, a conflict between options, a value out of
 * what the data allows), found before any work; 1 for a data error (a file's content, a missing data file).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir, repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-exit-'));
const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const input = join(fixturesDir, 'index0.input.safetensors');
const empty = join(tmp, 'empty.jsonl');
writeFileSync(empty, '');
const junk = join(tmp, 'junk.jsonl');
writeFileSync(junk, '{not json\n');

function expect(code: number, cases: [string[], string][]): void {
  for (const [args, message] of cases) {
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.is(r.status, code, `${args.join(' ')}: exit ${r.status}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: stderr ${JSON.stringify(r.stderr)} lacks ${JSON.stringify(message)}`);
    assert.is(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
  }
}

test('usage errors exit 2 in every command, before a backend starts', () => {
  expect(2, [
    [['score', '--arch', A, '--dtype', 'f64', '--backend', 'wasm'], '--dtype f64 needs --backend js'],
    [['score', '--arch', A, '--dtype', 'f64'], '--dtype f64 needs --backend js'],
    [['score', '--arch', A, '--input', input, '--batch', '4'], '--input FILE replaces the data batch: drop --batch'],
    [['demo', '--batch', '600'], '--batch 600 exceeds the 512 images'],
    [['demo', '--n', '20000'], '--n 20000 exceeds the 15625 NB201 architectures'],
    [['demo', 'extra'], 'unexpected argument "extra"'],
    [['select'], 'give --results FILE'],
    [['eval', '--archs', '1'], '--archs N must be in [2,'],
    [['eval', '--seeds', '1,x'], '--seeds must be a comma-separated list'],
    [['eval', '--plots', 'off'], 'unknown option --plots'],
    [['eval', '--shard', '4/3'], '--shard K/N needs 1 ≤ K ≤ N, got 4/3'],
    [['eval', '--shard', '1-3'], '--shard must be K/N'],
    [['merge'], 'usage: zerocost merge OUT FILE...'],
    [['merge', 'out.jsonl'], 'usage: zerocost merge OUT FILE...'],
    [[], 'Usage:'],
  ]);
});

test('data errors exit 1 and name the file', () => {
  expect(1, [
    [['score', '--arch', A, '--data', join(tmp, 'absent'), '--backend', 'js'], join(tmp, 'absent')],
    [['score', '--arch', A, '--input', join(tmp, 'absent.safetensors'), '--backend', 'js'], 'absent.safetensors'],
    [['select', '--results', join(tmp, 'absent.jsonl')], 'absent.jsonl: no such results file'],
    [['select', '--results', empty], `no results lines in ${empty}`],
    [['select', '--results', junk], `${junk}:1: not a results line`],
  ]);
});

test.run();
