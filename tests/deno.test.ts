/**
 * The same core in Deno: the WASM backend on Web Workers (2 threads) and on one thread scores a PyTorch
 * fixture exactly as PyTorch does, and the WebGPU backend on Deno's own navigator.gpu (wgpu; lavapipe on CI)
 * gives the WASM backend's scores. Deno comes from the npm registry (`deno` package); it is not a
 * devDependency because its other platforms' binaries are not reachable from here, which leaves npm's lock
 * file unusable. .ci/run installs it and sets ZEROCOST_DENO; elsewhere the test looks on the PATH and says
 * so when it skips.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir, readJson, relErr, repoRoot, skipSuite } from './helpers.js';

function findDeno(): string | undefined {
  for (const candidate of [process.env.ZEROCOST_DENO, join(repoRoot, 'node_modules', '.bin', 'deno'), 'deno']) {
    if (candidate && spawnSync(candidate, ['--version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}
const deno = findDeno();
if (!deno) skipSuite('deno', 'no deno (npm install --no-save deno@2.9.6, or set ZEROCOST_DENO)');
const expected = readJson<{ cases: Record<string, { scores: Record<string, number> }> }>(join(fixturesDir, 'expected.json')).cases;

for (const name of deno ? ['index0', 'imagenet16'] : []) {
  test(`Deno: wasm backend on Web Workers matches PyTorch (${name})`, () => {
    const want = expected[name]!.scores;
    const results = ['2', '1'].map((threads) => {
      const r = spawnSync(deno!, ['run', '--allow-read', join(repoRoot, 'tests', 'deno', 'score_fixture.mjs'), name, threads], {
        encoding: 'utf8',
        timeout: 120_000,
      });
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

const run = (args: string[]) => {
  const r = spawnSync(deno!, ['run', '--allow-read', join(repoRoot, 'tests', 'deno', 'score_fixture.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0 && /no WebGPU adapter/.test(r.stderr) && process.env.ZEROCOST_REQUIRE_WEBGPU !== '1') return null;
  assert.is(r.status, 0, `deno exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as { backend: string; adapter: { description: string } | null; scores: Record<string, number> };
};

if (deno) {
  test('Deno: WebGPU backend on navigator.gpu scores a fixture as PyTorch and the WASM backend do (tiny)', () => {
    const gpu = run(['tiny', '1', 'webgpu']),
      wasm = run(['tiny', '1', 'wasm'])!;
    if (!gpu) return console.log('  deno webgpu: skipped (no adapter; ZEROCOST_REQUIRE_WEBGPU=1 makes this fail)');
    assert.is(gpu.backend, 'webgpu');
    console.log(`  deno webgpu adapter: ${gpu.adapter?.description}`);
    const want = expected.tiny!.scores;
    assert.ok(relErr(gpu.scores.gradsign!, want.gradsign_sum!) <= 1e-3, `gradsign ${gpu.scores.gradsign} vs ${want.gradsign_sum}`);
    for (const k of ['gradsign', 'gradalign1', 'gradalign2'])
      assert.ok(relErr(gpu.scores[k]!, wasm.scores[k]!) <= 1e-4, `${k}: webgpu ${gpu.scores[k]} vs wasm ${wasm.scores[k]}`);
  });
}

/** The code block after README's marker, exactly as a reader copies it. */
function readmeSnippet(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = readme.match(/<!-- tests\/deno\.test\.ts runs the next block -->\n```js\n([\s\S]*?)\n```/);
  assert.ok(m, 'README has the Deno snippet after its marker');
  return m![1]!;
}

if (deno) {
  test("README's Deno snippet runs as shown and prints the scores of zerocost score", () => {
    // saved in the checkout root, as README says, so that its relative imports resolve as a reader's would
    const file = join(repoRoot, `.readme-snippet-${process.pid}.mjs`);
    writeFileSync(file, readmeSnippet());
    let r;
    try {
      r = spawnSync(deno!, ['run', '--allow-read', file], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    } finally {
      rmSync(file, { force: true });
    }
    assert.is(r.status, 0, `deno exited ${r.status}: ${r.stderr}`);
    const got = JSON.parse(r.stdout.trim()) as Record<string, number>;
    const A = readmeSnippet().match(/const A = '([^']+)'/)![1]!;
    const cli = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js'),
        'score',
        '--arch',
        A,
        '--batch',
        '16',
        '--seed',
        '1',
        '--backend',
        'wasm',
        '--threads',
        '2',
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    assert.is(cli.status, 0, cli.stderr);
    const want = (JSON.parse(cli.stdout) as { scores: Record<string, number> }).scores;
    for (const k of ['gradsign', 'gradalign1', 'gradalign2'])
      assert.ok(relErr(got[k]!, want[k]!) <= 1e-6, `${k}: deno ${got[k]} vs zerocost score ${want[k]}`);
  });
}

test.run();
