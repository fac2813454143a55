/** The code is as the formatter writes it (`npm run format`): the check `npm run format:check` makes, in the suite. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers.js';

test('every source file is formatted (run `npm run format` to fix)', () => {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const check = scripts['format:check'] ?? '';
  assert.ok(check?.startsWith('prettier --check '), 'package.json has format:check');
  assert.is(check.replace('--check', '--write'), scripts['format'], 'format and format:check cover the same files');
  const globs = [...check.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(globs.length >= 4);
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--check', ...globs], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.is(r.status, 0, `not formatted:\n${r.stdout}${r.stderr}`);
});

test.run();
