#!/usr/bin/env node
// Migration of eval results written before the protocol identified its images by content: their
// `protocol.data` is a string naming a folder ("cifar10 train (5438 images in /work/shared/data)"), which no
// other checkout can match. Each such line gets the data's identity (split, count, SHA-256 of what is
// loaded; src/node/data_fingerprint.ts) computed from --data DIR, after checking that the image count is the
// one the string records. Nothing is rescored. Needs `npm run build` first.
// Usage: node scripts/results-data-fingerprint.mjs results/*.jsonl [--data ../shared/data]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { loadCifar, loadBundledCifar10Sample } = await import(join(root, 'dist/src/node/files.js'));
const { cifarIdentity } = await import(join(root, 'dist/src/node/data_fingerprint.js'));
const { acquireLock } = await import(join(root, 'dist/src/node/file_lock.js'));

const argv = process.argv.slice(2);
const at = argv.indexOf('--data');
const dir = at >= 0 ? argv.splice(at, 2)[1] : join(root, '..', 'shared', 'data');
const identities = new Map();
function identityOf(description) {
  if (!identities.has(description)) {
    let m, data, images;
    if ((m = /^(cifar10|cifar100) (train|test) \((\d+) images in .*\)$/.exec(description))) {
      data = loadCifar(dir, m[1], m[2]);
      images = `${m[1]} ${m[2]}`;
    } else if ((m = /^bundled CIFAR-10 test sample \((\d+) images\)$/.exec(description))) {
      data = loadBundledCifar10Sample();
      images = 'cifar10 test (bundled sample)';
      m = [, , , m[1]];
    } else throw new Error(`unrecognised protocol.data ${JSON.stringify(description)}`);
    if (data.count !== Number(m[3]))
      throw new Error(`${JSON.stringify(description)}: ${dir} holds ${data.count} images, not ${m[3]}: not the same data`);
    identities.set(description, cifarIdentity(data, images));
  }
  return identities.get(description);
}

for (const file of argv) {
  const lock = acquireLock(file, console.error);
  let changed = 0;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((text) => {
      const line = JSON.parse(text);
      if (typeof line.protocol.data === 'string') {
        line.protocol.data = identityOf(line.protocol.data);
        changed++;
      }
      return JSON.stringify(line);
    });
  writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  renameSync(`${file}.tmp`, file);
  lock.release();
  console.log(`${file}: ${changed} of ${lines.length} lines migrated`);
}
