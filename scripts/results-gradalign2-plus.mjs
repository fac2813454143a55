#!/usr/bin/env node
// One-off migration of eval results written before GradAlign-II's direction was settled (they hold
// −mean_c log det): negates gradalign2, gradalign2_params and gradalign2_cosine and records the direction
// in the protocol. The log-determinants themselves are unchanged, so no architecture is rescored.
// Usage: node scripts/results-gradalign2-plus.mjs results/*.jsonl
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  let changed = 0;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((text) => {
      const line = JSON.parse(text);
      if (line.protocol.gradalign2 === undefined) {
        for (const k of ['gradalign2', 'gradalign2_params', 'gradalign2_cosine']) {
          if (typeof line.scores[k] === 'number') line.scores[k] = -line.scores[k];
        }
        line.protocol.gradalign2 = '+mean_c log det';
        changed++;
      }
      return JSON.stringify(line);
    });
  writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  renameSync(`${file}.tmp`, file);
  console.log(`${file}: ${changed} of ${lines.length} lines migrated`);
}
