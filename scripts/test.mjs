#!/usr/bin/env node
// Runs the compiled uvu suite (dist/tests/*.test.js) and closes with a plain "N passed, M failed" line.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// uvu's package exports hide bin.js from resolve(), so point at it directly.
const uvu = fileURLToPath(new URL('../node_modules/uvu/bin.js', import.meta.url));
const child = spawn(process.execPath, [uvu, 'dist/tests', '\\.test\\.js$', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number((plain.match(new RegExp(`${label}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
  if (Number.isFinite(total)) {
    console.log(`${passed} passed, ${total - passed - (skipped || 0)} failed${skipped ? `, ${skipped} skipped` : ''}`);
  }
  process.exitCode = code ?? 1;
});
