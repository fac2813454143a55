/**
 * `zerocost eval` end to end on the real CIFAR-10 images in ../shared: a small run prints the table and writes
 * one line per (architecture, seed) and the plots; a run killed with SIGKILL resumes without losing or
 * duplicating a line, and gives the same scores as an uninterrupted run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, skipSuite } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const shared = join(repoRoot, '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-eval-'));
const common = [
  'eval',
  '--space',
  'nb201',
  '--dataset',
  'cifar10',
  '--archs',
  '12',
  '--seeds',
  '1',
  '--batch',
  '32',
  '--data',
  shared,
  '--threads',
  '1',
];

interface Line {
  index: number;
  arch: string;
  seed: number;
  scores: Record<string, number | null>;
  protocol: { batch: number };
}
const readLines = (f: string): Line[] =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

if (!existsSync(shared)) {
  skipSuite('eval_cli', '../shared/data is not beside the checkout');
} else {
  const whole = join(tmp, 'whole.jsonl');

  test('a small eval writes one line per architecture, the table and the plots', () => {
    const r = spawnSync(process.execPath, [cli, ...common, '--out', whole], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const lines = readLines(whole);
    assert.is(lines.length, 12);
    assert.is(new Set(lines.map((l) => l.arch)).size, 12);
    for (const l of lines) {
      for (const k of [
        'params',
        'gradsign',
        'gradsign_mean',
        'gradalign1',
        'gradalign1_params',
        'gradalign1_cosine',
        'gradalign2',
        'gradalign2_params',
        'gradalign2_cosine',
      ]) {
        assert.ok(k in l.scores, `${k} missing`);
      }
      assert.is(l.protocol.batch, 32);
    }
    assert.match(r.stdout, /### vs NB201 cifar10 test accuracy/);
    assert.match(r.stdout, /\| gradsign \| -?\d\.\d{3} \| -?\d\.\d{3} \| 12 \|/);
    assert.match(r.stdout, /imagenet16-120 test accuracy \(cross-dataset/);
    assert.ok(existsSync(join(tmp, 'whole.gradsign.svg')) && existsSync(join(tmp, 'whole.params.svg')));
  });

  test('kill -9 mid-run, then resume: no line lost or duplicated, same scores', async () => {
    const out = join(tmp, 'killed.jsonl');
    const child = spawn(process.execPath, [cli, ...common, '--out', out], { stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const n = existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0;
        if (n >= 4) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 20);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const before = readFileSync(out, 'utf8').split('\n').filter(Boolean).length;
    assert.ok(before >= 4 && before < 12, `killed after ${before} lines`);
    const r = spawnSync(process.execPath, [cli, ...common, '--out', out], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /already in/);
    const lines = readLines(out);
    assert.is(lines.length, 12, 'every architecture exactly once');
    assert.is(new Set(lines.map((l) => l.arch)).size, 12);
    const reference = new Map(readLines(whole).map((l) => [l.arch, l.scores]));
    for (const l of lines) assert.equal(l.scores, reference.get(l.arch), `scores of ${l.arch}`);
  });

  test('--batch-choice per-arch: a fresh batch for each architecture, recorded in the protocol', () => {
    const out = join(tmp, 'per-arch.jsonl');
    const args = [...common.map((a) => (a === '12' ? '3' : a)), '--out', out, '--batch-choice', 'per-arch', '--proxies', 'gradsign'];
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const lines = readLines(out) as (Line & { protocol: { batchChoice: string } })[];
    assert.is(lines.length, 3);
    assert.match(lines[0]!.protocol.batchChoice, /fresh batch per architecture/);
    const same = new Map(readLines(whole).map((l) => [l.arch, l.scores.gradsign]));
    for (const l of lines) assert.is.not(l.scores.gradsign, same.get(l.arch), `${l.arch}: another batch, another GradSign`);
    const again = spawnSync(process.execPath, [cli, ...common.map((a) => (a === '12' ? '3' : a)), '--out', out, '--proxies', 'gradsign'], {
      encoding: 'utf8',
    });
    assert.is(again.status, 2, 'a file made with per-arch batches is refused for the same-batch protocol');
  });

  test('--proxies all with --ntk-batch: the full table (TE-NAS rank included), the NTK batch recorded and checked on resume', () => {
    const out = join(tmp, 'all.jsonl');
    const args = [...common.map((a) => (a === '12' ? '3' : a === '32' ? '8' : a)), '--out', out, '--proxies', 'all', '--ntk-batch', '4'];
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const lines = readLines(out) as (Line & { protocol: { ntkBatch: number } })[];
    assert.is(lines[0]!.protocol.ntkBatch, 4);
    for (const k of [
      'grad_norm',
      'snip',
      'grasp',
      'fisher',
      'synflow',
      'jacob_cov',
      'naswot',
      'zen',
      'tenas_ntk',
      'tenas_lr',
      'flops',
      'tenas',
    ]) {
      assert.match(r.stdout, new RegExp(`\\| ${k} \\| `), `${k} in the table`);
    }
    const other = spawnSync(process.execPath, [cli, ...args.map((a) => (a === '4' ? '6' : a))], { encoding: 'utf8' });
    assert.is(other.status, 2, 'a file made with another NTK batch is refused');
    assert.match(other.stderr, /ntkBatch = 4 there, 6 here/);
  });

  test('--report-only reads a file another run is still writing (torn last line) without touching it', () => {
    const out = join(tmp, 'partial.jsonl');
    const text = readFileSync(whole, 'utf8').split('\n').slice(0, 5).join('\n') + '\n{"space":"nb2';
    writeFileSync(out, text);
    const r = spawnSync(process.execPath, [cli, ...common, '--out', out, '--report-only'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /5 already in .*, 0 to score/);
    assert.match(r.stdout, /\| gradsign \| -?\d\.\d{3} \| -?\d\.\d{3} \| 5 \|/);
    assert.is(readFileSync(out, 'utf8'), text, 'the file is unchanged');
  });
}

test.run();
