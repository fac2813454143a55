#!/usr/bin/env node
// Runs the compiled uvu suite (dist/tests/*.test.js) and closes with a plain "N passed, M failed, K skipped" line.
// A suite that cannot run here registers a skipped test (tests/helpers.ts skipSuite) and says why on a
// "SKIPPED —" line; uvu counts skipped tests apart from its Total, and the summary lists the reasons.
// Usage: node scripts/test.mjs [DIR [PATTERN]] (default: dist/tests '\.test\.js$').
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [dir = 'dist/tests', pattern = '\\.test\\.js$', ...rest] = process.argv.slice(2);
// uvu's package exports hide bin.js from resolve(), so point at it directly.
const uvu = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url));
const child = spawn(process.execPath, [uvu, dir, pattern, ...rest], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  process.stdout.write(d);
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
  const total = num('Total'),
    passed = num('Passed'),
    skipped = num('Skipped') || 0;
  if (Number.isFinite(total)) {
    const why = [...plain.matchAll(/^\s*(.+?): SKIPPED — (.+)$/gm)].map((m) => `  skipped: ${m[1]} (${m[2]})`);
    console.log(`${passed} passed, ${total - passed} failed, ${skipped} skipped${why.length ? `\n${why.join('\n')}` : ''}`);
  }
  process.exitCode = code ?? 1;
});
