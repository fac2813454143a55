/** `--archs FILE` (src/cli/arch_list.ts), shared by score and eval: true line numbers, every bad line, repeats once. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../src/cli/args.js';
import { parseArchList } from '../src/cli/arch_list.js';
import { repoRoot } from './helpers.js';

const cli = join(repoRoot, 'dist', 'src', 'cli', 'zerocost.js');
const tmp = mkdtempSync(join(tmpdir(), 'zerocost-archs-'));
const A = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const B = '|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|';
// bad lines 4 and 7, after a comment and a blank line that a count of arch lines alone would miss
const BAD = `# header\n\n${A}\n|none~0|+|none~0|bogus~1|+|none~0|none~1|none~2|\n# more\n${B}\n|none~0|+|none~0|none~1|\n`;

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test('every bad line is reported at once with its line in the file', () => {
  try {
    parseArchList(BAD, 'f.txt');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UsageError);
    const lines = (e as Error).message.split('\n');
    assert.is(lines.length, 2, (e as Error).message);
    assert.ok(lines[0]!.startsWith('f.txt:4: ') && lines[0]!.includes('unknown op "bogus"'), lines[0]);
    assert.ok(lines[1]!.startsWith('f.txt:7: ') && lines[1]!.includes('expected 3 node groups'), lines[1]);
  }
});

test('a repeated architecture is kept once, at its first line, with a warning naming every line', () => {
  // comments and surrounding blanks do not make a line different
  const r = parseArchList(`${A}\n${B}  # b\n\n ${A}\n${A}\n`, 'f.txt');
  assert.equal(r.entries, [
    { arch: A, line: 1 },
    { arch: B, line: 2 },
  ]);
  assert.equal(r.warnings, [`f.txt: ${A} is on lines 1, 4, 5: scored once (line 1)`]);
});

test('an empty list and a refused architecture are usage errors', () => {
  assert.throws(
    () => parseArchList('# nothing\n\n', 'f.txt'),
    (e: Error) => e instanceof UsageError && /holds no architecture/.test(e.message),
  );
  assert.throws(
    () => parseArchList(`\n${A}\n`, 'f.txt', { check: () => 'is not wanted' }),
    (e: Error) => e instanceof UsageError && e.message.startsWith('f.txt:2: ') && e.message.endsWith('is not wanted'),
  );
});

for (const command of ['score', 'eval'] as const) {
  test(`${command} --archs FILE names the true line of every bad line and exits 2 before any work`, () => {
    const file = join(tmp, `${command}-bad.txt`);
    writeFileSync(file, BAD);
    const r = run(command, '--archs', file, ...(command === 'eval' ? ['--out', join(tmp, 'bad.jsonl')] : []));
    assert.is(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(`${file}:4: `) && r.stderr.includes(`${file}:7: `), r.stderr);
    assert.is(r.stdout, '');
  });
}

test('score --archs FILE scores a repeated architecture once, with a warning', () => {
  const file = join(tmp, 'repeat.txt');
  writeFileSync(file, `${A}\n${B}\n${A}\n`);
  const r = run('score', '--archs', file, '--proxies', 'params', '--backend', 'js', '--batch', '2', '--quiet');
  assert.is(r.code, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  assert.equal(
    rows.map((c) => c.at(-1)),
    [A, B],
  );
  assert.ok(r.stderr.includes(`warning: ${file}: ${A} is on lines 1, 3: scored once (line 1)`), r.stderr);
});

test('eval --archs FILE scores a repeated architecture once, with a warning', () => {
  const file = join(tmp, 'eval-repeat.txt');
  const out = join(tmp, 'eval-repeat.jsonl');
  writeFileSync(file, `${A}\n${B}\n${B}\n`);
  const r = run('eval', '--archs', file, '--out', out, '--proxies', 'params', '--backend', 'js', '--batch', '2', '--quiet');
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`warning: ${file}: ${B} is on lines 2, 3: scored once (line 2)`), r.stderr);
  const arches = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { arch: string }).arch);
  assert.equal(arches, [A, B]);
});

test.run();
