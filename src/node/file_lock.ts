/**
 * One writer per results file: `FILE.lock` holds the writer's pid and host. It is created with link(2), which
 * fails if the lock exists, so the lock appears whole or not at all. A lock whose process is gone (same host,
 * no such pid) is stale, left by a killed run, and is taken over; a live one, or one from another host
 * (whose pid cannot be checked from here), refuses the second writer, naming the first.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Another process holds the lock. */
export class LockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockedError';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface FileLock {
  readonly path: string;
  release(): void;
}

export function lockPath(target: string): string {
  return `${target}.lock`;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/** Takes the lock of `target` for this process, released by `release()` or when the process exits. */
export function acquireLock(target: string, say: (line: string) => void = () => {}): FileLock {
  const path = lockPath(target);
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, JSON.stringify(me) + '\n');
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
      }
      const owner = readOwner(path);
      if (owner && (owner.host !== me.host || alive(owner.pid))) {
        throw new LockedError(
          `${target} is being written by another zerocost process (pid ${owner.pid} on ${owner.host}, since ${owner.started}: ${owner.command}); ` +
            `wait for it, or use another --out${owner.host !== me.host ? `; if that run is gone, delete ${path}` : ''}`,
        );
      }
      // Stale: move it aside (rename is atomic: of two processes taking over, one gets it) and check that what
      // moved is the stale lock, not a fresh one another process made meanwhile.
      const aside = `${path}.stale.${process.pid}`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readOwner(aside);
      if (moved && owner && moved.pid === owner.pid && moved.started === owner.started) {
        unlinkSync(aside);
        say(`${target}: took over the lock left by pid ${owner.pid} (${owner.host}, since ${owner.started}), which is no longer running`);
      } else if (!moved && !owner) {
        unlinkSync(aside);
        say(`${target}: removed an unreadable lock file ${path}`);
      } else {
        try {
          linkSync(aside, path);
        } catch {
          /* a third process holds it now */
        }
        unlinkSync(aside);
      }
    }
  } finally {
    unlinkSync(mine);
  }
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const owner = readOwner(path);
    if (owner?.pid === me.pid && owner.started === me.started) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', release);
  return { path, release };
}
