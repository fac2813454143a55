/** npm test's closing line (scripts/test.mjs) counts skipped suites as skipped and says why, failures as failures. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from './helpers.js';

test('a skipped suite is counted as skipped, with its reason; a failing test as failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zerocost-summary-'));
  const uvu = pathToFileURL(join(repoRoot, 'node_modules', 'uvu', 'dist', 'index.mjs')).href;
  const helpers = pathToFileURL(join(repoRoot, 'dist', 'tests', 'helpers.js')).href;
  writeFileSync(
    join(dir, 'a.test.mjs'),
    `import { test } from '${uvu}';\ntest('passes', () => {});\ntest('fails', () => { throw new Error('no'); });\ntest.run();\n`,
  );
  writeFileSync(
    join(dir, 'b.test.mjs'),
    `import { test } from '${uvu}';\nimport { skipSuite } from '${helpers}';\nskipSuite('gizmo', 'no gizmo here');\ntest.run();\n`,
  );
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'test.mjs'), dir, '\\.test\\.mjs$'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.is(r.status, 1);
  assert.ok(r.stdout.includes('1 passed, 1 failed, 1 skipped\n  skipped: gizmo (no gizmo here)'), r.stdout.slice(-300));
});

test.run();
