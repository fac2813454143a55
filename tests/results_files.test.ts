/**
 * Results files that can be trusted (issue 11, points 1–4, 6, 16), end to end through the CLI on the real
 * images in ../shared: portable between folders and spellings of the data path, one writer at a time, write
 * failures that stop the run, bad lines named and repairable, and sharded runs that merge into the
 * unsharded run's file and report.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, skipSuite } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const shared = join(repoRoot, '..', 'shared', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-results-'));
const base = (seeds = '1', batch = '16') => [
  '--space',
  'nb201',
  '--dataset',
  'cifar10',
  '--seeds',
  seeds,
  '--batch',
  batch,
  '--threads',
  '1',
  '--backend',
  'wasm',
  '--quiet',
];
const evalArgs = (n: number, out: string, data = shared, extra: string[] = [], seeds = '1', batch = '16') => [
  'eval',
  ...base(seeds, batch),
  '--archs',
  String(n),
  '--data',
  data,
  '--out',
  out,
  ...extra,
];
const run = (args: string[], cwd = repoRoot) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd });
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter(Boolean);

interface Line {
  index: number;
  seed: number;
  scores: Record<string, number | null>;
  protocol: { data: unknown };
}

if (!existsSync(shared)) {
  skipSuite('results_files', '../shared/data is not beside the checkout');
} else {
  const six = join(tmp, 'six.jsonl');

  test('the protocol identifies the images by content: another folder, a trailing slash, a relative path and a symlink resume and report', () => {
    const r = run(evalArgs(6, six));
    assert.is(r.status, 0, r.stderr);
    const data = (JSON.parse(lines(six)[0]!) as Line).protocol.data as { images: string; count: number; sha256: string };
    assert.equal(Object.keys(data), ['images', 'count', 'sha256']);
    assert.is(data.images, 'cifar10 train');
    assert.match(data.sha256, /^[0-9a-f]{64}$/);
    assert.not.match(JSON.stringify(data), /shared/, 'no path in the protocol');

    const elsewhere = join(tmp, 'other-clone', 'results');
    mkdirSync(elsewhere, { recursive: true });
    const copy = join(elsewhere, 'six.jsonl');
    copyFileSync(six, copy);
    const link = join(tmp, 'data-link');
    symlinkSync(shared, link);
    for (const spelling of [shared + '/', relative(elsewhere, shared), link]) {
      const report = run(evalArgs(6, copy, spelling, ['--report-only']), elsewhere);
      assert.is(report.status, 0, `${spelling}: ${report.stderr}`);
      assert.match(report.stderr, /6 already in .*, 0 to score/);
      assert.is(report.stdout, r.stdout, `${spelling}: the same report`);
    }
    const resumed = run(evalArgs(6, copy, link, [], '1,2'), elsewhere);
    assert.is(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /6 already in .*, 6 to score/);
    assert.is(lines(copy).length, 12);
  });

  test('the committed results files report from a copy in another folder', () => {
    const dir = join(tmp, 'committed');
    mkdirSync(dir);
    const copy = join(dir, 'c10.jsonl');
    copyFileSync(join(repoRoot, 'results', 'nb201-cifar10-b128.jsonl'), copy);
    const r = run(
      [
        'eval',
        '--space',
        'nb201',
        '--dataset',
        'cifar10',
        '--archs',
        '1000',
        '--seeds',
        '1,2,3',
        '--batch',
        '128',
        '--data',
        shared + '/',
        '--out',
        copy,
        '--report-only',
        '--quiet',
        '--backend',
        'js',
      ],
      dir,
    );
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| gradsign \| 0\.792 ± 0\.007 \| 0\.601 ± 0\.008 \| 1000 \| 0 \|/);
  });

  test('a file made from other images is refused, naming the difference', () => {
    const other = join(tmp, 'other-images');
    mkdirSync(other);
    copyFileSync(join(shared, 'cifar10', 'test_batch.bin'), join(other, 'data_batch_1.bin'));
    const copy = join(tmp, 'six-other.jsonl');
    copyFileSync(six, copy);
    for (const extra of [[], ['--report-only']]) {
      const r = run(evalArgs(6, copy, other, extra));
      assert.is(r.status, 2, r.stderr);
      assert.match(r.stderr, /other images: 5438 images there, \d+ here; content sha256 [0-9a-f]{12}… there, [0-9a-f]{12}… here/);
    }
  });

  test('one writer: a second eval on the same --out fails naming the first; a stale lock is taken over', async () => {
    const out = join(tmp, 'locked.jsonl');
    const first = spawn(process.execPath, [cli, ...evalArgs(12, out)], { stdio: 'ignore' });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (existsSync(`${out}.lock`)) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    const second = run(evalArgs(12, out));
    const firstExit = await new Promise<number | null>((resolve) => first.once('exit', resolve));
    assert.is(second.status, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`being written by another zerocost process \\(pid ${first.pid} on ${hostname()}`));
    assert.is(firstExit, 0);
    assert.is(lines(out).length, 12, 'no duplicates');
    assert.not.ok(existsSync(`${out}.lock`), 'the lock is released at the end');

    // A killed run leaves its lock: a pid that is gone is detected and the lock taken over.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(
      `${out}.lock`,
      JSON.stringify({ pid: Number(dead), host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'eval' }) + '\n',
    );
    const again = run(evalArgs(12, out));
    assert.is(again.status, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`took over the lock left by pid ${dead} .* no longer running`));
    assert.not.ok(existsSync(`${out}.lock`));
  });

  test('duplicate lines are counted once by the report and by select, which say how many they ignored', () => {
    const out = join(tmp, 'dups.jsonl');
    const text = readFileSync(six, 'utf8');
    writeFileSync(out, text + lines(six).slice(0, 2).join('\n') + '\n');
    const r = run(evalArgs(6, out, shared, ['--report-only']));
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /2 duplicate line\(s\) .* ignored/);
    assert.match(r.stdout, /\(6 lines; 2 duplicate lines ignored\)/);
    assert.match(r.stdout, /\| gradsign \| -?\d\.\d{3} \| -?\d\.\d{3} \| 6 \|/);
    const clean = run(evalArgs(6, six, shared, ['--report-only']));
    assert.is(r.stdout.replace('; 2 duplicate lines ignored', ''), clean.stdout, 'the same numbers as without the duplicates');
    const s = run(['select', '--results', out, '--n', '3', '--runs', '20']);
    assert.is(s.status, 0, s.stderr);
    assert.match(s.stderr, /2 duplicate line\(s\)/);
    assert.match(s.stdout, /from the 6 architectures scored/);
  });

  test('a failed or short write stops the run with exit 1 naming the file; no unsaved result is counted', () => {
    const out = join(tmp, 'full.jsonl');
    const lineBytes = Buffer.byteLength(lines(six)[0]!) + 1;
    // RLIMIT_FSIZE stands in for a full disk: writes past it are short, then fail with EFBIG.
    const limitKiB = Math.ceil((3.5 * lineBytes) / 1024);
    const r = spawnSync(
      'bash',
      ['-c', `trap '' XFSZ; ulimit -f ${limitKiB}; exec "$0" "$@"`, process.execPath, cli, ...evalArgs(12, out)],
      { encoding: 'utf8' },
    );
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot write to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: (short write|EFBIG)`));
    assert.not.match(r.stdout, /###/, 'no report of unsaved results');
    const saved = lines(out);
    assert.ok(saved.length >= 2 && saved.length < 12, `${saved.length} lines`);
    assert.ok(readFileSync(out, 'utf8').endsWith('\n'), 'only whole lines: the torn write was cut back');
    for (const l of saved) JSON.parse(l);
    assert.is((r.stderr.match(/^error: #/gm) ?? []).length, 0, 'stopped at the first failure, no architecture scored after it');
  });

  test('bad lines in the middle name file and line; --repair moves them to FILE.rejected and keeps the rest', () => {
    const out = join(tmp, 'bad.jsonl');
    const good = lines(six);
    const l0 = JSON.parse(good[0]!) as Record<string, unknown>;
    const missing = { ...l0 };
    delete missing.scores;
    const bad = [
      'null',
      '{}',
      '[]',
      JSON.stringify(missing),
      JSON.stringify({ ...l0, index: 99999 }),
      JSON.stringify({ ...l0, index: 'x' }),
    ];
    writeFileSync(out, [good[0], bad[0], good[1], '', bad[1], bad[2], good[2], bad[3], bad[4], bad[5], ...good.slice(3)].join('\n') + '\n');
    for (const args of [evalArgs(6, out, shared, ['--report-only']), evalArgs(6, out), ['select', '--results', out]]) {
      const r = run(args);
      assert.is(r.status, 1, r.stderr);
      for (const [line, why] of [
        [2, 'expected a JSON object, got null'],
        [5, '"space" must be "nb201"'],
        [6, 'expected a JSON object, got an array'],
        [8, '"scores" must be an object'],
        [9, '"index" must be an NB201 index'],
        [10, '"index" must be'],
      ] as const) {
        assert.match(r.stderr, `${out}:${line}: not a results line: ${why}`);
      }
      assert.match(
        r.stderr,
        args[0] === 'select'
          ? /6 bad line\(s\) among 6 good ones; run the zerocost eval that wrote it with --report-only --repair to move them/
          : /6 bad line\(s\) among 6 good ones; run again with --repair/,
      );
      assert.not.match(r.stderr, /TypeError|Cannot read/);
    }
    const repaired = run(evalArgs(6, out, shared, ['--report-only', '--repair']));
    assert.is(repaired.status, 0, repaired.stderr);
    assert.match(repaired.stderr, /moved 6 bad line\(s\) \(2, 5, 6, 8, 9, 10\) to .*bad\.jsonl\.rejected; kept 6/);
    assert.equal(lines(out), good);
    assert.equal(lines(`${out}.rejected`), bad);
    assert.match(repaired.stdout, /\| gradsign \| -?\d\.\d{3} \| -?\d\.\d{3} \| 6 \|/);
  });

  test('--report-only on a missing file is an error and writes nothing', () => {
    const dir = join(tmp, 'missing');
    mkdirSync(dir);
    const r = run(evalArgs(6, join(dir, 'nothing.jsonl'), shared, ['--report-only']));
    assert.is(r.status, 1);
    assert.match(r.stderr, /nothing\.jsonl: no such results file/);
    assert.equal(readdirSync(dir), []);
  });

  test('--shard K/N: three concurrent shards merge into the unsharded run: same lines, same report', async () => {
    const whole = join(tmp, 'whole9.jsonl');
    const args = (out: string, extra: string[] = []) => evalArgs(9, out, shared, extra, '1,2');
    const r = run(args(whole));
    assert.is(r.status, 0, r.stderr);
    const shards = [1, 2, 3].map((k) => join(tmp, `shard-${k}.jsonl`));
    const codes = await Promise.all(
      shards.map(
        (out, i) =>
          new Promise<number | null>((resolve) => {
            spawn(process.execPath, [cli, ...args(out, ['--shard', `${i + 1}/3`])], { stdio: 'ignore' }).once('exit', resolve);
          }),
      ),
    );
    assert.equal(codes, [0, 0, 0]);
    const counts = shards.map((f) => lines(f).length);
    assert.is(
      counts.reduce((a, b) => a + b, 0),
      18,
      `disjoint slices that cover the run: ${counts}`,
    );
    assert.ok(
      counts.every((c) => c > 0),
      `every shard has work: ${counts}`,
    );
    const merged = join(tmp, 'merged.jsonl');
    // the first shard twice: its lines are counted once
    const m = run(['merge', merged, ...shards, shards[0]!]);
    assert.is(m.status, 0, m.stderr);
    assert.match(m.stderr, new RegExp(`18 results from 4 file\\(s\\) into .*merged\\.jsonl; ${counts[0]} duplicate line\\(s\\) ignored`));
    const key = (l: string) => {
      const o = JSON.parse(l) as Line;
      return `${o.seed}|${o.index}`;
    };
    const scores = (f: string) => new Map(lines(f).map((l) => [key(l), (JSON.parse(l) as Line).scores]));
    assert.equal(scores(merged), scores(whole));
    const a = run(args(merged, ['--report-only'])),
      b = run(args(whole, ['--report-only']));
    assert.is(a.status, 0, a.stderr);
    assert.is(a.stdout, b.stdout, 'the same report');
    const sa = run(['select', '--results', merged, '--n', '3', '--runs', '50']),
      sb = run(['select', '--results', whole, '--n', '3', '--runs', '50']);
    assert.is(sa.stdout, sb.stdout, 'the same selection: draws do not depend on line order');
  });

  test('merge refuses files of different protocols and an existing OUT that is not an input', () => {
    const b32 = join(tmp, 'b32.jsonl');
    const r = run(evalArgs(2, b32, shared, [], '1', '32'));
    assert.is(r.status, 0, r.stderr);
    const m = run(['merge', join(tmp, 'mixed.jsonl'), six, b32]);
    assert.is(m.status, 1);
    assert.match(m.stderr, /hold results of different protocols: batch = 32 in .*b32\.jsonl, 16 in .*six\.jsonl/);
    assert.not.ok(existsSync(join(tmp, 'mixed.jsonl')));
    const exists = run(['merge', b32, six]);
    assert.is(exists.status, 2);
    assert.match(exists.stderr, /exists and is not one of the inputs/);
  });

  test('a finished file committed gzipped reports and selects as the plain one; it is never written, and a cut gzip is named', () => {
    const gz = join(tmp, 'six-gz.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(six)));
    const plain = run(evalArgs(6, six, shared, ['--report-only'])),
      packed = run(evalArgs(6, gz, shared, ['--report-only']));
    assert.is(packed.status, 0, packed.stderr);
    assert.is(packed.stdout, plain.stdout, 'the same report');
    assert.ok(existsSync(join(tmp, 'six-gz.gradsign.svg')), 'plots named without .jsonl.gz');
    const sa = run(['select', '--results', gz, '--n', '3', '--runs', '20']),
      sb = run(['select', '--results', six, '--n', '3', '--runs', '20']);
    assert.is(sa.status, 0, sa.stderr);
    assert.is(sa.stdout, sb.stdout);
    const resume = run(evalArgs(7, gz));
    assert.is(resume.status, 1);
    assert.match(resume.stderr, /six-gz\.jsonl\.gz is gzipped: it can be read .* gunzip it to resume/);
    const cut = join(tmp, 'cut.jsonl.gz');
    const bytes = readFileSync(gz);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 9));
    const bad = run(['select', '--results', cut, '--n', '3', '--runs', '20']);
    assert.is(bad.status, 1);
    assert.match(bad.stderr, /cut\.jsonl\.gz: not a whole gzip file/);
  });
}

test.run();
