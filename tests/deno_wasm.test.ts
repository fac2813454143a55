/**
 * The same core in Deno: the WASM backend on Web Workers (2 threads) and on one thread scores a PyTorch
 * fixture exactly as PyTorch does. Deno comes from the npm registry (`deno` package); it is not a
 * devDependency because its other platforms' binaries are not reachable from here, which leaves npm's lock
 * file unusable. .ci/run installs it and sets ZEROCOST_DENO; elsewhere the test looks on the PATH and says
 * so when it skips.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir, readJson, relErr, repoRoot } from './helpers.js';

function findDeno(): string | undefined {
  for (const candidate of [process.env.ZEROCOST_DENO, join(repoRoot, 'node_modules', '.bin', 'deno'), 'deno']) {
    if (candidate && spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}
const deno = findDeno();
if (!deno) console.log('deno_wasm: SKIPPED — no deno (npm install --no-save deno@2.9.6, or set ZEROCOST_DENO)');
const expected = readJson<{ cases: Record<string, { scores: Record<string, number> }> }>(join(fixturesDir, 'expected.json')).cases;

for (const name of deno ? ['index0', 'imagenet16'] : []) {
  test(`Deno: wasm backend on Web Workers matches PyTorch (${name})`, () => {
    const want = expected[name]!.scores;
    const results = ['2', '1'].map((threads) => {
      const r = spawnSync(deno!, ['run', '--allow-read', join(repoRoot, 'tests', 'deno', 'score_fixture.mjs'), name, threads], { encoding: 'utf8', timeout: 120_000 });
      assert.is(r.status, 0, `deno exited ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout.trim()) as { runtime: string; threads: number; scores: Record<string, number> };
    });
    assert.is(results[0]!.threads, 2, 'two threads in Deno');
    assert.ok(results[0]!.runtime.startsWith('deno '));
    const s = results[0]!.scores;
    assert.ok(relErr(s.gradsign!, want.gradsign_sum!) <= 1e-3, `gradsign ${s.gradsign} vs ${want.gradsign_sum}`);
    assert.ok(relErr(s.gradalign1!, want.gradalign1_none!) <= 1e-3, `gradalign1 ${s.gradalign1}`);
    assert.ok(Math.abs(s.gradalign2! + want.gradalign2_none!) <= 1e-3, `gradalign2 ${s.gradalign2}`);
    assert.equal(results[1]!.scores, s, 'one thread equals two threads');
  });
}

test.run();
