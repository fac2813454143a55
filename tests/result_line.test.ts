/** Results-line checks, duplicate counting, shard slices and the writer lock, unit by unit. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkResultLine, ResultLineError, uniqueLines } from '../src/eval/result_line.js';
import { inShard, parseShard, ShardError } from '../src/eval/shard.js';
import { acquireLock, LockedError } from '../src/node/file_lock.js';
import { openResults, ResultsFileError } from '../src/node/results_file.js';

const good = {
  space: 'nb201',
  index: 3,
  arch: 'a',
  dataset: 'cifar10',
  seed: 1,
  scores: { gradsign: 1, gradalign2: null },
  seconds: 0.1,
  warnings: [],
  protocol: {},
};

test('checkResultLine accepts a results line and names the first wrong field of anything else', () => {
  assert.equal(checkResultLine(good), good);
  const cases: [unknown, RegExp][] = [
    [null, /expected a JSON object, got null/],
    [[], /got an array/],
    [7, /got number/],
    [{}, /"space" must be "nb201"/],
    [{ ...good, index: 15625 }, /"index" must be an NB201 index in \[0, 15625\), got 15625/],
    [{ ...good, index: 1.5 }, /"index"/],
    [{ ...good, arch: 5 }, /"arch" must be a string/],
    [{ ...good, seed: 2 ** 32 }, /"seed" must be an integer in \[0, 2\^32\)/],
    [{ ...good, scores: [] }, /"scores" must be an object/],
    [{ ...good, scores: { x: 'high' } }, /score "x" must be a number or null, got "high"/],
    [{ ...good, seconds: undefined }, /"seconds" must be a number, got nothing/],
    [{ ...good, warnings: [1] }, /"warnings"/],
    [{ ...good, protocol: null }, /"protocol" must be an object/],
  ];
  for (const [v, re] of cases) {
    try {
      checkResultLine(v);
      assert.unreachable(`${JSON.stringify(v)} accepted`);
    } catch (e) {
      assert.instance(e, ResultLineError);
      assert.match((e as Error).message, re);
    }
  }
  const table = { space: 'nb201', size: 5, archOf: (i: number) => `arch${i}` };
  assert.throws(() => checkResultLine(good, table), /"arch" "a" is not NB201 architecture #3/);
  assert.ok(checkResultLine({ ...good, arch: 'arch3' }, table));
  assert.throws(() => checkResultLine({ ...good, index: 5, arch: 'arch5' }, table), /"index" must be an NB201 index in \[0, 5\), got 5/);
  const nb101 = { space: 'nb101', size: 1000 };
  assert.throws(() => checkResultLine(good, nb101), /"space" must be "nb101", got "nb201"/);
  assert.ok(checkResultLine({ ...good, space: 'nb101' }, nb101));
});

test('uniqueLines keeps the first line of each (dataset, seed, architecture)', () => {
  const l = (index: number, seed: number, v: number, dataset = 'cifar10') => ({ index, seed, dataset, arch: '', scores: { v } });
  const r = uniqueLines([l(1, 1, 10), l(2, 1, 20), l(1, 1, 11), l(1, 2, 12), l(1, 1, 13, 'cifar100'), l(2, 1, 21)]);
  assert.equal(
    r.lines.map((x) => x.scores.v),
    [10, 20, 12, 13],
  );
  assert.is(r.duplicates, 2);
});

test('shards: K/N parsed strictly; the N slices are disjoint, cover every job and are balanced', () => {
  assert.equal(parseShard('2/8'), { k: 2, n: 8 });
  for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '1/3/4', '-1/3', ' 1/3'])
    assert.throws(
      () => parseShard(bad),
      (e: Error) => e instanceof ShardError,
    );
  for (const n of [1, 2, 3, 7, 16]) {
    const counts = Array.from({ length: n }, () => 0);
    for (let index = 0; index < 15625; index += 3)
      for (const seed of [1, 2, 3]) {
        const owners = counts.map((_, k) => inShard({ k: k + 1, n }, index, seed));
        assert.is(owners.filter(Boolean).length, 1, `job ${index}/${seed} in exactly one of ${n} shards`);
        counts[owners.indexOf(true)]!++;
      }
    const mean = counts.reduce((a, b) => a + b, 0) / n;
    assert.ok(
      counts.every((c) => Math.abs(c - mean) < 0.1 * mean),
      `balanced: ${counts}`,
    );
  }
  assert.ok(inShard(undefined, 5, 1));
});

const dir = mkdtempSync(join(tmpdir(), 'zerocost-lock-'));

test('the lock: a live holder refuses a second writer; a lock from a dead pid is taken over, saying so', () => {
  const target = join(dir, 'r.jsonl');
  const held = acquireLock(target);
  assert.throws(
    () => acquireLock(target),
    (e: Error) => e instanceof LockedError && e.message.includes(`pid ${process.pid} on ${hostname()}`),
  );
  held.release();
  assert.not.ok(existsSync(held.path));
  writeFileSync(held.path, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: 'then', command: 'x' }));
  const said: string[] = [];
  const again = acquireLock(target, (s) => said.push(s));
  assert.match(said.join(), /took over the lock left by pid 4206649/);
  assert.is(JSON.parse(readFileSync(again.path, 'utf8')).pid, process.pid);
  again.release();
  writeFileSync(held.path, JSON.stringify({ pid: 1, host: 'another-host', started: 'then', command: 'x' }));
  assert.throws(() => acquireLock(target), /pid 1 on another-host.*if that run is gone, delete/);
});

test('openResults: a torn last line is cut off; a bad middle line is an error unless repaired', () => {
  const f = join(dir, 'open.jsonl');
  const line = JSON.stringify(good);
  writeFileSync(f, `${line}\n${line}\n{"spa`);
  const r = openResults(f, { check: checkResultLine });
  assert.is(r.existing.length, 2);
  assert.is(r.repaired, 1);
  r.append({ ...good, index: 4 });
  r.close();
  assert.is(readFileSync(f, 'utf8'), `${line}\n${line}\n${JSON.stringify({ ...good, index: 4 })}\n`);
  writeFileSync(f, `${line}\n{}\n${line}\n`);
  assert.throws(
    () => openResults(f, { check: checkResultLine }),
    (e: Error) => e instanceof ResultsFileError && /open\.jsonl:2: not a results line/.test(e.message),
  );
  assert.not.ok(existsSync(`${f}.lock`), 'a failed open releases the lock');
  const fixed = openResults(f, { check: checkResultLine, repair: true });
  fixed.close();
  assert.is(fixed.rejected, 1);
  assert.is(readFileSync(f, 'utf8'), `${line}\n${line}\n`);
  assert.is(readFileSync(`${f}.rejected`, 'utf8'), '{}\n');
  assert.throws(() => openResults(join(dir, 'none.jsonl'), { readOnly: true, mustExist: true }), /no such results file/);
});

test.run();
