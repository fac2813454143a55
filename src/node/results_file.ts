/**
 * An append-only JSON-lines results file that survives kill -9, two writers and a full disk:
 * - each result is one write of one full line; on reopening, a torn last line (no newline) is cut off and
 *   redone;
 * - every line is checked (`check`); bad lines in the middle are an error naming `file:line`, or, with
 *   `repair`, are moved to `FILE.rejected` and the rest kept;
 * - a writer holds `FILE.lock` (file_lock.ts) from before it reads until it closes;
 * - a failed or short write is an error (ResultsWriteError) and the file is cut back to its last whole line:
 *   a result counts only once it is on disk;
 * - a finished file may be committed gzipped (`FILE.jsonl.gz`): it reads the same, and is never appended to.
 */
import { gunzipSync } from 'node:zlib';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { acquireLock, type FileLock } from './file_lock.js';

/** A results file that cannot be read as one (bad lines, not a file): a data error. */
export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

/** A result could not be saved: the run must stop, since every later result would be lost too. */
export class ResultsWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsWriteError';
  }
}

export interface ResultsFile<T> {
  readonly path: string;
  /** Results already in the file, in file order. */
  existing: T[];
  /** Lines cut off because they were torn (0 or 1). */
  repaired: number;
  /** Bad lines moved to `path.rejected` by `repair`. */
  rejected: number;
  append(result: T): void;
  close(): void;
}

export interface OpenResultsOptions<T> {
  /** Only read: a torn last line is skipped, not cut off; nothing is written and no lock is taken. */
  readOnly?: boolean;
  /** Validates one parsed line; throws with the reason when it is not a results line. */
  check?: (value: unknown) => T;
  /** Move bad lines to `path.rejected` instead of failing. */
  repair?: boolean;
  /** How the user repairs the file, for the message that refuses bad lines (default: "run again with --repair"). */
  repairHint?: string;
  /** Refuse a missing file (a report of nothing is an error, not an empty table). */
  mustExist?: boolean;
  /** Hears what was done to the file (a stale lock taken over, lines rejected). */
  say?: (line: string) => void;
}

interface Parsed<T> {
  existing: T[];
  good: number;
  torn: boolean;
  bad: { line: number; text: string; why: string }[];
  kept: string[];
}

function parse<T>(path: string, text: string, check: (v: unknown) => T): Parsed<T> {
  const out: Parsed<T> = { existing: [], good: 0, torn: false, bad: [], kept: [] };
  const lines = text.split('\n');
  let offset = 0;
  lines.forEach((line, i) => {
    const last = i === lines.length - 1;
    const length = Buffer.byteLength(line, 'utf8') + (last ? 0 : 1);
    offset += length;
    if (line.trim() === '') {
      if (!last) out.good = offset;
      return;
    }
    let value: unknown;
    try {
      if (last) throw new Error('no newline'); // written partially: redo it
      value = JSON.parse(line);
    } catch (e) {
      // Only a last line without its newline is torn (one write per line, newline included); a whole line that
      // is not JSON is bad, wherever it is.
      if (last) out.torn = true;
      else out.bad.push({ line: i + 1, text: line, why: `not JSON (${(e as Error).message})` });
      return;
    }
    try {
      out.existing.push(check(value));
      out.kept.push(line);
      out.good = offset;
    } catch (e) {
      out.bad.push({ line: i + 1, text: line, why: (e as Error).message });
      out.good = offset; // a whole line, kept in place unless repaired
    }
  });
  return out;
}

/** Opens the file for appending (or reading); see OpenResultsOptions. */
export function openResults<T>(path: string, options: OpenResultsOptions<T> = {}): ResultsFile<T> {
  const check = options.check ?? ((v: unknown) => v as T);
  const say = options.say ?? (() => {});
  if (existsSync(path) && !statSync(path).isFile()) throw new ResultsFileError(`${path} is not a regular file`);
  if (options.mustExist && !existsSync(path)) throw new ResultsFileError(`${path}: no such results file`);
  const gzipped = path.endsWith('.gz');
  if (gzipped && !options.readOnly) {
    throw new ResultsFileError(
      `${path} is gzipped: it can be read (eval --report-only, select, merge) but not written; ` + `gunzip it to resume or repair it`,
    );
  }
  const lock: FileLock | undefined = options.readOnly ? undefined : acquireLock(path, say);
  try {
    let parsed: Parsed<T> = { existing: [], good: 0, torn: false, bad: [], kept: [] };
    if (existsSync(path)) {
      const text = gzipped ? gunzipped(path) : readFileSync(path, 'utf8');
      parsed = parse(path, text, check);
      if (parsed.bad.length > 0 && !options.repair) {
        const shown = parsed.bad.slice(0, 10).map((b) => `${path}:${b.line}: not a results line: ${b.why}`);
        if (parsed.bad.length > 10) shown.push(`… and ${parsed.bad.length - 10} more`);
        throw new ResultsFileError(
          `${shown.join('\n')}\n${path}: ${parsed.bad.length} bad line(s) among ${parsed.existing.length} good ones; ` +
            `${options.repairHint ?? 'run again with --repair'} to move them to ${path}.rejected and keep the rest`,
        );
      }
      if (!options.readOnly) {
        if (parsed.bad.length > 0) {
          // The rejected lines are saved before the file loses them; the rewrite replaces it in one rename.
          appendFileSync(`${path}.rejected`, parsed.bad.map((b) => b.text + '\n').join(''));
          replaceFile(path, parsed.kept.map((l) => l + '\n').join(''));
          say(
            `${path}: moved ${parsed.bad.length} bad line(s) (${parsed.bad
              .map((b) => b.line)
              .slice(0, 10)
              .join(', ')}${parsed.bad.length > 10 ? ', …' : ''}) ` + `to ${path}.rejected; kept ${parsed.existing.length}`,
          );
        } else if (parsed.good < Buffer.byteLength(text, 'utf8')) truncateSync(path, parsed.good);
      }
    }
    const { existing } = parsed;
    const repaired = parsed.torn ? 1 : 0,
      rejected = options.repair ? parsed.bad.length : 0;
    if (options.readOnly || lock === undefined) {
      return {
        path,
        existing,
        repaired,
        rejected,
        append: () => {
          throw new Error(`${path} was opened read-only`);
        },
        close: () => {},
      };
    }
    const fd = openSync(path, 'a');
    let size = fstatSync(fd).size;
    return {
      path,
      existing,
      repaired,
      rejected,
      append(result: T) {
        const bytes = Buffer.from(JSON.stringify(result) + '\n', 'utf8');
        try {
          writeAll(fd, path, bytes);
        } catch (e) {
          try {
            ftruncateSync(fd, size);
          } catch {
            /* the error below says what matters */
          }
          throw e;
        }
        size += bytes.length;
      },
      close() {
        closeSync(fd);
        lock.release();
      },
    };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

function gunzipped(path: string): string {
  try {
    return gunzipSync(readFileSync(path)).toString('utf8');
  } catch (e) {
    throw new ResultsFileError(`${path}: not a whole gzip file (${(e as Error).message})`);
  }
}

/**
 * Replaces `path` by `text` in one rename: written whole to a temporary file beside it and synced first, so a
 * crash or a full disk leaves the old file as it was (and the temporary file removed).
 */
export function replaceFile(path: string, text: string): void {
  const tmp = `${path}.tmp.${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, tmp, Buffer.from(text, 'utf8'));
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** One write of the whole buffer; a short write is an error (the disk is full or the file too large). */
function writeAll(fd: number, path: string, bytes: Buffer): void {
  let n: number;
  try {
    n = writeSync(fd, bytes);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ResultsWriteError(
      `cannot write to ${path}: ${err.code ?? ''} ${err.code === 'ENOSPC' ? '(no space left on the device)' : err.code === 'EFBIG' ? '(file too large)' : err.message}`
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  if (n !== bytes.length)
    throw new ResultsWriteError(`cannot write to ${path}: short write (${n} of ${bytes.length} bytes; is the disk full?)`);
}
