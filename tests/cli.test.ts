/** The command line, run as a user would: exit codes, messages that name the problem, JSON output. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir, readJson, relErr, repoRoot } from './helpers.js';
import { logRankAggregate } from '../src/eval/population_scores.js';
import { ENSEMBLE_MEMBERS } from '../src/proxies/ensemble.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-cli-'));
const cases = readJson<{ cases: Record<string, { arch: string; scores: Record<string, number | null> }> }>(
  join(fixturesDir, 'expected.json'),
).cases;

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function fixtureArgs(name: string): string[] {
  return [
    '--arch',
    cases[name]!.arch,
    '--weights',
    join(fixturesDir, `${name}.weights.safetensors`),
    '--input',
    join(fixturesDir, `${name}.input.safetensors`),
  ];
}

test('--help documents every command and exits 0', () => {
  const r = run('--help');
  assert.is(r.code, 0);
  for (const s of ['zerocost score', 'zerocost demo', '--gradalign-norm', '--gradsign-reduction', '--weights', '--input', '--json'])
    assert.ok(r.stdout.includes(s), s);
});

test('usage errors exit 2 and name the problem', () => {
  const A = cases.index0!.arch;
  const expectations: [string[], string][] = [
    [['score', '--arch', '|nor_conv_3x3~0|+|conv~0|none~1|+|none~0|none~1|none~2|'], 'unknown op "conv"'],
    [['score', '--arch', '|none~0|+|none~0|none~1|'], 'expected 3 node groups'],
    [['score', '--arch', '|none~0|+|none~0|none~2|+|none~0|none~1|none~2|'], 'not before it'],
    [['score', '--arch', A, '--proxies', 'gradsign,synflw'], 'unknown proxy "synflw"'],
    [['score', '--arch', A, '--frobnicate'], 'unknown option --frobnicate'],
    [['score', '--arch', A, '--batch', 'ten'], '--batch must be an integer'],
    [['score', '--arch', A, '--gradalign-norm', 'l2'], '--gradalign-norm must be one of none|params|cosine'],
    [['score'], 'exactly one of --arch STR, --archs FILE or --sample N'],
    [['score', '--arch', A, '--batch', '100000'], 'exceeds the 512 images'],
    [['rank'], 'unknown command "rank"'],
  ];
  for (const [args, message] of expectations) {
    const r = run(...args);
    assert.is(r.code, 2, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(message), `${args.join(' ')}: stderr ${JSON.stringify(r.stderr)} lacks ${JSON.stringify(message)}`);
  }
});

test('--threads past the cores is a usage error naming the limit, before any worker starts', () => {
  const cores = availableParallelism();
  for (const command of [
    ['score', '--arch', cases.index0!.arch],
    ['demo'],
    ['eval', '--archs', '2', '--out', join(tmp, 'threads.jsonl')],
  ]) {
    const t0 = Date.now();
    const r = run(...command, '--threads', String(cores + 1), '--backend', 'wasm');
    assert.is(r.code, 2, `${command[0]}: exit ${r.code}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(`--threads must be at most ${cores} (the cores available), got ${cores + 1}`), r.stderr);
    assert.ok(Date.now() - t0 < 5000, `${command[0]}: ${Date.now() - t0} ms`);
  }
});

test('--backend auto leaves no native noise on stderr, with the Vulkan driver hidden or present (demo, score, --quiet)', () => {
  // zerocost's own stderr lines; Dawn's native ones ("Warning: vkCreateInstance…", "Warning: maxDynamic…") are none of these.
  const own = /^(backend: |Scoring \d+ random NB201 |\[\d+\/\d+\] |\s*warning: )/;
  const A = cases.index0!.arch;
  for (const env of [{ ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' }, process.env]) {
    for (const [args, allowed] of [
      [['demo', '--n', '2', '--batch', '16'], own],
      [['score', '--arch', A, '--batch', '8'], own],
      [['score', '--arch', A, '--batch', '8', '--quiet'], /^warning: /],
    ] as const) {
      const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env, timeout: 120_000 });
      assert.is(r.status, 0, r.stderr);
      const foreign = r.stderr.split('\n').filter((line) => line !== '' && !allowed.test(line));
      assert.equal(foreign, [], `${args.join(' ')} (VK_ICD_FILENAMES=${env.VK_ICD_FILENAMES ?? 'unset'})`);
    }
  }
});

test('an --archs file is validated line by line before any work', () => {
  const file = join(tmp, 'archs.txt');
  writeFileSync(file, `# a comment\n${cases.index0!.arch}\n\n|none~0|+|none~0|none~1|+|none~0|none~1|bogus~2|\n`);
  const r = run('score', '--archs', file);
  assert.is(r.code, 2);
  assert.ok(r.stderr.includes(`${file}:4:`) && r.stderr.includes('unknown op "bogus"'), r.stderr);
  assert.is(r.stdout, '');
});

test('data errors exit 1 and name the file and tensor', () => {
  const wrongArch = run(
    'score',
    '--arch',
    cases.index0!.arch,
    '--weights',
    join(fixturesDir, 'readme.weights.safetensors'),
    '--input',
    join(fixturesDir, 'index0.input.safetensors'),
  );
  assert.is(wrongArch.code, 1);
  assert.ok(
    wrongArch.stderr.includes('readme.weights.safetensors') &&
      wrongArch.stderr.includes('"cells.0.layers.1.op.1.weight" has shape [16,16,3,3], expected [16,16,1,1]'),
    wrongArch.stderr,
  );

  const truncated = join(tmp, 'truncated.safetensors');
  const bytes = readFileSync(join(fixturesDir, 'index0.input.safetensors'));
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
  const r = run('score', '--arch', cases.index0!.arch, '--input', truncated);
  assert.is(r.code, 1);
  assert.ok(r.stderr.includes('truncated.safetensors') && r.stderr.includes('truncated'), r.stderr);
});

test('score --weights --input --json equals the PyTorch reference', () => {
  const r = run(
    'score',
    ...fixtureArgs('index0'),
    '--proxies',
    'gradsign,gradalign1,gradalign2',
    '--gradsign-reduction',
    'sum',
    '--gradalign-norm',
    'none',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 1);
  const out = JSON.parse(lines[0]!) as { arch: string; scores: Record<string, number>; seconds: number; protocol: Record<string, unknown> };
  const want = cases.index0!.scores;
  assert.is(out.arch, cases.index0!.arch);
  assert.ok(relErr(out.scores.gradsign!, want.gradsign_sum!) <= 1e-3);
  assert.ok(relErr(out.scores.gradalign1!, want.gradalign1_none!) <= 1e-3);
  // the fixtures hold the paper's prose reading −log det; the default is +log det (README, Settling GradAlign)
  assert.ok(Math.abs(out.scores.gradalign2! + want.gradalign2_none!) <= 1e-3);
  const minus = JSON.parse(
    run('score', ...fixtureArgs('index0'), '--proxies', 'gradalign2', '--gradalign2-sign', 'minus', '--json').stdout,
  ) as { scores: Record<string, number> };
  assert.ok(Math.abs(minus.scores.gradalign2! - want.gradalign2_none!) <= 1e-3);
  assert.ok(out.seconds > 0);
  assert.is(out.protocol.gradsignReduction, 'sum');
  assert.is(out.protocol.gradalignNorm, 'none');
  assert.is(out.protocol.batch, 16);
});

test('an undefined score is null in JSON with a warning, not a crash', () => {
  const r = run('score', ...fixtureArgs('all_none'), '--json');
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { scores: Record<string, number | null>; warnings: string[] };
  assert.is(out.scores.gradsign, 0);
  assert.is(out.scores.gradalign2, null);
  assert.ok(out.warnings.some((w) => w.includes('singular')));
  assert.ok(r.stderr.includes('warning:'));
});

test('seeded init and batch: the same seed gives the same scores, saved weights and input reproduce them', () => {
  const A = cases.index0!.arch;
  const weights = join(tmp, 'w.safetensors'),
    input = join(tmp, 'x.safetensors');
  const a = run('score', '--arch', A, '--batch', '8', '--seed', '3', '--json', '--save-weights', weights, '--save-input', input);
  const b = run('score', '--arch', A, '--batch', '8', '--seed', '3', '--json');
  const c = run('score', '--arch', A, '--weights', weights, '--input', input, '--json');
  const d = run('score', '--arch', A, '--batch', '8', '--seed', '4', '--json');
  for (const r of [a, b, c, d]) assert.is(r.code, 0, r.stderr);
  const scores = (r: { stdout: string }) => (JSON.parse(r.stdout) as { scores: Record<string, number> }).scores;
  assert.equal(scores(a), scores(b));
  assert.equal(scores(a), scores(c));
  assert.not.equal(scores(a).gradsign, scores(d).gradsign);
});

test('--backend wasm gives the scores of --backend js on the same seed (threads 1 and 2)', () => {
  const file = join(tmp, 'two.txt');
  writeFileSync(file, `${cases.index0!.arch}\n${cases.readme!.arch}\n`);
  const common = ['score', '--archs', file, '--batch', '12', '--seed', '5', '--json', '--quiet'];
  const parse = (r: { code: number; stdout: string; stderr: string }) => {
    assert.is(r.code, 0, r.stderr);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { arch: string; scores: Record<string, number>; protocol: { backend: string } });
  };
  const js = parse(run(...common, '--backend', 'js'));
  for (const threads of ['1', '2']) {
    const wasm = parse(run(...common, '--backend', 'wasm', '--threads', threads));
    assert.is(wasm.length, 2);
    wasm.forEach((w, i) => {
      const j = js[i]!;
      assert.is(w.arch, j.arch);
      assert.is(w.protocol.backend, 'wasm');
      assert.ok(relErr(w.scores.gradsign!, j.scores.gradsign!) <= 1e-3, `gradsign ${w.scores.gradsign} vs ${j.scores.gradsign}`);
      assert.ok(relErr(w.scores.gradalign1!, j.scores.gradalign1!) <= 1e-3, `gradalign1 ${w.scores.gradalign1} vs ${j.scores.gradalign1}`);
      assert.ok(
        Math.abs(w.scores.gradalign2! - j.scores.gradalign2!) <= 1e-3,
        `gradalign2 ${w.scores.gradalign2} vs ${j.scores.gradalign2}`,
      );
    });
  }
  // --conv winograd: the wasm backend's opt-in F(2×2,3×3) convolutions, recorded in the protocol, same tolerance
  const winograd = parse(run(...common, '--backend', 'wasm', '--threads', '2', '--conv', 'winograd'));
  winograd.forEach((w, i) => {
    assert.is((w.protocol as { convolution?: string }).convolution, 'winograd');
    assert.ok(
      relErr(w.scores.gradsign!, js[i]!.scores.gradsign!) <= 1e-3,
      `winograd gradsign ${w.scores.gradsign} vs ${js[i]!.scores.gradsign}`,
    );
  });
  const refused = run(...common, '--backend', 'js', '--conv', 'winograd');
  assert.is(refused.code, 2, refused.stderr);
  assert.ok(refused.stderr.includes('--conv winograd is a wasm backend option (got --backend js)'), refused.stderr);
});

test('score --proxies ensemble: the members per architecture, then the ensemble over the architectures scored (text and JSON)', () => {
  const file = join(tmp, 'ensemble.txt');
  writeFileSync(
    file,
    `${cases.readme!.arch}\n${cases.index0!.arch}\n|nor_conv_1x1~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|skip_connect~1|avg_pool_3x3~2|\n`,
  );
  const common = [
    'score',
    '--archs',
    file,
    '--batch',
    '8',
    '--seed',
    '3',
    '--proxies',
    'ensemble',
    '--swap-repeats',
    '2',
    '--backend',
    'wasm',
    '--threads',
    '1',
    '--quiet',
  ];
  const j = run(...common, '--json');
  assert.is(j.code, 0, j.stderr);
  const lines = j.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const archs = lines.slice(0, -1) as { arch: string; scores: Record<string, number | null> }[];
  const population = lines.at(-1).population as { key: string; architectures: number; scores: { arch: string; ensemble: number }[] };
  assert.is(archs.length, 3);
  assert.equal(Object.keys(archs[0]!.scores), [...ENSEMBLE_MEMBERS]);
  assert.is(population.key, 'ensemble');
  const complete = archs.filter((a) => ENSEMBLE_MEMBERS.every((m) => typeof a.scores[m] === 'number'));
  assert.is(population.architectures, complete.length);
  assert.ok(complete.length >= 2, `${complete.length} complete`);
  const want = logRankAggregate(ENSEMBLE_MEMBERS.map((m) => complete.map((a) => a.scores[m] as number)));
  population.scores.forEach((s, i) => {
    assert.is(s.arch, complete[i]!.arch);
    assert.ok(Math.abs(s.ensemble - want[i]!) < 1e-9, `${s.arch}: ${s.ensemble} vs ${want[i]}`);
  });
  const t = run(...common);
  assert.is(t.code, 0, t.stderr);
  assert.match(t.stdout, /# ensemble = Σ ln\(rank\/N\) of meco, /);
  assert.ok(t.stdout.includes(`over these ${complete.length} architectures`), t.stdout);
});

test.run();
